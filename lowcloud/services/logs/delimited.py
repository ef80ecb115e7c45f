"""Space-delimited filter patterns: ``[ip, user, ..., status_code = 4*, bytes > 1000]``.

The message is split on spaces into fields, a "double-quoted" or [bracketed]
run counting as one field (without its quotes or brackets).  Each pattern
column names a field and may add conditions joined by ``&&`` / ``||``; one
``...`` column stands for any number of fields.  Without ``...`` the field
count must equal the column count.
"""
from __future__ import annotations

import re
from typing import Callable

from lowcloud.services.logs.values import compare, invalid_pattern, literal, tokenize

_FIELD = re.compile(r'"([^"]*)"|\[([^\]]*)\]|(\S+)')
ELLIPSIS = "..."


def compile_delimited(body: str) -> Callable[[str], dict | None]:
    """``message -> {"$name": field}`` of the named columns when it matches, else None."""
    columns = [_column(part.strip()) for part in _split_columns(body)]
    if sum(1 for c in columns if c is ELLIPSIS) > 1:
        raise invalid_pattern()
    return lambda message: _match(columns, split_fields(message))


def split_fields(message: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None) for m in _FIELD.finditer(message)]


def _split_columns(body: str) -> list[str]:
    parts, current, quoted = [], "", False
    for ch in body:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    if not body.strip():
        raise invalid_pattern()
    return parts


def _column(text: str):
    """ELLIPSIS, or (name, check) where check is None for a column without conditions."""
    if text == ELLIPSIS:
        return ELLIPSIS
    tokens = tokenize(text)
    if not tokens or tokens[0][0] != "word":
        raise invalid_pattern()
    if len(tokens) == 1:
        return tokens[0][1], None
    return tokens[0][1], _conditions(tokens[0][1], tokens[1:])


def _conditions(name: str, tokens: list) -> Callable[[str], bool]:
    """``op literal`` groups for column ``name``, ORed groups of ANDed conditions."""
    alternatives, current, i = [], [], 0
    while i < len(tokens):
        if tokens[i] == ("op", "&&") or tokens[i] == ("op", "||"):
            if tokens[i][1] == "||":
                alternatives.append(current)
                current = []
            i += 1
            i += 1 if i < len(tokens) and tokens[i] == ("word", name) else 0
            continue
        current.append(_condition(tokens[i:i + 2]))
        i += 2
    alternatives.append(current)
    return lambda value: any(all(c(value) for c in group) for group in alternatives)


def _condition(pair: list) -> Callable[[str], bool]:
    if len(pair) != 2 or pair[0][0] != "op" or pair[0][1] in ("(", ")", ",", "&&", "||"):
        raise invalid_pattern()
    op, lit = pair[0][1], literal(*pair[1])
    return lambda value: compare(value, op, lit)


def _match(columns: list, fields: list[str]) -> dict | None:
    if ELLIPSIS in columns:
        cut = columns.index(ELLIPSIS)
        head, tail = columns[:cut], columns[cut + 1:]
        if len(fields) < len(head) + len(tail):
            return None
        pairs = list(zip(head, fields)) + list(zip(tail, fields[len(fields) - len(tail):]))
    elif len(fields) != len(columns):
        return None
    else:
        pairs = list(zip(columns, fields))
    if not all(check is None or check(value) for (_, check), value in pairs):
        return None
    return {f"${name}": value for (name, _), value in pairs}
