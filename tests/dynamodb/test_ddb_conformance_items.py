"""AWS conformance of the item writes: legacy AttributeUpdates, UpdateExpression edge cases, numbers, limits.

Each test pins one behaviour real DynamoDB shows (error code and wording included)
that lowcloud used to get wrong.
"""
from __future__ import annotations

import pytest
from ddbcore_helpers import error_of


@pytest.fixture
def table(make_table):
    make_table("conf")
    return "conf"


def key(name):
    return {"pk": {"S": name}}


def fetch(ddb, name):
    return ddb.get_item(TableName="conf", Key=key(name), ConsistentRead=True).get("Item")


def legacy_update(ddb, name, updates):
    return ddb.update_item(TableName="conf", Key=key(name), AttributeUpdates=updates)


def expr_update(ddb, name, expression, values=None, **extra):
    if values is not None:
        extra["ExpressionAttributeValues"] = values
    return ddb.update_item(TableName="conf", Key=key(name), UpdateExpression=expression, **extra)


# --- legacy AttributeUpdates -------------------------------------------------------------------

def test_attribute_updates_rejects_unknown_action(ddb, table):
    code, msg, _ = error_of(legacy_update, ddb, "k1", {"color": {"Action": "REPLACE", "Value": {"S": "red"}}})
    assert code == "ValidationException"
    assert msg == ("1 validation error detected: Value 'REPLACE' at 'attributeUpdates.color.member.action' failed "
                   "to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]")


@pytest.mark.parametrize("value, kind", [({"S": "x"}, "S"), ({"N": "3"}, "N"), ({"L": []}, "L"),
                                         ({"BOOL": True}, "BOOL")])
def test_attribute_updates_delete_with_non_set_value(ddb, table, value, kind):
    _, msg, _ = error_of(legacy_update, ddb, "k2", {"tags": {"Action": "DELETE", "Value": value}})
    assert msg == ("One or more parameter values were invalid: DELETE action with value is not supported for the "
                   f"type {kind}")


@pytest.mark.parametrize("stored, operand, action", [
    ({"NS": ["1"]}, {"SS": ["one"]}, "ADD"), ({"L": [{"S": "x"}]}, {"N": "1"}, "ADD"),
    ({"N": "5"}, {"SS": ["a"]}, "ADD"), ({"S": "plain"}, {"SS": ["plain"]}, "DELETE"),
    ({"NS": ["4"]}, {"SS": ["4"]}, "DELETE")])
def test_attribute_updates_type_mismatch_wording(ddb, table, stored, operand, action):
    ddb.put_item(TableName="conf", Item={**key("k3"), "bag": stored})
    code, msg, _ = error_of(legacy_update, ddb, "k3", {"bag": {"Action": action, "Value": operand}})
    assert (code, msg) == ("ValidationException", "Type mismatch for attribute to update")
    assert fetch(ddb, "k3")["bag"] == stored


def test_attribute_updates_value_is_validated_and_canonical(ddb, table):
    ddb.put_item(TableName="conf", Item={**key("k4"), "nums": {"NS": ["1", "2"]}})
    _, msg, _ = error_of(legacy_update, ddb, "k4", {"nums": {"Action": "DELETE", "Value": {"NS": []}}})
    assert msg == "One or more parameter values were invalid: An number set  may not be empty"
    legacy_update(ddb, "k4", {"total": {"Action": "PUT", "Value": {"N": "007.50"}}})
    assert fetch(ddb, "k4")["total"] == {"N": "7.5"}


def test_removal_only_updates_do_not_create_items(ddb, table):
    legacy_update(ddb, "ghost1", {"a": {"Action": "DELETE"}})
    legacy_update(ddb, "ghost2", {"s": {"Action": "DELETE", "Value": {"SS": ["x"]}}})
    expr_update(ddb, "ghost3", "REMOVE a, b.c")
    out = expr_update(ddb, "ghost4", "REMOVE q", ReturnValues="ALL_NEW")
    assert "Attributes" not in out
    assert [fetch(ddb, n) for n in ("ghost1", "ghost2", "ghost3", "ghost4")] == [None] * 4
    legacy_update(ddb, "real", {})
    assert fetch(ddb, "real") == key("real")


# --- UpdateExpression -------------------------------------------------------------------------

def test_appends_past_the_end_land_in_index_order(ddb, table):
    ddb.put_item(TableName="conf", Item={**key("l1"), "seq": {"L": [{"S": "a"}]}})
    expr_update(ddb, "l1", "SET seq[40] = :w, seq[9] = :x, seq[25] = :y",
                {":w": {"S": "w"}, ":x": {"S": "x"}, ":y": {"S": "y"}})
    assert fetch(ddb, "l1")["seq"] == {"L": [{"S": "a"}, {"S": "x"}, {"S": "y"}, {"S": "w"}]}


def test_remove_below_a_missing_attribute_is_an_invalid_path(ddb, table):
    ddb.put_item(TableName="conf", Item={**key("r1"), "m": {"M": {"x": {"N": "1"}}}, "l": {"L": []}})
    for expression in ("REMOVE absent.x", "REMOVE absent[0]", "REMOVE l.x"):
        code, msg, _ = error_of(expr_update, ddb, "r1", expression)
        assert (code, msg) == ("ValidationException",
                               "The document path provided in the update expression is invalid for update")
    expr_update(ddb, "r1", "REMOVE m.y, l[3]")
    assert fetch(ddb, "r1")["m"] == {"M": {"x": {"N": "1"}}}


@pytest.mark.parametrize("expression", ["SET _x = :v", "SET 9lives = :v", "SET a = _f(b)"])
def test_bare_names_must_start_with_a_letter(ddb, table, expression):
    code, msg, _ = error_of(expr_update, ddb, "t1", expression, {":v": {"N": "1"}} if ":v" in expression else None)
    assert code == "ValidationException" and "Syntax error" in msg


def test_sum_beyond_38_digits_reports_overflow(ddb, table):
    _, msg, _ = error_of(expr_update, ddb, "n1", "SET v = :big + :one", {":big": {"N": "1e45"}, ":one": {"N": "1"}})
    assert msg == "Number overflow. Attempting to store a number with magnitude larger than supported range"


# --- names and sizes ---------------------------------------------------------------------------

def test_attribute_names_longer_than_64k_bytes(ddb, table):
    too_long, longest = "n" * 65536, "n" * 65535
    ddb.put_item(TableName="conf", Item={**key("big"), longest: {"N": "1"}})
    message = "1 validation error detected: Attribute name is too large, must be less than 65536 bytes"
    calls = [lambda: ddb.put_item(TableName="conf", Item={**key("big"), too_long: {"N": "1"}}),
             lambda: ddb.put_item(TableName="conf", Item={**key("big"), "m": {"M": {too_long: {"N": "1"}}}}),
             lambda: legacy_update(ddb, "big", {too_long: {"Action": "PUT", "Value": {"N": "2"}}}),
             lambda: expr_update(ddb, "big", "SET #n = :v", {":v": {"N": "2"}},
                                 ExpressionAttributeNames={"#n": too_long})]
    for call in calls:
        assert error_of(call)[:2] == ("ValidationException", message)
    code, msg, _ = error_of(ddb.get_item, TableName="conf", Key=key("big"), AttributesToGet=[too_long])
    assert code == "ValidationException" and msg.endswith("Member must have length less than or equal to 65535")


def wrapped(levels):
    value = {"S": "core"}
    for _ in range(levels):
        value = {"M": {"in": value}}
    return value


def test_documents_nest_at_most_32_levels(ddb, table):
    ddb.put_item(TableName="conf", Item={**key("deep"), "doc": wrapped(31)})
    assert fetch(ddb, "deep")["doc"] == wrapped(31)
    code, msg, _ = error_of(ddb.put_item, TableName="conf", Item={**key("deep"), "doc": wrapped(32)})
    assert (code, msg) == ("ValidationException", "Nesting Levels have exceeded supported limits: Attributes in the "
                                                  "item have nested levels beyond supported limit")


def test_null_must_be_true(cloud, table):
    from botocore.config import Config
    raw = cloud.client("dynamodb", config=Config(parameter_validation=False))
    code, msg, _ = error_of(raw.put_item, TableName="conf", Item={**key("nul"), "gap": {"NULL": False}})
    assert (code, msg) == ("ValidationException",
                           "One or more parameter values were invalid: Null attribute value types must have the value "
                           "of true")
