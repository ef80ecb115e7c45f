"""Expression language edge cases through boto3: syntax errors, names/values hygiene, functions, updates."""
from __future__ import annotations

import re

import pytest
from ddbcore_helpers import error_of


@pytest.fixture
def ddb_items(ddb, make_table):
    make_table("exprs")
    ddb.put_item(TableName="exprs", Item={
        "pk": {"S": "k"}, "name": {"S": "Widget"}, "n": {"N": "5"}, "tags": {"SS": ["red", "blue"]},
        "nums": {"NS": ["1", "2"]}, "lst": {"L": [{"S": "a"}, {"N": "1"}, {"M": {"deep": {"S": "x"}}}]},
        "mp": {"M": {"a": {"M": {"b": {"N": "1"}}}, "flag": {"BOOL": True}}}, "bin": {"B": b"\x01\x02"}})
    return ddb


def update(ddb, expression, names=None, values=None, **extra):
    kwargs = {"TableName": "exprs", "Key": {"pk": {"S": "k"}}, "UpdateExpression": expression,
              "ReturnValues": "ALL_NEW", **extra}
    if names:
        kwargs["ExpressionAttributeNames"] = names
    if values:
        kwargs["ExpressionAttributeValues"] = values
    return ddb.update_item(**kwargs)["Attributes"]


def matches(ddb, condition, names=None, values=None) -> bool:
    kwargs = {"TableName": "exprs", "FilterExpression": condition}
    if names:
        kwargs["ExpressionAttributeNames"] = names
    if values:
        kwargs["ExpressionAttributeValues"] = values
    return ddb.scan(**kwargs)["Count"] == 1


@pytest.mark.parametrize("expression, message", [
    ("INVALID SYNTAX HERE", 'Invalid UpdateExpression: Syntax error; token: "INVALID", near: "INVALID SYNTAX"'),
    ("ADD hits : incr", 'Invalid UpdateExpression: Syntax error; token: ":", near: "hits : incr"'),
    ("SET a = ", 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "= "'),
    ("SET a = :v, a = :v", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
                           "rewrite one of these paths; path one: [a], path two: [a]"),
    ("SET a = :v REMOVE a.b", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
                              "rewrite one of these paths; path one: [a], path two: [a, b]"),
    ("SET a = :v SET b = :v", 'Invalid UpdateExpression: The "SET" section can only be used once in an update '
                              'expression;'),
    ("SET #nope = :v", "Invalid UpdateExpression: An expression attribute name used in the document path is not "
                       "defined; attribute name: #nope"),
    ("SET a = :missing", "Invalid UpdateExpression: An expression attribute value used in expression is not "
                         "defined; attribute value: :missing"),
    ("SET name = :v", "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: name"),
    ("SET a = nofunc(b)", "Invalid UpdateExpression: Invalid function name; function: nofunc"),
    ("ADD a :s", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, "
                 "operand type: STRING"),
    ("", "Invalid UpdateExpression: The expression can not be empty;"),
])
def test_update_expression_errors(ddb_items, expression, message):
    values = {":v": {"N": "1"}, ":s": {"S": "x"}}
    used = {k: v for k, v in values.items() if k in expression}
    code, msg, _ = error_of(update, ddb_items, expression, values=used or None)
    assert (code, msg) == ("ValidationException", message)


def test_names_and_values_hygiene(ddb_items):
    code, msg, _ = error_of(update, ddb_items, "SET a = :v", values={":v": {"N": "1"}, ":unused": {"N": "2"}})
    assert msg == "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}"
    code, msg, _ = error_of(update, ddb_items, "SET a = :v", names={"#unused": "x"}, values={":v": {"N": "1"}})
    assert msg == "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}"
    code, msg, _ = error_of(ddb_items.delete_item, TableName="exprs", Key={"pk": {"S": "k"}},
                            ExpressionAttributeValues={":v": {"S": "x"}})
    assert msg == "ExpressionAttributeValues can only be specified when using expressions"
    code, msg, _ = error_of(update, ddb_items, "SET a = :v", values={"v": {"N": "1"}})
    assert msg == 'ExpressionAttributeValues contains invalid key: Syntax error; key: "v"'
    code, msg, _ = error_of(ddb_items.get_item, TableName="exprs", Key={"pk": {"S": "k"}},
                            ProjectionExpression="!!! INVALID !!!")
    assert msg == 'Invalid ProjectionExpression: Syntax error; token: "!", near: "!!"'
    code, msg, _ = error_of(ddb_items.scan, TableName="exprs", FilterExpression="#missing = :v",
                            ExpressionAttributeValues={":v": {"S": "x"}})
    assert msg == ("Invalid FilterExpression: An expression attribute name used in the document path is not defined; "
                   "attribute name: #missing")


def test_reserved_word_needs_a_name_placeholder(ddb_items):
    code, msg, _ = error_of(matches, ddb_items, "status = :v", values={":v": {"S": "x"}})
    assert (code, msg) == ("ValidationException",
                           "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: status")
    assert matches(ddb_items, "#n = :v", names={"#n": "name"}, values={":v": {"S": "Widget"}})


def test_condition_parentheses(ddb_items):
    code, msg, _ = error_of(ddb_items.put_item, TableName="exprs", Item={"pk": {"S": "z"}},
                            ConditionExpression="((attribute_not_exists(pk)))")
    assert msg == "Invalid ConditionExpression: The expression has redundant parentheses;"
    ddb_items.put_item(TableName="exprs", Item={"pk": {"S": "z"}},
                       ConditionExpression="(attribute_not_exists(pk) AND (attribute_not_exists(#s)))",
                       ExpressionAttributeNames={"#s": "status"})
    code, msg, _ = error_of(ddb_items.put_item, TableName="exprs", Item={"pk": {"S": "z"}},
                            ConditionExpression="contains(#a, #a)", ExpressionAttributeNames={"#a": "data"})
    assert msg == ("Invalid ConditionExpression: The first operand must be distinct from the remaining operands for "
                   "this operator or function; operator: contains, first operand: [data]")


@pytest.mark.parametrize("condition, expected", [
    ("n = :five", True), ("n <> :five", False), ("n < :six AND n >= :five", True), ("n BETWEEN :one AND :five", True),
    ("n IN (:one, :six)", False), ("n IN (:one, :five)", True), ("attribute_exists(mp.a.b)", True),
    ("attribute_not_exists(mp.a.c)", True), ("attribute_type(tags, :ss)", True), ("attribute_type(n, :ss)", False),
    ("begins_with(#n, :wid)", True), ("contains(tags, :red)", True), ("contains(#n, :dge)", True),
    ("contains(lst, :a)", True), ("contains(nums, :one)", True), ("size(tags) = :two", True),
    ("size(lst) > :two", True), ("size(#n) = :six", True), ("size(bin) = :two", True),
    ("lst[2].deep = :x", True), ("NOT (n = :five) OR mp.flag = :t", True), ("nope <> :five", True),
    ("nope = :five", False), ("nope < :five", False), ("n > :red", False),
])
def test_condition_functions_and_comparators(ddb_items, condition, expected):
    values = {":one": {"N": "1"}, ":two": {"N": "2"}, ":five": {"N": "5.0"}, ":six": {"N": "6"},
              ":ss": {"S": "SS"}, ":wid": {"S": "Wid"}, ":red": {"S": "red"}, ":dge": {"S": "dge"},
              ":a": {"S": "a"}, ":x": {"S": "x"}, ":t": {"BOOL": True}}
    used = {k: v for k, v in values.items() if re.search(re.escape(k) + r"\b", condition)}
    names = {"#n": "name"} if "#n" in condition else None
    assert matches(ddb_items, condition, names=names, values=used) is expected


def test_between_bounds_and_function_operand_types(ddb_items):
    code, msg, _ = error_of(matches, ddb_items, "n BETWEEN :hi AND :lo", values={":hi": {"N": "5"}, ":lo": {"N": "1"}})
    assert msg == ("Invalid FilterExpression: The BETWEEN operator requires upper bound to be greater than or equal "
                   "to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: "
                   "AttributeValue: {N:1}")
    code, msg, _ = error_of(matches, ddb_items, "begins_with(#n, :num)", names={"#n": "name"}, values={":num": {"N": "1"}})
    assert msg == ("Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: "
                   "begins_with, operand type: N")
    code, msg, _ = error_of(matches, ddb_items, "attribute_exists(:v)", values={":v": {"N": "1"}})
    assert msg == ("Invalid FilterExpression: Operator or function requires a document path; operator or function: "
                   "attribute_exists")


def test_nested_updates_and_list_indexes(ddb_items):
    item = update(ddb_items, "SET mp.a.b = mp.a.b + :one, lst[1] = :z, lst[9] = :end, mp.newkey = :z",
                  values={":one": {"N": "1"}, ":z": {"S": "zed"}, ":end": {"S": "tail"}})
    assert item["mp"]["M"]["a"] == {"M": {"b": {"N": "2"}}}
    assert item["mp"]["M"]["newkey"] == {"S": "zed"}
    assert [v for v in item["lst"]["L"]][1] == {"S": "zed"} and item["lst"]["L"][-1] == {"S": "tail"}
    item = update(ddb_items, "REMOVE lst[0], lst[2], mp.flag")
    assert item["lst"]["L"] == [{"S": "zed"}, {"S": "tail"}]
    assert "flag" not in item["mp"]["M"]
    code, msg, _ = error_of(update, ddb_items, "SET nothere.child = :v", values={":v": {"N": "1"}})
    assert msg == "The document path provided in the update expression is invalid for update"


def test_update_functions_and_set_actions(ddb_items):
    item = update(ddb_items, "SET cnt = if_not_exists(cnt, :zero) + :one, lst = list_append(:front, lst), "
                             "n = n - :one ADD newnum :one, tags :more DELETE nums :oneset",
                  values={":zero": {"N": "0"}, ":one": {"N": "1"}, ":front": {"L": [{"S": "first"}]},
                          ":more": {"SS": ["green"]}, ":oneset": {"NS": ["1"]}})
    assert item["cnt"] == {"N": "1"} and item["n"] == {"N": "4"} and item["newnum"] == {"N": "1"}
    assert item["lst"]["L"][0] == {"S": "first"}
    assert set(item["tags"]["SS"]) == {"red", "blue", "green"} and item["nums"] == {"NS": ["2"]}
    item = update(ddb_items, "DELETE nums :two", values={":two": {"NS": ["2"]}})
    assert "nums" not in item
    code, msg, _ = error_of(update, ddb_items, "SET #n = #n + :one", names={"#n": "name"}, values={":one": {"N": "1"}})
    assert msg == "An operand in the update expression has an incorrect data type"
    code, msg, _ = error_of(update, ddb_items, "SET x = nothere + :one", values={":one": {"N": "1"}})
    assert msg == "The provided expression refers to an attribute that does not exist in the item"
    code, msg, _ = error_of(update, ddb_items, "ADD tags :n", values={":n": {"N": "1"}})
    assert msg == "An operand in the update expression has an incorrect data type"


def test_set_values_are_read_before_any_action(ddb_items):
    update(ddb_items, "SET a = :a, b = :b", values={":a": {"S": "A"}, ":b": {"S": "B"}})
    item = update(ddb_items, "SET a = b, b = a")
    assert (item["a"], item["b"]) == ({"S": "B"}, {"S": "A"})


def test_projection_overlap_is_rejected(ddb_items):
    code, msg, _ = error_of(ddb_items.get_item, TableName="exprs", Key={"pk": {"S": "k"}}, ProjectionExpression="a, a.b")
    assert msg == ("Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite "
                   "one of these paths; path one: [a], path two: [a, b]")
