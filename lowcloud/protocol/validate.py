"""Input validation against the model, worded as AWS's request validator words it.

AWS answers constraint violations with one message listing them, e.g.
``1 validation error detected: Value null at 'tableName' failed to satisfy
constraint: Member must not be null``.  Member paths are camel-cased, list
items numbered from 1 (``keySchema.1.member.attributeName``).  Regex patterns
are not checked here (Java and Python regexes differ); services check names.
"""
from __future__ import annotations

from lowcloud.errors import AwsError

MAX_REPORTED = 10
# Where AWS lists an enum's values in another order than the botocore model
# (recorded AWS messages: dynamodb-conformance captures; alternator export tests).
ENUM_ORDER = {
    "Select": ["SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"],
    "ExportFormat": ["ION", "DYNAMODB_JSON"],
}


def validation_code(service: str, protocol: str) -> str:
    if service == "logs":
        return "InvalidParameterException"
    return "ValidationError" if protocol == "query" else "ValidationException"


def validate(shape, params: dict, service: str, protocol: str) -> None:
    """Raise the service's validation error when ``params`` break the model's constraints."""
    if shape is None:
        return
    problems: list[str] = []
    _check_structure(shape, params, "", problems)
    if problems:
        count = len(problems)
        head = f"{count} validation error{'s' if count > 1 else ''} detected: "
        raise AwsError(validation_code(service, protocol), head + "; ".join(problems[:MAX_REPORTED]))


def _name(prefix: str, member: str) -> str:
    member = member[:1].lower() + member[1:]
    return f"{prefix}.{member}" if prefix else member


def _check_structure(shape, value, prefix, problems) -> None:
    if not isinstance(value, dict):
        return
    for member in shape.required_members:
        if value.get(member) is None:
            problems.append(f"Value null at '{_name(prefix, member)}' failed to satisfy constraint: Member must not be null")
    for key, item in value.items():
        member = shape.members.get(key)
        if member is not None and item is not None:
            _check(member, item, _name(prefix, key), problems)


def _check(shape, value, path, problems) -> None:
    kind = shape.type_name
    if kind == "structure":
        _check_structure(shape, value, path, problems)
    elif kind == "list" and isinstance(value, list):
        _check_length(shape, value, path, problems, "length")
        for i, item in enumerate(value, 1):
            _check(shape.member, item, f"{path}.{i}.member", problems)
    elif kind == "map" and isinstance(value, dict):
        _check_length(shape, value, path, problems, "length")
    elif kind == "string" and isinstance(value, str):
        _check_string(shape, value, path, problems)
    elif kind in ("integer", "long", "float", "double") and isinstance(value, (int, float)):
        _check_range(shape, value, path, problems)


def _check_string(shape, value, path, problems) -> None:
    enum = shape.metadata.get("enum")
    if enum and value not in enum:
        listed = ENUM_ORDER.get(shape.name, enum)
        problems.append(f"Value '{value}' at '{path}' failed to satisfy constraint: "
                        f"Member must satisfy enum value set: [{', '.join(listed)}]")
    _check_length(shape, value, path, problems, "length")


def _check_length(shape, value, path, problems, what) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    shown = f"'{value}'" if isinstance(value, str) else "[...]" if isinstance(value, list) else "{...}"
    if low is not None and len(value) < low:
        problems.append(f"Value {shown} at '{path}' failed to satisfy constraint: "
                        f"Member must have {what} greater than or equal to {low}")
    if high is not None and len(value) > high:
        problems.append(f"Value {shown} at '{path}' failed to satisfy constraint: "
                        f"Member must have {what} less than or equal to {high}")


def _check_range(shape, value, path, problems) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and value < low:
        problems.append(f"Value '{value}' at '{path}' failed to satisfy constraint: "
                        f"Member must have value greater than or equal to {low}")
    if high is not None and value > high:
        problems.append(f"Value '{value}' at '{path}' failed to satisfy constraint: "
                        f"Member must have value less than or equal to {high}")
