"""A parser for the PartiQL subset DynamoDB's ExecuteStatement accepts.

SELECT / INSERT ... VALUE / UPDATE ... SET|REMOVE / DELETE, with WHERE
conditions built from comparisons, BETWEEN, IN, IS [NOT] MISSING, begins_with,
contains, attribute_type, AND/OR/NOT and parentheses.  Literals become
AttributeValues ('s' -> S, 1.5 -> N, <<...>> -> sets, [...] -> L, {...} -> M)
and ``?`` takes the next request parameter.  Conditions are produced in the
same tuple AST as the expression parser, so ``evaluate.py`` runs them.
"""
from __future__ import annotations

import re

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb.types import canonical_number, clean, type_of

_TOKEN = re.compile(r"""\s*(?:('(?:[^']|'')*')|("(?:[^"]|"")*")|(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)
                        |(<<|>>|<>|!=|<=|>=|[,.\[\]{}():?*=<>+\-])|([A-Za-z_][A-Za-z0-9_]*)|(\S))""", re.X)
COMPARE = {"=": "=", "<>": "<>", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
FUNCTIONS = ("begins_with", "contains", "attribute_type")


def malformed(detail: str = "") -> AwsError:
    return AwsError("ValidationException", "Statement wasn't well formed, can't be processed: " + detail
                    if detail else "Statement wasn't well formed, can't be processed")


def tokenize(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            break
        string, quoted, number, punct, word, bad = m.groups()
        if bad is not None:
            raise malformed(f"Unexpected character: {bad}")
        if string is not None:
            out.append(("str", string[1:-1].replace("''", "'")))
        elif quoted is not None:
            out.append(("ident", quoted[1:-1].replace('""', '"')))
        elif number is not None:
            out.append(("num", number))
        elif punct is not None:
            out.append((punct, punct))
        else:
            out.append(("word", word))
        pos = m.end()
    if text[pos:].strip():
        raise malformed("Unterminated literal")
    out.append(("eof", ""))
    return out


class Statement:
    """Parsed statement: ``kind`` plus the parts that kind uses."""

    def __init__(self, kind: str):
        self.kind = kind
        self.table = self.index = None
        self.paths = None
        self.where = None
        self.item = None
        self.actions: list = []
        self.returning = None


class PartiqlParser:
    def __init__(self, text: str, parameters: list):
        self.tokens = tokenize(text)
        self.i = 0
        self.parameters = list(parameters or [])
        self.used = 0

    def peek(self, offset=0):
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def next(self):
        tok = self.peek()
        self.i += 1
        return tok

    def word(self, *words) -> bool:
        tok = self.peek()
        return tok[0] == "word" and tok[1].upper() in words

    def expect_word(self, word: str) -> None:
        if not self.word(word):
            raise malformed(f"Expected {word}")
        self.next()

    def expect(self, kind: str):
        if self.peek()[0] != kind:
            raise malformed(f"Unexpected token: {self.peek()[1] or '<EOF>'}")
        return self.next()

    # --- statements ---------------------------------------------------------------
    def parse(self) -> Statement:
        head = self.peek()[1].upper() if self.peek()[0] == "word" else ""
        method = {"SELECT": self.select, "INSERT": self.insert, "UPDATE": self.update,
                  "DELETE": self.delete}.get(head)
        if method is None:
            raise malformed()
        statement = method()
        if self.peek()[0] != "eof":
            raise malformed(f"Unexpected token: {self.peek()[1]}")
        if self.used != len(self.parameters):
            raise AwsError("ValidationException", "Number of parameters in request and statement don't match.")
        return statement

    def select(self) -> Statement:
        self.next()
        st = Statement("SELECT")
        if self.peek()[0] == "*":
            self.next()
        else:
            st.paths = [self.path()]
            while self.peek()[0] == ",":
                self.next()
                st.paths.append(self.path())
        self.expect_word("FROM")
        self.target(st, allow_index=True)
        if self.word("WHERE"):
            self.next()
            st.where = self.condition()
        return st

    def insert(self) -> Statement:
        self.next()
        self.expect_word("INTO")
        st = Statement("INSERT")
        self.target(st)
        self.expect_word("VALUE")
        st.item = self.value()
        if type_of(st.item) != "M":
            raise malformed("VALUE must be a tuple")
        return st

    def update(self) -> Statement:
        self.next()
        st = Statement("UPDATE")
        self.target(st)
        while self.word("SET", "REMOVE"):
            verb = self.next()[1].upper()
            while True:
                st.actions.append(self.set_action() if verb == "SET" else ("remove", self.path()[1]))
                if self.peek()[0] != ",":
                    break
                self.next()
        if not st.actions:
            raise malformed("Expected SET or REMOVE")
        self.where_and_returning(st)
        return st

    def delete(self) -> Statement:
        self.next()
        self.expect_word("FROM")
        st = Statement("DELETE")
        self.target(st)
        self.where_and_returning(st)
        return st

    def where_and_returning(self, st: Statement) -> None:
        self.expect_word("WHERE")
        st.where = self.condition()
        if self.word("RETURNING"):
            self.next()
            scope = self.next()[1].upper()
            age = self.next()[1].upper()
            self.expect("*")
            st.returning = f"{scope} {age}"

    def set_action(self):
        target = self.path()[1]
        self.expect("=")
        value = self.operand()
        if self.peek()[0] in ("+", "-"):
            op = self.next()[0]
            value = ("plus" if op == "+" else "minus", value, self.operand())
        return ("set", target, value)

    def target(self, st: Statement, allow_index: bool = False) -> None:
        parts = [self.name()]
        while self.peek()[0] == ".":
            self.next()
            parts.append(self.name())
        if any(p == "" for p in parts):
            raise AwsError("ValidationException", "Path component cannot be an empty string")
        if len(parts) > 2:
            raise AwsError("ValidationException", "A path may contain at most 2 components in the FROM clause")
        st.table = parts[0]
        st.index = parts[1] if len(parts) == 2 and allow_index else None

    def name(self) -> str:
        tok = self.next()
        if tok[0] not in ("ident", "word"):
            raise malformed(f"Unexpected token: {tok[1] or '<EOF>'}")
        return tok[1]

    def path(self):
        elements = [self.name()]
        while self.peek()[0] in (".", "["):
            if self.next()[0] == ".":
                elements.append(self.name())
            else:
                elements.append(int(self.expect("num")[1]))
                self.expect("]")
        return ("path", tuple(elements))

    # --- conditions --------------------------------------------------------------------
    def condition(self):
        node = self.conjunction()
        while self.word("OR"):
            self.next()
            node = ("or", node, self.conjunction())
        return node

    def conjunction(self):
        node = self.negation()
        while self.word("AND"):
            self.next()
            node = ("and", node, self.negation())
        return node

    def negation(self):
        if self.word("NOT"):
            self.next()
            return ("not", self.negation())
        if self.peek()[0] == "(":
            self.next()
            node = self.condition()
            self.expect(")")
            return node
        return self.predicate()

    def predicate(self):
        tok = self.peek()
        if tok[0] == "word" and tok[1].lower() in FUNCTIONS and self.peek(1)[0] == "(":
            name = self.next()[1].lower()
            self.expect("(")
            args = [self.operand()]
            while self.peek()[0] == ",":
                self.next()
                args.append(self.operand())
            self.expect(")")
            return ("fn", name, tuple(args))
        left = self.operand()
        return self.comparison(left)

    def comparison(self, left):
        tok = self.peek()
        if tok[0] in COMPARE:
            self.next()
            right = self.operand()
            if tok[0] in ("<", "<=", ">", ">="):
                _check_ordered(tok[0], left, right)
            return ("cmp", COMPARE[tok[0]], left, right)
        if self.word("BETWEEN"):
            self.next()
            low = self.operand()
            self.expect_word("AND")
            return ("between", left, low, self.operand())
        if self.word("IN"):
            return self.in_list(left)
        if self.word("IS"):
            return self.is_missing(left)
        raise malformed(f"Unexpected token: {tok[1] or '<EOF>'}")

    def in_list(self, left):
        self.next()
        closing = {"[": "]", "(": ")"}.get(self.peek()[0])
        if closing is None:
            raise malformed("Expected a list after IN")
        self.next()
        options = [self.operand()]
        while self.peek()[0] == ",":
            self.next()
            options.append(self.operand())
        self.expect(closing)
        return ("in", left, tuple(options))

    def is_missing(self, left):
        self.next()
        negate = self.word("NOT")
        if negate:
            self.next()
        self.expect_word("MISSING")
        return ("fn", "attribute_exists" if negate else "attribute_not_exists", (left,))

    # --- values ----------------------------------------------------------------------------
    def operand(self):
        tok = self.peek()
        if tok[0] in ("ident",) or (tok[0] == "word" and tok[1].upper() not in ("TRUE", "FALSE", "NULL")):
            return self.path()
        return ("value", self.value())

    def value(self) -> dict:
        kind, text = self.next()
        if kind == "str":
            return {"S": text}
        if kind == "num":
            return {"N": canonical_number(text)}
        if kind == "-" and self.peek()[0] == "num":
            return {"N": canonical_number("-" + self.next()[1])}
        if kind == "?":
            return self.parameter()
        if kind == "word" and text.upper() in ("TRUE", "FALSE"):
            return {"BOOL": text.upper() == "TRUE"}
        if kind == "word" and text.upper() == "NULL":
            return {"NULL": True}
        if kind in ("[", "<<", "{"):
            return self.collection(kind)
        raise malformed(f"Unexpected token: {text or '<EOF>'}")

    def parameter(self) -> dict:
        if self.used >= len(self.parameters):
            raise AwsError("ValidationException", "Number of parameters in request and statement don't match.")
        value = clean(self.parameters[self.used])[0]
        self.used += 1
        return value

    def collection(self, opening: str) -> dict:
        closing = {"[": "]", "<<": ">>", "{": "}"}[opening]
        members = []
        while self.peek()[0] != closing:
            if members:
                self.expect(",")
            if opening == "{":
                key = self.value()
                if type_of(key) != "S":
                    raise malformed("Tuple keys must be strings")
                self.expect(":")
                members.append((key["S"], self.value()))
            else:
                members.append(self.value())
        self.next()
        if opening == "{":
            return {"M": dict(members)}
        if opening == "[":
            return {"L": members}
        return _set_of(members)


def _set_of(members: list) -> dict:
    kinds = {type_of(m) for m in members}
    if len(kinds) != 1 or next(iter(kinds)) not in ("S", "N", "B"):
        raise malformed("Set members must all be strings, numbers or binaries")
    kind = kinds.pop()
    return {kind + "S": [m[kind] for m in members]}


def _check_ordered(op: str, left, right) -> None:
    for side in (left, right):
        if side[0] == "value" and type_of(side[1]) not in ("N", "S", "B"):
            raise AwsError("ValidationException", "Incorrect operand type for operator or function; operator or "
                           f"function: {op}, operand type: {type_of(side[1])}")


def parse_statement(text: str, parameters: list) -> Statement:
    return PartiqlParser(text, parameters).parse()
