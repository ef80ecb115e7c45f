"""JSON filter patterns: ``{ ($.user.id = 1) && ($.level = "ERROR" || $.latency > 500) }``.

A small recursive-descent parser turns the text between the braces into a
predicate over the parsed message.  Conditions are ``selector op literal``,
``selector IS NULL|TRUE|FALSE``, ``selector NOT EXISTS`` and ``selector
EXISTS``; selectors are ``$`` followed by ``.name`` and ``[index]`` steps.
``&&`` binds tighter than ``||``; parentheses group.  Messages that are not a
JSON object or array never match.
"""
from __future__ import annotations

import json
import re
from typing import Callable

from lowcloud.services.logs.values import (MISSING, compare, invalid_pattern, literal, tokenize)

Predicate = Callable[[object], bool]
_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")
_COMPARE_OPS = ("=", "!=", "<", "<=", ">", ">=")


def compile_json(body: str) -> Predicate:
    """The condition between the braces as a predicate over a parsed document."""
    parser = _Parser(tokenize(body))
    predicate = parser.expression()
    if not parser.done():
        raise invalid_pattern()
    return predicate


def parse_document(message: str):
    """The message as a JSON object or array; MISSING when it is not one."""
    text = message.strip()
    if not text.startswith(("{", "[")):
        return MISSING
    try:
        return json.loads(text)
    except ValueError:
        return MISSING


def selector(text: str) -> Callable[[object], object]:
    if not text.startswith("$"):
        raise invalid_pattern()
    steps, pos = [], 1
    while pos < len(text):
        m = _STEP.match(text, pos)
        if not m:
            raise invalid_pattern()
        steps.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
        pos = m.end()
    return lambda doc: _resolve(doc, steps)


def _resolve(doc, steps: list):
    for step in steps:
        if isinstance(step, int) and isinstance(doc, list) and step < len(doc):
            doc = doc[step]
        elif isinstance(step, str) and isinstance(doc, dict) and step in doc:
            doc = doc[step]
        else:
            return MISSING
    return doc


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens, self.pos = tokens, 0

    def done(self) -> bool:
        return self.pos == len(self.tokens)

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token[0] == "end":
            raise invalid_pattern()
        self.pos += 1
        return token

    def expression(self) -> Predicate:
        terms = [self.conjunction()]
        while self.peek() == ("op", "||"):
            self.take()
            terms.append(self.conjunction())
        return terms[0] if len(terms) == 1 else (lambda doc: any(t(doc) for t in terms))

    def conjunction(self) -> Predicate:
        terms = [self.unary()]
        while self.peek() == ("op", "&&"):
            self.take()
            terms.append(self.unary())
        return terms[0] if len(terms) == 1 else (lambda doc: all(t(doc) for t in terms))

    def unary(self) -> Predicate:
        if self.peek() == ("op", "("):
            self.take()
            inner = self.expression()
            if self.take() != ("op", ")"):
                raise invalid_pattern()
            return inner
        return self.condition()

    def condition(self) -> Predicate:
        kind, text = self.take()
        if kind != "word":
            raise invalid_pattern()
        get = selector(text)
        kind, op = self.take()
        if kind == "op" and op in _COMPARE_OPS:
            lit = literal(*self.take())
            return lambda doc: compare(get(doc), op, lit)
        if kind == "word":
            return self.postfix(get, op.upper())
        raise invalid_pattern()

    def postfix(self, get, keyword: str) -> Predicate:
        if keyword == "EXISTS":
            return lambda doc: get(doc) is not MISSING
        follow = self.take()[1].upper()
        tests = {("IS", "NULL"): lambda v: v is None, ("IS", "TRUE"): lambda v: v is True,
                 ("IS", "FALSE"): lambda v: v is False, ("NOT", "EXISTS"): lambda v: v is MISSING}
        test = tests.get((keyword, follow))
        if test is None:
            raise invalid_pattern()
        return lambda doc: test(get(doc))
