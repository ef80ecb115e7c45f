"""The same operations through real boto3 clients (in-process and over HTTP) with the real S3 service.

The DynamoDB core is the contract fake here, so these tests pin the wire
shapes of the Streams and export operations independently of the core.
"""
from __future__ import annotations

import gzip
import json

import pytest
from botocore.exceptions import ClientError

from lowcloud.cloud import Cloud
from lowcloud.clock import VirtualClock
from lowcloud.services.dynamodb.export import EXPORT_DURATION_SECONDS
from ddbstreams_fakes import install

ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/"


@pytest.fixture
def wired():
    cloud = Cloud(clock=VirtualClock(start=1_700_000_000, auto=False), seed=3)
    ddb, _ = install(cloud, fake_s3=False)
    yield cloud, ddb
    cloud.close()


def code(excinfo) -> tuple[str, str]:
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"]


def read_stream(client, arn: str) -> list[dict]:
    shard = client.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = client.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return client.get_records(ShardIterator=it)["Records"]


def test_streams_api_in_process(wired):
    cloud, ddb = wired
    arn = ddb.create_table("Orders", view="NEW_AND_OLD_IMAGES")["LatestStreamArn"]
    ddb.put("Orders", {"pk": {"S": "a"}, "blob": {"B": b"\x00\x01"}, "bs": {"BS": [b"z"]}})
    ddb.put("Orders", {"pk": {"S": "a"}, "n": {"N": "1.5"}})
    client = cloud.client("dynamodbstreams")
    assert [s["StreamArn"] for s in client.list_streams(TableName="Orders")["Streams"]] == [arn]
    records = read_stream(client, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY"]
    assert records[0]["dynamodb"]["NewImage"]["blob"] == {"B": b"\x00\x01"}
    assert records[1]["dynamodb"]["OldImage"]["bs"] == {"BS": [b"z"]}
    assert records[0]["dynamodb"]["ApproximateCreationDateTime"].timestamp() == 1_700_000_000
    with pytest.raises(ClientError) as info:
        client.get_records(ShardIterator="x" * 30)
    assert code(info)[0] == "ValidationException"
    with pytest.raises(ClientError) as info:
        client.describe_stream(StreamArn=arn.replace("Orders", "Other"))
    assert code(info) == ("ResourceNotFoundException", f"Requested resource not found: Stream: "
                                                       f"{arn.replace('Orders', 'Other')} not found")


def test_export_through_boto3_into_real_s3(wired):
    cloud, ddb = wired
    ddb.create_table("Users")
    for i in range(20):
        ddb.put("Users", {"pk": {"S": f"u{i:02d}"}, "raw": {"B": bytes([i])}, "tags": {"SS": ["a", str(i)]}})
    client, s3 = cloud.client("dynamodb"), cloud.client("s3")
    with pytest.raises(ClientError) as info:
        client.export_table_to_point_in_time(TableArn=ARN + "Users", S3Bucket="lake")
    assert code(info) == ("PointInTimeRecoveryUnavailableException",
                          "Point in time recovery is not enabled for table 'Users'")
    pitr = client.update_continuous_backups(TableName="Users", PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED" and pitr["RecoveryPeriodInDays"] == 35
    s3.create_bucket(Bucket="lake")
    started = client.export_table_to_point_in_time(TableArn=ARN + "Users", S3Bucket="lake", S3Prefix="exports",
                                                   ExportFormat="ION")["ExportDescription"]
    assert started["ExportStatus"] == "IN_PROGRESS" and started["ClientToken"]
    cloud.clock.advance(EXPORT_DURATION_SECONDS)
    done = client.describe_export(ExportArn=started["ExportArn"])["ExportDescription"]
    assert done["ExportStatus"] == "COMPLETED" and done["ItemCount"] == 20
    summary = json.loads(s3.get_object(Bucket="lake", Key=done["ExportManifest"])["Body"].read())
    files_key = summary["manifestFilesS3Key"]
    entry = json.loads(s3.get_object(Bucket="lake", Key=files_key)["Body"].read())
    head = s3.head_object(Bucket="lake", Key=entry["dataFileS3Key"])
    assert head["ETag"].strip('"') == entry["etag"]
    text = gzip.decompress(s3.get_object(Bucket="lake", Key=entry["dataFileS3Key"])["Body"].read()).decode()
    assert text.count("$ion_1_0 {Item:{") == 20
    listed = client.list_exports(TableArn=ARN + "Users")["ExportSummaries"]
    assert listed == [{"ExportArn": started["ExportArn"], "ExportStatus": "COMPLETED", "ExportType": "FULL_EXPORT"}]
    with pytest.raises(ClientError) as info:
        client.export_table_to_point_in_time(TableArn=ARN + "Users", S3Bucket="lake", ExportFormat="CSV")
    assert code(info)[0] == "ValidationException" and "exportFormat" in code(info)[1]


def test_missing_bucket_over_http(wired):
    from lowcloud.protocol.gateway import ServerThread
    import boto3
    from botocore.config import Config

    cloud, ddb = wired
    ddb.create_table("Users")
    ddb.put("Users", {"pk": {"S": "a"}})
    server = ServerThread(cloud, port=0).start()
    try:
        client = boto3.client("dynamodb", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="test",
                              aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))
        client.update_continuous_backups(TableName="Users", PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True})
        started = client.export_table_to_point_in_time(TableArn=ARN + "Users", S3Bucket="nowhere")["ExportDescription"]
        cloud.clock.advance(EXPORT_DURATION_SECONDS)
        done = client.describe_export(ExportArn=started["ExportArn"])["ExportDescription"]
        assert (done["ExportStatus"], done["FailureCode"]) == ("FAILED", "S3NoSuchBucket")
        streams = boto3.client("dynamodbstreams", endpoint_url=server.url, region_name="us-east-1",
                               aws_access_key_id="test", aws_secret_access_key="test")
        assert streams.list_streams()["Streams"] == []
    finally:
        server.stop()
