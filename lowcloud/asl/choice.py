"""JSONPath-mode Choice rules: the data test of one rule, And/Or/Not recursively.

AWS's type rules: a comparator whose operand has the wrong type (a number for StringEquals,
a string that is not an ISO-8601 offset date-time for TimestampEquals, a bool for
NumericEquals) is simply false; only a Variable (or *Path operand) that selects nothing is an
error, States.Runtime "Invalid path '...': The choice state's condition path references an
invalid value." (IsPresent turns that case into false). Strings compare as Java does (UTF-16
code units); timestamps compare as instants with nanosecond precision.
"""
from __future__ import annotations

import datetime as dt
import operator
import re

from .context import Scope
from .errors import StatesError, runtime_error
from .paths import read_path

_ORDER = {"Equals": operator.eq, "LessThan": operator.lt, "GreaterThan": operator.gt,
          "LessThanEquals": operator.le, "GreaterThanEquals": operator.ge}
_TYPES = ("String", "Numeric", "Boolean", "Timestamp")
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"([Zz]|[+-]\d{2}:\d{2}(?::\d{2})?)")
_MISSING = object()


def rule_matches(rule: dict, data, scope: Scope) -> bool:
    """Whether one Choice rule (a top-level choice or a nested boolean rule) holds."""
    if "And" in rule:
        return all(rule_matches(sub, data, scope) for sub in rule["And"])
    if "Or" in rule:
        return any(rule_matches(sub, data, scope) for sub in rule["Or"])
    if "Not" in rule:
        return not rule_matches(rule["Not"], data, scope)
    variable = rule.get("Variable")
    value = _read(variable, data, scope, required="IsPresent" not in rule)
    return _compare(rule, value, data, scope)


def _read(path: str, data, scope: Scope, required: bool = True):
    try:
        return read_path(path, data, scope, field="Variable")
    except StatesError:
        if required:
            raise runtime_error(f"Invalid path '{path}': The choice state's condition path "
                                f"references an invalid value.") from None
        return _MISSING


def _compare(rule: dict, value, data, scope: Scope) -> bool:
    for name, expected in rule.items():
        if name.startswith("Is"):
            return _type_test(name, value) == expected
        if name == "StringMatches":
            return isinstance(value, str) and isinstance(expected, str) and _wildcard(expected).fullmatch(value) is not None
        kind = next((t for t in _TYPES if name.startswith(t)), None)
        if kind is None:
            continue
        op = name[len(kind):]
        if op.endswith("Path"):
            op, expected = op[:-4], _read(expected, data, scope)
        if op in _ORDER:
            return _typed_compare(kind, op, value, expected)
    raise runtime_error("The choice rule has no comparison operator.")


def _type_test(name: str, value) -> bool:
    if name == "IsPresent":
        return value is not _MISSING
    if name == "IsNull":
        return value is None
    if name == "IsNumeric":
        return _is_number(value)
    if name == "IsString":
        return isinstance(value, str)
    if name == "IsBoolean":
        return isinstance(value, bool)
    if name == "IsTimestamp":
        return parse_timestamp(value) is not None
    raise runtime_error(f"Unknown comparison operator {name}")


def _typed_compare(kind: str, op: str, left, right) -> bool:
    if kind == "String":
        ok = isinstance(left, str) and isinstance(right, str)
        left, right = (_utf16(left), _utf16(right)) if ok else (None, None)
    elif kind == "Numeric":
        ok = _is_number(left) and _is_number(right)
    elif kind == "Boolean":
        ok = isinstance(left, bool) and isinstance(right, bool) and op == "Equals"
    else:
        left, right = parse_timestamp(left), parse_timestamp(right)
        ok = left is not None and right is not None
    return ok and _ORDER[op](left, right)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _utf16(text: str) -> bytes:
    """Java's String.compareTo order: UTF-16 code units, compared as unsigned."""
    return text.encode("utf-16-be", "surrogatepass")


def _wildcard(pattern: str) -> re.Pattern:
    """StringMatches: '*' is any run of characters, '\\*' a star, '\\\\' a backslash."""
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "*\\":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if pattern[i] == "*" else re.escape(pattern[i]))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def parse_timestamp(value) -> tuple | None:
    """An ISO-8601 extended offset date-time as (UTC datetime, nanoseconds), else None.

    Follows Java's ISO_OFFSET_DATE_TIME, which AWS uses: 'T' separator, seconds and up to
    nine fraction digits optional, an offset ('Z' or +HH:MM) mandatory.
    """
    match = _TIMESTAMP.fullmatch(value) if isinstance(value, str) else None
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        local = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    except ValueError:
        return None
    shift = _offset(offset)
    if shift is None:
        return None
    return (local - shift, int((fraction or "").ljust(9, "0")))


def _offset(text: str) -> dt.timedelta | None:
    if text in ("Z", "z"):
        return dt.timedelta(0)
    sign = -1 if text[0] == "-" else 1
    parts = [int(p) for p in text[1:].split(":")]
    hours, minutes, seconds = (parts + [0])[:3]
    if hours > 18 or minutes > 59 or seconds > 59:
        return None
    return sign * dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
