"""Per-request preparation shared by the item operations.

Turns a request's expressions (or their legacy equivalents) into compiled
predicates and projection paths, enforcing AWS's request-level rules on the
way: no mixing of expression and non-expression parameters, every
ExpressionAttributeName/Value used, enum-valued options spelled right.  A
request without any expression skips all of this — the fast path PutItem and
GetItem take most of the time.
"""
from __future__ import annotations

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb import legacy
from lowcloud.services.dynamodb.evaluate import compile_condition
from lowcloud.services.dynamodb.expressions import Names, legacy_mix_error, parse_condition, parse_projection

RETURN_VALUES = ("ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW")
EXPRESSION_FIELDS = ("ConditionExpression", "UpdateExpression", "ProjectionExpression", "FilterExpression",
                     "KeyConditionExpression")
# Every parameter the condition/expression checks read: a request naming none of them has no condition.
CONDITION_INPUTS = frozenset(EXPRESSION_FIELDS + ("Expected", "ConditionalOperator", "ExpressionAttributeNames",
                                                  "ExpressionAttributeValues"))


def invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def enum_error(value, where: str, allowed: tuple) -> AwsError:
    return invalid(f"1 validation error detected: Value '{value}' at '{where}' failed to satisfy constraint: "
                   f"Member must satisfy enum value set: [{', '.join(allowed)}]")


def return_values(params: dict, allowed: tuple) -> str:
    value = params.get("ReturnValues", "NONE")
    if value not in RETURN_VALUES:
        raise enum_error(value, "returnValues", RETURN_VALUES)
    if value not in allowed:
        raise invalid("Return values set to invalid value")
    return value


def check_options(params: dict) -> str:
    """Validate the capacity/metrics/condition-failure options; return ReturnConsumedCapacity."""
    capacity = params.get("ReturnConsumedCapacity", "NONE")
    if capacity not in ("INDEXES", "TOTAL", "NONE"):
        raise enum_error(capacity, "returnConsumedCapacity", ("INDEXES", "TOTAL", "NONE"))
    if params.get("ReturnItemCollectionMetrics", "NONE") not in ("SIZE", "NONE"):
        raise invalid("ReturnItemCollectionMetrics can only be SIZE or NONE")
    failure = params.get("ReturnValuesOnConditionCheckFailure", "NONE")
    if failure not in ("ALL_OLD", "NONE"):
        raise enum_error(failure, "returnValuesOnConditionCheckFailure", ("ALL_OLD", "NONE"))
    return capacity


def check_mix(params: dict, pairs: tuple) -> None:
    """Reject a legacy parameter next to its expression counterpart (AWS lists all of them)."""
    old = [p for p in pairs[0] if params.get(p) is not None]
    new = [p for p in pairs[1] if params.get(p) is not None]
    if old and new:
        raise legacy_mix_error(old, new)


def names_for(params: dict) -> Names | None:
    present = [params[f] for f in EXPRESSION_FIELDS if params.get(f) is not None]
    if not present and params.get("ExpressionAttributeNames") is None \
            and params.get("ExpressionAttributeValues") is None:
        return None
    return Names(params, present)


def condition(params: dict, names: Names | None, field: str = "ConditionExpression"):
    """Compiled predicate for ConditionExpression/FilterExpression or the legacy form; None if absent."""
    text = params.get(field)
    if text is not None:
        return compile_condition(parse_condition(text, field, names))
    legacy_field = {"ConditionExpression": "Expected"}.get(field)
    if legacy_field and params.get(legacy_field):
        node = legacy.expected(params[legacy_field], params.get("ConditionalOperator"))
        return compile_condition(node)
    legacy.no_conditions(params)
    return None


def projection(params: dict, names: Names | None):
    text = params.get("ProjectionExpression")
    if text is not None:
        return parse_projection(text, names)
    if params.get("AttributesToGet") is not None:
        return legacy.attributes_to_get(params["AttributesToGet"])
    return None


def finish(names: Names | None) -> None:
    if names is not None:
        names.check_all_used()


def condition_failed(params: dict, old: dict | None) -> AwsError:
    fields = {}
    if old is not None and params.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD":
        fields["Item"] = old
    return AwsError("ConditionalCheckFailedException", "The conditional request failed", **fields)
