"""Table lifecycle through boto3: create/describe/list/update/delete, TTL, tags, protection."""
from __future__ import annotations

import datetime as dt

import pytest
from ddbcore_helpers import error_of

KEYS = [{"AttributeName": "pk", "KeyType": "HASH"}]
ATTRS = [{"AttributeName": "pk", "AttributeType": "S"}]


def test_create_table_returns_creating_then_waiter_sees_active(ddb):
    desc = ddb.create_table(TableName="orders", KeySchema=KEYS, AttributeDefinitions=ATTRS,
                            ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})["TableDescription"]
    assert desc["TableStatus"] == "CREATING"
    assert desc["TableArn"] == "arn:aws:dynamodb:us-east-1:000000000000:table/orders"
    assert desc["ProvisionedThroughput"] == {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    assert desc["ItemCount"] == 0 and desc["TableSizeBytes"] == 0
    assert "BillingModeSummary" not in desc
    assert isinstance(desc["CreationDateTime"], dt.datetime)
    ddb.get_waiter("table_exists").wait(TableName="orders", WaiterConfig={"Delay": 1, "MaxAttempts": 3})
    assert ddb.describe_table(TableName="orders")["Table"]["TableStatus"] == "ACTIVE"


def test_stream_specification_gives_label_and_arn(ddb, cloud):
    desc = ddb.create_table(TableName="test", KeySchema=[{"AttributeName": "name", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "name", "AttributeType": "S"}],
                            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
                            ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})["TableDescription"]
    label = desc["LatestStreamLabel"]
    assert label == cloud.clock.utcnow().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] or len(label) == 23
    assert desc["LatestStreamArn"] == f"arn:aws:dynamodb:us-east-1:000000000000:table/test/stream/{label}"
    assert desc["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_pay_per_request_table_with_indexes(make_table, ddb):
    desc = make_table("ppr", range=("sk", "N"), more_attrs=[("g", "S"), ("l", "N")],
                      GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                               "Projection": {"ProjectionType": "KEYS_ONLY"}}],
                      LocalSecondaryIndexes=[{"IndexName": "by-l", "KeySchema": [
                          {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
                          "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}}])
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    table = ddb.describe_table(TableName="ppr")["Table"]
    gsi = table["GlobalSecondaryIndexes"][0]
    assert gsi["IndexStatus"] == "ACTIVE"
    assert gsi["IndexArn"].endswith("table/ppr/index/by-g")
    assert gsi["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    assert table["LocalSecondaryIndexes"][0]["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}


@pytest.mark.parametrize("kwargs, message", [
    (dict(TableName="ab"), "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
                           "Member must have length greater than or equal to 3"),
    (dict(BillingMode="PAY_PER_REQUEST", ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}),
     "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified "
     "when BillingMode is PAY_PER_REQUEST"),
    (dict(), "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be "
             "specified when BillingMode is PROVISIONED"),
    (dict(KeySchema=[{"AttributeName": "pk", "KeyType": "INVALID"}], BillingMode="PAY_PER_REQUEST"),
     "1 validation error detected: Value 'INVALID' at 'keySchema.1.member.keyType' failed to satisfy constraint: "
     "Member must satisfy enum value set: [HASH, RANGE]"),
    (dict(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "x", "AttributeType": "S"}],
          BillingMode="PAY_PER_REQUEST"),
     "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number "
     "of attributes defined in AttributeDefinitions"),
    (dict(KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "pk", "KeyType": "RANGE"}],
          BillingMode="PAY_PER_REQUEST"), "Invalid KeySchema: Some index key attribute have no definition"),
    (dict(LocalSecondaryIndexes=[{"IndexName": "lsi1", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                     {"AttributeName": "x", "KeyType": "RANGE"}],
                                  "Projection": {"ProjectionType": "ALL"}}],
          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "x", "AttributeType": "S"}],
          BillingMode="PAY_PER_REQUEST"),
     "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when "
     "specifying a LocalSecondaryIndex"),
])
def test_create_table_validation_messages(ddb, kwargs, message):
    params = dict(TableName="valid", KeySchema=KEYS, AttributeDefinitions=ATTRS)
    params.update(kwargs)
    code, msg, _ = error_of(ddb.create_table, **params)
    assert (code, msg) == ("ValidationException", message)


def test_duplicate_table_and_missing_table_errors(make_table, ddb):
    make_table("dup")
    code, msg, _ = error_of(ddb.create_table, TableName="dup", KeySchema=KEYS, AttributeDefinitions=ATTRS,
                            BillingMode="PAY_PER_REQUEST")
    assert (code, msg) == ("ResourceInUseException", "Table already exists: dup")
    code, msg, _ = error_of(ddb.describe_table, TableName="nope")
    assert (code, msg) == ("ResourceNotFoundException", "Requested resource not found: Table: nope not found")
    code, msg, _ = error_of(ddb.get_item, TableName="nope", Key={"pk": {"S": "a"}})
    assert (code, msg) == ("ResourceNotFoundException", "Requested resource not found")


def test_list_tables_pages(make_table, ddb):
    for name in ("t-b", "t-a", "t-c"):
        make_table(name)
    page = ddb.list_tables(Limit=2)
    assert page["TableNames"] == ["t-a", "t-b"] and page["LastEvaluatedTableName"] == "t-b"
    rest = ddb.list_tables(ExclusiveStartTableName="t-b")
    assert rest["TableNames"] == ["t-c"] and "LastEvaluatedTableName" not in rest


def test_delete_table_and_deletion_protection(make_table, ddb):
    make_table("guarded", DeletionProtectionEnabled=True)
    code, msg, _ = error_of(ddb.delete_table, TableName="guarded")
    assert code == "ValidationException"
    assert msg == "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first."
    ddb.update_table(TableName="guarded", DeletionProtectionEnabled=False)
    out = ddb.delete_table(TableName="guarded")["TableDescription"]
    assert out["TableStatus"] == "DELETING"
    ddb.get_waiter("table_not_exists").wait(TableName="guarded", WaiterConfig={"Delay": 1, "MaxAttempts": 3})
    assert ddb.list_tables()["TableNames"] == []


def test_update_table_billing_throughput_and_stream(make_table, ddb):
    make_table("upd", BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    code, msg, _ = error_of(ddb.update_table, TableName="upd",
                            ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    assert msg.startswith("The provisioned throughput for the table will not change.")
    out = ddb.update_table(TableName="upd", ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 2})
    table = out["TableDescription"]
    assert table["TableStatus"] == "UPDATING"
    assert table["ProvisionedThroughput"]["NumberOfDecreasesToday"] == 1
    ddb.get_waiter("table_exists").wait(TableName="upd", WaiterConfig={"Delay": 1, "MaxAttempts": 3})
    out = ddb.update_table(TableName="upd", BillingMode="PAY_PER_REQUEST")["TableDescription"]
    assert out["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    out = ddb.update_table(TableName="upd", StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    assert out["TableDescription"]["LatestStreamArn"].startswith("arn:aws:dynamodb:us-east-1:000000000000:table/upd/stream/")
    code, msg, _ = error_of(ddb.update_table, TableName="upd",
                            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    assert msg == "Table already has an enabled stream: TableName: upd"


def test_update_table_adds_and_removes_a_gsi_with_backfill(make_table, ddb):
    make_table("gsi-add")
    for i in range(3):
        ddb.put_item(TableName="gsi-add", Item={"pk": {"S": f"p{i}"}, "colour": {"S": "red" if i < 2 else "blue"}})
    ddb.update_table(TableName="gsi-add", AttributeDefinitions=[{"AttributeName": "colour", "AttributeType": "S"}],
                     GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "by-colour", "KeySchema": [
                         {"AttributeName": "colour", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}}])
    ddb.get_waiter("table_exists").wait(TableName="gsi-add", WaiterConfig={"Delay": 1, "MaxAttempts": 3})
    out = ddb.query(TableName="gsi-add", IndexName="by-colour", KeyConditionExpression="colour = :c",
                    ExpressionAttributeValues={":c": {"S": "red"}})
    assert sorted(i["pk"]["S"] for i in out["Items"]) == ["p0", "p1"]
    ddb.update_table(TableName="gsi-add", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-colour"}}])
    code, msg, _ = error_of(ddb.query, TableName="gsi-add", IndexName="by-colour", KeyConditionExpression="colour = :c",
                            ExpressionAttributeValues={":c": {"S": "red"}})
    assert msg == "The table does not have the specified index: by-colour"


def test_time_to_live_settings(make_table, ddb):
    make_table("ttl")
    assert ddb.describe_time_to_live(TableName="ttl")["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}
    out = ddb.update_time_to_live(TableName="ttl", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    assert out["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "exp"}
    assert ddb.describe_time_to_live(TableName="ttl")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}
    code, msg, _ = error_of(ddb.update_time_to_live, TableName="ttl",
                            TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    assert (code, msg) == ("ValidationException", "TimeToLive is already enabled")
    code, _, _ = error_of(ddb.describe_time_to_live, TableName="missing-table")
    assert code == "ResourceNotFoundException"


def test_tags(make_table, ddb):
    arn = make_table("tagged", Tags=[{"Key": "team", "Value": "data"}])["TableArn"]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "data"},
                                                                  {"Key": "env", "Value": "dev"}]
    ddb.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    code, msg, _ = error_of(ddb.list_tags_of_resource, ResourceArn=arn.replace("tagged", "other"))
    assert code == "ResourceNotFoundException" and "ResourcArn" in msg


def test_describe_table_counts_items(make_table, ddb):
    make_table("counted")
    ddb.put_item(TableName="counted", Item={"pk": {"S": "a"}, "v": {"S": "hello"}})
    table = ddb.describe_table(TableName="counted")["Table"]
    assert table["ItemCount"] == 1
    assert table["TableSizeBytes"] == len("pk") + 1 + len("v") + 5


def test_tables_survive_restart(tmp_path):
    from lowcloud.cloud import Cloud
    from lowcloud.clock import VirtualClock
    with Cloud(data_dir=tmp_path, clock=VirtualClock(start=1_700_000_000), seed=1) as first:
        client = first.client("dynamodb")
        client.create_table(TableName="durable", KeySchema=KEYS, AttributeDefinitions=ATTRS, BillingMode="PAY_PER_REQUEST")
        client.update_time_to_live(TableName="durable", TimeToLiveSpecification={"Enabled": True, "AttributeName": "e"})
        client.put_item(TableName="durable", Item={"pk": {"S": "k"}, "n": {"N": "7"}})
    with Cloud(data_dir=tmp_path, clock=VirtualClock(start=1_700_000_100), seed=1) as second:
        client = second.client("dynamodb")
        client.get_waiter("table_exists").wait(TableName="durable", WaiterConfig={"Delay": 1, "MaxAttempts": 3})
        assert client.get_item(TableName="durable", Key={"pk": {"S": "k"}})["Item"] == {"pk": {"S": "k"}, "n": {"N": "7"}}
        assert client.describe_time_to_live(TableName="durable")["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"
