"""Query and Scan through boto3: key order, paging, Select, segments, indexes, key-condition errors."""
from __future__ import annotations

import pytest
from ddbcore_helpers import error_of

NUMBERS = ["-1e10", "-100", "-2.5", "-0.001", "0", "0.0001", "1", "2", "10", "10.5", "99", "1e5", "123456789012345678"]


@pytest.fixture
def numbered(ddb, make_table):
    make_table("nums", range=("sk", "N"))
    for value in reversed(NUMBERS):
        ddb.put_item(TableName="nums", Item={"pk": {"S": "p"}, "sk": {"N": value}, "pad": {"S": value}})
    return ddb


def sks(page):
    return [i["sk"][next(iter(i["sk"]))] for i in page["Items"]]


def canonical(values):
    from lowcloud.services.dynamodb.types import canonical_number
    return [canonical_number(v) for v in values]


def query_p(ddb, table="nums", **extra):
    values = {":p": {"S": "p"}, **extra.pop("ExpressionAttributeValues", {})}
    return ddb.query(TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues=values, **extra)


def test_numbers_sort_numerically_both_ways(numbered):
    assert sks(query_p(numbered)) == canonical(NUMBERS)
    assert sks(query_p(numbered, ScanIndexForward=False)) == canonical(NUMBERS)[::-1]


def test_strings_sort_by_utf8_bytes_and_binary_by_bytes(ddb, make_table):
    make_table("strs", range=("sk", "S"))
    words = ["b", "a", "ab", "B", "é", "z", "\U0001F600", "aa"]
    for w in words:
        ddb.put_item(TableName="strs", Item={"pk": {"S": "p"}, "sk": {"S": w}})
    assert sks(query_p(ddb, "strs")) == sorted(words, key=lambda w: w.encode("utf-8"))
    make_table("bins", range=("sk", "B"))
    blobs = [b"\xff", b"\x00", b"\x00\x01", b"\x7f", b"\x80"]
    for b in blobs:
        ddb.put_item(TableName="bins", Item={"pk": {"S": "p"}, "sk": {"B": b}})
    assert sks(query_p(ddb, "bins")) == sorted(blobs)


@pytest.mark.parametrize("condition, values, expected", [
    ("sk > :a", {":a": {"N": "10"}}, ["10.5", "99", "1e5", "123456789012345678"]),
    ("sk BETWEEN :a AND :b", {":a": {"N": "-2.5"}, ":b": {"N": "1"}}, ["-2.5", "-0.001", "0", "0.0001", "1"]),
    (":a >= sk", {":a": {"N": "-100"}}, ["-1e10", "-100"]),
    ("sk = :a", {":a": {"N": "10.50"}}, ["10.5"]),
])
def test_sort_key_conditions(numbered, condition, values, expected):
    page = numbered.query(TableName="nums", KeyConditionExpression=f"pk = :p AND {condition}",
                          ExpressionAttributeValues={":p": {"S": "p"}, **values})
    assert sks(page) == canonical(expected)


def test_begins_with_on_string_sort_key(ddb, make_table):
    make_table("prefixed", range=("sk", "S"))
    for sk in ["order#1", "order#2", "orders", "other", "order\uffff"]:
        ddb.put_item(TableName="prefixed", Item={"pk": {"S": "p"}, "sk": {"S": sk}})
    page = ddb.query(TableName="prefixed", KeyConditionExpression="pk = :p AND begins_with(sk, :pre)",
                     ExpressionAttributeValues={":p": {"S": "p"}, ":pre": {"S": "order#"}})
    assert sks(page) == ["order#1", "order#2"]


def test_limit_and_last_evaluated_key_like_aws(numbered):
    first = query_p(numbered, Limit=5)
    assert first["Count"] == 5 and first["LastEvaluatedKey"] == {"pk": {"S": "p"}, "sk": {"N": "0"}}
    collected, key = [], None
    while True:
        page = query_p(numbered, Limit=13 - 8 if key else 8, **({"ExclusiveStartKey": key} if key else {}))
        collected += sks(page)
        key = page.get("LastEvaluatedKey")
        if not page["Items"]:
            break
    assert collected == canonical(NUMBERS)
    exact = query_p(numbered, Limit=len(NUMBERS))
    assert "LastEvaluatedKey" in exact
    assert query_p(numbered, ExclusiveStartKey=exact["LastEvaluatedKey"])["Items"] == []


def test_filter_counts_scanned_and_limit_applies_before_filter(numbered):
    page = query_p(numbered, Limit=6, FilterExpression="#pad = :z",
                   ExpressionAttributeNames={"#pad": "pad"},
                   ExpressionAttributeValues={":p": {"S": "p"}, ":z": {"S": "0.0001"}})
    assert (page["Count"], page["ScannedCount"]) == (1, 6)
    counted = query_p(numbered, Select="COUNT")
    assert "Items" not in counted and counted["Count"] == len(NUMBERS)


def test_select_and_projection_rules(numbered):
    page = query_p(numbered, ProjectionExpression="sk")
    assert page["Items"][0] == {"sk": {"N": "-10000000000"}}
    code, msg, _ = error_of(query_p, numbered, Select="ALL_PROJECTED_ATTRIBUTES")
    assert msg == "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
    code, msg, _ = error_of(query_p, numbered, Select="COUNT", ProjectionExpression="sk")
    assert msg == "Cannot specify the ProjectionExpression when choosing to get COUNT"
    code, msg, _ = error_of(query_p, numbered, Select="NOPE")
    assert msg.startswith("1 validation error detected: Value 'NOPE' at 'select' failed to satisfy constraint: "
                          "Member must satisfy enum value set: [")


@pytest.mark.parametrize("expression, message", [
    ("sk = :n", "Query condition missed key schema element: pk"),
    ("pk = :p AND #o = :n", "Query condition missed key schema element: sk"),
    ("pk < :p", "Query key condition not supported"),
    ("pk = :p OR sk = :n", "Invalid operator used in KeyConditionExpression: OR"),
    ("pk = :p AND sk = :n AND sk > :n", "Invalid KeyConditionExpression: KeyConditionExpressions must only contain "
                                        "one condition per key"),
    ("pk = :p AND begins_with(sk, :n)", "Invalid KeyConditionExpression: Incorrect operand type for operator or "
                                        "function; operator or function: begins_with, operand type: N"),
    ("pk = :n", "One or more parameter values were invalid: Condition parameter type does not match schema type"),
    ("", "Invalid KeyConditionExpression: The expression can not be empty;"),
])
def test_key_condition_errors(numbered, expression, message):
    values = {k: v for k, v in {":p": {"S": "p"}, ":n": {"N": "1"}}.items() if k in expression}
    kwargs = {"ExpressionAttributeValues": values} if values else {}
    if "#o" in expression:
        kwargs["ExpressionAttributeNames"] = {"#o": "other"}
    code, msg, _ = error_of(numbered.query, TableName="nums", KeyConditionExpression=expression, **kwargs)
    assert (code, msg) == ("ValidationException", message)


def test_one_megabyte_pages(ddb, make_table):
    make_table("big", range=("sk", "N"))
    blob = "x" * 100_000
    ddb.batch_write_item(RequestItems={"big": [{"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"N": str(i)},
                                                                        "v": {"S": blob}}}} for i in range(25)]})
    first = query_p(ddb, "big")
    assert first["Count"] == 11 and first["LastEvaluatedKey"]["sk"] == {"N": "10"}
    total, key = first["Count"], first["LastEvaluatedKey"]
    while key:
        page = query_p(ddb, "big", ExclusiveStartKey=key)
        total, key = total + page["Count"], page.get("LastEvaluatedKey")
    assert total == 25
    assert ddb.scan(TableName="big", Select="COUNT")["Count"] == 11


def test_scan_segments_partition_the_table(ddb, make_table):
    make_table("seg")
    ddb.batch_write_item(RequestItems={"seg": [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}}}} for i in range(25)]})
    ddb.batch_write_item(RequestItems={"seg": [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}}}} for i in range(25, 50)]})
    seen = []
    for segment in range(4):
        seen += [i["pk"]["S"] for i in ddb.scan(TableName="seg", Segment=segment, TotalSegments=4)["Items"]]
    assert sorted(seen) == sorted(f"k{i}" for i in range(50))
    full = [i["pk"]["S"] for i in ddb.scan(TableName="seg")["Items"]]
    paged, key = [], None
    while True:
        page = ddb.scan(TableName="seg", Limit=7, **({"ExclusiveStartKey": key} if key else {}))
        paged += [i["pk"]["S"] for i in page["Items"]]
        key = page.get("LastEvaluatedKey")
        if key is None:
            break
    assert paged == full
    code, msg, _ = error_of(ddb.scan, TableName="seg", Segment=4, TotalSegments=4)
    assert msg == ("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 4 is "
                   "not less than TotalSegments: 4")
    code, msg, _ = error_of(ddb.scan, TableName="seg", Segment=0)
    assert msg == ("The TotalSegments parameter is required but was not present in the request when Segment "
                   "parameter is present")


@pytest.fixture
def indexed(ddb, make_table):
    make_table("idx", range=("sk", "S"), more_attrs=[("g", "S"), ("gs", "N"), ("l", "N")],
               GlobalSecondaryIndexes=[{"IndexName": "by-g", "Projection": {"ProjectionType": "INCLUDE",
                                                                            "NonKeyAttributes": ["extra"]},
                                        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                      {"AttributeName": "gs", "KeyType": "RANGE"}]}],
               LocalSecondaryIndexes=[{"IndexName": "by-l", "Projection": {"ProjectionType": "KEYS_ONLY"},
                                       "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                     {"AttributeName": "l", "KeyType": "RANGE"}]}])
    rows = [("a", "x", 3, 30), ("b", "x", 1, 10), ("c", "y", 2, None), ("d", None, None, 20), ("e", "x", 1, 40)]
    for sk, g, gs, l in rows:
        item = {"pk": {"S": "p"}, "sk": {"S": sk}, "extra": {"S": f"e-{sk}"}, "hidden": {"S": "h"}}
        if g:
            item.update(g={"S": g}, gs={"N": str(gs)})
        if l is not None:
            item["l"] = {"N": str(l)}
        ddb.put_item(TableName="idx", Item=item)
    return ddb


def test_gsi_query_is_sparse_projected_and_paged_with_base_keys(indexed):
    page = indexed.query(TableName="idx", IndexName="by-g", KeyConditionExpression="g = :g",
                         ExpressionAttributeValues={":g": {"S": "x"}})
    assert [(i["sk"]["S"], i["gs"]["N"]) for i in page["Items"]] == [("b", "1"), ("e", "1"), ("a", "3")]
    assert set(page["Items"][0]) == {"pk", "sk", "g", "gs", "extra"}
    first = indexed.query(TableName="idx", IndexName="by-g", KeyConditionExpression="g = :g", Limit=1,
                          ExpressionAttributeValues={":g": {"S": "x"}})
    assert first["LastEvaluatedKey"] == {"g": {"S": "x"}, "gs": {"N": "1"}, "pk": {"S": "p"}, "sk": {"S": "b"}}
    rest = indexed.query(TableName="idx", IndexName="by-g", KeyConditionExpression="g = :g",
                         ExclusiveStartKey=first["LastEvaluatedKey"], ExpressionAttributeValues={":g": {"S": "x"}})
    assert [i["sk"]["S"] for i in rest["Items"]] == ["e", "a"]
    assert indexed.scan(TableName="idx", IndexName="by-g")["Count"] == 4
    code, msg, _ = error_of(indexed.query, TableName="idx", IndexName="by-g", KeyConditionExpression="g = :g",
                            ConsistentRead=True, ExpressionAttributeValues={":g": {"S": "x"}})
    assert msg == "Consistent reads are not supported on global secondary indexes"


def test_gsi_follows_updates_and_deletes(indexed):
    indexed.update_item(TableName="idx", Key={"pk": {"S": "p"}, "sk": {"S": "a"}}, UpdateExpression="SET g = :y",
                        ExpressionAttributeValues={":y": {"S": "y"}})
    indexed.delete_item(TableName="idx", Key={"pk": {"S": "p"}, "sk": {"S": "c"}})
    page = indexed.query(TableName="idx", IndexName="by-g", KeyConditionExpression="g = :g",
                         ExpressionAttributeValues={":g": {"S": "y"}})
    assert [i["sk"]["S"] for i in page["Items"]] == ["a"]


def test_lsi_query_and_fetch_from_table(indexed):
    page = indexed.query(TableName="idx", IndexName="by-l", KeyConditionExpression="pk = :p AND l > :ten",
                         ExpressionAttributeValues={":p": {"S": "p"}, ":ten": {"N": "10"}})
    assert [i["sk"]["S"] for i in page["Items"]] == ["d", "a", "e"]
    assert set(page["Items"][0]) == {"pk", "sk", "l"}
    full = indexed.query(TableName="idx", IndexName="by-l", KeyConditionExpression="pk = :p", Select="ALL_ATTRIBUTES",
                         ExpressionAttributeValues={":p": {"S": "p"}})
    assert full["Items"][0]["hidden"] == {"S": "h"}


def test_index_key_type_is_validated_on_write(indexed):
    code, msg, _ = error_of(indexed.put_item, TableName="idx", Item={"pk": {"S": "p"}, "sk": {"S": "z"}, "g": {"N": "1"}})
    assert msg == "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S Actual: N IndexName: by-g"
    code, msg, _ = error_of(indexed.put_item, TableName="idx", Item={"pk": {"S": "p"}, "sk": {"S": "z"}, "g": {"S": ""}})
    assert msg == ("One or more parameter values are not valid. A value specified for a secondary index key is not "
                   "supported. The AttributeValue for a key attribute cannot contain an empty string value. "
                   "IndexName: by-g, IndexKey: g")


def test_legacy_key_conditions_and_query_filter(numbered):
    page = numbered.query(TableName="nums", KeyConditions={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
        "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "10"}]}},
        QueryFilter={"pad": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "1"}]}})
    assert sks(page) == ["1", "10"]
    scan = numbered.scan(TableName="nums", ScanFilter={"sk": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "0"}]}})
    assert scan["Count"] == 4


def test_consumed_capacity_for_query_is_sized_before_filter(numbered):
    plain = query_p(numbered, ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
    filtered = query_p(numbered, ReturnConsumedCapacity="TOTAL", ConsistentRead=True, FilterExpression="#pad = :one",
                       ExpressionAttributeNames={"#pad": "pad"},
                       ExpressionAttributeValues={":p": {"S": "p"}, ":one": {"S": "1"}})
    assert plain["ConsumedCapacity"] == filtered["ConsumedCapacity"] == {"TableName": "nums", "CapacityUnits": 1.0}


def test_lsi_item_collection_limit_and_metrics(cloud, indexed):
    out = indexed.put_item(TableName="idx", Item={"pk": {"S": "p"}, "sk": {"S": "m"}, "l": {"N": "1"}},
                           ReturnItemCollectionMetrics="SIZE")
    assert out["ItemCollectionMetrics"] == {"ItemCollectionKey": {"pk": {"S": "p"}}, "SizeEstimateRangeGB": [0.0, 1.0]}
    cloud.service("dynamodb").item_collection_limit = 400
    code, msg, _ = error_of(indexed.put_item, TableName="idx",
                            Item={"pk": {"S": "p"}, "sk": {"S": "n"}, "l": {"N": "2"}, "pad": {"S": "x" * 300}})
    assert (code, msg) == ("ItemCollectionSizeLimitExceededException", "Collection size exceeded.")
    assert "Item" not in indexed.get_item(TableName="idx", Key={"pk": {"S": "p"}, "sk": {"S": "n"}})


def test_table_arn_as_name_and_bad_start_key(numbered):
    arn = numbered.describe_table(TableName="nums")["Table"]["TableArn"]
    assert query_p(numbered, arn)["Count"] == len(NUMBERS)
    code, msg, _ = error_of(query_p, numbered, ExclusiveStartKey={"pk": {"S": "p"}})
    assert msg == "The provided starting key is invalid: The provided key element does not match the schema"
    counted = numbered.scan(TableName="nums", Select="COUNT", FilterExpression="sk > :z",
                            ExpressionAttributeValues={":z": {"N": "0"}})
    assert (counted["Count"], counted["ScannedCount"]) == (8, len(NUMBERS))
