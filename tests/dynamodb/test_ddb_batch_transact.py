"""BatchGetItem/BatchWriteItem and TransactWriteItems/TransactGetItems through boto3."""
from __future__ import annotations

import pytest
from ddbcore_helpers import error_of


@pytest.fixture
def two_tables(ddb, make_table):
    make_table("left")
    make_table("right", range=("sk", "N"))
    return ddb


def key(pk):
    return {"pk": {"S": pk}}


def test_batch_write_then_batch_get_across_tables(two_tables):
    ddb = two_tables
    out = ddb.batch_write_item(RequestItems={
        "left": [{"PutRequest": {"Item": {"pk": {"S": f"l{i}"}, "v": {"N": str(i)}}}} for i in range(3)],
        "right": [{"PutRequest": {"Item": {"pk": {"S": "r"}, "sk": {"N": str(i)}}}} for i in range(2)]})
    assert out["UnprocessedItems"] == {}
    ddb.batch_write_item(RequestItems={"left": [{"DeleteRequest": {"Key": key("l0")}}]})
    got = ddb.batch_get_item(RequestItems={
        "left": {"Keys": [key("l0"), key("l1"), key("l2")], "ProjectionExpression": "v"},
        "right": {"Keys": [{"pk": {"S": "r"}, "sk": {"N": "1"}}]}}, ReturnConsumedCapacity="TOTAL")
    assert sorted(i["v"]["N"] for i in got["Responses"]["left"]) == ["1", "2"]
    assert got["Responses"]["right"] == [{"pk": {"S": "r"}, "sk": {"N": "1"}}]
    assert got["UnprocessedKeys"] == {}
    assert {c["TableName"] for c in got["ConsumedCapacity"]} == {"left", "right"}


def test_batch_validation_messages(two_tables):
    ddb = two_tables
    code, msg, _ = error_of(ddb.batch_write_item, RequestItems={"left": [
        {"PutRequest": {"Item": key("dup")}}, {"DeleteRequest": {"Key": key("dup")}}]})
    assert msg == "Provided list of item keys contains duplicates"
    code, msg, _ = error_of(ddb.batch_write_item, RequestItems={"left": [{"PutRequest": {"Item": {"pk": {"N": "5"}}}}]})
    assert msg == "The provided key element does not match the schema"
    code, msg, _ = error_of(ddb.batch_write_item, RequestItems={
        "left": [{"PutRequest": {"Item": key(f"k{i}")}} for i in range(26)]})
    assert msg.endswith("at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: "
                        "[Member must have length less than or equal to 25, Member must have length greater than or "
                        "equal to 1]")
    code, msg, _ = error_of(ddb.batch_get_item, RequestItems={"left": {"Keys": [key(f"k{i}") for i in range(101)]}})
    assert msg == ("1 validation error detected: Value at 'RequestItems.left.member.Keys' failed to satisfy "
                   "constraint: Member must have length less than or equal to 100")
    code, msg, _ = error_of(ddb.batch_get_item, RequestItems={"left": {"Keys": [key("a"), key("a")]}})
    assert msg == "Provided list of item keys contains duplicates"
    code, msg, _ = error_of(ddb.batch_get_item, RequestItems={"nosuch": {"Keys": [key("a")]}})
    assert (code, msg) == ("ResourceNotFoundException", "Requested resource not found")
    assert ddb.scan(TableName="left")["Count"] == 0


def test_transact_write_all_or_nothing_with_reasons(two_tables):
    ddb = two_tables
    ddb.put_item(TableName="left", Item={"pk": {"S": "locked"}, "state": {"S": "busy"}})
    ddb.put_item(TableName="left", Item={"pk": {"S": "gone"}})
    items = [
        {"Put": {"TableName": "left", "Item": {"pk": {"S": "new"}}}},
        {"ConditionCheck": {"TableName": "left", "Key": key("locked"), "ConditionExpression": "#s = :idle",
                            "ExpressionAttributeNames": {"#s": "state"}, "ExpressionAttributeValues": {":idle": {"S": "idle"}},
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        {"Delete": {"TableName": "left", "Key": key("gone")}},
    ]
    code, msg, err = error_of(ddb.transact_write_items, TransactItems=items)
    assert code == "TransactionCanceledException"
    assert msg == ("Transaction cancelled, please refer cancellation reasons for specific reasons "
                   "[None, ConditionalCheckFailed, None]")
    assert err["CancellationReasons"][1] == {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
                                             "Item": {"pk": {"S": "locked"}, "state": {"S": "busy"}}}
    assert "Item" not in ddb.get_item(TableName="left", Key=key("new"))
    assert "Item" in ddb.get_item(TableName="left", Key=key("gone"))
    ddb.put_item(TableName="left", Item={"pk": {"S": "locked"}, "state": {"S": "idle"}})
    items.append({"Update": {"TableName": "right", "Key": {"pk": {"S": "r"}, "sk": {"N": "1"}},
                             "UpdateExpression": "ADD hits :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}})
    out = ddb.transact_write_items(TransactItems=items, ReturnConsumedCapacity="TOTAL")
    assert {c["TableName"] for c in out["ConsumedCapacity"]} == {"left", "right"}
    assert "WriteCapacityUnits" in out["ConsumedCapacity"][0]
    assert ddb.get_item(TableName="right", Key={"pk": {"S": "r"}, "sk": {"N": "1"}})["Item"]["hits"] == {"N": "1"}
    assert "Item" not in ddb.get_item(TableName="left", Key=key("gone"))


def test_transact_runtime_error_cancels_with_validation_error(two_tables):
    ddb = two_tables
    ddb.put_item(TableName="left", Item={"pk": {"S": "s"}, "v": {"S": "text"}})
    code, msg, err = error_of(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": "left", "Item": {"pk": {"S": "ok"}}}},
        {"Update": {"TableName": "left", "Key": key("s"), "UpdateExpression": "ADD v :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}}])
    assert code == "TransactionCanceledException"
    assert [r["Code"] for r in err["CancellationReasons"]] == ["None", "ValidationError"]
    assert "Item" not in ddb.get_item(TableName="left", Key=key("ok"))


def test_transact_write_rules(two_tables):
    ddb = two_tables
    code, msg, _ = error_of(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": "left", "Item": key("a")}}, {"Delete": {"TableName": "left", "Key": key("a")}}])
    assert msg == "Transaction request cannot include multiple operations on one item"
    token_call = dict(ClientRequestToken="tok-1", TransactItems=[{"Put": {"TableName": "left", "Item": key("t")}}])
    ddb.transact_write_items(**token_call)
    ddb.delete_item(TableName="left", Key=key("t"))
    ddb.transact_write_items(**token_call)
    assert "Item" not in ddb.get_item(TableName="left", Key=key("t"))
    code, _, _ = error_of(ddb.transact_write_items, ClientRequestToken="tok-1",
                          TransactItems=[{"Put": {"TableName": "left", "Item": key("other")}}])
    assert code == "IdempotentParameterMismatchException"


def test_transact_get_items(two_tables):
    ddb = two_tables
    ddb.put_item(TableName="left", Item={"pk": {"S": "g"}, "a": {"S": "1"}, "b": {"S": "2"}})
    out = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": "left", "Key": key("g"), "ProjectionExpression": "a"}},
        {"Get": {"TableName": "left", "Key": key("missing")}}], ReturnConsumedCapacity="TOTAL")
    assert out["Responses"] == [{"Item": {"a": {"S": "1"}}}, {}]
    assert out["ConsumedCapacity"] == [{"TableName": "left", "CapacityUnits": 4.0, "ReadCapacityUnits": 4.0}]
