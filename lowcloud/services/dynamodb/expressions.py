"""Parser for DynamoDB's expression language (Condition/Filter/KeyCondition/Projection/Update).

AWS reports problems in two phases and we keep that order: first the whole
expression must be syntactically valid ('Syntax error; token: "X", near: "..."',
where "near" is the source from the token before to the token after the
offending one), then semantic problems (reserved words, undefined ``#names`` /
``:values``, wrong operand types) are reported in order of appearance.  The
parser therefore records the first semantic error and raises it only after the
parse succeeded.  Output is a small tuple AST that ``evaluate.py`` compiles to
closures; paths are tuples of str (attribute names) and int (list indexes).
Before any of that, AWS's size limits apply (4 KB of text, 300 operators), so
hostile input is refused up front rather than by a deep descent.
"""
from __future__ import annotations

import re
import sys

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb.reserved import is_reserved
from lowcloud.services.dynamodb.types import ALL_TYPES, check_name, clean, number_of, type_of

_TOKEN = re.compile(r"\s*(?:(<>|<=|>=|[=<>()\[\],.+\-])|([#:][A-Za-z0-9_]+|[A-Za-z][A-Za-z0-9_]*|[0-9]+)|(\S))")
COMPARATORS = ("=", "<>", "<", "<=", ">", ">=")
CONDITION_FUNCTIONS = {"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2,
                       "begins_with": 2, "contains": 2}
UPDATE_FUNCTIONS = {"if_not_exists": 2, "list_append": 2}
MAX_EXPRESSION_BYTES = 4096
MAX_OPERATORS = 300
OPERATOR_WORDS = frozenset(("AND", "OR", "NOT", "BETWEEN", "IN"))
# A 4 KB expression nests at most ~2000 levels and the descent spends at most five frames per level;
# with this head-room deep (but legal-sized) input reaches AWS's own error instead of a RecursionError.
_NESTING_FRAMES = 12000
if sys.getrecursionlimit() < _NESTING_FRAMES:
    sys.setrecursionlimit(_NESTING_FRAMES)
TYPE_WORDS = {"S": "STRING", "N": "NUMBER", "B": "BINARY", "SS": "STRING SET", "NS": "NUMBER SET",
              "BS": "BINARY SET", "M": "MAP", "L": "LIST", "NULL": "NULL", "BOOL": "BOOLEAN"}


def invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message)


class Names:
    """ExpressionAttributeNames/Values of one request, and which of them were used."""

    def __init__(self, params: dict, expressions: list[str]):
        self.names = params.get("ExpressionAttributeNames")
        self.values = params.get("ExpressionAttributeValues")
        self.used_names: set[str] = set()
        self.used_values: set[str] = set()
        self._check_shape(bool(expressions))

    def _check_shape(self, has_expression: bool) -> None:
        for field, given in (("ExpressionAttributeNames", self.names), ("ExpressionAttributeValues", self.values)):
            if given is None:
                continue
            if not has_expression:
                raise invalid(f"{field} can only be specified when using expressions")
            if not given:
                raise invalid(f"{field} must not be empty")
        for key in self.names or ():
            if not key.startswith("#") or len(key) < 2:
                raise invalid(f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"')
            check_name(self.names[key])
        self.values = self._clean_values(self.values or {})

    @staticmethod
    def _clean_values(values: dict) -> dict:
        out = {}
        for key, av in values.items():
            if not key.startswith(":") or len(key) < 2:
                raise invalid(f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"')
            try:
                out[key] = clean(av)[0]
            except AwsError as exc:
                raise invalid(f"ExpressionAttributeValues contains invalid value: {exc.message} for key {key}")
        return out

    def check_all_used(self) -> None:
        unused = [k for k in self.names or () if k not in self.used_names]
        if unused:
            raise invalid(f"Value provided in ExpressionAttributeNames unused in expressions: keys: {{{', '.join(unused)}}}")
        unused = [k for k in self.values if k not in self.used_values]
        if unused:
            raise invalid(f"Value provided in ExpressionAttributeValues unused in expressions: keys: {{{', '.join(unused)}}}")


def tokenize(text: str) -> list[tuple[str, str, int, int]]:
    tokens, pos = [], 0
    while True:
        m = _TOKEN.match(text, pos)
        if m is None:
            break
        op, word, bad = m.groups()
        start = m.start(m.lastindex)
        if op:
            tokens.append((op, op, start, m.end()))
        elif word:
            kind = {"#": "#", ":": ":"}.get(word[0], "num" if word.isdigit() else "name")
            tokens.append((kind, word, start, m.end()))
        else:
            tokens.append(("bad", bad, start, m.end()))
        pos = m.end()
    tokens.append(("eof", "<EOF>", len(text), len(text)))
    return tokens


class Parser:
    """Recursive descent over one expression; ``kind`` names it in messages."""

    def __init__(self, text: str, kind: str, names: Names):
        if not text.strip():
            raise invalid(f"Invalid {kind}: The expression can not be empty;")
        size = len(text) if text.isascii() else len(text.encode("utf-8"))
        if size > MAX_EXPRESSION_BYTES:
            raise invalid(f"Invalid {kind}: Expression size has exceeded the maximum allowed size; "
                          f"expression size: {size}")
        self.text, self.kind, self.ctx = text, kind, names
        self.tokens = tokenize(text)
        self.i = 0
        self.deferred: AwsError | None = None
        self.parens: set[int] = set()
        self.check_nesting()

    def check_nesting(self) -> None:
        """Deeper than 4 KB can balance, the parentheses never close: fail at the end, without descending."""
        depth = 0
        for tok in self.tokens:
            depth += 1 if tok[0] == "(" else -1 if tok[0] == ")" else 0
            if depth > MAX_EXPRESSION_BYTES // 2:
                self.i = len(self.tokens) - 1
                self.syntax_error()

    # --- token helpers ---------------------------------------------------------
    def peek(self, offset: int = 0):
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def next(self):
        tok = self.peek()
        self.i += 1
        return tok

    def keyword(self, word: str, offset: int = 0) -> bool:
        tok = self.peek(offset)
        return tok[0] == "name" and tok[1].upper() == word

    def expect(self, kind: str):
        if self.peek()[0] != kind:
            self.syntax_error()
        return self.next()

    def syntax_error(self):
        tok = self.peek()
        before = self.tokens[self.i - 1][2] if self.i > 0 else tok[2]
        after = self.tokens[min(self.i + 1, len(self.tokens) - 1)][3]
        near = self.text[before:max(after, tok[3])]
        raise invalid(f'Invalid {self.kind}: Syntax error; token: "{tok[1]}", near: "{near}"')

    def defer(self, message: str) -> None:
        if self.deferred is None:
            self.deferred = invalid(f"Invalid {self.kind}: {message}")

    def finish(self, node):
        if self.peek()[0] != "eof":
            self.syntax_error()
        if self.deferred is not None:
            raise self.deferred
        return node

    # --- operands ----------------------------------------------------------------
    def path(self) -> tuple:
        elements = [self.path_name()]
        while self.peek()[0] in (".", "["):
            if self.next()[0] == ".":
                elements.append(self.path_name())
            else:
                index = self.expect("num")
                self.expect("]")
                elements.append(int(index[1]))
        return ("path", tuple(elements))

    def path_name(self) -> str:
        tok = self.peek()
        if tok[0] == "#":
            self.next()
            return self.resolve_name(tok[1])
        if tok[0] != "name":
            self.syntax_error()
        self.next()
        if is_reserved(tok[1]):
            self.defer(f"Attribute name is a reserved keyword; reserved keyword: {tok[1]}")
        return tok[1]

    def resolve_name(self, placeholder: str) -> str:
        names = self.ctx.names or {}
        if placeholder not in names:
            self.defer(f"An expression attribute name used in the document path is not defined; attribute name: {placeholder}")
            return placeholder
        self.ctx.used_names.add(placeholder)
        return names[placeholder]

    def value(self) -> tuple:
        tok = self.next()
        if tok[1] not in self.ctx.values:
            self.defer(f"An expression attribute value used in expression is not defined; attribute value: {tok[1]}")
            return ("value", {"NULL": True})
        self.ctx.used_values.add(tok[1])
        return ("value", self.ctx.values[tok[1]])

    def operand(self) -> tuple:
        tok = self.peek()
        if tok[0] == ":":
            return self.value()
        if tok[0] == "name" and self.peek(1)[0] == "(":
            return self.function(allowed=("size",))
        if tok[0] in ("name", "#"):
            return self.path()
        self.syntax_error()

    def call_args(self) -> list:
        self.expect("(")
        args = [self.update_operand() if self.kind == "UpdateExpression" else self.operand()]
        while self.peek()[0] == ",":
            self.next()
            args.append(self.update_operand() if self.kind == "UpdateExpression" else self.operand())
        self.expect(")")
        return args

    def update_operand(self):
        tok = self.peek()
        if tok[0] == "name" and self.peek(1)[0] == "(":
            return self.function(allowed=tuple(UPDATE_FUNCTIONS))
        return self.operand()

    def function(self, allowed: tuple) -> tuple:
        name = self.next()[1]
        return self.check_function(name, self.call_args(), allowed)

    def check_function(self, name: str, args: list, allowed: tuple) -> tuple:
        known = {**CONDITION_FUNCTIONS, **UPDATE_FUNCTIONS, "size": 1}
        if name not in known:
            self.defer(f"Invalid function name; function: {name}")
        elif name not in allowed:
            self.defer(f"The function is not allowed to be used this way in an expression; function: {name}")
        elif len(args) != known[name]:
            self.defer(f"Incorrect number of operands for operator or function; operator or function: {name}, "
                       f"number of operands: {len(args)}")
        else:
            self.check_function_args(name, args)
        return ("fn", name, tuple(args))

    def check_function_args(self, name: str, args: list) -> None:
        first = args[0]
        if name in ("attribute_exists", "attribute_not_exists", "size", "if_not_exists") and first[0] != "path":
            self.defer(f"Operator or function requires a document path; operator or function: {name}")
        elif name == "attribute_type":
            self.check_type_name(args[1])
        elif name == "begins_with":
            for arg in args:
                self.check_operand_type(name, arg, ("S", "B"))
        elif name == "contains" and first[0] == "path" and first == args[1]:
            self.defer("The first operand must be distinct from the remaining operands for this operator or "
                       f"function; operator: contains, first operand: [{', '.join(map(str, first[1]))}]")
        elif name == "list_append":
            for arg in args:
                self.check_operand_type(name, arg, ("L",))

    def check_type_name(self, arg) -> None:
        if arg[0] != "value":
            self.defer("Incorrect operand type for operator or function; operator or function: attribute_type, "
                       "operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}")
        elif type_of(arg[1]) != "S":
            self.check_operand_type("attribute_type", arg, ("S",))
        elif arg[1]["S"] not in ALL_TYPES:
            self.defer(f"Invalid attribute type name found; type: {arg[1]['S']}, "
                       "valid types: { B, NULL, SS, BOOL, L, BS, N, NS, S, M }")

    def check_operand_type(self, name: str, arg, kinds: tuple) -> None:
        if arg[0] == "value" and type_of(arg[1]) not in kinds:
            self.defer(f"Incorrect operand type for operator or function; operator or function: {name}, "
                       f"operand type: {type_of(arg[1])}")


class ConditionParser(Parser):
    """condition := or; or := and (OR and)*; and := not (AND not)*; not := NOT not | primary."""

    def parse(self):
        self.count_operators()
        return self.finish(self.or_())

    def count_operators(self) -> None:
        """AWS refuses more than 300 comparison/logical operators, counting before it parses."""
        count = 0
        for kind, word, _, _ in self.tokens:
            if kind in COMPARATORS or (kind == "name" and word.upper() in OPERATOR_WORDS):
                count += 1
                if count > MAX_OPERATORS:
                    raise invalid(f"Invalid {self.kind}: The expression contains too many operators; "
                                  f"operator count: {count}")

    def or_(self):
        node = self.and_()
        while self.keyword("OR"):
            self.next()
            node = ("or", node, self.and_())
        return node

    def and_(self):
        node = self.not_()
        while self.keyword("AND"):
            self.next()
            node = ("and", node, self.not_())
        return node

    def not_(self):
        if self.keyword("NOT"):
            self.next()
            return ("not", self.not_())
        return self.primary()

    def primary(self):
        tok = self.peek()
        if tok[0] == "(":
            return self.parenthesized()
        if tok[0] == "name" and self.peek(1)[0] == "(":
            return self.function_or_predicate(self.next()[1])
        left = self.operand()
        return self.predicate(left)

    def function_or_predicate(self, name: str):
        """A call standing alone is a condition function; one followed by an operator is an operand (size)."""
        args = self.call_args()
        follows = self.peek()
        if follows[0] in COMPARATORS or self.keyword("BETWEEN") or self.keyword("IN"):
            return self.predicate(self.check_function(name, args, ("size",)))
        return self.check_function(name, args, tuple(CONDITION_FUNCTIONS))

    def parenthesized(self):
        self.next()
        inner = self.or_()
        self.expect(")")
        if id(inner) in self.parens:
            raise invalid(f"Invalid {self.kind}: The expression has redundant parentheses;")
        self.parens.add(id(inner))
        return inner

    def predicate(self, left):
        tok = self.peek()
        if tok[0] in COMPARATORS:
            self.next()
            right = self.operand()
            if tok[0] not in ("=", "<>"):
                for side in (left, right):
                    self.check_operand_type(tok[0], side, ("N", "S", "B"))
            return ("cmp", tok[0], left, right)
        if self.keyword("BETWEEN"):
            return self.between(left)
        if self.keyword("IN"):
            return self.in_(left)
        self.syntax_error()

    def between(self, left):
        self.next()
        low = self.operand()
        if not self.keyword("AND"):
            self.syntax_error()
        self.next()
        high = self.operand()
        self.check_bounds(low, high)
        return ("between", left, low, high)

    def check_bounds(self, low, high) -> None:
        for side in (low, high):
            self.check_operand_type("BETWEEN", side, ("N", "S", "B"))
        if low[0] != "value" or high[0] != "value":
            return
        a, b = low[1], high[1]
        kind = type_of(a)
        if kind != type_of(b):
            self.defer("The BETWEEN operator requires same data type for lower and upper bounds; "
                       f"lower bound operand: AttributeValue: {{{kind}:{a[kind]}}}, "
                       f"upper bound operand: AttributeValue: {{{type_of(b)}:{b[type_of(b)]}}}")
        elif kind in ("N", "S", "B"):
            lo, hi = (number_of(a["N"]), number_of(b["N"])) if kind == "N" else (a[kind], b[kind])
            if lo > hi:
                self.defer("The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                           f"lower bound operand: AttributeValue: {{{kind}:{a[kind]}}}, "
                           f"upper bound operand: AttributeValue: {{{kind}:{b[kind]}}}")

    def in_(self, left):
        self.next()
        self.expect("(")
        items = [self.operand()]
        while self.peek()[0] == ",":
            self.next()
            items.append(self.operand())
        self.expect(")")
        if len(items) + 1 > 100:  # the left operand counts: at most 99 candidates
            self.defer(f"The IN operator is provided with too many operands; number of operands: {len(items) + 1}")
        return ("in", left, tuple(items))


class ProjectionParser(Parser):
    def parse(self) -> list[tuple]:
        paths = [self.path()[1]]
        while self.peek()[0] == ",":
            self.next()
            paths.append(self.path()[1])
        self.finish(None)
        check_overlaps(paths, self.kind)
        return paths


class UpdateParser(Parser):
    """update := (SET actions | REMOVE paths | ADD path value | DELETE path value)+, each clause once."""

    CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")

    def parse(self) -> dict:
        clauses: dict[str, list] = {}
        while self.peek()[0] != "eof":
            tok = self.peek()
            word = tok[1].upper() if tok[0] == "name" else ""
            if word not in self.CLAUSES:
                self.syntax_error()
            self.next()
            if word in clauses:
                self.defer(f'The "{word}" section can only be used once in an update expression;')
            clauses[word] = getattr(self, "clause_" + word.lower())()
        if not clauses:
            self.syntax_error()
        self.finish(None)
        check_overlaps([a[1] for c in clauses.values() for a in c], self.kind)
        return clauses

    def comma_list(self, one):
        items = [one()]
        while self.peek()[0] == ",":
            self.next()
            items.append(one())
        return items

    def clause_set(self):
        return self.comma_list(self.set_action)

    def set_action(self):
        target = self.path()[1]
        self.expect("=")
        value = self.update_operand()
        if self.peek()[0] in ("+", "-"):
            op = self.next()[0]
            right = self.update_operand()
            for side in (value, right):
                self.check_operand_type(op, side, ("N",))
            value = ("plus" if op == "+" else "minus", value, right)
        return ("set", target, value)

    def clause_remove(self):
        return self.comma_list(lambda: ("remove", self.path()[1]))

    def clause_add(self):
        return self.comma_list(lambda: self.set_op("add", ("N", "SS", "NS", "BS")))

    def clause_delete(self):
        return self.comma_list(lambda: self.set_op("delete", ("SS", "NS", "BS")))

    def set_op(self, action: str, kinds: tuple):
        target = self.path()[1]
        if self.peek()[0] != ":":
            self.syntax_error()
        value = self.value()
        if type_of(value[1]) not in kinds:
            self.defer(f"Incorrect operand type for operator or function; operator: {action.upper()}, "
                       f"operand type: {TYPE_WORDS.get(type_of(value[1]), type_of(value[1]))}")
        return (action, target, value)


def check_overlaps(paths: list[tuple], kind: str) -> None:
    """AWS rejects two paths where one is a prefix of (or equal to) the other."""
    for i, one in enumerate(paths):
        for two in paths[i + 1:]:
            n = min(len(one), len(two))
            if one[:n] == two[:n]:
                raise invalid(f"Invalid {kind}: Two document paths overlap with each other; must remove or rewrite "
                              f"one of these paths; path one: {show_path(one)}, path two: {show_path(two)}")
            diverge = next(k for k in range(n) if one[k] != two[k])
            if type(one[diverge]) is not type(two[diverge]):
                raise invalid(f"Invalid {kind}: Two document paths conflict with each other; must remove or rewrite "
                              f"one of these paths; path one: {show_path(one)}, path two: {show_path(two)}")


def show_path(path: tuple) -> str:
    return "[" + ", ".join(f"[{p}]" if isinstance(p, int) else p for p in path) + "]"


def parse_condition(text: str, kind: str, names: Names):
    return ConditionParser(text, kind, names).parse()


def parse_projection(text: str, names: Names) -> list[tuple]:
    return ProjectionParser(text, "ProjectionExpression", names).parse()


def parse_update(text: str, names: Names) -> dict:
    return UpdateParser(text, "UpdateExpression", names).parse()


def legacy_mix_error(non_expression: list[str], expression: list[str]) -> AwsError:
    return invalid("Can not use both expression and non-expression parameters in the same request: "
                   f"Non-expression parameters: {{{', '.join(non_expression)}}} "
                   f"Expression parameters: {{{', '.join(expression)}}}")

