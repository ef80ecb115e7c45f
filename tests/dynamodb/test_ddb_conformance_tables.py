"""Control-plane answers AWS gives for table definitions, index definitions and table lifecycle.

Each test sends what a real client could send (boto3's own parameter checks
switched off where the point is the server's answer) and asserts the error code
and wording DynamoDB returns.
"""
from __future__ import annotations

import pytest
from botocore.config import Config
from ddbcore_helpers import error_of

INVALID = "One or more parameter values were invalid: "
HASH_ONLY = {"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
             "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}


def _gsi(name="byColour", key="colour", **projection):
    return {"IndexName": name, "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
            "Projection": projection or {"ProjectionType": "ALL"}}


@pytest.fixture
def raw(cloud):
    """A client that leaves validation to the server."""
    return cloud.client("dynamodb", config=Config(parameter_validation=False))


def _create(raw, name="shapes", **extra):
    params = dict(HASH_ONLY, BillingMode="PAY_PER_REQUEST")
    params.update(extra)
    return raw.create_table(TableName=name, **params)


def test_missing_attribute_definitions_is_a_null_member(raw):
    code, msg, _ = error_of(raw.create_table, TableName="shapes", BillingMode="PAY_PER_REQUEST",
                            KeySchema=HASH_ONLY["KeySchema"])
    assert (code, msg) == ("ValidationException", "1 validation error detected: Value null at 'attributeDefinitions' "
                                                  "failed to satisfy constraint: Member must not be null")


def test_duplicated_attribute_definition_is_named(raw):
    attrs = [{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "id", "AttributeType": "N"}]
    code, msg, _ = error_of(_create, raw, AttributeDefinitions=attrs)
    assert (code, msg) == ("ValidationException", "Attribute Name is duplicated: id")


@pytest.mark.parametrize("projection, message", [
    ({}, "Unknown ProjectionType: null"),
    ({"ProjectionType": "INCLUDE"}, "ProjectionType is INCLUDE, but NonKeyAttributes is not specified"),
    ({"ProjectionType": "KEYS_ONLY", "NonKeyAttributes": ["size"]},
     "ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified"),
    ({"ProjectionType": "INCLUDE", "NonKeyAttributes": ["size", "weight", "size"]},
     "Duplicate element in NonKeyAttributes: size"),
])
def test_index_projection_rules(raw, projection, message):
    index = dict(_gsi(), Projection=projection)
    attrs = HASH_ONLY["AttributeDefinitions"] + [{"AttributeName": "colour", "AttributeType": "S"}]
    code, msg, _ = error_of(_create, raw, AttributeDefinitions=attrs, GlobalSecondaryIndexes=[index])
    assert (code, msg) == ("ValidationException", INVALID + message)


def test_index_key_naming_one_attribute_twice(raw):
    keys = [{"AttributeName": "id", "KeyType": "HASH"}, {"AttributeName": "at", "KeyType": "RANGE"}]
    attrs = [{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "at", "AttributeType": "N"}]
    lsi = {"IndexName": "twice", "Projection": {"ProjectionType": "ALL"},
           "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}, {"AttributeName": "id", "KeyType": "RANGE"}]}
    code, msg, _ = error_of(_create, raw, KeySchema=keys, AttributeDefinitions=attrs, LocalSecondaryIndexes=[lsi])
    assert (code, msg) == ("ValidationException",
                           "Both the Hash Key and the Range Key element in the KeySchema have the same name")


def test_provisioned_gsi_without_throughput(raw):
    attrs = HASH_ONLY["AttributeDefinitions"] + [{"AttributeName": "colour", "AttributeType": "S"}]
    code, msg, _ = error_of(_create, raw, BillingMode="PROVISIONED", AttributeDefinitions=attrs,
                            ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                            GlobalSecondaryIndexes=[_gsi()])
    assert msg == INVALID + "ProvisionedThroughput is not specified for index: byColour"


def test_too_many_secondary_indexes(raw):
    attrs = HASH_ONLY["AttributeDefinitions"] + [{"AttributeName": "colour", "AttributeType": "S"}]
    many = [_gsi(f"index{n:02}") for n in range(21)]
    code, msg, _ = error_of(_create, raw, AttributeDefinitions=attrs, GlobalSecondaryIndexes=many)
    assert msg == INVALID + "GlobalSecondaryIndex count exceeds the per-table limit of 20"


@pytest.mark.parametrize("spec, message", [
    ({"StreamEnabled": True}, "Table is being created with a stream enabled, UpdateViewType is required"),
    ({"StreamEnabled": False, "StreamViewType": "KEYS_ONLY"},
     "Table is being created with a stream disabled, UpdateViewType should not be specified"),
])
def test_create_table_stream_view_type_rules(raw, spec, message):
    code, msg, _ = error_of(_create, raw, StreamSpecification=spec)
    assert (code, msg) == ("ValidationException", INVALID + message)


def test_delete_table_leaves_schema_out_of_its_answer(ddb, make_table):
    make_table("leaving", range=("at", "N"), more_attrs=[("colour", "S")],
               GlobalSecondaryIndexes=[_gsi()])
    described = ddb.describe_table(TableName="leaving")["Table"]
    gone = ddb.delete_table(TableName="leaving")["TableDescription"]
    for field in ("KeySchema", "AttributeDefinitions", "CreationDateTime", "GlobalSecondaryIndexes"):
        assert field in described and field not in gone
    assert gone["TableStatus"] == "DELETING" and gone["TableId"] == described["TableId"]
    assert gone["ItemCount"] == 0 and "TableSizeBytes" in gone


def test_item_calls_on_a_creating_table_are_not_found(cloud, raw):
    _create(raw, name="fresh")
    svc = cloud.service("dynamodb")
    table = svc.catalog.by_name["fresh"]
    desc = svc.catalog.editable(table)
    desc["TableStatus"] = "CREATING"
    svc.catalog.save(table, desc)
    code, msg, _ = error_of(raw.put_item, TableName="fresh", Item={"id": {"S": "a"}})
    assert (code, msg) == ("ResourceNotFoundException", "Requested resource not found")
    code, msg, _ = error_of(raw.describe_time_to_live, TableName="fresh")
    assert msg == "Cannot describe time to live while table is in CREATING state: Current table state is CREATING"
