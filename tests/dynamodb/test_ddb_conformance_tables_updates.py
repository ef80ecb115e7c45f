"""UpdateTable, Time to Live and tagging answers as AWS gives them, and the real-time table lifecycle.

The clock-sensitive test runs a Cloud on the system clock (as ``lowcloud up``
does): a table's CREATING phase there is a few real milliseconds, over before
CreateTable answers, so a boto3 waiter's first DescribeTable already sees ACTIVE.
"""
from __future__ import annotations

import pytest
from botocore.config import Config
from ddbcore_helpers import error_of

from lowcloud.cloud import Cloud

INVALID = "One or more parameter values were invalid: "
ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/"


@pytest.fixture
def raw(cloud):
    return cloud.client("dynamodb", config=Config(parameter_validation=False))


@pytest.fixture
def plain(raw):
    """A PAY_PER_REQUEST table ``plain`` keyed by ``id``; its description."""
    out = raw.create_table(TableName="plain", BillingMode="PAY_PER_REQUEST",
                           KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                           AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    raw.get_waiter("table_exists").wait(TableName="plain", WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    return out["TableDescription"]


def test_system_clock_table_is_active_for_the_next_request():
    with Cloud.system() as cloud:
        ddb = cloud.client("dynamodb")
        out = ddb.create_table(TableName="quick", BillingMode="PAY_PER_REQUEST",
                               KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                               AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
        assert out["TableDescription"]["TableStatus"] == "CREATING"
        assert ddb.describe_table(TableName="quick")["Table"]["TableStatus"] == "ACTIVE"
        ddb.put_item(TableName="quick", Item={"id": {"S": "first"}})


def test_update_table_with_nothing_to_change(raw, plain):
    code, msg, _ = error_of(raw.update_table, TableName="plain")
    assert msg == ("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                   "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
                   "ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, "
                   "WarmThroughput or TableClass is required")


def test_restating_the_billing_mode_is_accepted_and_changes_nothing(raw, plain):
    out = raw.update_table(TableName="plain", BillingMode="PAY_PER_REQUEST")["TableDescription"]
    assert out["BillingModeSummary"] == plain["BillingModeSummary"]
    assert raw.describe_table(TableName="plain")["Table"]["TableStatus"] == "ACTIVE"


@pytest.mark.parametrize("spec, message", [
    ({"StreamEnabled": False}, "Table has no stream to disable: TableName: plain"),
    ({"StreamEnabled": True}, INVALID + "If stream is being enabled then UpdateViewType is required"),
    ({"StreamEnabled": False, "StreamViewType": "NEW_IMAGE"},
     INVALID + "If stream is being disabled, then UpdateViewType must not be specified"),
])
def test_update_table_stream_rules(raw, plain, spec, message):
    code, msg, _ = error_of(raw.update_table, TableName="plain", StreamSpecification=spec)
    assert (code, msg) == ("ValidationException", message)


def _add_index(raw, name, key):
    raw.update_table(TableName="plain", AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
                     GlobalSecondaryIndexUpdates=[{"Create": {
                         "IndexName": name, "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
                         "Projection": {"ProjectionType": "ALL"}}}])


def test_adding_an_index_twice(raw, plain):
    _add_index(raw, "byShade", "shade")
    code, msg, _ = error_of(_add_index, raw, "byShade", "tone")
    assert (code, msg) == ("ValidationException", "Attempting to create an index which already exists")


def test_backfill_skips_items_whose_key_is_an_empty_string(raw, plain):
    raw.put_item(TableName="plain", Item={"id": {"S": "a"}, "shade": {"S": "teal"}})
    raw.put_item(TableName="plain", Item={"id": {"S": "b"}, "shade": {"S": ""}})
    _add_index(raw, "byShade", "shade")
    found = raw.scan(TableName="plain", IndexName="byShade")["Items"]
    assert found == [{"id": {"S": "a"}, "shade": {"S": "teal"}}]


def test_ttl_on_another_attribute(raw, plain):
    spec = {"AttributeName": "expires", "Enabled": True}
    raw.update_time_to_live(TableName="plain", TimeToLiveSpecification=spec)
    for enabled in (True, False):
        code, msg, _ = error_of(raw.update_time_to_live, TableName="plain",
                                TimeToLiveSpecification={"AttributeName": "other", "Enabled": enabled})
        assert msg == "TimeToLive is active on a different AttributeName: current AttributeName is expires"


@pytest.mark.parametrize("tags, message", [
    ([], "Atleast one Tag needs to be provided as Input."),
    ([{"Key": "team", "Value": "a,b"}], "The Tag Value provided is invalid, Value: a,b"),
    ([{"Key": "100%", "Value": "x"}], "The Tag Key provided is invalid, Key: 100%"),
    ([{"Key": "aws:owner", "Value": "x"}], "Tag Key cannot be prefixed with aws:, Key: aws:owner"),
    ([{"Key": "dup", "Value": "1"}, {"Key": "dup", "Value": "2"}],
     "Duplicate Tag Keys provided as input: Duplicate Tag Key found dup"),
    ([{"Key": f"k{n}", "Value": "v"} for n in range(51)],
     "Number of Tags exceed the current limit for the provided ResourceArn"),
])
def test_tag_resource_rejections(raw, plain, tags, message):
    code, msg, _ = error_of(raw.tag_resource, ResourceArn=ARN + "plain", Tags=tags)
    assert (code, msg) == ("ValidationException", message)
    assert raw.list_tags_of_resource(ResourceArn=ARN + "plain")["Tags"] == []


def test_tags_of_any_script_and_allowed_punctuation(raw, plain):
    tags = [{"Key": "ключ", "Value": "café 表"}, {"Key": "path", "Value": "a+b-c=d.e_f:g/h@i"}]
    raw.tag_resource(ResourceArn=ARN + "plain", Tags=tags)
    assert raw.list_tags_of_resource(ResourceArn=ARN + "plain")["Tags"] == tags


@pytest.mark.parametrize("arn, message", [
    ("plain", INVALID + "ARNs must start with 'arn:': plain"),
    ("arn:aws:s3:::bucket", INVALID + "Provided Arn is not a DynamoDB resource arn: arn:aws:s3:::bucket"),
    (ARN + "plain/index/byShade", INVALID + "Invalid resource arn provided, only table or stream is accepted. "
                                            f"Provided resource arn: {ARN}plain/index/byShade"),
])
def test_tag_resource_arn_shapes(raw, plain, arn, message):
    code, msg, _ = error_of(raw.list_tags_of_resource, ResourceArn=arn)
    assert (code, msg) == ("ValidationException", message)


def test_untag_needs_keys(raw, plain):
    code, msg, _ = error_of(raw.untag_resource, ResourceArn=ARN + "plain", TagKeys=[])
    assert msg == "Atleast one Tag Key needs to be provided as Input."


def test_create_table_with_too_many_tags_creates_nothing(raw):
    code, msg, _ = error_of(raw.create_table, TableName="tagged", BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                            Tags=[{"Key": f"k{n}", "Value": "v"} for n in range(51)])
    assert msg == "Number of Tags exceed the current limit for the provided ResourceArn"
    assert raw.list_tables()["TableNames"] == []
