"""AWS conformance of conditions, legacy comparison operators, Query/Batch/Transact validation.

Each test pins an error (code and wording) or a result real DynamoDB gives where
lowcloud used to differ: misplaced functions, operand types, expression limits,
filters on key attributes, ExclusiveStartKey bounds, per-action transaction errors.
"""
from __future__ import annotations

import pytest
from botocore.config import Config
from ddbcore_helpers import error_of


@pytest.fixture
def table(ddb, make_table):
    make_table("reads", range=("sk", "N"))
    for n in range(4):
        ddb.put_item(TableName="reads", Item={"pk": {"S": "p"}, "sk": {"N": str(n)}, "score": {"N": str(10 * n)},
                                           "label": {"S": f"item{n}"}, "tags": {"L": [{"N": str(n)}]}})
    return "reads"


def conditional_put(ddb, condition, values=None):
    extra = {"ExpressionAttributeValues": values} if values else {}
    return ddb.put_item(TableName="reads", Item={"pk": {"S": "p"}, "sk": {"N": "0"}}, ConditionExpression=condition,
                        **extra)


def legacy_put(ddb, expected, **extra):
    return ddb.put_item(TableName="reads", Item={"pk": {"S": "p"}, "sk": {"N": "1"}}, Expected=expected, **extra)


def query(ddb, **extra):
    values = {":p": {"S": "p"}, **extra.pop("ExpressionAttributeValues", {})}
    return ddb.query(TableName="reads", KeyConditionExpression="pk = :p", ExpressionAttributeValues=values, **extra)


# --- ConditionExpression semantics --------------------------------------------------------------

@pytest.mark.parametrize("condition, message", [
    ("nosuch(score) = :v", "Invalid ConditionExpression: Invalid function name; function: nosuch"),
    ("if_not_exists(score, :v) = :v", "Invalid ConditionExpression: The function is not allowed to be used this "
                                       "way in an expression; function: if_not_exists"),
    ("size(label)", "Invalid ConditionExpression: The function is not allowed to be used this way in an "
                    "expression; function: size"),
])
def test_function_placement_errors(ddb, table, condition, message):
    values = {":v": {"N": "1"}} if ":v" in condition else None
    assert error_of(conditional_put, ddb, condition, values)[:2] == ("ValidationException", message)


def test_attribute_type_accepts_a_value_operand_but_needs_a_value_type(ddb, table):
    conditional_put(ddb, "attribute_type(:v, :t)", {":v": {"N": "4"}, ":t": {"S": "N"}})
    _, msg, _ = error_of(conditional_put, ddb, "attribute_type(score, label)")
    assert msg.startswith("Invalid ConditionExpression: Incorrect operand type for operator or function; "
                          "operator or function: attribute_type")


@pytest.mark.parametrize("condition, values, message", [
    ("score < :l", {":l": {"L": []}}, "Incorrect operand type for operator or function; operator or function: <, "
                                       "operand type: L"),
    ("score BETWEEN :a AND :b", {":a": {"N": "1"}, ":b": {"S": "z"}},
     "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: "
     "AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:z}"),
    ("score BETWEEN :a AND :b", {":a": {"BOOL": True}, ":b": {"BOOL": True}},
     "Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: BOOL"),
])
def test_constant_operands_are_type_checked(ddb, table, condition, values, message):
    _, msg, _ = error_of(conditional_put, ddb, condition, values)
    assert msg == "Invalid ConditionExpression: " + message


def test_item_operands_of_the_wrong_type_just_fail_the_condition(ddb, table):
    code, _, _ = error_of(conditional_put, ddb, "tags < :v", {":v": {"N": "3"}})
    assert code == "ConditionalCheckFailedException"


def test_expression_limits(ddb, table):
    long_condition = "score = :v" + " " * 4090
    _, msg, _ = error_of(conditional_put, ddb, long_condition, {":v": {"N": "0"}})
    assert msg == "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; " \
                  "expression size: 4100"
    chained = "x < y " + "or x < y " * 300
    _, msg, _ = error_of(conditional_put, ddb, chained)
    assert msg == "Invalid ConditionExpression: The expression contains too many operators; operator count: 301"
    nested = "(" * 1500 + "score < label" + ")" * 1500
    assert error_of(conditional_put, ddb, nested)[:2] == (
        "ValidationException", "Invalid ConditionExpression: The expression has redundant parentheses;")
    unclosed = "(" * 4000
    assert error_of(conditional_put, ddb, unclosed)[1].startswith("Invalid ConditionExpression: Syntax error")


# --- legacy ComparisonOperator rules --------------------------------------------------------------

@pytest.mark.parametrize("spec, message", [
    ({"ComparisonOperator": "GT", "AttributeValueList": [{"L": []}]},
     "One or more parameter values were invalid: ComparisonOperator GT is not valid for L AttributeValue type"),
    ({"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"N": "1"}]},
     "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue "
     "type"),
    ({"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}, {"S": "1"}]},
     "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"),
    ({"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "9"}, {"N": "2"}]},
     "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"),
])
def test_expected_operand_validation(ddb, table, spec, message):
    assert error_of(legacy_put, ddb, {"score": spec})[:2] == ("ValidationException", message)


@pytest.mark.parametrize("spec, message", [
    ({}, "Value must be provided when Exists is null for Attribute: score"),
    ({"Exists": True}, "Value must be provided when Exists is true for Attribute: score"),
    ({"Exists": False, "Value": {"N": "1"}}, "Value cannot be used when Exists is false for Attribute: score"),
    ({"Exists": True, "ComparisonOperator": "NOT_NULL"},
     "Exists and ComparisonOperator cannot be used together for Attribute: score"),
    ({"Value": {"N": "1"}, "ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]},
     "Value and AttributeValueList cannot be used together for Attribute: score"),
    ({"AttributeValueList": [{"N": "1"}]},
     "AttributeValueList can only be used with a ComparisonOperator for Attribute: score"),
    ({"ComparisonOperator": "GE"}, "Value or AttributeValueList must be used with ComparisonOperator: GE for "
                                   "Attribute: score"),
])
def test_expected_shape_messages_name_the_attribute(ddb, table, spec, message):
    assert error_of(legacy_put, ddb, {"score": spec})[:2] == (
        "ValidationException", "One or more parameter values were invalid: " + message)


def test_expected_value_may_stand_in_for_the_operand_list(ddb, table):
    legacy_put(ddb, {"score": {"ComparisonOperator": "LT", "Value": {"N": "15"}}})
    code, _, _ = error_of(legacy_put, ddb, {"score": {"ComparisonOperator": "GT", "Value": {"N": "15"}}})
    assert code == "ConditionalCheckFailedException"
    _, msg, _ = error_of(legacy_put, ddb, {"score": {"Value": {"N": "10"}}}, ConditionalOperator="AND")
    assert msg == "ConditionalOperator can only be used when Filter or Expected has two or more elements"


def test_equality_takes_any_type_in_legacy_filters(ddb, table):
    page = ddb.query(TableName="reads", KeyConditions={"pk": {"ComparisonOperator": "EQ",
                                                           "AttributeValueList": [{"S": "p"}]}},
                     QueryFilter={"tags": {"ComparisonOperator": "EQ", "AttributeValueList": [{"L": [{"N": "2"}]}]}})
    assert [i["sk"]["N"] for i in page["Items"]] == ["2"]


def test_conditional_operator_needs_conditions(ddb, table):
    message = "ConditionalOperator cannot be used without Filter or Expected"
    assert error_of(legacy_put, ddb, {}, ConditionalOperator="OR")[1] == message
    assert error_of(ddb.scan, TableName="reads", ConditionalOperator="AND")[1] == message


# --- Query ----------------------------------------------------------------------------------

@pytest.mark.parametrize("extra, attribute", [
    ({"FilterExpression": "sk > :z", "ExpressionAttributeValues": {":z": {"N": "0"}}}, "sk"),
    ({"FilterExpression": "score = sk"}, "sk"),
])
def test_query_filter_may_not_name_key_attributes(ddb, table, extra, attribute):
    _, msg, _ = error_of(query, ddb, **extra)
    assert msg == f"Filter Expression can only contain non-primary key attributes: Primary key attribute: {attribute}"
    legacy = ddb.query
    _, msg, _ = error_of(legacy, TableName="reads",
                         KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}},
                         QueryFilter={"pk": {"ComparisonOperator": "NOT_NULL"}})
    assert msg == "QueryFilter can only contain non-primary key attributes: Primary key attribute: pk"


def test_scan_may_filter_on_keys(ddb, table):
    page = ddb.scan(TableName="reads", FilterExpression="sk = :one", ExpressionAttributeValues={":one": {"N": "1"}})
    assert page["Count"] == 1


def test_exclusive_start_key_must_fit_the_key_condition(ddb, table):
    other = {"pk": {"S": "elsewhere"}, "sk": {"N": "1"}}
    _, msg, _ = error_of(query, ddb, ExclusiveStartKey=other)
    assert msg == "The provided starting key is outside query boundaries based on provided conditions"
    below = {"pk": {"S": "p"}, "sk": {"N": "0"}}
    _, msg, _ = error_of(ddb.query, TableName="reads", KeyConditionExpression="pk = :p AND sk > :low",
                         ExpressionAttributeValues={":p": {"S": "p"}, ":low": {"N": "1"}}, ExclusiveStartKey=below)
    assert msg == "The provided starting key does not match the range key predicate"
    inside = query(ddb, ExclusiveStartKey={"pk": {"S": "p"}, "sk": {"N": "2"}})
    assert [i["sk"]["N"] for i in inside["Items"]] == ["3"]


# --- BatchGetItem / TransactWriteItems ----------------------------------------------------------

def test_batch_get_needs_at_least_one_key(cloud, table):
    unchecked = cloud.client("dynamodb", config=Config(parameter_validation=False))
    _, msg, _ = error_of(unchecked.batch_get_item, RequestItems={"reads": {"Keys": []}})
    assert msg == ("1 validation error detected: Value '[]' at 'requestItems.reads.member.keys' failed to satisfy "
                   "constraint: Member must have length greater than or equal to 1")


def test_transaction_item_errors_become_cancellation_reasons(ddb, table):
    bad = {"Put": {"TableName": "reads", "Item": {"pk": {"N": "1"}, "sk": {"N": "9"}}}}
    good = {"Put": {"TableName": "reads", "Item": {"pk": {"S": "q"}, "sk": {"N": "9"}},
                    "ConditionExpression": "attribute_exists(pk)"}}
    code, _, resp = error_of(ddb.transact_write_items, TransactItems=[good, bad])
    assert code == "TransactionCanceledException"
    reasons = resp["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "ValidationError"]
    assert "Message" not in reasons[0] and "Type mismatch" in reasons[1]["Message"]
    assert ddb.get_item(TableName="reads", Key={"pk": {"S": "q"}, "sk": {"N": "9"}}).get("Item") is None


def test_transaction_payload_limit(ddb, table):
    blob = "z" * 300_000
    puts = [{"Put": {"TableName": "reads", "Item": {"pk": {"S": f"big{i}"}, "sk": {"N": "0"}, "b": {"S": blob}}}}
            for i in range(15)]
    assert error_of(ddb.transact_write_items, TransactItems=puts)[:2] == (
        "ValidationException", "Transaction payload size cannot exceed 4 MB")
    ddb.transact_write_items(TransactItems=puts[:10])


def test_in_takes_at_most_99_candidates(ddb, table):
    def in_condition(count):
        values = {f":c{i}": {"N": str(i)} for i in range(count)}
        return f"score IN ({', '.join(values)})", values
    conditional_put(ddb, *in_condition(99))
    _, msg, _ = error_of(conditional_put, ddb, *in_condition(100))
    assert msg == "Invalid ConditionExpression: The IN operator is provided with too many operands; " \
                  "number of operands: 101"
