"""The s3.object facts on the fabric and the EventBridge / notification shapes built from them."""
from __future__ import annotations

import hashlib

from s3_helpers import facts

from lowcloud.services.s3 import notifications

MiB = 1024 * 1024


def test_every_create_and_removal_publishes_a_fact(cloud, local_s3, local_bucket):
    seen = facts(cloud)
    local_s3.put_object(Bucket=local_bucket, Key="in/a.csv", Body=b"1,2")
    local_s3.copy_object(Bucket=local_bucket, Key="in/b.csv", CopySource=f"{local_bucket}/in/a.csv")
    upload_id = local_s3.create_multipart_upload(Bucket=local_bucket, Key="in/c.bin")["UploadId"]
    etag = local_s3.upload_part(Bucket=local_bucket, Key="in/c.bin", UploadId=upload_id, PartNumber=1,
                                Body=b"xyz")["ETag"]
    local_s3.complete_multipart_upload(Bucket=local_bucket, Key="in/c.bin", UploadId=upload_id,
                                       MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    local_s3.delete_object(Bucket=local_bucket, Key="in/a.csv")
    local_s3.delete_objects(Bucket=local_bucket, Delete={"Objects": [{"Key": "in/b.csv"}, {"Key": "in/c.bin"}]})
    cloud.clock.run_until_idle()
    assert [(f["event_name"], f["key"]) for f in seen] == [
        ("ObjectCreated:Put", "in/a.csv"), ("ObjectCreated:Copy", "in/b.csv"),
        ("ObjectCreated:CompleteMultipartUpload", "in/c.bin"), ("ObjectRemoved:Delete", "in/a.csv"),
        ("ObjectRemoved:Delete", "in/b.csv"), ("ObjectRemoved:Delete", "in/c.bin")]
    put = seen[0]
    assert put["size"] == 3 and put["etag"] == hashlib.md5(b"1,2").hexdigest()
    assert put["reason"] == "PutObject" and put["detail_type"] == "Object Created" and put["version_id"] is None
    assert put["bucket"] == local_bucket and put["region"] == "us-east-1" and put["account"] == "000000000000"
    assert seen[2]["reason"] == "CompleteMultipartUpload" and seen[2]["etag"].endswith("-1")
    assert seen[3]["deletion_type"] == "Permanently Deleted" and seen[3]["size"] is None
    assert seen[3]["reason"] == "DeleteObject" and seen[3]["detail_type"] == "Object Deleted"
    sequencers = [f["sequencer"] for f in seen]
    assert sequencers == sorted(sequencers) and len(set(sequencers)) == len(sequencers)


def test_deleting_a_missing_key_publishes_nothing(cloud, local_s3, local_bucket):
    seen = facts(cloud)
    local_s3.delete_object(Bucket=local_bucket, Key="never")
    cloud.clock.run_until_idle()
    assert seen == []


def test_versioned_delete_publishes_delete_marker_created(cloud, local_s3, local_bucket):
    local_s3.put_bucket_versioning(Bucket=local_bucket, VersioningConfiguration={"Status": "Enabled"})
    seen = facts(cloud)
    version = local_s3.put_object(Bucket=local_bucket, Key="k", Body=b"x")["VersionId"]
    marker = local_s3.delete_object(Bucket=local_bucket, Key="k")["VersionId"]
    cloud.clock.run_until_idle()
    assert seen[0]["version_id"] == version
    assert (seen[1]["event_name"], seen[1]["deletion_type"], seen[1]["version_id"]) == \
        ("ObjectRemoved:DeleteMarkerCreated", "Delete Marker Created", marker)


def test_eventbridge_event_shape(cloud, local_s3, local_bucket):
    local_s3.put_bucket_notification_configuration(Bucket=local_bucket,
                                                   NotificationConfiguration={"EventBridgeConfiguration": {}})
    seen = facts(cloud)
    local_s3.put_object(Bucket=local_bucket, Key="incoming/orders.csv", Body=b"a,b\n")
    local_s3.delete_object(Bucket=local_bucket, Key="incoming/orders.csv")
    cloud.clock.run_until_idle()
    created, deleted = seen
    assert created["eventbridge"] is True
    event = notifications.eventbridge_event(created, "3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b")
    assert event["source"] == "aws.s3" and event["detail-type"] == "Object Created" and event["version"] == "0"
    assert event["resources"] == [f"arn:aws:s3:::{local_bucket}"] and event["account"] == "000000000000"
    assert event["time"] == "2023-11-14T22:13:20Z"
    detail = event["detail"]
    assert detail["bucket"] == {"name": local_bucket} and detail["reason"] == "PutObject"
    assert detail["object"]["key"] == "incoming/orders.csv" and detail["object"]["size"] == 4
    assert "version-id" not in detail["object"] and detail["request-id"] and detail["requester"] == "000000000000"
    gone = notifications.eventbridge_event(deleted, "id-2")["detail"]
    assert gone["deletion-type"] == "Permanently Deleted" and "size" not in gone["object"]


def test_notification_records_and_matching(cloud, local_s3, local_bucket):
    lam = {"LambdaFunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:f", "Id": "csv-in",
           "Events": ["s3:ObjectCreated:*"],
           "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}, {"Name": "suffix", "Value": ".csv"}]}}}
    local_s3.put_bucket_notification_configuration(Bucket=local_bucket,
                                                   NotificationConfiguration={"LambdaFunctionConfigurations": [lam]})
    seen = facts(cloud)
    local_s3.put_object(Bucket=local_bucket, Key="in/a b.csv", Body=b"x")
    local_s3.put_object(Bucket=local_bucket, Key="in/a.txt", Body=b"x")
    local_s3.delete_object(Bucket=local_bucket, Key="in/a b.csv")
    cloud.clock.run_until_idle()
    assert [len(notifications.matching(f)) for f in seen] == [1, 0, 0]
    [(kind, entry)] = notifications.matching(seen[0])
    assert kind == "LambdaFunctionConfigurations" and entry["Id"] == "csv-in"
    record = notifications.notification_record(seen[0], entry["Id"])
    assert record["eventName"] == "ObjectCreated:Put" and record["eventSource"] == "aws:s3"
    assert record["s3"]["object"]["key"] == "in/a+b.csv" and record["s3"]["configurationId"] == "csv-in"
    assert record["s3"]["bucket"]["arn"] == f"arn:aws:s3:::{local_bucket}"
    assert record["eventTime"] == "2023-11-14T22:13:20.000Z"
