"""Values in Logs Insights: how they compare, compute, convert and print.

Fields are whatever the event gave (str, int, float, bool, JSON lists and
objects); timestamps are ``Stamp`` ints (milliseconds) so they print AWS's way,
"2024-01-01 00:00:00.000".  Comparisons are numeric when both sides read as
numbers and textual otherwise; anything compared with a missing value is false.
The scalar functions of the query language live here too, shared by record
expressions and by arithmetic over ``stats`` aggregates.
"""
from __future__ import annotations

import json
import math
import re
from datetime import datetime, timezone

_UNITS_MS = {"ms": 1, "s": 1000, "sec": 1000, "m": 60_000, "min": 60_000, "h": 3_600_000, "hr": 3_600_000,
             "d": 86_400_000, "w": 604_800_000}


class Stamp(int):
    """Milliseconds since the epoch that print as an Insights timestamp."""


def format_stamp(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{ms % 1000:03d}"


def render(value) -> str:
    if isinstance(value, Stamp):
        return format_stamp(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def number(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def text(value) -> str | None:
    return None if value is None else render(value)


def truthy(value) -> bool:
    return value is not None and value is not False and value != ""


def binary(op: str, left, right):
    if op in ("+", "-", "*", "/", "%"):
        return arithmetic(op, number(left), number(right))
    if left is None or right is None:
        return False
    if isinstance(right, re.Pattern):
        found = right.search(text(left)) is not None
        return not found if op == "!=" else found
    if op == "like":
        return text(right) in text(left)
    if op == "in":
        return any(compare("=", left, item) for item in (right if isinstance(right, list) else [right]))
    return compare(op, left, right)


def compare(op: str, left, right) -> bool:
    a, b = number(left), number(right)
    if a is None or b is None:
        a, b = text(left), text(right)
    return {"=": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def arithmetic(op: str, a: float | None, b: float | None):
    if a is None or b is None or (op in ("/", "%") and b == 0):
        return None
    return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else None, "%": a % b}[op]


def period_ms(value) -> int:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([a-z]*)", str(value).strip().lower())
    if not m or (m.group(2) or "s") not in _UNITS_MS:
        return 0
    return int(float(m.group(1)) * _UNITS_MS[m.group(2) or "s"])


def _bin(args: list):
    stamp, period = number(args[0]), period_ms(args[1]) if len(args) > 1 else 0
    if stamp is None or period <= 0:
        return None
    return Stamp(int(stamp) - int(stamp) % period)


def _ceil_bin(args: list):
    floor = _bin(args)
    return None if floor is None else Stamp(floor if floor == number(args[0]) else floor + period_ms(args[1]))


def _numeric(fn):
    return lambda args: None if number(args[0]) is None else fn(number(args[0]))


def _string(fn):
    return lambda args: None if args[0] is None else fn(text(args[0]), *[text(a) for a in args[1:]])


FUNCTIONS = {
    "bin": _bin, "datefloor": _bin, "dateceil": _ceil_bin,
    "frommillis": lambda a: None if number(a[0]) is None else Stamp(int(number(a[0]))),
    "tomillis": lambda a: None if number(a[0]) is None else int(number(a[0])),
    "abs": _numeric(abs), "ceil": _numeric(math.ceil), "floor": _numeric(math.floor),
    "sqrt": _numeric(lambda n: math.sqrt(n) if n >= 0 else None),
    "log": _numeric(lambda n: math.log(n) if n > 0 else None),
    "greatest": lambda a: max((n for n in map(number, a) if n is not None), default=None),
    "least": lambda a: min((n for n in map(number, a) if n is not None), default=None),
    "strlen": _string(len), "toupper": _string(str.upper), "tolower": _string(str.lower),
    "trim": _string(lambda s, chars=None: s.strip(chars)), "ltrim": _string(lambda s, c=None: s.lstrip(c)),
    "rtrim": _string(lambda s, c=None: s.rstrip(c)),
    "replace": _string(lambda s, old, new: s.replace(old, new)),
    "strcontains": _string(lambda s, sub: 1 if sub in s else 0),
    "substr": _string(lambda s, start, length=None: s[int(float(start)):][:None if length is None
                                                                           else int(float(length))]),
    "concat": lambda a: "".join(text(v) or "" for v in a),
    "coalesce": lambda a: next((v for v in a if v is not None), None),
    "ispresent": lambda a: a[0] is not None,
    "isempty": lambda a: a[0] is None or text(a[0]) == "",
    "isblank": lambda a: a[0] is None or text(a[0]).strip() == "",
}




def apply_function(name: str, values: list, timestamp=None):
    """A scalar function's value; None for unknown functions and unusable arguments."""
    fn = FUNCTIONS.get(name)
    if name == "bin" and len(values) == 1:  # bin(period) bins @timestamp
        values = [timestamp, *values]
    if fn is None or not values:
        return None
    try:
        return fn(values)
    except (TypeError, ValueError, IndexError):
        return None
