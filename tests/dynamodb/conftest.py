"""Fixtures for the DynamoDB core tests: an in-process boto3 client and table helpers."""
from __future__ import annotations

import pytest


@pytest.fixture
def ddb(cloud):
    return cloud.client("dynamodb")


@pytest.fixture
def make_table(ddb):
    """``make_table(name, hash=("pk", "S"), range=None, **extra)`` -> the TableDescription, already ACTIVE."""
    def make(name="things", hash=("pk", "S"), range=None, **extra):
        attrs = {hash[0]: hash[1]}
        keys = [{"AttributeName": hash[0], "KeyType": "HASH"}]
        if range:
            attrs[range[0]] = range[1]
            keys.append({"AttributeName": range[0], "KeyType": "RANGE"})
        for name_type in extra.pop("more_attrs", ()):
            attrs[name_type[0]] = name_type[1]
        extra.setdefault("BillingMode", "PAY_PER_REQUEST")
        desc = ddb.create_table(TableName=name, KeySchema=keys,
                                AttributeDefinitions=[{"AttributeName": k, "AttributeType": v} for k, v in attrs.items()],
                                **extra)["TableDescription"]
        ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
        return desc
    return make
