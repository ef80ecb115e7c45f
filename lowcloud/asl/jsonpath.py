"""The JSONPath engine: compile a path to a flat list of steps, walk it over JSON values.

AWS evaluates paths with Jayway JsonPath, so this follows Jayway's semantics where they are
observable: a *definite* path (only single names and indexes) selects one value or nothing,
an *indefinite* one (wildcard, slice, filter, deep scan, unions) a list that may be empty;
failure texts quote Jayway's normalized path (``$['a'][0]``). ``$$`` walks the context object
and ``$name`` a workflow variable. The ASL pipeline that uses it lives in paths.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field as dc_field
from typing import Any

from .context import Scope

_VARIABLE = re.compile(r"\$([^\W\d]\w*)")
MISSING = object()


class PathSyntaxError(ValueError):
    """A path that does not compile."""


@dataclass
class Step:
    kind: str                  # prop | index | slice | wild | filter | func
    arg: Any = None
    deep: bool = False

    def text(self) -> str:
        """The step as Jayway prints it in normalized paths."""
        prefix = ".." if self.deep else ""
        if self.kind == "prop":
            return prefix + "[" + ",".join(f"'{n}'" for n in self.arg) + "]"
        if self.kind == "index":
            return prefix + "[" + ",".join(map(str, self.arg)) + "]"
        if self.kind == "slice":
            lo, hi = self.arg
            return prefix + f"[{'' if lo is None else lo}:{'' if hi is None else hi}]"
        return prefix + {"wild": "[*]", "filter": "[?]", "func": f".{self.arg}()"}[self.kind]

    @property
    def definite(self) -> bool:
        return not self.deep and self.kind in ("prop", "index", "func") and (
            self.kind == "func" or len(self.arg) == 1)


@dataclass
class Path:
    source: str
    root: str                   # "$" input, "$$" context, "@" filter item, "var" variable
    steps: list = dc_field(default_factory=list)
    variable: str = ""

    @property
    def definite(self) -> bool:
        return all(step.definite for step in self.steps)

    def text(self, upto: int | None = None) -> str:
        return "$" + "".join(s.text() for s in self.steps[:upto])


# ---------------------------------------------------------------- compiling

def compile_path(source: str) -> Path:
    """Compile a JSONPath string; raises PathSyntaxError."""
    if not isinstance(source, str) or not source.startswith(("$", "@")):
        raise PathSyntaxError(f"path must start with '$': {source!r}")
    path, pos = _compile_root(source)
    while pos < len(source):
        step, pos = _compile_step(source, pos)
        path.steps.append(step)
    return path


def _compile_root(source: str) -> tuple[Path, int]:
    if source.startswith("$$"):
        return Path(source, "$$"), 2
    if source.startswith("@"):
        return Path(source, "@"), 1
    match = _VARIABLE.match(source)
    if match:
        return Path(source, "var", variable=match.group(1)), match.end()
    return Path(source, "$"), 1


def _compile_step(source: str, pos: int) -> tuple[Step, int]:
    deep = source.startswith("..", pos)
    if deep:
        pos += 2
        if pos < len(source) and source[pos] == "[":
            step, pos = _compile_bracket(source, pos)
            step.deep = True
            return step, pos
    elif source[pos] == "[":
        return _compile_bracket(source, pos)
    elif source[pos] == ".":
        pos += 1
    else:
        raise PathSyntaxError(f"unexpected {source[pos]!r} at {pos} in {source!r}")
    return _compile_dotted(source, pos, deep)


def _compile_dotted(source: str, pos: int, deep: bool) -> tuple[Step, int]:
    end = pos
    while end < len(source) and source[end] not in ".[(":
        end += 1
    name = source[pos:end]
    if not name or " " in name:
        raise PathSyntaxError(f"bad property at {pos} in {source!r}")
    if source.startswith("()", end):
        return Step("func", name), end + 2
    if name == "*":
        return Step("wild", deep=deep), end
    return Step("prop", [name], deep), end


def _compile_bracket(source: str, pos: int) -> tuple[Step, int]:
    close = _matching_bracket(source, pos)
    inner = source[pos + 1:close].strip()
    if inner.startswith("?") and not (inner[1:].strip().startswith("(") and inner.endswith(")")):
        raise PathSyntaxError(f"bad filter in {source!r}")
    return _bracket_step(inner, source), close + 1


def _bracket_step(inner: str, source: str) -> Step:
    if inner == "*":
        return Step("wild")
    if inner.startswith("?"):
        return Step("filter", compile_filter(inner[1:].strip()[1:-1]))
    if inner[:1] in "'\"":
        return Step("prop", _quoted_names(inner, source))
    if ":" in inner:
        return Step("slice", _slice_bounds(inner, source))
    try:
        return Step("index", [int(part) for part in inner.split(",")])
    except ValueError:
        raise PathSyntaxError(f"bad index [{inner}] in {source!r}") from None


def _matching_bracket(source: str, pos: int) -> int:
    depth, quote, i = 0, None, pos
    while i < len(source):
        ch = source[i]
        if quote:
            i += 2 if ch == "\\" else 1
            quote = None if ch == quote else quote
            continue
        if ch in "'\"":
            quote = ch
        depth += ch == "["
        depth -= ch == "]"
        if depth == 0:
            return i
        i += 1
    raise PathSyntaxError(f"unclosed '[' in {source!r}")


def _quoted_names(inner: str, source: str) -> list[str]:
    names, pos = [], 0
    while pos < len(inner):
        value, pos = read_quoted(inner, pos)
        names.append(value)
        rest = inner[pos:].lstrip()
        if rest and not rest.startswith(","):
            raise PathSyntaxError(f"bad property list in {source!r}")
        pos = len(inner) - len(rest[1:].lstrip()) if rest else len(inner)
    return names


def read_quoted(text: str, pos: int) -> tuple[str, int]:
    """Read a quoted string starting at text[pos]; backslash escapes the next char."""
    quote, out, i = text[pos], [], pos + 1
    while i < len(text) and text[i] != quote:
        if text[i] == "\\" and i + 1 < len(text):
            i += 1
        out.append(text[i])
        i += 1
    if i >= len(text):
        raise PathSyntaxError(f"unterminated string in {text!r}")
    return "".join(out), i + 1


def _slice_bounds(inner: str, source: str) -> tuple:
    parts = inner.split(":")
    try:
        lo, hi = (int(p) if p.strip() else None for p in parts[:2])
    except ValueError:
        raise PathSyntaxError(f"bad slice [{inner}] in {source!r}") from None
    return lo, hi


# ---------------------------------------------------------------- evaluating

def _root_value(path: Path, data, scope: Scope | None, current=None):
    if path.root == "$$":
        return scope.context if scope else {}
    if path.root == "@":
        return current
    if path.root == "var":
        variables = scope.variables if scope else {}
        return variables.get(path.variable, MISSING)
    return data


def evaluate(path: Path, data, scope: Scope | None = None, current=None) -> list:
    """All values the path selects (an empty list when nothing matches)."""
    nodes = [_root_value(path, data, scope, current)]
    if nodes[0] is MISSING:
        return []
    for step in path.steps:
        nodes = [out for node in nodes for out in _apply_step(step, node, data, scope)]
    return nodes


def _apply_step(step: Step, node, data, scope) -> list:
    targets = _descendants(node) if step.deep else [node]
    return [out for target in targets for out in _select(step, target, data, scope)]


def _descendants(node) -> list:
    found = [node]
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    for child in children:
        found.extend(_descendants(child))
    return found


def _select(step: Step, node, data, scope) -> list:
    if step.kind == "prop":
        return [node[n] for n in step.arg if isinstance(node, dict) and n in node]
    if step.kind == "index":
        return [node[i] for i in step.arg if isinstance(node, list) and -len(node) <= i < len(node)]
    if step.kind == "slice":
        return list(node[slice(*step.arg)]) if isinstance(node, list) else []
    if step.kind == "wild":
        return list(node.values()) if isinstance(node, dict) else list(node) if isinstance(node, list) else []
    if step.kind == "filter":
        items = node if isinstance(node, list) else [node] if isinstance(node, dict) else []
        return [item for item in items if step.arg.test(item, data, scope)]
    return _function(step.arg, node)


def _function(name: str, node) -> list:
    if name == "length" and isinstance(node, (list, dict, str)):
        return [len(node)]
    return []


def definite_failure(path: Path, data, scope) -> str:
    """Jayway's message for a definite path that selects nothing."""
    node = _root_value(path, data, scope)
    last = len(path.steps) - 1
    for i, step in enumerate(path.steps):
        found = _select(step, node, data, scope) if node is not MISSING else []
        if not found:
            if step.kind == "prop" and i < last:
                return f"Missing property in path {path.text(i + 1)}"
            return f"No results for path: {path.text()}"
        node = found[0]
    return f"No results for path: {path.text()}"


# ---------------------------------------------------------------- filters

_FILTER_TOKEN = re.compile(r"""\s*(?:
    (?P<str>'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")
  | (?P<regex>/(?:\\.|[^/\\])*/[a-z]*)
  | (?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
  | (?P<op>==|!=|<=|>=|=~|&&|\|\||<|>|!|\(|\)|\[|\]|,)
  | (?P<word>\bnin\b|\bin\b|\btrue\b|\bfalse\b|\bnull\b)
  | (?P<path>[@$](?:\[(?:'[^']*'|"[^"]*"|[^\]])*\]|[^\s=!<>&|()\[\],~]|\[)*)
)""", re.VERBOSE)


@dataclass
class Filter:
    """A parsed `[?( ... )]` predicate: a small tree of ('and'|'or'|'not'|'cmp'|'exists', ...)."""
    tree: tuple

    def test(self, item, data, scope) -> bool:
        return bool(_eval_filter(self.tree, item, data, scope))


def compile_filter(text: str) -> Filter:
    tokens = _filter_tokens(text)
    tree, pos = _parse_or(tokens, 0)
    if pos != len(tokens):
        raise PathSyntaxError(f"bad filter expression {text!r}")
    return Filter(tree)


def _filter_tokens(text: str) -> list:
    tokens, pos = [], 0
    while pos < len(text.rstrip()):
        match = _FILTER_TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise PathSyntaxError(f"bad filter expression {text!r}")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def _parse_or(tokens, pos):
    left, pos = _parse_and(tokens, pos)
    while pos < len(tokens) and tokens[pos] == ("op", "||"):
        right, pos = _parse_and(tokens, pos + 1)
        left = ("or", left, right)
    return left, pos


def _parse_and(tokens, pos):
    left, pos = _parse_unary(tokens, pos)
    while pos < len(tokens) and tokens[pos] == ("op", "&&"):
        right, pos = _parse_unary(tokens, pos + 1)
        left = ("and", left, right)
    return left, pos


def _parse_unary(tokens, pos):
    if pos < len(tokens) and tokens[pos] == ("op", "!"):
        inner, pos = _parse_unary(tokens, pos + 1)
        return ("not", inner), pos
    if pos < len(tokens) and tokens[pos] == ("op", "("):
        inner, pos = _parse_or(tokens, pos + 1)
        if pos >= len(tokens) or tokens[pos] != ("op", ")"):
            raise PathSyntaxError("unbalanced parenthesis in filter")
        return inner, pos + 1
    left, pos = _parse_operand(tokens, pos)
    if pos < len(tokens) and (tokens[pos][0] == "word" and tokens[pos][1] in ("in", "nin")
                              or tokens[pos][1] in ("==", "!=", "<", "<=", ">", ">=", "=~")):
        op = tokens[pos][1]
        right, pos = _parse_operand(tokens, pos + 1)
        return ("cmp", op, left, right), pos
    return ("exists", left), pos


def _parse_operand(tokens, pos):
    if pos >= len(tokens):
        raise PathSyntaxError("filter ends early")
    kind, text = tokens[pos]
    if kind == "op" and text == "[":
        return _parse_list(tokens, pos + 1)
    if kind == "str":
        return ("lit", read_quoted(text, 0)[0]), pos + 1
    if kind == "num":
        return ("lit", float(text) if any(c in text for c in ".eE") else int(text)), pos + 1
    if kind == "word" and text in ("true", "false", "null"):
        return ("lit", {"true": True, "false": False, "null": None}[text]), pos + 1
    if kind == "regex":
        body, flags = text[1:].rsplit("/", 1)
        return ("lit", re.compile(body, re.IGNORECASE if "i" in flags else 0)), pos + 1
    if kind == "path":
        return ("path", compile_path(text)), pos + 1
    raise PathSyntaxError(f"unexpected {text!r} in filter")


def _parse_list(tokens, pos):
    items = []
    while pos < len(tokens) and tokens[pos] != ("op", "]"):
        item, pos = _parse_operand(tokens, pos)
        items.append(item[1])
        if pos < len(tokens) and tokens[pos] == ("op", ","):
            pos += 1
    return ("lit", items), pos + 1


def _operand_value(operand, item, data, scope):
    if operand[0] == "lit":
        return operand[1]
    found = evaluate(operand[1], data, scope, current=item)
    if not found:
        return MISSING
    return found[0] if operand[1].definite else found


def _eval_filter(tree, item, data, scope) -> bool:
    kind = tree[0]
    if kind == "or":
        return _eval_filter(tree[1], item, data, scope) or _eval_filter(tree[2], item, data, scope)
    if kind == "and":
        return _eval_filter(tree[1], item, data, scope) and _eval_filter(tree[2], item, data, scope)
    if kind == "not":
        return not _eval_filter(tree[1], item, data, scope)
    if kind == "exists":
        return _operand_value(tree[1], item, data, scope) is not MISSING
    left = _operand_value(tree[2], item, data, scope)
    right = _operand_value(tree[3], item, data, scope)
    return left is not MISSING and right is not MISSING and _compare(tree[1], left, right)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _as_number(value):
    if _is_number(value):
        return value
    try:
        return float(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _compare(op: str, left, right) -> bool:
    if op == "=~":
        return isinstance(left, str) and isinstance(right, re.Pattern) and bool(right.fullmatch(left))
    if op in ("in", "nin"):
        inside = isinstance(right, list) and any(_json_equal(left, x) for x in right)
        return inside if op == "in" else not inside
    if op in ("==", "!="):
        return _json_equal(left, right) == (op == "==")
    if _is_number(left) or _is_number(right):
        left, right = _as_number(left), _as_number(right)
    elif not (isinstance(left, str) and isinstance(right, str)):
        return False
    if left is None or right is None:
        return False
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


def _json_equal(left, right) -> bool:
    if _is_number(left) or _is_number(right):
        a, b = _as_number(left), _as_number(right)
        return a is not None and b is not None and a == b and not isinstance(left, bool) \
            and not isinstance(right, bool)
    return type(left) is type(right) and left == right
