"""CloudWatch Logs filter patterns, compiled once into a ``message -> bool`` predicate.

The first character picks the kind: ``{`` a JSON pattern (jsonpattern.py),
``[`` a space-delimited one (delimited.py), ``%...%`` a regular expression,
anything else a list of terms.  Term patterns are case-sensitive substring
matches: ``ERROR Exception`` needs both, ``"exact phrase"`` is one term,
``-term`` excludes, and ``?term`` opens an alternative: ``?ERROR ?WARN``
matches either, and ``?"ERROR" "MainThread" ?"WARN" "Deadlock"`` (the form CDK's
``anyTermGroup`` writes) matches either group.  An empty pattern matches all.
"""
from __future__ import annotations

import re
from typing import Callable

from lowcloud.services.logs.delimited import compile_delimited
from lowcloud.services.logs.jsonpattern import compile_json
from lowcloud.services.logs.values import invalid_pattern

Matcher = Callable[[str], bool]
_TERM = re.compile(r'\s*([?-]?)(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))')


def compile_pattern(text: str | None) -> Matcher:
    body = (text or "").strip()
    if not body:
        return lambda message: True
    if body.startswith("{"):
        return compile_json(_inside(body, "}"))
    if body.startswith("["):
        return compile_delimited(_inside(body, "]"))
    if len(body) > 1 and body.startswith("%") and body.endswith("%"):
        return _regex(body[1:-1])
    return _terms(body)


def _inside(body: str, closer: str) -> str:
    if not body.endswith(closer):
        raise invalid_pattern()
    return body[1:-1]


def _regex(expression: str) -> Matcher:
    try:
        regex = re.compile(expression)
    except re.error:
        raise invalid_pattern() from None
    return lambda message: regex.search(message) is not None


def _terms(body: str) -> Matcher:
    groups: list[tuple[list[str], list[str]]] = []
    for prefix, term in _split_terms(body):
        if prefix == "?" or not groups:
            groups.append(([], []))
        wanted, unwanted = groups[-1]
        (unwanted if prefix == "-" else wanted).append(term)
    return lambda message: any(_group_matches(message, w, u) for w, u in groups)


def _split_terms(body: str) -> list[tuple[str, str]]:
    terms, pos = [], 0
    while pos < len(body.rstrip()):
        m = _TERM.match(body, pos)
        if not m:
            raise invalid_pattern()
        quoted = m.group(2)
        terms.append((m.group(1), re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else m.group(3)))
        pos = m.end()
    return terms


def _group_matches(message: str, wanted: list[str], unwanted: list[str]) -> bool:
    return all(t in message for t in wanted) and not any(t in message for t in unwanted)
