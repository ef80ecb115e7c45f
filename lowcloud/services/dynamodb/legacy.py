"""The pre-expression parameters (Expected, KeyConditions, QueryFilter, ScanFilter, AttributesToGet).

Each is translated into the same tuple AST the expression parser produces, so
one evaluator serves both generations of the API.  Operand counts, operand
types and ordered BETWEEN bounds per ComparisonOperator, and the shape of each
Expected entry, are checked in AWS's order with AWS's messages.
"""
from __future__ import annotations

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb.evaluate import sort_value
from lowcloud.services.dynamodb.types import INVALID, check_name, clean, type_of

ARITY = {"EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1, "NOT_NULL": 0, "NULL": 0, "CONTAINS": 1,
         "NOT_CONTAINS": 1, "BEGINS_WITH": 1, "BETWEEN": 2}
COMPARE = {"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}
SCALAR = ("S", "N", "B")
ALL_KINDS = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")
OPERAND_TYPES = {"LE": SCALAR, "LT": SCALAR, "GE": SCALAR, "GT": SCALAR, "CONTAINS": SCALAR + ("BOOL", "NULL"),
                 "NOT_CONTAINS": SCALAR + ("BOOL", "NULL"), "BEGINS_WITH": ("S", "B"), "IN": SCALAR,
                 "BETWEEN": SCALAR}  # EQ and NE take any type


def invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def attributes_to_get(names: list) -> list[tuple]:
    for name in names:
        check_name(name)
    if len(set(names)) != len(names):
        raise invalid(INVALID + "Duplicate value in attribute name: " + next(n for n in names if names.count(n) > 1))
    return [(name,) for name in names]


def comparison(name: str, spec: dict):
    """AST for one ``{ComparisonOperator, AttributeValueList}`` on attribute ``name``."""
    op = spec.get("ComparisonOperator")
    values = [("value", clean(v)[0]) for v in spec.get("AttributeValueList") or []]
    if op not in ARITY and op != "IN":
        raise invalid(f"1 validation error detected: Value '{op}' at 'comparisonOperator' failed to satisfy "
                      "constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, "
                      "GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]")
    if (not values) if op == "IN" else len(values) != ARITY[op]:
        raise invalid(INVALID + f"Invalid number of argument(s) for the {op} ComparisonOperator")
    check_operands(op, [v[1] for v in values])
    if op == "IN":
        return ("in", ("path", (name,)), tuple(values))
    return _node(op, ("path", (name,)), values)


def check_operands(op: str, values: list) -> None:
    """AWS's checks on an AttributeValueList: one type throughout, a type the operator takes, ordered bounds."""
    kinds = [type_of(v) for v in values]
    if len(set(kinds)) > 1:
        raise invalid(INVALID + "AttributeValues inside AttributeValueList must be of same type")
    for kind in kinds:
        if kind not in OPERAND_TYPES.get(op, ALL_KINDS):
            raise invalid(INVALID + f"ComparisonOperator {op} is not valid for {kind} AttributeValue type")
    if op == "BETWEEN" and sort_value(values[0])[1] > sort_value(values[1])[1]:
        raise invalid("The BETWEEN condition was provided a range where the lower bound is greater than the upper "
                      "bound")


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
    """One Expected condition, checked in the order AWS checks them (each message names the attribute)."""
    _check_expected_shape(name, spec)
    if spec.get("ComparisonOperator") is not None:
        if spec.get("Value") is not None:
            spec = {**spec, "AttributeValueList": [spec["Value"]]}
        return comparison(name, spec)
    if spec.get("Value") is not None:
        return ("cmp", "=", ("path", (name,)), ("value", clean(spec["Value"])[0]))
    return ("fn", "attribute_not_exists", (("path", (name,)),))


def _check_expected_shape(name: str, spec: dict) -> None:
    op, exists = spec.get("ComparisonOperator"), spec.get("Exists")
    value, values = spec.get("Value"), spec.get("AttributeValueList")
    suffix = f" for Attribute: {name}"
    if exists is not None and op is not None:
        raise invalid(INVALID + "Exists and ComparisonOperator cannot be used together" + suffix)
    if value is not None and values is not None:
        raise invalid(INVALID + "Value and AttributeValueList cannot be used together" + suffix)
    if op is None and values is not None:
        raise invalid(INVALID + "AttributeValueList can only be used with a ComparisonOperator" + suffix)
    if exists is False and value is not None:
        raise invalid(INVALID + "Value cannot be used when Exists is false" + suffix)
    if value is None and values is None:
        if op is not None and op not in ("NULL", "NOT_NULL"):
            raise invalid(INVALID + f"Value or AttributeValueList must be used with ComparisonOperator: {op}" + suffix)
        if op is None and exists is not False:
            raise invalid(INVALID + f"Value must be provided when Exists is {'null' if exists is None else 'true'}"
                          + suffix)


def no_conditions(params: dict) -> None:
    """No (or an empty) Expected/QueryFilter/ScanFilter: a ConditionalOperator has nothing to join."""
    if params.get("ConditionalOperator") is not None:
        raise invalid("ConditionalOperator cannot be used without Filter or Expected")


def combine(nodes: list, operator: str | None):
    if operator not in (None, "AND", "OR"):
        raise invalid(f"1 validation error detected: Value '{operator}' at 'conditionalOperator' failed to "
                      "satisfy constraint: Member must satisfy enum value set: [OR, AND]")
    if operator is not None and len(nodes) == 1:
        raise invalid("ConditionalOperator can only be used when Filter or Expected has two or more elements")
    node = nodes[0]
    for other in nodes[1:]:
        node = ("or" if operator == "OR" else "and", node, other)
    return node


def expected(conditions: dict, operator: str | None):
    return combine([expected_entry(n, s) for n, s in conditions.items()], operator)


def filters(conditions: dict, operator: str | None):
    return combine([comparison(n, s) for n, s in conditions.items()], operator)
