"""Evaluation of parsed expressions against items (AttributeValue dicts).

Conditions are compiled once per request into nested closures, so a Scan
filter costs a few Python calls per item rather than an AST walk.  Semantics
follow AWS: a missing operand makes every comparison false except ``<>``
(which is true); ordering comparisons only hold between two N, two S or two B;
numbers compare numerically, strings and binaries by bytes (Python's str order
is code-point order, which equals UTF-8 byte order).
"""
from __future__ import annotations

from decimal import Decimal

from lowcloud.services.dynamodb.types import SET_TYPES, type_of

_ORDERED = ("N", "S", "B")


def get_path(item: dict, path: tuple):
    """The AttributeValue at ``path`` in ``item``, or None."""
    current = item.get(path[0])
    for element in path[1:]:
        if current is None:
            return None
        if type(element) is int:
            items = current.get("L")
            if items is None or element >= len(items):
                return None
            current = items[element]
        else:
            members = current.get("M")
            if members is None:
                return None
            current = members.get(element)
    return current


def av_equal(a: dict, b: dict) -> bool:
    if a == b:
        return True
    kind = type_of(a)
    if kind != type_of(b):
        return False
    if kind in SET_TYPES:
        return set(a[kind]) == set(b[kind])
    if kind == "M":
        x, y = a["M"], b["M"]
        return x.keys() == y.keys() and all(av_equal(x[k], y[k]) for k in x)
    if kind == "L":
        x, y = a["L"], b["L"]
        return len(x) == len(y) and all(av_equal(p, q) for p, q in zip(x, y))
    return False


def sort_value(av: dict):
    """(kind, comparable) for ordering comparisons; kind None when unordered."""
    kind = type_of(av)
    if kind == "N":
        return kind, Decimal(av["N"])
    if kind in ("S", "B"):
        return kind, av[kind]
    return None, None


def size_of(av):
    if av is None:
        return None
    kind = type_of(av)
    if kind in ("S", "B", "L", "M", "SS", "NS", "BS"):
        return {"N": str(len(av[kind]))}
    return None


# --- compilation ----------------------------------------------------------------

def compile_operand(node):
    kind = node[0]
    if kind == "value":
        av = node[1]
        return lambda item: av
    if kind == "path":
        path = node[1]
        if len(path) == 1:
            name = path[0]
            return lambda item: item.get(name)
        return lambda item: get_path(item, path)
    inner = compile_operand(node[2][0])  # ("fn", "size", (path,))
    return lambda item: size_of(inner(item))


def compile_condition(node):
    """A predicate ``fn(item) -> bool`` for a condition AST (None: always true)."""
    if node is None:
        return lambda item: True
    kind = node[0]
    if kind in ("and", "or"):
        left, right = compile_condition(node[1]), compile_condition(node[2])
        if kind == "and":
            return lambda item: left(item) and right(item)
        return lambda item: left(item) or right(item)
    if kind == "not":
        inner = compile_condition(node[1])
        return lambda item: not inner(item)
    if kind == "cmp":
        return _compile_compare(node[1], node[2], node[3])
    if kind == "between":
        return _compile_between(*(compile_operand(n) for n in node[1:]))
    if kind == "in":
        return _compile_in(compile_operand(node[1]), [compile_operand(n) for n in node[2]])
    return _compile_function(node[1], node[2])


def _compile_compare(op, left_node, right_node):
    left, right = compile_operand(left_node), compile_operand(right_node)
    if op == "=":
        return lambda item: _equal(left(item), right(item))
    if op == "<>":
        return lambda item: not _equal(left(item), right(item))
    test = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}[op]

    def compare(item):
        a, b = left(item), right(item)
        if a is None or b is None:
            return False
        ka, x = sort_value(a)
        kb, y = sort_value(b)
        return ka is not None and ka == kb and test(x, y)
    return compare


def _equal(a, b) -> bool:
    return a is not None and b is not None and av_equal(a, b)


def _compile_between(value, low, high):
    def between(item):
        a, lo, hi = value(item), low(item), high(item)
        if a is None or lo is None or hi is None:
            return False
        (ka, x), (kl, l), (kh, h) = sort_value(a), sort_value(lo), sort_value(hi)
        return ka is not None and ka == kl == kh and l <= x <= h
    return between


def _compile_in(value, options):
    def in_(item):
        a = value(item)
        return a is not None and any(_equal(a, option(item)) for option in options)
    return in_


def _compile_function(name, arg_nodes):
    args = [compile_operand(n) for n in arg_nodes]
    first = args[0]
    if name == "attribute_exists":
        return lambda item: first(item) is not None
    if name == "attribute_not_exists":
        return lambda item: first(item) is None
    second = args[1]
    if name == "attribute_type":
        return lambda item: _has_type(first(item), second(item))
    if name == "begins_with":
        return lambda item: begins_with(first(item), second(item))
    return lambda item: contains(first(item), second(item))


def _has_type(av, wanted) -> bool:
    return av is not None and wanted is not None and type_of(wanted) == "S" and type_of(av) == wanted["S"]


def begins_with(av, prefix) -> bool:
    if av is None or prefix is None:
        return False
    kind = type_of(av)
    return kind in ("S", "B") and type_of(prefix) == kind and av[kind].startswith(prefix[kind])


def contains(av, operand) -> bool:
    if av is None or operand is None:
        return False
    kind, wanted = type_of(av), type_of(operand)
    if kind in ("S", "B"):
        return wanted == kind and operand[kind] in av[kind]
    if kind in SET_TYPES:
        return SET_TYPES[kind] == wanted and operand[wanted] in av[kind]
    if kind == "L":
        return any(av_equal(element, operand) for element in av["L"])
    return False


# --- projection -------------------------------------------------------------------

def project(item: dict, paths: list[tuple]) -> dict:
    """The parts of ``item`` named by ``paths``, nested as in the item."""
    if all(len(p) == 1 for p in paths):
        return {p[0]: item[p[0]] for p in paths if p[0] in item}
    skeleton: dict = {}
    for path in paths:
        value = get_path(item, path)
        if value is not None:
            _insert(skeleton, path, value)
    return {name: _finish(node) for name, node in skeleton.items()}


def _insert(skeleton: dict, path: tuple, value) -> None:
    holder, key = skeleton, path[0]
    for element in path[1:]:
        node = holder.setdefault(key, ("L" if type(element) is int else "M", {}))
        holder, key = node[1], element
    holder[key] = ("V", value)


def _finish(node):
    kind, content = node
    if kind == "V":
        return content
    if kind == "M":
        return {"M": {k: _finish(v) for k, v in content.items()}}
    return {"L": [_finish(content[i]) for i in sorted(content)]}
