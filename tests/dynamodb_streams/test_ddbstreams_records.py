"""Stream records: what each view type carries for put/update/delete, and the fabric facts."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from lowcloud.services.dynamodb.streams import STREAM_TOPIC, lambda_event_record
from ddbstreams_fakes import request

R = request()


def read_all(streams, arn: str) -> list[dict]:
    shard = streams.describe_stream({"StreamArn": arn}, R)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator({"StreamArn": arn, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"}, R)
    return streams.get_records({"ShardIterator": it["ShardIterator"]}, R)["Records"]


def churn(ddb, name: str) -> None:
    ddb.put(name, {"pk": {"S": "a"}, "v": {"N": "1"}})
    ddb.put(name, {"pk": {"S": "a"}, "v": {"N": "1"}})  # no change: no record
    ddb.put(name, {"pk": {"S": "a"}, "v": {"N": "2"}, "b": {"B": b"\x00\xff"}})
    ddb.delete(name, {"pk": {"S": "a"}})


@pytest.mark.parametrize("view, new_on, old_on", [
    ("KEYS_ONLY", (), ()),
    ("NEW_IMAGE", ("INSERT", "MODIFY"), ()),
    ("OLD_IMAGE", (), ("MODIFY", "REMOVE")),
    ("NEW_AND_OLD_IMAGES", ("INSERT", "MODIFY"), ("MODIFY", "REMOVE")),
])
def test_view_types(env, view, new_on, old_on):
    cloud, ddb, _, streams = env
    arn = ddb.create_table("Orders", view=view)["LatestStreamArn"]
    churn(ddb, "Orders")
    records = read_all(streams, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    for r in records:
        data = r["dynamodb"]
        assert data["Keys"] == {"pk": {"S": "a"}}
        assert data["StreamViewType"] == view
        assert ("NewImage" in data) == (r["eventName"] in new_on)
        assert ("OldImage" in data) == (r["eventName"] in old_on)
        assert r["eventSource"] == "aws:dynamodb" and r["eventVersion"] == "1.1" and r["awsRegion"] == "us-east-1"
        assert len(r["eventID"]) == 32 and data["SizeBytes"] >= 1
        assert data["SequenceNumber"].isdigit() and len(data["SequenceNumber"]) >= 21
        assert data["ApproximateCreationDateTime"] == datetime.fromtimestamp(1_700_000_000, timezone.utc)
    seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    if "MODIFY" in new_on:
        assert records[1]["dynamodb"]["NewImage"]["b"] == {"B": b"\x00\xff"}
    if "REMOVE" in old_on:
        assert records[2]["dynamodb"]["OldImage"]["v"] == {"N": "2"}


def test_no_stream_no_records_and_table_without_stream(env):
    cloud, ddb, _, streams = env
    ddb.create_table("Plain")
    ddb.put("Plain", {"pk": {"S": "x"}})
    assert streams.list_streams({}, R) == {"Streams": []}


def test_fabric_fact_equals_getrecords_record(env):
    cloud, ddb, _, streams = env
    facts = []
    cloud.fabric.subscribe(STREAM_TOPIC, facts.append)
    desc = ddb.create_table("Orders", keys=(("pk", "S"), ("sk", "N")), view="NEW_AND_OLD_IMAGES")
    ddb.put("Orders", {"pk": {"S": "a"}, "sk": {"N": "1"}, "tags": {"SS": ["x"]}})
    ddb.put("Orders", {"pk": {"S": "a"}, "sk": {"N": "1"}, "tags": {"SS": ["y"]}})
    cloud.clock.run_until_idle()
    records = read_all(streams, desc["LatestStreamArn"])
    shard = streams.describe_stream({"StreamArn": desc["LatestStreamArn"]}, R)["StreamDescription"]["Shards"][0]
    assert [f["Record"] for f in facts] == records
    assert all(f["StreamArn"] == desc["LatestStreamArn"] and f["ShardId"] == shard["ShardId"]
               and f["TableName"] == "Orders" for f in facts)
    assert [f["SequenceNumber"] for f in facts] == [r["dynamodb"]["SequenceNumber"] for r in records]


def test_ttl_style_service_identity_and_lambda_event_shape(env):
    cloud, ddb, _, streams = env
    arn = ddb.create_table("Tab", view="NEW_AND_OLD_IMAGES")["LatestStreamArn"]
    ddb.put("Tab", {"pk": {"S": "k"}, "raw": {"B": b"hi"}})
    ddb.delete("Tab", {"pk": {"S": "k"}}, identity={"type": "Service", "principalId": "dynamodb.amazonaws.com"})
    records = read_all(streams, arn)
    assert "userIdentity" not in records[0]
    assert records[1]["userIdentity"] == {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
    event = lambda_event_record(records[1], arn)
    assert event["eventSourceARN"] == arn
    assert event["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    assert event["dynamodb"]["ApproximateCreationDateTime"] == 1_700_000_000.0
    assert isinstance(event["dynamodb"]["ApproximateCreationDateTime"], float)
    assert event["dynamodb"]["OldImage"]["raw"] == {"B": "aGk="}
    assert records[1]["dynamodb"]["OldImage"]["raw"] == {"B": b"hi"}  # the input record is left untouched


def test_records_survive_restart(tmp_path):
    from lowcloud.cloud import Cloud
    from lowcloud.clock import VirtualClock
    from ddbstreams_fakes import install

    with Cloud(data_dir=tmp_path, clock=VirtualClock(start=1_700_000_000, auto=False), seed=1) as cloud:
        ddb, _ = install(cloud)
        arn = ddb.create_table("Tab", view="KEYS_ONLY")["LatestStreamArn"]
        for i in range(5):
            ddb.put("Tab", {"pk": {"S": str(i)}})
    with Cloud(data_dir=tmp_path, clock=VirtualClock(start=1_700_000_010, auto=False), seed=2) as cloud:
        records = read_all(cloud.service("dynamodbstreams"), arn)
        assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["0", "1", "2", "3", "4"]


def test_lambda_event_matches_the_record_seed_003_printed(env):
    """Seed 003's function printed this record for put-item {"name": {"S": "test3"}} (ids and times aside)."""
    cloud, ddb, _, streams = env
    arn = ddb.create_table("test", keys=(("name", "S"),), view="NEW_AND_OLD_IMAGES")["LatestStreamArn"]
    ddb.put("test", {"name": {"S": "test3"}})
    (record,) = read_all(streams, arn)
    event = lambda_event_record(record, arn)
    shown = repr(event)
    assert list(event) == ["eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb",
                           "eventSourceARN"]
    assert list(event["dynamodb"]) == ["ApproximateCreationDateTime", "Keys", "NewImage", "SequenceNumber",
                                       "SizeBytes", "StreamViewType"]
    assert ("'dynamodb': {'ApproximateCreationDateTime': 1700000000.0, 'Keys': {'name': {'S': 'test3'}}, "
            "'NewImage': {'name': {'S': 'test3'}}, 'SequenceNumber': '") in shown
    assert "'SizeBytes': 18, 'StreamViewType': 'NEW_AND_OLD_IMAGES'}, 'eventSourceARN': '" + arn + "'}" in shown
