"""The core's side of the change-log contract, TTL expiry on the clock, and stream records end to end."""
from __future__ import annotations

import pytest

from lowcloud.cloud import Cloud
from lowcloud.clock import VirtualClock


class Recorder:
    """Stands in for streams.ChangeLog and remembers every call."""

    def __init__(self):
        self.records, self.updated, self.deleted = [], [], []

    def record(self, table, event_name, keys, old_image, new_image, user_identity=None):
        self.records.append((table["TableName"], event_name, keys, old_image, new_image, user_identity))

    def on_table_updated(self, table_desc):
        self.updated.append(table_desc)

    def on_table_deleted(self, table_desc):
        self.deleted.append(table_desc["TableName"])


@pytest.fixture
def recorded(cloud, ddb, make_table):
    svc = cloud.service("dynamodb")
    svc.changes = Recorder()
    make_table("log", range=("sk", "N"), StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    return ddb, svc.changes


def k(sk):
    return {"pk": {"S": "p"}, "sk": {"N": str(sk)}}


def test_every_write_path_records_in_order(recorded):
    ddb, log = recorded
    ddb.put_item(TableName="log", Item={**k(1), "v": {"S": "a"}})
    ddb.put_item(TableName="log", Item={**k(1), "v": {"S": "a"}})  # unchanged: no record
    ddb.update_item(TableName="log", Key=k(1), UpdateExpression="SET v = :b", ExpressionAttributeValues={":b": {"S": "b"}})
    ddb.batch_write_item(RequestItems={"log": [{"PutRequest": {"Item": k(2)}}, {"DeleteRequest": {"Key": k(1)}}]})
    ddb.transact_write_items(TransactItems=[{"Put": {"TableName": "log", "Item": k(3)}},
                                            {"Delete": {"TableName": "log", "Key": k(2)}}])
    ddb.execute_statement(Statement="UPDATE log SET w = 1 WHERE pk = 'p' AND sk = 3")
    ddb.delete_item(TableName="log", Key=k(99))  # nothing there: no record
    events = [(r[1], r[2]["sk"]["N"]) for r in log.records]
    assert events == [("INSERT", "1"), ("MODIFY", "1"), ("INSERT", "2"), ("REMOVE", "1"), ("INSERT", "3"),
                      ("REMOVE", "2"), ("MODIFY", "3")]
    insert, modify = log.records[0], log.records[1]
    assert insert[3] is None and insert[4] == {**k(1), "v": {"S": "a"}}
    assert modify[3]["v"] == {"S": "a"} and modify[4]["v"] == {"S": "b"}
    assert all(r[5] is None for r in log.records)


def test_failed_writes_record_nothing(recorded):
    ddb, log = recorded
    ddb.put_item(TableName="log", Item=k(1))
    with pytest.raises(Exception):
        ddb.put_item(TableName="log", Item=k(1), ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(Exception):
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": "log", "Item": k(5)}},
                                                {"ConditionCheck": {"TableName": "log", "Key": k(1),
                                                                    "ConditionExpression": "attribute_not_exists(pk)"}}])
    assert [r[1] for r in log.records] == ["INSERT"]


def test_table_hooks_and_description_fields(cloud, recorded):
    ddb, log = recorded
    assert log.updated[0]["LatestStreamArn"].startswith("arn:aws:dynamodb:us-east-1:000000000000:table/log/stream/")
    table = log.updated[0]
    assert {"TableName", "TableArn", "KeySchema", "StreamSpecification", "LatestStreamLabel"} <= set(table)
    ddb.update_table(TableName="log", StreamSpecification={"StreamEnabled": False})
    assert "StreamSpecification" not in log.updated[-1]
    ddb.delete_table(TableName="log")
    assert log.deleted == ["log"]


def test_scan_all_and_describe_for_the_exporter(cloud, recorded):
    ddb, _ = recorded
    ddb.batch_write_item(RequestItems={"log": [{"PutRequest": {"Item": k(i)}} for i in range(20)]})
    svc = cloud.service("dynamodb")
    assert sorted(int(i["sk"]["N"]) for i in svc.scan_all("log")) == list(range(20))
    assert svc.describe("log")["ItemCount"] == 20


def test_ttl_deletes_expired_items_as_the_service(cloud, ddb, make_table):
    svc = cloud.service("dynamodb")
    svc.changes = log = Recorder()
    make_table("ttl")
    ddb.update_time_to_live(TableName="ttl", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    now = int(cloud.clock.now())
    for name, exp in [("soon", now + 60), ("later", now + 3600), ("ancient", now - 6 * 365 * 86400)]:
        ddb.put_item(TableName="ttl", Item={"pk": {"S": name}, "exp": {"N": str(exp)}})
    ddb.put_item(TableName="ttl", Item={"pk": {"S": "text"}, "exp": {"S": "not a number"}})
    cloud.clock.advance(120)
    remaining = sorted(i["pk"]["S"] for i in ddb.scan(TableName="ttl")["Items"])
    assert remaining == ["ancient", "later", "text"]
    removal = log.records[-1]
    assert removal[1] == "REMOVE" and removal[2] == {"pk": {"S": "soon"}}
    assert removal[5] == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
    cloud.clock.advance(3600)
    assert sorted(i["pk"]["S"] for i in ddb.scan(TableName="ttl")["Items"]) == ["ancient", "text"]


def test_ttl_timer_is_a_daemon_and_survives_restart(tmp_path):
    clock = VirtualClock(start=1_700_000_000)
    with Cloud(data_dir=tmp_path, clock=clock, seed=1) as first:
        ddb = first.client("dynamodb")
        ddb.create_table(TableName="ttl2", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
        ddb.update_time_to_live(TableName="ttl2", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
        ddb.put_item(TableName="ttl2", Item={"pk": {"S": "x"}, "exp": {"N": str(1_700_000_000 + 500)}})
        first.clock.run_until_idle()
        assert first.clock.now() < 1_700_000_000 + 500  # a daemon timer never pulls time forward
    with Cloud(data_dir=tmp_path, clock=VirtualClock(start=1_700_000_000), seed=1) as second:
        ddb = second.client("dynamodb")
        second.service("dynamodb")
        second.clock.advance(1000)
        assert ddb.scan(TableName="ttl2")["Count"] == 0


def test_stream_records_reach_dynamodbstreams(cloud, ddb, make_table):
    arn = make_table("streamed", StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})[
        "LatestStreamArn"]
    ddb.put_item(TableName="streamed", Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    ddb.update_item(TableName="streamed", Key={"pk": {"S": "a"}}, UpdateExpression="SET v = :two",
                    ExpressionAttributeValues={":two": {"N": "2"}})
    ddb.delete_item(TableName="streamed", Key={"pk": {"S": "a"}})
    streams = cloud.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    assert records[1]["dynamodb"]["OldImage"]["v"] == {"N": "1"} and records[1]["dynamodb"]["NewImage"]["v"] == {"N": "2"}
