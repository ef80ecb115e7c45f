"""Over HTTP: a plain boto3 client against the gateway, and seed 003's own AWS CLI commands."""
from __future__ import annotations

import json

from ddbcore_helpers import error_of


def test_http_client_round_trip_and_errors(http_client):
    ddb = http_client("dynamodb")
    ddb.create_table(TableName="over-http", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "B"}])
    ddb.get_waiter("table_exists").wait(TableName="over-http", WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    ddb.put_item(TableName="over-http", Item={"pk": {"S": "p"}, "sk": {"B": b"\x00\x01"}, "n": {"N": "3.10"}})
    page = ddb.query(TableName="over-http", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}})
    assert page["Items"] == [{"pk": {"S": "p"}, "sk": {"B": b"\x00\x01"}, "n": {"N": "3.1"}}]
    code, msg, err = error_of(ddb.put_item, TableName="over-http", Item={"pk": {"S": "p"}, "sk": {"B": b"\x00\x01"}},
                              ConditionExpression="attribute_not_exists(pk)", ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert code == "ConditionalCheckFailedException" and err["Item"]["n"] == {"N": "3.1"}
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_seed_003_cli_commands(aws_cli):
    created = json.loads(aws_cli(
        "dynamodb", "create-table", "--attribute-definitions", "AttributeName=name,AttributeType=S",
        "--table-name", "test", "--key-schema", "AttributeName=name,KeyType=HASH",
        "--stream-specification", "StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES",
        "--provisioned-throughput", "ReadCapacityUnits=1,WriteCapacityUnits=1").stdout)["TableDescription"]
    assert {"TableArn", "AttributeDefinitions", "ProvisionedThroughput", "TableSizeBytes", "TableName", "TableStatus",
            "StreamSpecification", "TableId", "LatestStreamLabel", "KeySchema", "ItemCount", "CreationDateTime",
            "LatestStreamArn"} <= set(created)
    assert created["TableStatus"] == "CREATING"
    assert created["ProvisionedThroughput"] == {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    assert created["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert created["LatestStreamArn"] == f"{created['TableArn']}/stream/{created['LatestStreamLabel']}"
    put = aws_cli("dynamodb", "put-item", "--table-name", "test", "--item", '{"name":{"S":"test3"}}')
    assert put.stdout.strip() == ""
    table = json.loads(aws_cli("dynamodb", "describe-table", "--table-name", "test").stdout)["Table"]
    assert table["TableStatus"] == "ACTIVE" and table["ItemCount"] == 1
    assert table["LatestStreamArn"] == created["LatestStreamArn"]
