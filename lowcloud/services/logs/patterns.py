"""CloudWatch Logs filter patterns, compiled once into a ``message -> bool`` predicate.

The first character picks the kind: ``{`` a JSON pattern (jsonpattern.py),
``[`` a space-delimited one (delimited.py), ``%...%`` a regular expression,
anything else a list of terms.  Term patterns are case-sensitive substring
matches: ``ERROR Exception`` needs both, ``"exact phrase"`` is one term,
``-term`` excludes, and ``?term`` opens an alternative: ``?ERROR ?WARN``
matches either, and ``?"ERROR" "MainThread" ?"WARN" "Deadlock"`` (the form CDK's
``anyTermGroup`` writes) matches either group.  An empty pattern matches all.

One engine serves FilterLogEvents, subscription filters, metric filters and
TestMetricFilter: ``compile_match`` answers a ``Match`` (or None) carrying what
the pattern extracted - the ``$name`` columns of a space-delimited pattern, the
parsed document of a JSON one - so metric values and dimensions (``$.latency``,
``$status``) resolve against it; ``compile_pattern`` is the yes/no view of it.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Callable

from lowcloud.services.logs.delimited import compile_delimited
from lowcloud.services.logs.jsonpattern import compile_json, parse_document, selector
from lowcloud.services.logs.values import MISSING, as_text, invalid_pattern

Matcher = Callable[[str], bool]
_TERM = re.compile(r'\s*([?-]?)(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))')


@dataclass
class Match:
    """What a matching pattern extracted from one message."""
    extracted: dict[str, str] = field(default_factory=dict)
    document: object = MISSING
    delimited: bool = False  # a space-delimited pattern named the extracted fields

    def extracted_fields(self) -> dict[str, str] | None:
        """Subscription payloads' ``extractedFields``: the named columns without their ``$``."""
        return {name[1:]: value for name, value in self.extracted.items()} if self.delimited else None

    def value(self, reference: str) -> str | None:
        """``$.path`` in the JSON document or a ``$name`` column, as text; None when absent."""
        if reference.startswith("$.") or reference.startswith("$["):
            found = selector(reference)(self.document) if self.document is not MISSING else MISSING
            return None if found is MISSING or isinstance(found, (dict, list)) else as_text(found)
        return self.extracted.get(reference)


MatchFn = Callable[[str], Match | None]


@functools.lru_cache(maxsize=256)  # ingestion compiles each filter's pattern per batch
def compile_match(text: str | None) -> MatchFn:
    body = (text or "").strip()
    if not body:
        return lambda message: Match()
    if body.startswith("{"):
        return _json(compile_json(_inside(body, "}")))
    if body.startswith("["):
        return _delimited(compile_delimited(_inside(body, "]")))
    if len(body) > 1 and body.startswith("%") and body.endswith("%"):
        return _as_match(_regex(body[1:-1]))
    return _as_match(_terms(body))


def compile_pattern(text: str | None) -> Matcher:
    match = compile_match(text)
    return lambda message: match(message) is not None


def _json(predicate) -> MatchFn:
    def match(message: str) -> Match | None:
        document = parse_document(message)
        return Match(document=document) if document is not MISSING and predicate(document) else None
    return match


def _delimited(columns) -> MatchFn:
    def match(message: str) -> Match | None:
        extracted = columns(message)
        return None if extracted is None else Match(extracted=extracted, delimited=True)
    return match


def _as_match(matches: Matcher) -> MatchFn:
    return lambda message: Match() if matches(message) else None


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
