"""The pre-expression parameters (Expected, KeyConditions, QueryFilter, ScanFilter, AttributesToGet).

Each is translated into the same tuple AST the expression parser produces, so
one evaluator serves both generations of the API.  Operand counts per
ComparisonOperator are checked with AWS's message.
"""
from __future__ import annotations

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb.types import INVALID, clean

ARITY = {"EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1, "NOT_NULL": 0, "NULL": 0, "CONTAINS": 1,
         "NOT_CONTAINS": 1, "BEGINS_WITH": 1, "BETWEEN": 2}
COMPARE = {"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}


def invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def attributes_to_get(names: list) -> list[tuple]:
    if len(set(names)) != len(names):
        raise invalid(INVALID + "Duplicate value in attribute name: " + next(n for n in names if names.count(n) > 1))
    return [(name,) for name in names]


def comparison(name: str, spec: dict):
    """AST for one ``{ComparisonOperator, AttributeValueList}`` on attribute ``name``."""
    op = spec.get("ComparisonOperator")
    values = [("value", clean(v)[0]) for v in spec.get("AttributeValueList") or []]
    if op == "IN":
        if not values:
            raise invalid(INVALID + "Invalid number of argument(s) for the IN ComparisonOperator")
        return ("in", ("path", (name,)), tuple(values))
    if op not in ARITY:
        raise invalid(f"1 validation error detected: Value '{op}' at 'comparisonOperator' failed to satisfy "
                      "constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, "
                      "GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]")
    if len(values) != ARITY[op]:
        raise invalid(INVALID + f"Invalid number of argument(s) for the {op} ComparisonOperator")
    return _node(op, ("path", (name,)), values)


def _node(op: str, path, values: list):
    if op in COMPARE:
        return ("cmp", COMPARE[op], path, values[0])
    if op == "NOT_NULL":
        return ("fn", "attribute_exists", (path,))
    if op == "NULL":
        return ("fn", "attribute_not_exists", (path,))
    if op == "CONTAINS":
        return ("fn", "contains", (path, values[0]))
    if op == "NOT_CONTAINS":
        return ("and", ("fn", "attribute_exists", (path,)), ("not", ("fn", "contains", (path, values[0]))))
    if op == "BEGINS_WITH":
        return ("fn", "begins_with", (path, values[0]))
    return ("between", path, values[0], values[1])


def expected_entry(name: str, spec: dict):
    if "ComparisonOperator" in spec:
        if "Value" in spec or "Exists" in spec:
            raise invalid(INVALID + "Value or Exists cannot be used with ComparisonOperator")
        return comparison(name, spec)
    exists = spec.get("Exists", True)
    if "Value" in spec:
        if not exists:
            raise invalid(INVALID + "Value cannot be used when Exists is false")
        return ("cmp", "=", ("path", (name,)), ("value", clean(spec["Value"])[0]))
    if exists:
        raise invalid(INVALID + "Value must be provided when Exists is true")
    return ("fn", "attribute_not_exists", (("path", (name,)),))


def combine(nodes: list, operator: str | None):
    if operator not in (None, "AND", "OR"):
        raise invalid(f"1 validation error detected: Value '{operator}' at 'conditionalOperator' failed to "
                      "satisfy constraint: Member must satisfy enum value set: [OR, AND]")
    node = nodes[0]
    for other in nodes[1:]:
        node = ("or" if operator == "OR" else "and", node, other)
    return node


def expected(conditions: dict, operator: str | None):
    return combine([expected_entry(n, s) for n, s in conditions.items()], operator)


def filters(conditions: dict, operator: str | None):
    return combine([comparison(n, s) for n, s in conditions.items()], operator)
