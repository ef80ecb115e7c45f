"""The dynamodbstreams operations: listing, shards, every iterator type, retention and errors."""
from __future__ import annotations

import re

import pytest

from lowcloud.errors import AwsError
from ddbstreams_fakes import request

R = request()
DAY = 24 * 3600


def shard_of(streams, arn: str) -> dict:
    return streams.describe_stream({"StreamArn": arn}, R)["StreamDescription"]["Shards"][0]


def iterator(streams, arn: str, kind: str, seq: str | None = None) -> str:
    params = {"StreamArn": arn, "ShardId": shard_of(streams, arn)["ShardId"], "ShardIteratorType": kind}
    if seq is not None:
        params["SequenceNumber"] = seq
    return streams.get_shard_iterator(params, R)["ShardIterator"]


def keys(page: dict) -> list[str]:
    return [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]]


def error(fn, *args) -> AwsError:
    with pytest.raises(AwsError) as info:
        fn(*args)
    return info.value


@pytest.fixture
def orders(env):
    cloud, ddb, s3, streams = env
    desc = ddb.create_table("Orders", view="NEW_AND_OLD_IMAGES")
    for i in range(5):
        ddb.put("Orders", {"pk": {"S": f"k{i}"}})
    return cloud, ddb, streams, desc["LatestStreamArn"]


def test_list_streams_filter_and_pagination(env):
    cloud, ddb, _, streams = env
    arns = sorted(ddb.create_table(name, view="KEYS_ONLY")["LatestStreamArn"] for name in ("Aaa", "Bbb", "Ccc"))
    page = streams.list_streams({"Limit": 2}, R)
    assert [s["StreamArn"] for s in page["Streams"]] == arns[:2]
    rest = streams.list_streams({"ExclusiveStartStreamArn": page["LastEvaluatedStreamArn"]}, R)
    assert [s["StreamArn"] for s in rest["Streams"]] == arns[2:] and "LastEvaluatedStreamArn" not in rest
    only = streams.list_streams({"TableName": "Bbb"}, R)["Streams"]
    assert only == [{"StreamArn": arns[1], "TableName": "Bbb", "StreamLabel": arns[1].rsplit("/", 1)[1]}]
    assert error(streams.list_streams, {"TableName": "Nope"}, R).code == "ResourceNotFoundException"
    assert error(streams.list_streams, {"Limit": 101}, R).message.endswith("less than or equal to 100")
    assert error(streams.list_streams, {"ExclusiveStartStreamArn": "garbage" * 6}, R).code == "ValidationException"


def test_describe_stream_shape(orders):
    cloud, ddb, streams, arn = orders
    desc = streams.describe_stream({"StreamArn": arn}, R)["StreamDescription"]
    assert desc["StreamStatus"] == "ENABLED" and desc["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert desc["TableName"] == "Orders" and desc["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert desc["StreamLabel"] == "2023-11-14T22:13:20.000"
    assert desc["StreamArn"].endswith("/stream/" + desc["StreamLabel"])
    assert desc["CreationRequestDateTime"].timestamp() == 1_700_000_000
    (shard,) = desc["Shards"]
    assert re.fullmatch(r"shardId-\d{20}-[0-9a-f]{8}", shard["ShardId"])
    assert shard["ShardId"].startswith("shardId-00000001700000000000-")
    assert shard["SequenceNumberRange"]["StartingSequenceNumber"].isdigit()
    assert "EndingSequenceNumber" not in shard["SequenceNumberRange"]
    after = streams.describe_stream({"StreamArn": arn, "ExclusiveStartShardId": shard["ShardId"]}, R)
    assert after["StreamDescription"]["Shards"] == []
    missing = arn.replace("Orders", "Gone")
    err = error(streams.describe_stream, {"StreamArn": missing}, R)
    assert (err.code, err.message) == ("ResourceNotFoundException",
                                       f"Requested resource not found: Stream: {missing} not found")
    assert error(streams.describe_stream, {"StreamArn": "x" * 40}, R).code == "ValidationException"


def test_every_iterator_type(orders):
    cloud, ddb, streams, arn = orders
    first = streams.get_records({"ShardIterator": iterator(streams, arn, "TRIM_HORIZON")}, R)
    assert keys(first) == ["k0", "k1", "k2", "k3", "k4"]
    seqs = [r["dynamodb"]["SequenceNumber"] for r in first["Records"]]
    at = streams.get_records({"ShardIterator": iterator(streams, arn, "AT_SEQUENCE_NUMBER", seqs[2])}, R)
    assert keys(at) == ["k2", "k3", "k4"]
    after = streams.get_records({"ShardIterator": iterator(streams, arn, "AFTER_SEQUENCE_NUMBER", seqs[2])}, R)
    assert keys(after) == ["k3", "k4"]
    latest = iterator(streams, arn, "LATEST")
    assert streams.get_records({"ShardIterator": latest}, R)["Records"] == []
    ddb.put("Orders", {"pk": {"S": "k5"}})
    assert keys(streams.get_records({"ShardIterator": latest}, R)) == ["k5"]
    start = shard_of(streams, arn)["SequenceNumberRange"]["StartingSequenceNumber"]
    from_start = iterator(streams, arn, "AT_SEQUENCE_NUMBER", start)
    assert keys(streams.get_records({"ShardIterator": from_start}, R))[0] == "k0"


def test_paging_with_limit_and_next_iterator(orders):
    cloud, ddb, streams, arn = orders
    page = streams.get_records({"ShardIterator": iterator(streams, arn, "TRIM_HORIZON"), "Limit": 2}, R)
    seen = keys(page)
    while page["Records"]:
        page = streams.get_records({"ShardIterator": page["NextShardIterator"], "Limit": 2}, R)
        seen += keys(page)
    assert seen == ["k0", "k1", "k2", "k3", "k4"]
    assert "NextShardIterator" in page  # an open shard always hands out a next iterator
    assert error(streams.get_records, {"ShardIterator": page["NextShardIterator"], "Limit": 1001}, R).message == (
        "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 1000")


def test_iterator_errors(orders):
    cloud, ddb, streams, arn = orders
    shard = shard_of(streams, arn)["ShardId"]
    base = {"StreamArn": arn, "ShardId": shard}
    no_number = {**base, "ShardIteratorType": "AT_SEQUENCE_NUMBER"}
    assert error(streams.get_shard_iterator, no_number, R).code == "ValidationException"
    seq = shard_of(streams, arn)["SequenceNumberRange"]["StartingSequenceNumber"]
    extra_number = {**base, "ShardIteratorType": "LATEST", "SequenceNumber": seq}
    assert error(streams.get_shard_iterator, extra_number, R).code == "ValidationException"
    assert error(streams.get_shard_iterator, {**base, "ShardIteratorType": "AT_SEQUENCE_NUMBER",
                                              "SequenceNumber": "x" * 21}, R).code == "ValidationException"
    assert error(streams.get_shard_iterator, {**base, "ShardId": "shardId-00000001700000000000-00000000",
                                              "ShardIteratorType": "LATEST"}, R).code == "ResourceNotFoundException"
    assert error(streams.get_records, {"ShardIterator": "not-an-iterator"}, R).code == "ValidationException"


def test_iterators_expire_after_15_minutes(orders):
    cloud, ddb, streams, arn = orders
    it = iterator(streams, arn, "TRIM_HORIZON")
    cloud.clock.advance(15 * 60)
    assert len(streams.get_records({"ShardIterator": it}, R)["Records"]) == 5
    cloud.clock.advance(1)
    err = error(streams.get_records, {"ShardIterator": it}, R)
    assert err.code == "ExpiredIteratorException"


def test_retention_trims_after_24_hours(orders):
    cloud, ddb, streams, arn = orders
    cloud.clock.advance(DAY - 10)
    ddb.put("Orders", {"pk": {"S": "late"}})
    old_iterator = iterator(streams, arn, "TRIM_HORIZON")
    first_seq = streams.get_records({"ShardIterator": old_iterator}, R)["Records"][0]["dynamodb"]["SequenceNumber"]
    cloud.clock.advance(11)
    err = error(streams.get_records, {"ShardIterator": old_iterator}, R)
    assert err.code == "TrimmedDataAccessException"
    err = error(streams.get_shard_iterator, {"StreamArn": arn, "ShardId": shard_of(streams, arn)["ShardId"],
                                             "ShardIteratorType": "AT_SEQUENCE_NUMBER", "SequenceNumber": first_seq}, R)
    assert err.code == "TrimmedDataAccessException"
    assert keys(streams.get_records({"ShardIterator": iterator(streams, arn, "TRIM_HORIZON")}, R)) == ["late"]
    assert ddb.changelog.db.one("SELECT COUNT(*) FROM records")[0] == 1


def test_disable_closes_shard_and_reenable_makes_new_stream(orders):
    cloud, ddb, streams, arn = orders
    live = iterator(streams, arn, "TRIM_HORIZON")
    cloud.clock.advance(1)
    ddb.set_stream("Orders", None)
    ddb.put("Orders", {"pk": {"S": "unseen"}})
    desc = streams.describe_stream({"StreamArn": arn}, R)["StreamDescription"]
    assert desc["StreamStatus"] == "DISABLED"
    span = desc["Shards"][0]["SequenceNumberRange"]
    assert int(span["EndingSequenceNumber"]) >= int(span["StartingSequenceNumber"])
    page = streams.get_records({"ShardIterator": live}, R)
    assert keys(page) == ["k0", "k1", "k2", "k3", "k4"] and "NextShardIterator" not in page
    cloud.clock.advance(1)
    ddb.set_stream("Orders", "KEYS_ONLY")
    ddb.put("Orders", {"pk": {"S": "new"}})
    listed = streams.list_streams({"TableName": "Orders"}, R)["Streams"]
    assert len(listed) == 2 and len({s["StreamLabel"] for s in listed}) == 2
    new_arn = next(s["StreamArn"] for s in listed if s["StreamArn"] != arn)
    assert keys(streams.get_records({"ShardIterator": iterator(streams, new_arn, "TRIM_HORIZON")}, R)) == ["new"]
    cloud.clock.advance(DAY)
    assert [s["StreamArn"] for s in streams.list_streams({"TableName": "Orders"}, R)["Streams"]] == [new_arn]
    assert error(streams.describe_stream, {"StreamArn": arn}, R).code == "ResourceNotFoundException"


def test_deleted_table_stream_stays_readable(orders):
    cloud, ddb, streams, arn = orders
    ddb.delete_table("Orders")
    assert streams.describe_stream({"StreamArn": arn}, R)["StreamDescription"]["StreamStatus"] == "DISABLED"
    assert len(streams.get_records({"ShardIterator": iterator(streams, arn, "TRIM_HORIZON")}, R)["Records"]) == 5


def test_reenable_at_the_same_instant_still_gets_a_new_stream(env):
    cloud, ddb, _, streams = env
    first = ddb.create_table("Orders", view="KEYS_ONLY")["LatestStreamArn"]
    ddb.set_stream("Orders", None)
    ddb.set_stream("Orders", "KEYS_ONLY")  # same virtual millisecond: the table offers the old label again
    ddb.put("Orders", {"pk": {"S": "x"}})
    listed = {s["StreamArn"] for s in streams.list_streams({"TableName": "Orders"}, R)["Streams"]}
    assert len(listed) == 2 and first in listed
    (second,) = listed - {first}
    assert keys(streams.get_records({"ShardIterator": iterator(streams, second, "TRIM_HORIZON")}, R)) == ["x"]
    assert streams.get_records({"ShardIterator": iterator(streams, first, "TRIM_HORIZON")}, R)["Records"] == []
