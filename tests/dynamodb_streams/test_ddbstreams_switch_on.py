"""Switching a stream or PITR on after writes: the very next write is recorded (real core, boto3 in-process).

The core skips reading the old item when nothing needs it; these pin that the
decision follows the table's current stream and PITR settings.
"""
import datetime as dt


def _table(ddb, name):
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})


def test_stream_enabled_after_writes_records_the_next_write(cloud):
    ddb, streams = cloud.client("dynamodb"), cloud.client("dynamodbstreams")
    _table(ddb, "late-stream")
    ddb.put_item(TableName="late-stream", Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    arn = ddb.update_table(TableName="late-stream", StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})["TableDescription"]["LatestStreamArn"]
    ddb.put_item(TableName="late-stream", Item={"pk": {"S": "a"}, "v": {"N": "2"}})
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = streams.get_records(ShardIterator=it)["Records"]
    assert [r["eventName"] for r in records] == ["MODIFY"]
    assert records[0]["dynamodb"]["OldImage"] == {"pk": {"S": "a"}, "v": {"N": "1"}}
    assert records[0]["dynamodb"]["NewImage"] == {"pk": {"S": "a"}, "v": {"N": "2"}}


def test_pitr_enabled_after_writes_exports_the_next_write(cloud):
    ddb, s3 = cloud.client("dynamodb"), cloud.client("s3")
    s3.create_bucket(Bucket="late-pitr")
    _table(ddb, "late-pitr")
    ddb.put_item(TableName="late-pitr", Item={"pk": {"S": "before"}})
    ddb.update_continuous_backups(TableName="late-pitr",
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    cloud.clock.advance(60)
    start = ddb.describe_continuous_backups(TableName="late-pitr")["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"]["EarliestRestorableDateTime"] + dt.timedelta(seconds=1)
    ddb.put_item(TableName="late-pitr", Item={"pk": {"S": "after"}})
    cloud.clock.advance(1500)
    arn = ddb.describe_table(TableName="late-pitr")["Table"]["TableArn"]
    export = ddb.export_table_to_point_in_time(
        TableArn=arn, S3Bucket="late-pitr", ExportFormat="DYNAMODB_JSON", ExportType="INCREMENTAL_EXPORT",
        IncrementalExportSpecification={"ExportFromTime": start, "ExportToTime": start + dt.timedelta(seconds=1000)})
    cloud.clock.run_until_idle()
    desc = ddb.describe_export(ExportArn=export["ExportDescription"]["ExportArn"])["ExportDescription"]
    assert desc["ExportStatus"] == "COMPLETED" and desc["ItemCount"] == 1
