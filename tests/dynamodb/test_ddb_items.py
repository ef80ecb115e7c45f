"""PutItem/GetItem/UpdateItem/DeleteItem through boto3: values, ReturnValues, conditions, validation."""
from __future__ import annotations

import pytest
from ddbcore_helpers import error_of


@pytest.fixture
def table(make_table):
    make_table("items")
    return "items"


def put(ddb, **item):
    ddb.put_item(TableName="items", Item=item)


def get(ddb, pk):
    return ddb.get_item(TableName="items", Key={"pk": {"S": pk}}).get("Item")


def test_every_attribute_type_round_trips(ddb, table):
    item = {"pk": {"S": "all"}, "s": {"S": "héllo"}, "n": {"N": "-12.5"}, "b": {"B": b"\x00\xff"},
            "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": [b"x", b"y"]},
            "m": {"M": {"inner": {"L": [{"NULL": True}, {"BOOL": False}]}}}, "empty": {"S": ""}, "el": {"L": []}}
    ddb.put_item(TableName="items", Item=item)
    assert get(ddb, "all") == item


@pytest.mark.parametrize("given, stored", [("1.50", "1.5"), ("1E+2", "100"), ("00042", "42"), ("-0", "0"),
                                           ("0.000100", "0.0001"), ("1e100", "1" + "0" * 100)])
def test_numbers_are_normalised(ddb, table, given, stored):
    put(ddb, pk={"S": "n"}, v={"N": given}, set={"NS": [given, "7"]})
    item = get(ddb, "n")
    assert item["v"] == {"N": stored}
    assert sorted(item["set"]["NS"]) == sorted([stored, "7"])


@pytest.mark.parametrize("value, message", [
    ({"N": "1" * 39}, "Attempting to store more than 38 significant digits in a Number"),
    ({"N": "1E126"}, "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ({"N": "1E-131"}, "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
    ({"N": "abc"}, "The parameter cannot be converted to a numeric value: abc"),
    ({"SS": []}, "One or more parameter values were invalid: An string set  may not be empty"),
    ({"NS": []}, "One or more parameter values were invalid: An number set  may not be empty"),
    ({"SS": ["a", "a"]}, "One or more parameter values were invalid: Input collection [a, a] contains duplicates."),
])
def test_invalid_values_are_rejected(ddb, table, value, message):
    code, msg, _ = error_of(ddb.put_item, TableName="items", Item={"pk": {"S": "x"}, "v": value})
    assert (code, msg) == ("ValidationException", message)
    assert get(ddb, "x") is None


def test_key_validation_messages(ddb, make_table, table):
    code, msg, _ = error_of(ddb.put_item, TableName="items", Item={"v": {"S": "x"}})
    assert msg == "One or more parameter values were invalid: Missing the key pk in the item"
    code, msg, _ = error_of(ddb.put_item, TableName="items", Item={"pk": {"N": "1"}})
    assert msg == "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"
    code, msg, _ = error_of(ddb.put_item, TableName="items", Item={"pk": {"S": ""}})
    assert msg == ("One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
                   "contain an empty string value. Key: pk")
    code, msg, _ = error_of(ddb.get_item, TableName="items", Key={"pk": {"S": "a"}, "extra": {"S": "b"}})
    assert msg == "The provided key element does not match the schema"
    code, msg, _ = error_of(ddb.put_item, TableName="items", Item={"pk": {"S": "k" * 2049}})
    assert msg == ("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size "
                   "limit of2048 bytes")


def test_item_size_limit(ddb, table):
    big = "x" * (400 * 1024)
    code, msg, _ = error_of(ddb.put_item, TableName="items", Item={"pk": {"S": "big"}, "v": {"S": big}})
    assert msg == "Item size has exceeded the maximum allowed size"
    put(ddb, pk={"S": "big"}, v={"S": "x" * (400 * 1024 - 20)})
    code, msg, _ = error_of(ddb.update_item, TableName="items", Key={"pk": {"S": "big"}},
                            UpdateExpression="SET w = :w", ExpressionAttributeValues={":w": {"S": "y" * 100}})
    assert msg == "Item size to update has exceeded the maximum allowed size"


def test_put_return_values_and_condition_failure_item(ddb, table):
    put(ddb, pk={"S": "a"}, v={"N": "1"})
    out = ddb.put_item(TableName="items", Item={"pk": {"S": "a"}, "v": {"N": "2"}}, ReturnValues="ALL_OLD")
    assert out["Attributes"] == {"pk": {"S": "a"}, "v": {"N": "1"}}
    code, msg, err = error_of(ddb.put_item, TableName="items", Item={"pk": {"S": "a"}},
                              ConditionExpression="attribute_not_exists(pk)", ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert (code, msg) == ("ConditionalCheckFailedException", "The conditional request failed")
    assert err["Item"] == {"pk": {"S": "a"}, "v": {"N": "2"}}
    code, msg, _ = error_of(ddb.put_item, TableName="items", Item={"pk": {"S": "a"}}, ReturnValues="ALL_NEW")
    assert msg == "Return values set to invalid value"


def test_condition_on_a_missing_item(ddb, table):
    code, _, err = error_of(ddb.delete_item, TableName="items", Key={"pk": {"S": "ghost"}},
                            ConditionExpression="attribute_exists(pk)", ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert code == "ConditionalCheckFailedException" and "Item" not in err
    ddb.put_item(TableName="items", Item={"pk": {"S": "ghost"}}, ConditionExpression="#s <> :busy",
                 ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":busy": {"S": "busy"}})
    assert get(ddb, "ghost") == {"pk": {"S": "ghost"}}


def test_update_return_values(ddb, table):
    put(ddb, pk={"S": "u"}, a={"N": "1"}, m={"M": {"x": {"N": "1"}, "y": {"N": "2"}}})
    common = dict(TableName="items", Key={"pk": {"S": "u"}}, UpdateExpression="SET a = a + :one, m.x = :ten",
                  ExpressionAttributeValues={":one": {"N": "1"}, ":ten": {"N": "10"}})
    assert ddb.update_item(ReturnValues="UPDATED_OLD", **common)["Attributes"] == {
        "a": {"N": "1"}, "m": {"M": {"x": {"N": "1"}}}}
    assert ddb.update_item(ReturnValues="UPDATED_NEW", **common)["Attributes"] == {
        "a": {"N": "3"}, "m": {"M": {"x": {"N": "10"}}}}
    new = ddb.update_item(ReturnValues="ALL_NEW", **common)["Attributes"]
    assert new["m"] == {"M": {"x": {"N": "10"}, "y": {"N": "2"}}} and new["a"] == {"N": "4"}
    assert "Attributes" not in ddb.update_item(**common)


def test_update_creates_missing_item_and_bare_upsert(ddb, table):
    ddb.update_item(TableName="items", Key={"pk": {"S": "new"}}, UpdateExpression="ADD c :one",
                    ExpressionAttributeValues={":one": {"N": "1"}})
    assert get(ddb, "new") == {"pk": {"S": "new"}, "c": {"N": "1"}}
    ddb.update_item(TableName="items", Key={"pk": {"S": "bare"}})
    assert get(ddb, "bare") == {"pk": {"S": "bare"}}


def test_update_cannot_touch_key(ddb, table):
    code, msg, _ = error_of(ddb.update_item, TableName="items", Key={"pk": {"S": "k"}}, UpdateExpression="SET pk = :v",
                            ExpressionAttributeValues={":v": {"S": "other"}})
    assert msg == "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"


def test_delete_returns_old(ddb, table):
    put(ddb, pk={"S": "d"}, v={"BOOL": True})
    out = ddb.delete_item(TableName="items", Key={"pk": {"S": "d"}}, ReturnValues="ALL_OLD")
    assert out["Attributes"] == {"pk": {"S": "d"}, "v": {"BOOL": True}}
    assert get(ddb, "d") is None
    assert "Attributes" not in ddb.delete_item(TableName="items", Key={"pk": {"S": "d"}}, ReturnValues="ALL_OLD")


def test_get_item_projection_and_legacy_attributes_to_get(ddb, table):
    put(ddb, pk={"S": "p"}, a={"S": "1"}, b={"L": [{"S": "x"}, {"S": "y"}, {"S": "z"}]}, c={"M": {"d": {"N": "4"}}})
    out = ddb.get_item(TableName="items", Key={"pk": {"S": "p"}}, ProjectionExpression="a, b[2], b[0], #c.d",
                       ExpressionAttributeNames={"#c": "c"})
    assert out["Item"] == {"a": {"S": "1"}, "b": {"L": [{"S": "x"}, {"S": "z"}]}, "c": {"M": {"d": {"N": "4"}}}}
    out = ddb.get_item(TableName="items", Key={"pk": {"S": "p"}}, AttributesToGet=["a"])
    assert out["Item"] == {"a": {"S": "1"}}
    code, msg, _ = error_of(ddb.get_item, TableName="items", Key={"pk": {"S": "p"}}, AttributesToGet=["a"],
                            ProjectionExpression="a")
    assert msg == ("Can not use both expression and non-expression parameters in the same request: "
                   "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")


def test_legacy_expected_and_attribute_updates(ddb, table):
    put(ddb, pk={"S": "old"}, v={"N": "1"}, tags={"SS": ["a", "b"]})
    ddb.update_item(TableName="items", Key={"pk": {"S": "old"}},
                    AttributeUpdates={"v": {"Action": "ADD", "Value": {"N": "5"}},
                                      "tags": {"Action": "DELETE", "Value": {"SS": ["a"]}},
                                      "w": {"Action": "PUT", "Value": {"S": "new"}}},
                    Expected={"v": {"Value": {"N": "1"}}})
    assert get(ddb, "old") == {"pk": {"S": "old"}, "v": {"N": "6"}, "tags": {"SS": ["b"]}, "w": {"S": "new"}}
    code, _, _ = error_of(ddb.put_item, TableName="items", Item={"pk": {"S": "old"}},
                          Expected={"v": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "10"}]}})
    assert code == "ConditionalCheckFailedException"
    code, msg, _ = error_of(ddb.put_item, TableName="items", Item={"pk": {"S": "old"}},
                            Expected={"pk": {"Exists": False}}, ConditionExpression="attribute_not_exists(pk)")
    assert msg == ("Can not use both expression and non-expression parameters in the same request: "
                   "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}")


def test_consumed_capacity(ddb, table):
    out = ddb.put_item(TableName="items", Item={"pk": {"S": "c"}, "v": {"S": "x" * 1500}}, ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"] == {"TableName": "items", "CapacityUnits": 2.0}
    out = ddb.get_item(TableName="items", Key={"pk": {"S": "c"}}, ReturnConsumedCapacity="INDEXES")
    assert out["ConsumedCapacity"] == {"TableName": "items", "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.5}}
    out = ddb.get_item(TableName="items", Key={"pk": {"S": "c"}}, ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 1.0
    code, msg, _ = error_of(ddb.get_item, TableName="items", Key={"pk": {"S": "c"}}, ReturnConsumedCapacity="ALL")
    assert msg == ("1 validation error detected: Value 'ALL' at 'returnConsumedCapacity' failed to satisfy constraint: "
                   "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]")


def test_resource_api_round_trip(cloud, table):
    from decimal import Decimal
    items = cloud.resource("dynamodb").Table("items")
    items.put_item(Item={"pk": "r", "n": Decimal("2.50"), "tags": {"x", "y"}, "doc": {"list": [1, "two", None]}})
    got = items.get_item(Key={"pk": "r"})["Item"]
    assert got == {"pk": "r", "n": Decimal("2.5"), "tags": {"x", "y"}, "doc": {"list": [Decimal(1), "two", None]}}
    items.update_item(Key={"pk": "r"}, UpdateExpression="REMOVE doc")
    assert "doc" not in items.get_item(Key={"pk": "r"})["Item"]


def test_resource_conditions_batch_writer_and_query(cloud, make_table):
    from boto3.dynamodb.conditions import Attr, Key
    make_table("orders", hash=("customer", "S"), range=("order", "N"))
    orders = cloud.resource("dynamodb").Table("orders")
    with orders.batch_writer() as writer:
        for n in range(30):
            writer.put_item(Item={"customer": "c1" if n % 3 else "c2", "order": n, "total": n * 10})
    page = orders.query(KeyConditionExpression=Key("customer").eq("c1") & Key("order").between(5, 20),
                        FilterExpression=Attr("total").gt(100), ScanIndexForward=False)
    assert [int(i["order"]) for i in page["Items"]] == [20, 19, 17, 16, 14, 13, 11]
    assert orders.scan(FilterExpression=Attr("customer").eq("c2"), Select="COUNT")["Count"] == 10
