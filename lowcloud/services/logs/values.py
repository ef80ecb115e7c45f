"""Tokens and value comparisons shared by JSON and space-delimited filter patterns.

Both pattern kinds compare a field against a literal: a quoted or bare string
(``*`` is a wildcard anywhere in it), a number, or a ``%regex%``.  Numbers
compare numerically when the field reads as a number (delimited fields are
always text, so "1534" > 1000 holds); strings compare by wildcard match with
``=`` / ``!=`` only.  A field that is absent never compares true.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lowcloud.errors import AwsError

MISSING = object()

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<str>"(?:[^"\\]|\\.)*")
    | (?P<regex>%[^%]*%)
    | (?P<op>&&|\|\||!=|<=|>=|=|<|>|\(|\)|,)
    | (?P<word>[^\s()=!<>&|,"%]+)
    )""", re.VERBOSE)

_NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def invalid_pattern() -> AwsError:
    return AwsError("InvalidParameterException", "Invalid filter pattern")


def tokenize(text: str) -> list[tuple[str, str]]:
    """(kind, text) pairs; kind is str, regex, op or word."""
    tokens, pos, text = [], 0, text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise invalid_pattern()
        tokens.append((m.lastgroup, m.group(m.lastgroup)))
        pos = m.end()
    return tokens


@dataclass(frozen=True)
class Literal:
    kind: str  # "string", "number" or "regex"
    text: str
    number: float | None = None
    regex: re.Pattern | None = None


def literal(kind: str, text: str) -> Literal:
    if kind == "str":
        return Literal("string", _unquote(text))
    if kind == "regex":
        try:
            return Literal("regex", text, regex=re.compile(text[1:-1]))
        except re.error:
            raise invalid_pattern() from None
    if kind == "word" and _NUMBER.fullmatch(text):
        return Literal("number", text, number=float(text))
    if kind == "word":
        return Literal("string", text)
    raise invalid_pattern()


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def compare(actual, op: str, lit: Literal) -> bool:
    if actual is MISSING:
        return False
    if lit.kind == "regex":
        found = lit.regex.search(as_text(actual)) is not None
        return found if op == "=" else (not found if op == "!=" else False)
    if lit.kind == "number":
        return _compare_number(actual, op, lit)
    if op not in ("=", "!="):
        return False
    return wildcard_match(lit.text, as_text(actual)) == (op == "=")


def _compare_number(actual, op: str, lit: Literal) -> bool:
    number = as_number(actual)
    if number is None:
        return op == "!="
    return {"=": number == lit.number, "!=": number != lit.number, "<": number < lit.number,
            "<=": number <= lit.number, ">": number > lit.number, ">=": number >= lit.number}[op]


def as_number(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        return float(value)
    return None


def as_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def wildcard_match(pattern: str, text: str) -> bool:
    if "*" not in pattern:
        return pattern == text
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, text, re.DOTALL) is not None
