"""Event-source-mapping FilterCriteria: EventBridge event patterns applied to each record.

The subset the spec lists: exact values (string, number, boolean, null), prefix,
suffix, equals-ignore-case (also inside prefix/suffix), wildcard, anything-but
(value, list, or prefix/suffix/equals-ignore-case/wildcard), numeric ranges,
exists, cidr, and ``$or``.  Leaf rules are arrays whose matchers OR together; all
named fields AND together; an array in the record matches when any element does.
Numbers match exactly only with the same JSON type (``5`` is not ``5.0``).  Patterns
are checked when the mapping is created or updated (Lambda answers
``InvalidParameterValueException``); ``matches`` then never raises.
"""
from __future__ import annotations

import ipaddress
import json
import re

MAX_OR_COMBINATIONS = 1000
_NUMERIC_OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, "=": lambda a, b: a == b,
                ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
_STRING_KEYS = ("prefix", "suffix", "equals-ignore-case", "wildcard")


class PatternError(ValueError):
    pass


# --- parsing and validation ------------------------------------------------------------------
def parse(text: str) -> dict:
    """A pattern object from its JSON text; PatternError when it is not a valid pattern."""
    try:
        pattern = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise PatternError(f"Invalid JSON: {exc}") from None
    if not isinstance(pattern, dict):
        raise PatternError("A pattern must be a JSON object")
    _check_object(pattern)
    if _or_combinations(pattern) > MAX_OR_COMBINATIONS:
        raise PatternError("Too many $or combinations")
    return pattern


def _check_object(pattern: dict) -> None:
    for key, rule in pattern.items():
        if key == "$or":
            if not isinstance(rule, list) or len(rule) < 2 or not all(isinstance(p, dict) for p in rule):
                raise PatternError("$or needs an array of at least two objects")
            for alternative in rule:
                _check_object(alternative)
        elif isinstance(rule, dict):
            _check_object(rule)
        elif isinstance(rule, list):
            for matcher in rule:
                _check_matcher(matcher)
        else:
            raise PatternError(f"Match value for {key} must be an array or an object")


def _check_matcher(matcher) -> None:
    if not isinstance(matcher, dict):
        return
    if len(matcher) != 1:
        raise PatternError("A matcher object has exactly one key")
    (kind, arg), = matcher.items()
    checker = _CHECKERS.get(kind)
    if checker is None:
        raise PatternError(f"Unrecognized match type {kind}")
    checker(arg)


def _check_string(arg) -> None:
    if not isinstance(arg, str):
        raise PatternError("equals-ignore-case needs a string")


def _check_bool(arg) -> None:
    if not isinstance(arg, bool):
        raise PatternError("exists needs true or false")


def _check_string_or_ignore_case(arg) -> None:
    if isinstance(arg, dict) and set(arg) == {"equals-ignore-case"} and isinstance(arg["equals-ignore-case"], str):
        return
    if not isinstance(arg, str):
        raise PatternError("prefix/suffix need a string")


def _check_anything_but(arg) -> None:
    if isinstance(arg, dict):
        if len(arg) != 1 or next(iter(arg)) not in _STRING_KEYS:
            raise PatternError("anything-but object supports prefix, suffix, equals-ignore-case, wildcard")
        kind, value = next(iter(arg.items()))
        if kind == "wildcard":
            _wildcard_regex(value)
        elif not isinstance(value, (str, list)):
            raise PatternError("anything-but needs strings")
    elif isinstance(arg, list):
        if not (all(isinstance(v, str) for v in arg) or all(_is_number(v) for v in arg)):
            raise PatternError("anything-but list must be all strings or all numbers")
    elif not (isinstance(arg, str) or _is_number(arg)):
        raise PatternError("anything-but needs a string, number or list")


def _numeric_pairs(arg) -> list[tuple[str, float]]:
    if not isinstance(arg, list) or not arg or len(arg) % 2 or len(arg) > 4:
        raise PatternError("numeric needs one or two operator/value pairs")
    pairs = list(zip(arg[::2], arg[1::2]))
    for op, value in pairs:
        if op not in _NUMERIC_OPS or not _is_number(value):
            raise PatternError(f"Bad numeric operator or value: {op} {value}")
    return pairs


def _wildcard_regex(text) -> re.Pattern:
    if not isinstance(text, str) or "**" in text:
        raise PatternError("wildcard needs a string without consecutive *")
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            if i + 1 >= len(text) or text[i + 1] not in "*\\":
                raise PatternError("Invalid escape in wildcard")
            out.append(re.escape(text[i + 1]))
            i += 2
            continue
        out.append(".*" if char == "*" else re.escape(char))
        i += 1
    return re.compile("^" + "".join(out) + "$", re.DOTALL)


def _network(text):
    try:
        return ipaddress.ip_network(text, strict=False)
    except (TypeError, ValueError):
        raise PatternError(f"Invalid CIDR {text}") from None


_CHECKERS = {"prefix": _check_string_or_ignore_case, "suffix": _check_string_or_ignore_case,
             "equals-ignore-case": _check_string, "wildcard": _wildcard_regex, "anything-but": _check_anything_but,
             "numeric": _numeric_pairs, "exists": _check_bool, "cidr": _network}


def _or_combinations(pattern: dict) -> int:
    total = 1
    for key, rule in pattern.items():
        if key == "$or":
            total *= sum(_or_combinations(p) for p in rule)
        elif isinstance(rule, dict):
            total *= _or_combinations(rule)
    return total


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --- matching ---------------------------------------------------------------------------------
def matches_any(patterns: list[dict], record: dict) -> bool:
    """Multiple filters OR together; no filters lets everything through."""
    return not patterns or any(matches(p, record) for p in patterns)


def matches(pattern: dict, event) -> bool:
    for key, rule in pattern.items():
        if key == "$or":
            if not any(matches(alternative, event) for alternative in rule):
                return False
            continue
        present = isinstance(event, dict) and key in event
        value = event.get(key) if present else None
        if isinstance(rule, dict):
            if not _object_matches(rule, value):
                return False
        elif not _leaf_matches(rule, present, value):
            return False
    return True


def _object_matches(rule: dict, value) -> bool:
    if isinstance(value, list):
        return any(matches(rule, element) for element in value if isinstance(element, dict))
    return matches(rule, value if isinstance(value, dict) else {})


def _leaf_matches(rule: list, present: bool, value) -> bool:
    values = value if isinstance(value, list) else [value]
    leaves = [v for v in values if not isinstance(v, dict)] if present else []
    return any(_matcher(m, present, leaves) for m in rule)


def _matcher(matcher, present: bool, leaves: list) -> bool:
    if not isinstance(matcher, dict):
        return any(_same(matcher, v) for v in leaves)
    (kind, arg), = matcher.items()
    if kind == "exists":
        return bool(leaves) if arg else not present
    if kind == "anything-but":
        return any(not _excluded(arg, v) for v in leaves)
    if kind == "numeric":
        pairs = _numeric_pairs(arg)
        return any(_is_number(v) and all(_NUMERIC_OPS[op](v, bound) for op, bound in pairs) for v in leaves)
    if kind == "cidr":
        return any(_in_network(arg, v) for v in leaves)
    return any(isinstance(v, str) and _string_rule(kind, arg, v) for v in leaves)


def _same(expected, actual) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    return type(expected) is type(actual) and expected == actual


def _string_rule(kind: str, arg, value: str) -> bool:
    if isinstance(arg, dict):
        arg, folded = arg["equals-ignore-case"], True
    else:
        folded = kind == "equals-ignore-case"
    subject, wanted = (value.casefold(), arg.casefold()) if folded else (value, arg)
    if kind == "prefix":
        return subject.startswith(wanted)
    if kind == "suffix":
        return subject.endswith(wanted)
    if kind == "wildcard":
        return bool(_wildcard_regex(arg).match(value))
    return subject == wanted


def _excluded(arg, value) -> bool:
    if isinstance(arg, dict):
        (kind, wanted), = arg.items()
        options = wanted if isinstance(wanted, list) else [wanted]
        return isinstance(value, str) and any(_string_rule(kind, option, value) for option in options)
    options = arg if isinstance(arg, list) else [arg]
    return any(_same(option, value) for option in options)


def _in_network(text: str, value) -> bool:
    try:
        return isinstance(value, str) and ipaddress.ip_address(value) in _network(text)
    except ValueError:
        return False
