"""Buckets through boto3: create/head/list/location/delete, tags, versioning, notifications."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of


def test_create_head_list_location_delete(s3):
    s3.create_bucket(Bucket="alpha-bucket")
    head = s3.head_bucket(Bucket="alpha-bucket")
    assert head["BucketRegion"] == "us-east-1"
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "us-east-1"
    listed = s3.list_buckets()
    assert [b["Name"] for b in listed["Buckets"]] == ["alpha-bucket"]
    assert listed["Buckets"][0]["CreationDate"].year >= 2023
    assert len(listed["Owner"]["ID"]) == 64
    assert s3.get_bucket_location(Bucket="alpha-bucket")["LocationConstraint"] is None
    assert s3.delete_bucket(Bucket="alpha-bucket")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.list_buckets()["Buckets"] == []


def test_recreating_an_owned_bucket_in_us_east_1_succeeds(s3):
    s3.create_bucket(Bucket="twice-bucket")
    assert s3.create_bucket(Bucket="twice-bucket")["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_recreating_an_owned_bucket_elsewhere_is_bucket_already_owned_by_you(cloud, s3):
    config = {"LocationConstraint": "eu-west-1"}
    s3.create_bucket(Bucket="eu-bucket", CreateBucketConfiguration=config)
    eu = cloud.client("s3", region_name="eu-west-1")
    with pytest.raises(ClientError) as exc:
        eu.create_bucket(Bucket="eu-bucket", CreateBucketConfiguration=config)
    assert error_of(exc) == ("BucketAlreadyOwnedByYou", 409)
    assert exc.value.response["Error"]["BucketName"] == "eu-bucket"
    assert s3.get_bucket_location(Bucket="eu-bucket")["LocationConstraint"] == "eu-west-1"
    assert s3.head_bucket(Bucket="eu-bucket")["BucketRegion"] == "eu-west-1"


def test_location_constraint_rules(cloud, local_s3):
    with pytest.raises(ClientError) as exc:
        local_s3.create_bucket(Bucket="east-bucket", CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
    assert error_of(exc) == ("InvalidLocationConstraint", 400)
    west = cloud.client("s3", region_name="us-west-2")
    with pytest.raises(ClientError) as exc:
        west.create_bucket(Bucket="west-bucket")
    assert error_of(exc) == ("IllegalLocationConstraintException", 400)
    assert "unspecified location constraint" in exc.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as exc:
        west.create_bucket(Bucket="west-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    assert error_of(exc) == ("IllegalLocationConstraintException", 400)
    west.create_bucket(Bucket="west-bucket", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    local_s3.create_bucket(Bucket="legacy-eu", CreateBucketConfiguration={"LocationConstraint": "EU"})
    assert local_s3.get_bucket_location(Bucket="legacy-eu")["LocationConstraint"] == "EU"
    assert local_s3.head_bucket(Bucket="legacy-eu")["BucketRegion"] == "eu-west-1"


INVALID_NAMES = ["ab", "UPPER-case", "-leading", "trailing-", "a..b", "192.168.1.1", "xn--punycode", "x" * 64,
                 "name-s3alias", "under_score"]


def test_invalid_bucket_names(local_s3):
    for name in INVALID_NAMES:
        with pytest.raises(ClientError) as exc:
            local_s3.create_bucket(Bucket=name)
        assert error_of(exc) == ("InvalidBucketName", 400), name
        assert exc.value.response["Error"]["BucketName"] == name


def test_missing_bucket_is_no_such_bucket(s3):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_location(Bucket="missing-bucket")
    assert error_of(exc) == ("NoSuchBucket", 404)
    assert exc.value.response["Error"]["BucketName"] == "missing-bucket"
    assert exc.value.response["Error"]["Message"] == "The specified bucket does not exist"
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket="missing-bucket")
    assert error_of(exc) == ("NoSuchBucket", 404)
    with pytest.raises(ClientError) as exc:
        s3.head_bucket(Bucket="missing-bucket")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket="missing-bucket", Key="k", Body=b"x")
    assert error_of(exc) == ("NoSuchBucket", 404)


def test_deleting_a_bucket_with_objects_is_bucket_not_empty(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=bucket)
    assert error_of(exc) == ("BucketNotEmpty", 409)
    s3.delete_object(Bucket=bucket, Key="k")
    s3.delete_bucket(Bucket=bucket)


def test_list_buckets_pages_with_prefix_and_region(local_s3):
    for name in ("page-a", "page-b", "page-c", "other-d"):
        local_s3.create_bucket(Bucket=name)
    first = local_s3.list_buckets(MaxBuckets=2, Prefix="page-")
    assert [b["Name"] for b in first["Buckets"]] == ["page-a", "page-b"]
    assert first["Buckets"][0]["BucketRegion"] == "us-east-1" and first["Prefix"] == "page-"
    second = local_s3.list_buckets(MaxBuckets=2, Prefix="page-", ContinuationToken=first["ContinuationToken"])
    assert [b["Name"] for b in second["Buckets"]] == ["page-c"] and "ContinuationToken" not in second
    paginated = local_s3.get_paginator("list_buckets").paginate(PaginationConfig={"PageSize": 1})
    assert [b["Name"] for page in paginated for b in page["Buckets"]] == ["other-d", "page-a", "page-b", "page-c"]
    assert local_s3.list_buckets(BucketRegion="eu-west-1")["Buckets"] == []
    with pytest.raises(ClientError) as exc:
        local_s3.list_buckets(MaxBuckets=10001)
    assert error_of(exc) == ("InvalidArgument", 400)


def test_bucket_tagging_round_trip(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket=bucket)
    assert error_of(exc) == ("NoSuchTagSet", 404)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "data"}]})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "team", "Value": "data"}]
    s3.delete_bucket_tagging(Bucket=bucket)
    with pytest.raises(ClientError):
        s3.get_bucket_tagging(Bucket=bucket)


def test_versioning_status_round_trip(s3, bucket):
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


def test_notification_configuration_round_trip(s3, bucket):
    assert "EventBridgeConfiguration" not in s3.get_bucket_notification_configuration(Bucket=bucket)
    queue = {"QueueArn": "arn:aws:sqs:us-east-1:000000000000:q", "Events": ["s3:ObjectCreated:*"],
             "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}}}
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}, "QueueConfigurations": [queue]})
    got = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert got["EventBridgeConfiguration"] == {}
    [stored] = got["QueueConfigurations"]
    assert stored["QueueArn"] == queue["QueueArn"] and stored["Events"] == ["s3:ObjectCreated:*"]
    assert stored["Id"] and stored["Filter"]["Key"]["FilterRules"] == [{"Name": "Prefix", "Value": "in/"}]
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    got = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert "EventBridgeConfiguration" not in got and "QueueConfigurations" not in got


def test_notification_configuration_rejects_unknown_events(local_s3, local_bucket):
    bad = {"TopicConfigurations": [{"TopicArn": "arn:aws:sns:us-east-1:000000000000:t",
                                    "Events": ["s3:ObjectEaten:*"]}]}
    with pytest.raises(ClientError) as exc:
        local_s3.put_bucket_notification_configuration(Bucket=local_bucket, NotificationConfiguration=bad)
    assert error_of(exc) == ("InvalidArgument", 400)
