"""Compare a result with one recorded on AWS, honouring the recordings' placeholders.

The recordings (data/cases.jsonl, see data/NOTICE) replaced per-run values before they
were stored.  The rules, from the conformance README: a ``<...>`` token matches any text
in its place, ``111111111111`` any 12-digit account, ``date`` an ISO-8601 date-time (or
the word), a whole value ``timestamp`` under a key containing "timestamp" anything, and
each of the case's ``wildcards`` any text.  Everything else is JSON equality, where a
boolean never equals a number.  ``first_difference`` returns None or a short reason.
"""
from __future__ import annotations

import json
import re

_TOKEN = r"<[A-Za-z_][A-Za-z0-9_:.\-]*>"
_ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?"


def _as_regex(expected: str, wildcards: tuple) -> re.Pattern | None:
    """The expected text as a regex where every placeholder is a hole; None if it has none."""
    holes = [_TOKEN, "111111111111", r"\bdate\b"] + [re.escape(w) for w in sorted(wildcards, key=len, reverse=True)
                                                      if w]
    pieces, last, found = [], 0, False
    for m in re.finditer("|".join(holes), expected):
        found = True
        pieces.append(re.escape(expected[last:m.start()]))
        text = m.group(0)
        pieces.append(r"\d{12}" if text == "111111111111" else f"(?:date|{_ISO})" if text == "date" else ".*?")
        last = m.end()
    if not found:
        return None
    pieces.append(re.escape(expected[last:]))
    return re.compile("".join(pieces), re.S)


def text_matches(expected: str, actual: str, wildcards: tuple) -> bool:
    if expected == actual:
        return True
    pattern = _as_regex(expected, wildcards)
    return bool(pattern and pattern.fullmatch(actual))


def _is_hole(expected: str, key, wildcards: tuple) -> bool:
    if key is not None and expected == "timestamp" and "timestamp" in str(key).lower():
        return True
    return bool(re.fullmatch(_TOKEN, expected)) or expected in wildcards


def first_difference(expected, actual, wildcards=(), where="$", key=None) -> str | None:
    wildcards = tuple(wildcards)
    if isinstance(expected, str):
        if isinstance(actual, str) and text_matches(expected, actual, wildcards):
            return None
        return None if _is_hole(expected, key, wildcards) else f"{where}: expected {expected!r} got {actual!r}"
    if isinstance(expected, dict):
        return _dict_difference(expected, actual, wildcards, where)
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{where}: expected {json.dumps(expected)[:150]} got {json.dumps(actual)[:150]}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            found = first_difference(e, a, wildcards, f"{where}[{i}]")
            if found:
                return found
        return None
    if isinstance(expected, bool) or isinstance(actual, bool) or expected is None or actual is None:
        same = type(expected) is type(actual) and expected == actual
    else:
        same = isinstance(actual, (int, float)) and expected == actual
    return None if same else f"{where}: expected {json.dumps(expected)} got {json.dumps(actual)}"


def _dict_difference(expected: dict, actual, wildcards: tuple, where: str) -> str | None:
    if not isinstance(actual, dict):
        return f"{where}: expected an object got {json.dumps(actual)[:150]}"
    spare = [k for k in actual if k not in expected]
    for key, value in expected.items():
        real = key
        if key not in actual:
            real = next((s for s in spare if text_matches(key, s, wildcards)), None)
            if real is None:
                return f"{where}: missing key {key!r}"
            spare.remove(real)
        found = first_difference(value, actual[real], wildcards, f"{where}.{key}", key)
        if found:
            return found
    return f"{where}: unexpected keys {spare}" if spare else None


def judge(expected: dict, got: dict) -> str | None:
    """First difference between a recorded result and DescribeExecution-like ``got``."""
    wildcards = tuple(expected.get("wildcards") or ())
    if got.get("status") != expected["status"]:
        return f"status: expected {expected['status']} got {got.get('status')} {got.get('error')} " \
               f"{(got.get('cause') or '')[:200]}"
    if expected["status"] == "SUCCEEDED":
        return first_difference(expected.get("output"), json.loads(got["output"]), wildcards, "output")
    for field in ("error", "cause"):
        want, have = expected.get(field), got.get(field)
        if not isinstance(want, (str, type(None))):
            have = json.loads(have) if isinstance(have, str) else have
        found = first_difference(want, have, wildcards, field)
        if found:
            return found
    return None


def history_difference(expected: dict, types: list) -> str | None:
    want = expected.get("history_types")
    if not want:
        return None
    if expected.get("history_order") == "unordered":
        from collections import Counter
        lost = {"ParallelStateSucceeded", "ParallelStateFailed", "ParallelStateAborted", "ParallelStateExited"}
        missing = Counter(want) - Counter(types)
        extra = Counter(types) - Counter(want)
        return None if not missing and set(extra) <= lost else f"history: missing {dict(missing)} extra {dict(extra)}"
    return None if want == types else f"history: expected {want} got {types}"
