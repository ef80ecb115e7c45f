"""End to end with the real DynamoDB core and S3, through boto3 (client and resource), HTTP and the CLI."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from decimal import Decimal

import pytest
from boto3.dynamodb.types import Binary
from botocore.exceptions import ClientError

import lowcloud
from lowcloud.cloud import Cloud
from lowcloud.clock import VirtualClock
from lowcloud.services.dynamodb.export_formats import decode_lines
from lowcloud.services.dynamodb.streams import STREAM_TOPIC

KEYS = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "N"}],
        "BillingMode": "PAY_PER_REQUEST"}
PITR_ON = {"PointInTimeRecoveryEnabled": True}
REPO = os.path.dirname(os.path.dirname(os.path.abspath(lowcloud.__file__)))


def make_table(ddb, name: str, view: str | None = None) -> dict:
    extra = {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": view}} if view else {}
    desc = ddb.create_table(TableName=name, **KEYS, **extra)["TableDescription"]
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    return desc


def read_stream(streams, arn: str) -> list[dict]:
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return streams.get_records(ShardIterator=it)["Records"]


def wait_export(cloud, ddb, arn: str) -> dict:
    for _ in range(50):
        desc = ddb.describe_export(ExportArn=arn)["ExportDescription"]
        if desc["ExportStatus"] != "IN_PROGRESS":
            return desc
        cloud.clock.run_until_idle()
    raise AssertionError("export never settled")


def item(i: int) -> dict:
    return {"pk": {"S": f"user#{i:05d}"}, "sk": {"N": str(i % 9)}, "s": {"S": f"ü{i}\t\"x\""},
            "n": {"N": f"-{i}.25"}, "b": {"B": bytes([i % 256, 7])}, "t": {"BOOL": i % 3 == 0},
            "z": {"NULL": True}, "ss": {"SS": ["a", f"s{i}"]}, "ns": {"NS": ["1", str(i + 2)]},
            "bs": {"BS": [b"\x00", bytes([i % 250 + 1])]},
            "l": {"L": [{"N": str(i)}, {"L": []}, {"M": {"k": {"S": "v"}}}]},
            "m": {"M": {"inner": {"M": {"deep": {"SS": ["q"]}}}, "e": {"S": ""}}}}


@pytest.mark.parametrize("view", ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"])
def test_item_writes_become_stream_records(cloud, view):
    ddb, streams = cloud.client("dynamodb"), cloud.client("dynamodbstreams")
    facts = []
    cloud.fabric.subscribe(STREAM_TOPIC, facts.append)
    arn = make_table(ddb, "Orders", view)["LatestStreamArn"]
    key = {"pk": {"S": "o1"}, "sk": {"N": "1"}}
    ddb.put_item(TableName="Orders", Item={**key, "status": {"S": "NEW"}})
    ddb.put_item(TableName="Orders", Item={**key, "status": {"S": "NEW"}})  # unchanged: no record
    ddb.update_item(TableName="Orders", Key=key, UpdateExpression="SET #s = :s",
                    ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "PAID"}})
    ddb.delete_item(TableName="Orders", Key=key)
    records = read_stream(streams, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    images = [(r["dynamodb"].get("OldImage", {}).get("status"), r["dynamodb"].get("NewImage", {}).get("status"))
              for r in records]
    new, old = view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"), view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES")
    def status(value: str, shown: bool):
        return {"S": value} if shown else None
    assert images == [(None, status("NEW", new)), (status("NEW", old), status("PAID", new)),
                      (status("PAID", old), None)]
    assert all(r["dynamodb"]["Keys"] == key for r in records)
    cloud.clock.run_until_idle()
    assert [f["Record"] for f in facts] == records


def test_resource_api_disable_and_reenable(cloud):
    table = cloud.resource("dynamodb").create_table(TableName="Res", **KEYS, StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    table.wait_until_exists()
    first = table.latest_stream_arn
    table.put_item(Item={"pk": "a", "sk": 1, "blob": Binary(b"\x01\x02"), "price": Decimal("9.99")})
    table.update(StreamSpecification={"StreamEnabled": False})
    cloud.clock.advance(5)
    table.reload()
    table.update(StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    table.reload()
    assert table.latest_stream_arn != first
    table.put_item(Item={"pk": "b", "sk": 2})
    streams = cloud.client("dynamodbstreams")
    old = streams.describe_stream(StreamArn=first)["StreamDescription"]
    assert old["StreamStatus"] == "DISABLED" and "EndingSequenceNumber" in old["Shards"][0]["SequenceNumberRange"]
    (record,) = read_stream(streams, first)
    assert record["dynamodb"]["NewImage"]["blob"] == {"B": b"\x01\x02"}
    assert record["dynamodb"]["NewImage"]["price"] == {"N": "9.99"}
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in read_stream(streams, table.latest_stream_arn)] == ["b"]


def test_ttl_deletions_carry_the_service_identity(cloud):
    ddb, streams = cloud.client("dynamodb"), cloud.client("dynamodbstreams")
    arn = make_table(ddb, "Sessions", "OLD_IMAGE")["LatestStreamArn"]
    ddb.update_time_to_live(TableName="Sessions", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    ddb.put_item(TableName="Sessions", Item={"pk": {"S": "s"}, "sk": {"N": "0"},
                                             "exp": {"N": str(int(cloud.clock.now()) + 60)}})
    cloud.clock.advance(120)
    records = read_stream(streams, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "REMOVE"]
    assert records[1]["userIdentity"] == {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}


def test_10000_items_exported_in_both_formats(cloud):
    ddb, s3 = cloud.client("dynamodb"), cloud.client("s3")
    make_table(ddb, "Big")
    items = [item(i) for i in range(10_000)]
    for start in range(0, len(items), 25):
        ddb.batch_write_item(RequestItems={"Big": [{"PutRequest": {"Item": it}} for it in items[start:start + 25]]})
    ddb.update_continuous_backups(TableName="Big", PointInTimeRecoverySpecification=PITR_ON)
    s3.create_bucket(Bucket="lake")
    arn = "arn:aws:dynamodb:us-east-1:000000000000:table/Big"
    for fmt in ("DYNAMODB_JSON", "ION"):
        started = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="lake", S3Prefix=fmt.lower(),
                                                    ExportFormat=fmt)["ExportDescription"]
        done = wait_export(cloud, ddb, started["ExportArn"])
        assert done["ExportStatus"] == "COMPLETED" and done["ItemCount"] == 10_000
        summary = json.loads(s3.get_object(Bucket="lake", Key=done["ExportManifest"])["Body"].read())
        assert summary["itemCount"] == 10_000 and summary["outputFormat"] == fmt
        files = s3.get_object(Bucket="lake", Key=summary["manifestFilesS3Key"])["Body"].read().decode().splitlines()
        exported = []
        for line in files:
            entry = json.loads(line)
            body = s3.get_object(Bucket="lake", Key=entry["dataFileS3Key"])["Body"].read()
            records = decode_lines(body, fmt)
            assert len(records) == entry["itemCount"]
            exported += [r["Item"] for r in records]
        assert sorted(exported, key=lambda x: x["pk"]["S"]) == items


def test_export_errors_through_the_real_core(cloud):
    ddb = cloud.client("dynamodb")
    make_table(ddb, "Small")
    arn = "arn:aws:dynamodb:us-east-1:000000000000:table/Small"
    with pytest.raises(ClientError) as info:
        ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="lake")
    assert info.value.response["Error"] == {"Code": "PointInTimeRecoveryUnavailableException",
                                            "Message": "Point in time recovery is not enabled for table 'Small'"}
    ddb.update_continuous_backups(TableName="Small", PointInTimeRecoverySpecification=PITR_ON)
    started = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="missing-bucket")["ExportDescription"]
    done = wait_export(cloud, ddb, started["ExportArn"])
    assert (done["ExportStatus"], done["FailureCode"]) == ("FAILED", "S3NoSuchBucket")
    with pytest.raises(ClientError) as info:
        ddb.describe_continuous_backups(TableName="Nope")
    assert info.value.response["Error"]["Code"] == "TableNotFoundException"


def test_streams_over_http_and_cli(cloud, http_client, aws_cli):
    ddb, streams = http_client("dynamodb"), http_client("dynamodbstreams")
    arn = make_table(ddb, "Web", "NEW_AND_OLD_IMAGES")["LatestStreamArn"]
    ddb.put_item(TableName="Web", Item={"pk": {"S": "w"}, "sk": {"N": "1"}, "b": {"B": b"\xff"}})
    (record,) = read_stream(streams, arn)
    assert record["dynamodb"]["NewImage"]["b"] == {"B": b"\xff"}
    listed = json.loads(aws_cli("dynamodbstreams", "list-streams", "--table-name", "Web").stdout)
    assert listed["Streams"][0]["StreamArn"] == arn
    described = json.loads(aws_cli("dynamodbstreams", "describe-stream", "--stream-arn", arn).stdout)
    assert described["StreamDescription"]["StreamStatus"] == "ENABLED"


WRITER = textwrap.dedent("""
    import sys
    from lowcloud.cloud import Cloud
    from lowcloud.clock import VirtualClock
    cloud = Cloud(data_dir=sys.argv[1], clock=VirtualClock(start=1_700_000_000))
    ddb = cloud.client("dynamodb")
    ddb.create_table(TableName="Crash", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    ddb.get_waiter("table_exists").wait(TableName="Crash", WaiterConfig={"Delay": 1})
    i = 0
    while True:
        ddb.put_item(TableName="Crash", Item={"pk": {"S": f"k{i}"}})
        print(f"k{i}", flush=True)
        i += 1
""")


def test_sigkill_keeps_every_acknowledged_item_and_its_record(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": REPO})
    acked = []
    try:
        while len(acked) < 300:
            line = proc.stdout.readline()
            assert line, "writer died before acknowledging enough writes"
            acked.append(line.strip())
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    with Cloud(data_dir=tmp_path, clock=VirtualClock(start=1_700_000_100)) as cloud:
        ddb, streams = cloud.client("dynamodb"), cloud.client("dynamodbstreams")
        for key in acked:
            assert "Item" in ddb.get_item(TableName="Crash", Key={"pk": {"S": key}})
        arn = ddb.describe_table(TableName="Crash")["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        seen = []
        while it:
            page = streams.get_records(ShardIterator=it)
            seen += [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]]
            if not page["Records"]:
                break
            it = page.get("NextShardIterator")
        assert seen[:len(acked)] == acked
