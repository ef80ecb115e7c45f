"""States.* intrinsic functions of JSONPath-mode payload templates.

An expression is parsed into a small tree (calls, literals, paths) and evaluated
bottom-up. AWS runs these on a Java stack, which shows through in observable results:
numbers are cut to Java ints (intValue, i.e. truncation) where an integer is expected, except
MathAdd which rounds (Math.round) and checks the int32 range; States.Format renders objects
and arrays the way Java's Map/List toString do ({a=1, b=[]}); equality is Jackson's (1 and
1.0 differ, key order does not matter). Bad arguments fail with States.Runtime
"Invalid arguments in States.X".
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from .context import Scope
from .errors import StatesError, compact_json, java_double, runtime_error

_NAME = re.compile(r"States\.([A-Za-z0-9]+)\s*\(")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_ARITY = {
    "Format": (1, None), "StringToJson": (1, 1), "JsonToString": (1, 1), "Array": (0, None),
    "ArrayPartition": (2, 2), "ArrayContains": (2, 2), "ArrayRange": (3, 3),
    "ArrayGetItem": (2, 2), "ArrayLength": (1, 1), "ArrayUnique": (1, 1),
    "Base64Encode": (1, 1), "Base64Decode": (1, 1), "Hash": (2, 2), "JsonMerge": (3, 3),
    "MathRandom": (2, 3), "MathAdd": (2, 2), "StringSplit": (2, 2), "UUID": (0, 0),
}
_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
_MAX_NESTING = 10
_MAX_STRING = 10000
_INT32 = (-2**31, 2**31 - 1)


class IntrinsicSyntaxError(ValueError):
    """An intrinsic call that does not parse."""


@dataclass
class Call:
    name: str
    args: list


@dataclass
class Literal:
    value: Any
    raw: str | None = None     # a string literal's text between the quotes, escapes kept


@dataclass
class PathArg:
    path: str


# ---------------------------------------------------------------- parsing

def is_intrinsic(expr) -> bool:
    return isinstance(expr, str) and _NAME.match(expr) is not None


def parse_intrinsic(expr: str) -> Call:
    call, pos = _parse_call(expr, 0)
    if expr[pos:].strip():
        raise IntrinsicSyntaxError(f"unexpected text after the call: {expr[pos:]!r}")
    return call


def _parse_call(text: str, pos: int) -> tuple[Call, int]:
    match = _NAME.match(text, pos)
    if not match:
        raise IntrinsicSyntaxError(f"expected States.<Function>( at {pos}")
    call, pos = Call(match.group(1), []), _skip(text, match.end())
    if text.startswith(")", pos):
        return call, pos + 1
    while True:
        arg, pos = _parse_arg(text, _skip(text, pos))
        call.args.append(arg)
        pos = _skip(text, pos)
        if text.startswith(")", pos):
            return call, pos + 1
        if not text.startswith(",", pos):
            raise IntrinsicSyntaxError(f"expected ',' or ')' at {pos}")
        pos += 1


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] == " ":
        pos += 1
    return pos


def _parse_arg(text: str, pos: int):
    if text.startswith("States.", pos):
        return _parse_call(text, pos)
    if text.startswith("'", pos):
        return _parse_string(text, pos)
    if text.startswith("$", pos):
        return _parse_path(text, pos)
    for word, value in (("true", True), ("false", False), ("null", None)):
        if text.startswith(word, pos):
            return Literal(value), pos + len(word)
    match = _NUMBER.match(text, pos)
    if not match:
        raise IntrinsicSyntaxError(f"unexpected argument at {pos}")
    number = match.group(0)
    return Literal(float(number) if any(c in number for c in ".eE") else int(number)), match.end()


def _parse_string(text: str, pos: int) -> tuple[Literal, int]:
    out, i = [], pos + 1
    while i < len(text) and text[i] != "'":
        if text[i] == "\\":
            if i + 1 >= len(text) or text[i + 1] not in "'{}\\":
                raise IntrinsicSyntaxError("open escape backslash in string literal")
            i += 1
        out.append(text[i])
        i += 1
    if i >= len(text):
        raise IntrinsicSyntaxError("unterminated string literal")
    return Literal("".join(out), raw=text[pos + 1:i]), i + 1


def _parse_path(text: str, pos: int) -> tuple[PathArg, int]:
    depth, quote, i = 0, None, pos
    while i < len(text):
        ch = text[i]
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"" and depth:
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
        elif ch in ",)" and not depth:
            break
        i += 1
    return PathArg(text[pos:i].rstrip()), i


def _depth(node) -> int:
    if not isinstance(node, Call):
        return 0
    return 1 + max((_depth(arg) for arg in node.args), default=0)


def _static_errors(call: Call) -> str | None:
    low, high = _ARITY.get(call.name, (None, None))
    if low is None:
        return f"Unknown intrinsic function States.{call.name}"
    if len(call.args) < low or (high is not None and len(call.args) > high):
        return f"Invalid number of arguments for States.{call.name}"
    nested = [arg for arg in call.args if isinstance(arg, Call)]
    return next((err for err in map(_static_errors, nested) if err), None)


def check_intrinsic(expr: str, field: str | None = None) -> str | None:
    """Static check for the validator: None when fine, else a diagnostic message.

    With `field`, the message is AWS's schema sentence for that field; without, it says
    what is wrong (syntax, unknown function, arity, nesting deeper than 10).
    """
    problem = _static_problem(expr)
    if problem and field:
        return f"The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call"
    return problem


def _static_problem(expr: str) -> str | None:
    try:
        call = parse_intrinsic(expr)
    except IntrinsicSyntaxError as err:
        return str(err)
    if _depth(call) > _MAX_NESTING:
        return f"Intrinsic functions can be nested at most {_MAX_NESTING} deep"
    return _static_errors(call)


# ---------------------------------------------------------------- evaluating

def evaluate_intrinsic(expr: str, data, scope: Scope, field: str = "Parameters") -> Any:
    """Evaluate 'States.X(...)' against the state's data; errors are States.Runtime."""
    try:
        call = parse_intrinsic(expr)
    except IntrinsicSyntaxError:
        raise runtime_error(f"The value for the field '{field}' must be a valid JSONPath "
                            f"or a valid intrinsic function call") from None
    return _evaluate_call(call, data, scope, field)


def _evaluate_call(call: Call, data, scope: Scope, field: str) -> Any:
    low, high = _ARITY.get(call.name, (None, None))
    if low is None or len(call.args) < low or (high is not None and len(call.args) > high):
        raise _invalid(call.name)
    args = [_evaluate_arg(arg, data, scope, field) for arg in call.args]
    if call.name == "Format":
        return _format(call.args[0], args, call.name)
    handler = _FUNCTIONS[call.name]
    return handler(scope, *args) if call.name in ("UUID", "MathRandom") else handler(*args)


def _evaluate_arg(arg, data, scope: Scope, field: str) -> Any:
    if isinstance(arg, Call):
        return _evaluate_call(arg, data, scope, field)
    if isinstance(arg, PathArg):
        from .paths import read_path
        return read_path(arg.path, data, scope, field=field)
    return arg.value


def _invalid(name: str) -> StatesError:
    return runtime_error(f"Invalid arguments in States.{name}")


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _int_arg(value, name: str) -> int:
    """Java's intValue(): numbers are truncated toward zero."""
    if not _is_number(value):
        raise _invalid(name)
    return int(value)


def _require(condition: bool, name: str) -> None:
    if not condition:
        raise _invalid(name)


def _canonical(value) -> str:
    """A text equal for Jackson-equal JSON values (key order ignored, 1 != 1.0)."""
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(k) + ":" + _canonical(value[k]) for k in sorted(value)) + "}"
    if isinstance(value, list):
        return "[" + ",".join(map(_canonical, value)) + "]"
    return compact_json(value)


# ---------------------------------------------------------------- the functions

def _format(template_arg, args: list, name: str) -> str:
    template, values = args[0], args[1:]
    _require(isinstance(template, str), name)
    raw = template_arg.raw if isinstance(template_arg, Literal) and template_arg.raw is not None \
        else template.replace("\\", "\\\\")
    pieces = _format_pieces(raw)
    _require(pieces.count(None) == len(values), name)
    rendered, given = [], iter(values)
    for piece in pieces:
        rendered.append(_java_text(next(given)) if piece is None else piece)
    return "".join(rendered)


def _format_pieces(raw: str) -> list:
    """Literal text pieces and None for each unescaped '{}' placeholder."""
    pieces, i = [], 0
    while i < len(raw):
        if raw[i] == "\\" and i + 1 < len(raw):
            pieces.append(raw[i + 1])
            i += 2
        elif raw.startswith("{}", i):
            pieces.append(None)
            i += 2
        else:
            pieces.append(raw[i])
            i += 1
    return pieces


def _java_text(value) -> str:
    """String.valueOf of the value as AWS's Java runtime holds it."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_java_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(map(_java_text, value)) + "]"
    return str(value)


def _string_to_json(text):
    _require(isinstance(text, str), "StringToJson")
    if not text.strip():
        return None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        raise _invalid("StringToJson") from None


def _reject_constant(name: str):
    raise ValueError(name)


def _array_partition(array, size):
    chunk = _int_arg(size, "ArrayPartition")
    _require(isinstance(array, list) and chunk > 0, "ArrayPartition")
    return [array[i:i + chunk] for i in range(0, len(array), chunk)]


def _array_contains(array, value):
    _require(isinstance(array, list), "ArrayContains")
    wanted = _canonical(value)
    return any(_canonical(item) == wanted for item in array)


def _array_range(start, end, step):
    first, last, delta = (_int_arg(v, "ArrayRange") for v in (start, end, step))
    _require(delta != 0, "ArrayRange")
    values = range(first, last + (1 if delta > 0 else -1), delta)
    _require(len(values) <= 1000, "ArrayRange")
    return list(values)


def _array_get_item(array, index):
    position = _int_arg(index, "ArrayGetItem")
    _require(isinstance(array, list) and 0 <= position < len(array), "ArrayGetItem")
    return array[position]


def _array_length(array):
    _require(isinstance(array, list), "ArrayLength")
    return len(array)


def _array_unique(array):
    _require(isinstance(array, list), "ArrayUnique")
    seen, unique = set(), []
    for item in array:
        key = _canonical(item)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def _base64_encode(text):
    _require(isinstance(text, str) and len(text) <= _MAX_STRING, "Base64Encode")
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _base64_decode(text):
    _require(isinstance(text, str) and len(text) <= _MAX_STRING, "Base64Decode")
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise _invalid("Base64Decode") from None


def _hash(data, algorithm):
    _require(isinstance(data, str) and len(data) <= _MAX_STRING and algorithm in _HASHES, "Hash")
    return hashlib.new(_HASHES[algorithm], data.encode("utf-8")).hexdigest()


def _json_merge(first, second, deep):
    _require(isinstance(first, dict) and isinstance(second, dict) and deep is False, "JsonMerge")
    return {**first, **second}


def _math_random(scope: Scope, start, end, seed=None):
    low, high = _int_arg(start, "MathRandom"), _int_arg(end, "MathRandom")
    _require(low < high, "MathRandom")
    if seed is not None:
        return low + JavaRandom(_int_arg(seed, "MathRandom")).next_int(high - low)
    return scope.ids.randint(low, high - 1)


def _math_add(first, second):
    if not (_is_number(first) and _is_number(second)):
        raise _invalid("MathAdd")
    values = [math.floor(v + 0.5) for v in (first, second)]
    total = sum(values)
    _require(all(_INT32[0] <= v <= _INT32[1] for v in values + [total]), "MathAdd")
    return total


def _string_split(text, delimiters):
    _require(isinstance(text, str) and isinstance(delimiters, str), "StringSplit")
    if not delimiters:
        return [text] if text else []
    pattern = "[" + re.escape(delimiters) + "]"
    return [token for token in re.split(pattern, text) if token]


def _uuid(scope: Scope):
    return scope.ids.uuid()


_FUNCTIONS = {
    "StringToJson": _string_to_json, "JsonToString": compact_json, "Array": lambda *a: list(a),
    "ArrayPartition": _array_partition, "ArrayContains": _array_contains,
    "ArrayRange": _array_range, "ArrayGetItem": _array_get_item, "ArrayLength": _array_length,
    "ArrayUnique": _array_unique, "Base64Encode": _base64_encode, "Base64Decode": _base64_decode,
    "Hash": _hash, "JsonMerge": _json_merge, "MathRandom": _math_random, "MathAdd": _math_add,
    "StringSplit": _string_split, "UUID": _uuid,
}


class JavaRandom:
    """java.util.Random's generator, so a seeded call gives the same numbers every run."""

    _MASK = (1 << 48) - 1

    def __init__(self, seed: int):
        self._seed = (seed ^ 0x5DEECE66D) & self._MASK

    def _next(self, bits: int) -> int:
        self._seed = (self._seed * 0x5DEECE66D + 0xB) & self._MASK
        return self._seed >> (48 - bits)

    def next_int(self, bound: int) -> int:
        value = self._next(31)
        if bound & (bound - 1) == 0:
            return (bound * value) >> 31
        while value - value % bound + (bound - 1) >= 2**31:
            value = self._next(31)
        return value % bound

    def next_double(self) -> float:
        return ((self._next(26) << 27) + self._next(27)) * 2.0**-53
