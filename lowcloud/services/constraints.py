"""The model's regex ``pattern`` constraints, which the protocol layer leaves to services.

lowcloud.protocol.validate already answers required/min/max/enum violations
the way AWS's front end words them; it skips patterns because the models hold
Java regexes.  Most of them (``[\\w+=,.@-]+``, ``[\\.\\-_/#A-Za-z0-9]+``,
``\\u002F`` escapes) mean the same in Python with ``re.ASCII``; the few that do
not compile (``\\p{L}``) are skipped.  Messages match validate's: "1 validation
error detected: Value 'x' at 'roleName' failed to satisfy constraint: Member
must satisfy regular expression pattern: [\\w+=,.@-]+".  Logs, IAM (code
ValidationError) and Lambda use it.
"""
from __future__ import annotations

import functools
import re

from botocore.model import Shape

from lowcloud.errors import AwsError
from lowcloud.protocol.model import operation


def check(service: str, op: str, params: dict, code: str) -> None:
    """Raise AwsError(code, AWS's text) when a string in ``params`` breaks its model pattern."""
    problems = violations(operation(service, op).input_shape, params)
    if problems:
        raise AwsError(code, message(problems))


def message(problems: list[str]) -> str:
    count = len(problems)
    head = f"{count} validation error{'s' if count > 1 else ''} detected: "
    return head + "; ".join(problems)


def violations(shape: Shape | None, value, path: str = "") -> list[str]:
    if shape is None or value is None:
        return []
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return [v for name, member in shape.members.items() if name in value
                for v in violations(member, value[name], _join(path, name))]
    if kind == "list" and isinstance(value, list):
        return [v for i, item in enumerate(value) for v in violations(shape.member, item, f"{path}.{i + 1}.member")]
    if kind == "string" and isinstance(value, str):
        return _pattern_violation(shape.metadata.get("pattern"), value, path)
    return []


def _pattern_violation(pattern: str | None, value: str, path: str) -> list[str]:
    regex = _compiled(pattern)
    if regex is None or regex.fullmatch(value):
        return []
    return [f"Value '{value}' at '{path}' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {pattern}"]


@functools.lru_cache(maxsize=512)
def _compiled(pattern: str | None) -> re.Pattern | None:
    if not pattern:
        return None
    try:
        return re.compile(pattern, re.ASCII | re.DOTALL)
    except re.error:
        return None


def _join(path: str, name: str) -> str:
    field = name[:1].lower() + name[1:]
    return f"{path}.{field}" if path else field
