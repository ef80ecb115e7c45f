"""KeyConditionExpression / KeyConditions -> a partition key and a sort-key byte range.

A key condition must be ``hash = :v`` optionally AND-ed with one sort-key
condition (=, <, <=, >, >=, BETWEEN, begins_with), operands in either order.
The result is expressed on ``types.key_bytes`` so the storage layer can answer
it with one index range scan; begins_with becomes ``[prefix, successor)``.
"""
from __future__ import annotations

import re

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb.types import INVALID, key_bytes, partition_bucket, prefix_upper_bound, type_of

FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "="}
_SQL_BOUNDS = re.compile(r"sk (>=|<=|=|<|>) \?")
_HOLDS = {">=": bytes.__ge__, "<=": bytes.__le__, "=": bytes.__eq__, "<": bytes.__lt__, ">": bytes.__gt__}


def invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message)


class KeyRange:
    """Partition (bucket, pk bytes) plus SQL on the ``sk`` column."""

    def __init__(self, bucket: int, pk: bytes, sql: str, args: tuple):
        self.bucket, self.pk, self.sql, self.args = bucket, pk, sql, args

    def check_start(self, pk: bytes, sk: bytes) -> None:
        """AWS's errors for an ExclusiveStartKey that this key condition could never have produced."""
        if pk != self.pk:
            raise invalid("The provided starting key is outside query boundaries based on provided conditions")
        for op, bound in zip(_SQL_BOUNDS.findall(self.sql), self.args):
            if not _HOLDS[op](sk, bound):
                raise invalid("The provided starting key does not match the range key predicate")


def _conjuncts(node) -> list:
    if node[0] == "and":
        return _conjuncts(node[1]) + _conjuncts(node[2])
    if node[0] in ("or", "not"):
        raise invalid(f"Invalid operator used in KeyConditionExpression: {node[0].upper()}")
    return [node]


def _parts(node):
    """(attribute name, operator, [values]) of one key condition."""
    kind = node[0]
    if kind == "cmp":
        op, left, right = node[1], node[2], node[3]
        if left[0] != "path" and right[0] == "path":
            op, left, right = FLIP.get(op, op), right, left
        if op == "<>":
            raise invalid("Invalid operator used in KeyConditionExpression: <>")
        return _name(left), op, [right]
    if kind == "between":
        return _name(node[1]), "BETWEEN", [node[2], node[3]]
    if kind == "fn" and node[1] == "begins_with":
        return _name(node[2][0]), "begins_with", [node[2][1]]
    if kind == "in":
        raise invalid("Invalid operator used in KeyConditionExpression: IN")
    raise invalid(f"Invalid operator used in KeyConditionExpression: {node[1]}")


def _name(operand) -> str:
    if operand[0] != "path":
        raise invalid("Invalid KeyConditionExpression: The expression must contain at least one document path")
    if len(operand[1]) != 1:
        raise invalid("Invalid KeyConditionExpression: KeyConditionExpressions cannot have conditions on nested "
                      "attributes")
    return operand[1][0]


def key_range(node, hash_name: str, hash_type: str, range_name: str | None, range_type: str | None) -> KeyRange:
    conditions = [_parts(c) for c in _conjuncts(node)]
    names = [c[0] for c in conditions]
    if len(conditions) > 2 or len(set(names)) != len(names):
        raise invalid("Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition "
                      "per key")
    by_name = {c[0]: c for c in conditions}
    if hash_name not in by_name:
        raise invalid(f"Query condition missed key schema element: {hash_name}")
    extra = [n for n in names if n not in (hash_name, range_name)]
    if extra:
        if range_name:
            raise invalid(f"Query condition missed key schema element: {range_name}")
        raise invalid("Query key condition not supported")
    _, op, values = by_name[hash_name]
    if op != "=":
        raise invalid("Query key condition not supported")
    pk = key_bytes(hash_type, _typed(values[0], hash_type))
    sql, args = ("", ())
    if range_name in by_name:
        sql, args = _range_sql(*by_name[range_name][1:], range_type)
    return KeyRange(partition_bucket(pk), pk, sql, args)


def _typed(value_node, kind: str):
    av = value_node[1] if value_node[0] == "value" else None
    if av is None or type_of(av) != kind:
        raise invalid(INVALID + "Condition parameter type does not match schema type")
    return av[kind]


def _range_sql(op: str, values: list, kind: str):
    if op == "begins_with":
        if kind == "N":
            raise invalid("Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
                          "operator or function: begins_with, operand type: N")
        low = key_bytes(kind, _typed(values[0], kind))
        high = prefix_upper_bound(low)
        return (" AND sk >= ? AND sk < ?", (low, high)) if high is not None else (" AND sk >= ?", (low,))
    bounds = [key_bytes(kind, _typed(v, kind)) for v in values]
    if op == "BETWEEN":
        return " AND sk >= ? AND sk <= ?", tuple(bounds)
    return f" AND sk {op} ?", (bounds[0],)
