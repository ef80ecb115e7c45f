"""Logs Insights query language: tokens and commands, parsed by a small recursive-descent parser.

A query is commands joined by ``|``: fields, display, filter, stats, sort,
limit, parse, dedup.  Expressions are trees of tuples evaluated by
``insights_eval``: ("field", name), ("lit", value), ("regex", compiled),
("list", [..]), ("call", name, [args], text), ("not", e), ("neg", e) and
(op, left, right) for and/or, comparisons, like, =~, in and arithmetic.
Every expression keeps the text it was written as, because AWS names result
columns after it (``count(*)``, ``bin(5m)``).  No SQL engine fits this
pipe-shaped language better than a page of parser, so there is none.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lowcloud.errors import AwsError

_TOKEN = re.compile(r"""
    (?P<space>\s+|\#[^\n]*)
  | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<tick>`[^`]*`)
  | (?P<num>\d+(?:\.\d+)?(?:[a-zA-Z]+)?)
  | (?P<op>\|\||&&|!=|<=|>=|=~|==|[=<>|(),\[\]+\-*/%!])
  | (?P<name>[@A-Za-z_][\w.@]*)
  """, re.VERBOSE)
_REGEX = re.compile(r"/((?:[^/\\]|\\.)*)/([a-z]*)")
_VALUE_END = {"str", "tick", "num", "name"}
KEYWORDS = {"and", "or", "not", "like", "in", "as", "by", "asc", "desc"}
COMMANDS = {"fields", "display", "filter", "stats", "sort", "limit", "parse", "dedup"}
COMPARISONS = {"=", "==", "!=", "<", "<=", ">", ">=", "=~"}


@dataclass
class Token:
    kind: str  # str, tick, num, op, name, regex, end
    text: str
    start: int
    end: int


@dataclass
class Command:
    name: str
    items: list = field(default_factory=list)  # (expr, alias-or-text) / (expr, descending)
    by: list = field(default_factory=list)
    expr: tuple | None = None
    pattern: object = None
    count: int = 0


def malformed(query: str, token: Token, what: str = "unexpected symbol") -> AwsError:
    line = query.count("\n", 0, token.start) + 1
    position = token.start - (query.rfind("\n", 0, token.start) + 1)
    return query_error(f"{what} found {token.text or '<EOF>'} at line {line} and position {position}",
                       token.start, token.end)


def query_error(message: str, start: int, end: int) -> AwsError:
    """AWS's MalformedQueryException, locating the offending text in queryCompileError."""
    return AwsError("MalformedQueryException", message,
                    queryCompileError={"location": {"startCharOffset": start, "endCharOffset": end},
                                       "message": message})


def tokenize(query: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(query):
        previous = tokens[-1] if tokens else None
        if query[pos] == "/" and not _ends_value(previous, tokens[-2] if len(tokens) > 1 else None):
            m = _REGEX.match(query, pos)
            if m:
                tokens.append(Token("regex", m.group(0), pos, m.end()))
                pos = m.end()
                continue
        m = _TOKEN.match(query, pos)
        if not m:
            raise malformed(query, Token("?", query[pos], pos, pos + 1))
        if m.lastgroup != "space":
            tokens.append(Token(m.lastgroup, m.group(0), pos, m.end()))
        pos = m.end()
    tokens.append(Token("end", "", len(query), len(query)))
    return tokens


def _ends_value(token: Token | None, before: Token | None) -> bool:
    """Whether a ``/`` after ``token`` divides (after a value) rather than opening a /regex/.

    After ``parse`` or ``parse <field>`` it always opens the pattern."""
    if token is None:
        return False
    if before is not None and before.kind == "name" and before.text.lower() == "parse":
        return False
    if token.kind == "name":
        return token.text.lower() not in KEYWORDS | COMMANDS
    return token.kind in _VALUE_END or token.text in (")", "]")


def compile_regex(text: str, query: str, token: Token) -> re.Pattern:
    m = _REGEX.fullmatch(text)
    flags = re.IGNORECASE if "i" in m.group(2) else 0
    body = re.sub(r"\(\?<(?![=!])", "(?P<", m.group(1).replace("\\/", "/"))
    try:
        return re.compile(body, flags)
    except re.error:
        raise malformed(query, token, "invalid regular expression") from None


def unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


class Parser:
    def __init__(self, query: str):
        self.query, self.tokens, self.pos = query, tokenize(query), 0

    # --- token helpers ------------------------------------------------------
    def peek(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += min(1, len(self.tokens) - 1 - self.pos)
        return token

    def word(self, *words: str) -> bool:
        token = self.peek()
        return token.kind == "name" and token.text.lower() in words

    def op(self, *ops: str) -> bool:
        return self.peek().kind == "op" and self.peek().text in ops

    def expect_op(self, text: str) -> Token:
        if not self.op(text):
            raise self.error()
        return self.take()

    def error(self, what: str = "unexpected symbol") -> AwsError:
        return malformed(self.query, self.peek(), what)

    def text(self, start: int) -> str:
        return self.query[self.tokens[start].start:self.tokens[self.pos - 1].end].strip()

    # --- query --------------------------------------------------------------
    def parse(self) -> list[Command]:
        commands = [self.command()]
        while self.op("|"):
            self.take()
            commands.append(self.command())
        if self.peek().kind != "end":
            raise self.error()
        return commands

    def command(self) -> Command:
        if not self.word(*COMMANDS):
            raise self.error()
        name = self.take().text.lower()
        return getattr(self, f"_{name}")(Command(name))

    def _fields(self, cmd: Command) -> Command:
        cmd.items = self.aliased_list()
        return cmd

    _display = _fields
    _dedup = _fields

    def _filter(self, cmd: Command) -> Command:
        cmd.expr = self.expression()
        return cmd

    def _stats(self, cmd: Command) -> Command:
        cmd.items = self.aliased_list()
        if self.word("by"):
            self.take()
            cmd.by = self.aliased_list()
        return cmd

    def _sort(self, cmd: Command) -> Command:
        while True:
            expr = self.expression()
            descending = self.word("desc")
            if self.word("asc", "desc"):
                self.take()
            cmd.items.append((expr, descending))
            if not self.op(","):
                return cmd
            self.take()

    def _limit(self, cmd: Command) -> Command:
        token = self.take()
        if token.kind != "num" or not token.text.isdigit():
            raise malformed(self.query, token)
        cmd.count = int(token.text)
        return cmd

    def _parse(self, cmd: Command) -> Command:
        cmd.expr = ("field", "@message") if self.peek().kind in ("str", "regex") else self.primary()
        token = self.take()
        if token.kind == "regex":
            cmd.pattern = compile_regex(token.text, self.query, token)
            return cmd
        if token.kind != "str":
            raise malformed(self.query, token)
        cmd.pattern = unquote(token.text)
        if not self.word("as"):
            raise self.error()
        self.take()
        cmd.items = [self.field_name()]
        while self.op(","):
            self.take()
            cmd.items.append(self.field_name())
        return cmd

    def field_name(self) -> str:
        token = self.take()
        if token.kind == "tick":
            return token.text[1:-1]
        if token.kind != "name" or token.text.lower() in KEYWORDS:
            raise malformed(self.query, token)
        return token.text

    def aliased_list(self) -> list[tuple]:
        items = []
        while True:
            start = self.pos
            expr = self.expression()
            label = self.text(start)
            if self.word("as"):
                self.take()
                label = self.field_name()
            items.append((expr, label))
            if not self.op(","):
                return items
            self.take()

    # --- expressions ------------------------------------------------------------
    def expression(self) -> tuple:
        left = self.conjunction()
        while self.word("or") or self.op("||"):
            self.take()
            left = ("or", left, self.conjunction())
        return left

    def conjunction(self) -> tuple:
        left = self.negation()
        while self.word("and") or self.op("&&"):
            self.take()
            left = ("and", left, self.negation())
        return left

    def negation(self) -> tuple:
        if self.word("not") or self.op("!"):
            self.take()
            return ("not", self.negation())
        return self.comparison()

    def comparison(self) -> tuple:
        left = self.additive()
        negate = False
        if self.word("not") and self.tokens[self.pos + 1].text.lower() in ("like", "in"):
            self.take()
            negate = True
        if self.op(*COMPARISONS) or self.word("like", "in"):
            op = self.take().text.lower()
            op = "=" if op == "==" else op
            right = self.additive()
            node = (op, left, right)
            return ("not", node) if negate else node
        return left

    def additive(self) -> tuple:
        left = self.multiplicative()
        while self.op("+", "-"):
            left = (self.take().text, left, self.multiplicative())
        return left

    def multiplicative(self) -> tuple:
        left = self.unary()
        while self.op("*", "/", "%"):
            left = (self.take().text, left, self.unary())
        return left

    def unary(self) -> tuple:
        if self.op("-"):
            self.take()
            return ("neg", self.unary())
        return self.primary()

    def primary(self) -> tuple:
        token = self.peek()
        if token.kind == "op" and token.text == "(":
            self.take()
            inner = self.expression()
            self.expect_op(")")
            return inner
        if token.kind == "op" and token.text == "[":
            return self.value_list()
        self.take()
        if token.kind == "str":
            return ("lit", unquote(token.text))
        if token.kind == "regex":
            return ("regex", compile_regex(token.text, self.query, token))
        if token.kind == "num":
            return ("lit", float(token.text)) if re.fullmatch(r"[\d.]+", token.text) else ("lit", token.text)
        if token.kind == "tick":
            return ("field", token.text[1:-1])
        if token.kind == "name" and token.text.lower() not in KEYWORDS:
            return self.call(token) if self.op("(") else ("field", token.text)
        raise malformed(self.query, token)

    def value_list(self) -> tuple:
        self.take()
        values = [] if self.op("]") else [self.expression()]
        while self.op(","):
            self.take()
            values.append(self.expression())
        self.expect_op("]")
        return ("list", values)

    def call(self, name: Token) -> tuple:
        start = self.pos - 1
        self.take()
        args = []
        if self.op("*"):
            self.take()
            args.append(("star",))
        elif not self.op(")"):
            args.append(self.expression())
            while self.op(","):
                self.take()
                args.append(self.expression())
        self.expect_op(")")
        return ("call", name.text.lower(), args, self.text(start))


def parse_query(query: str) -> list[Command]:
    return Parser(query).parse()
