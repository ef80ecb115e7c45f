"""Input validation against the model, worded as AWS's request validator words it.

AWS answers constraint violations with one message listing them, e.g.
``1 validation error detected: Value null at 'tableName' failed to satisfy
constraint: Member must not be null``.  Member paths are camel-cased, list
items numbered from 1 (``keySchema.1.member.attributeName``).  Regex patterns
are not checked here (Java and Python regexes differ); services check names.

Each input shape compiles once into nested checkers that visit only members
able to fail (required, enum, bounds), so a PutItem's item, a map without
bounds, is never walked; messages are built only for actual problems.
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
    check = checker(shape)
    if check is None:
        return
    problems: list[str] = []
    check(params, "", problems)
    if problems:
        raise validation_error(problems, service, protocol)


def checker(shape):
    """``check(params, "", problems)`` for an input shape (compiled once), or None when nothing can fail."""
    if shape is None:
        return None
    check = shape.__dict__.get("_lc_check", _UNCOMPILED)
    if check is _UNCOMPILED:
        check = shape._lc_check = _checker(shape, {})
    return check


def validation_error(problems: list[str], service: str, protocol: str) -> AwsError:
    count = len(problems)
    head = f"{count} validation error{'s' if count > 1 else ''} detected: "
    return AwsError(validation_code(service, protocol), head + "; ".join(problems[:MAX_REPORTED]))


# --- compiling -------------------------------------------------------------------------
# A shape compiles to ``check(value, path, problems)``, or None when nothing under it can
# fail (no required member, no enum, no bounds): such subtrees are never walked.  A
# structure that contains itself is reached through a forwarder to the finished checker.

_UNCOMPILED = object()
_NUMERIC = ("integer", "long", "float", "double")


def _checker(shape, building: dict):
    kind = shape.type_name
    if kind == "structure":
        return _structure_checker(shape, building)
    if kind == "list":
        return _list_checker(shape, building)
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if kind == "map" and (low is not None or high is not None):
        return _length_checker(shape, dict, low, high)
    if kind == "string" and shape.metadata.get("enum"):
        return _typed(str, lambda value, path, problems: _check_string(shape, value, path, problems))
    if kind == "string" and (low is not None or high is not None):
        return _length_checker(shape, str, low, high)
    if kind in _NUMERIC and (low is not None or high is not None):
        return _typed((int, float), lambda value, path, problems: _check_range(shape, value, path, problems))
    return None


def _typed(kind, check):
    def check_typed(value, path, problems):
        if isinstance(value, kind):
            check(value, path, problems)
    return check_typed


def _length_checker(shape, kind, low, high):
    """``_check_length`` for a value of ``kind``, with the bounds read once and messages built only on failure."""
    low = -1 if low is None else low
    high = float("inf") if high is None else high

    def check_length(value, path, problems):
        if isinstance(value, kind) and not low <= len(value) <= high:
            _check_length(shape, value, path, problems, "length")
    return check_length


def _structure_checker(shape, building: dict):
    if shape.name in building:
        return building[shape.name]
    done = []
    building[shape.name] = lambda value, path, problems: done[0] and done[0](value, path, problems)
    required = [(member, _camel(member)) for member in shape.required_members]
    steps = {}
    for key, member in shape.members.items():
        step = _checker(member, building)
        if step is not None:
            steps[key] = (step, _camel(key))
    done.append(_structure_check(required, steps) if required or steps else None)
    return done[0]


def _structure_check(required: list, steps: dict):
    def check_structure(value, path, problems):
        if not isinstance(value, dict):
            return
        for member, camel in required:
            if value.get(member) is None:
                problems.append(f"Value null at '{_join(path, camel)}' failed to satisfy constraint: "
                                "Member must not be null")
        for key, item in value.items():
            step = steps.get(key)
            if step is not None and item is not None:
                step[0](item, _join(path, step[1]), problems)
    return check_structure


def _list_checker(shape, building: dict):
    element = _checker(shape.member, building)
    bounded = shape.metadata.get("min") is not None or shape.metadata.get("max") is not None
    if element is None and not bounded:
        return None

    def check_list(value, path, problems):
        if not isinstance(value, list):
            return
        _check_length(shape, value, path, problems, "length")
        if element is not None:
            for i, item in enumerate(value, 1):
                if item is not None:
                    element(item, f"{path}.{i}.member", problems)
    return check_list


def _camel(member: str) -> str:
    return member[:1].lower() + member[1:]


def _join(prefix: str, camel: str) -> str:
    return f"{prefix}.{camel}" if prefix else camel


# --- the checks ------------------------------------------------------------------------

def _check_string(shape, value, path, problems) -> None:
    enum = shape.metadata.get("enum")
    if enum and value not in enum:
        listed = ENUM_ORDER.get(shape.name, enum)
        problems.append(f"Value '{value}' at '{path}' failed to satisfy constraint: "
                        f"Member must satisfy enum value set: [{', '.join(listed)}]")
    _check_length(shape, value, path, problems, "length")


def _check_length(shape, value, path, problems, what) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if (low is None or len(value) >= low) and (high is None or len(value) <= high):
        return
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
