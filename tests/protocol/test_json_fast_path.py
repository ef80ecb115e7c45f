"""The json-protocol fast path (compiled routes, in-place decoding) answers exactly as the general one."""
from __future__ import annotations

import json
import re

from lowcloud.protocol.http import HttpRequest
from lowcloud.protocol.inprocess import dispatcher_of

AUTH = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20000101/us-east-1/dynamodb/aws4_request, Signature=x"


def _post(cloud, op: str, body: bytes):
    headers = {"x-amz-target": f"DynamoDB_20120810.{op}", "content-type": "application/x-amz-json-1.0",
               "authorization": AUTH, "host": "localhost"}
    resp = dispatcher_of(cloud).handle(HttpRequest("POST", "/", "", headers, body))
    return resp.status, resp.headers, json.loads(resp.body_bytes() or b"{}")


def _table(cloud):
    ddb = cloud.client("dynamodb")
    ddb.create_table(TableName="fast", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    return ddb


def test_wrong_json_type_inside_an_attribute_value_is_a_serialization_error(cloud):
    _table(cloud)
    status, _, doc = _post(cloud, "PutItem", b'{"TableName":"fast","Item":{"id":{"S":"a"},"n":{"S":5}}}')
    assert status == 400
    assert doc["__type"].endswith("SerializationException")


def test_nulls_unknown_members_and_blobs_are_decoded_like_before(cloud):
    ddb = _table(cloud)
    body = b'{"TableName":"fast","Item":{"id":{"S":"k","NULL":null},"b":{"B":"AAEC"},' \
           b'"m":{"M":{"x":{"BS":["AQ=="],"Extra":1}}}},"Unknown":"x"}'
    status, _, _ = _post(cloud, "PutItem", body)
    assert status == 200
    item = ddb.get_item(TableName="fast", Key={"id": {"S": "k"}})["Item"]
    assert item == {"id": {"S": "k"}, "b": {"B": b"\x00\x01\x02"}, "m": {"M": {"x": {"BS": [b"\x01"]}}}}


def test_trailing_garbage_after_the_object_is_malformed_json(cloud):
    _table(cloud)
    status, _, doc = _post(cloud, "GetItem", b'{"TableName":"fast","Key":{"id":{"S":"k"}}} x')
    assert status == 400
    assert doc["__type"].endswith("SerializationException")
    assert doc["message"] == "Malformed JSON in request body"


def test_validation_messages_still_list_every_problem(cloud):
    _table(cloud)
    status, _, doc = _post(cloud, "PutItem", b'{"TableName":"","ReturnValues":"SOME"}')
    assert status == 400
    assert doc["message"] == (
        "3 validation errors detected: Value null at 'item' failed to satisfy constraint: Member must not be null; "
        "Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 1; "
        "Value 'SOME' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: "
        "[NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW]")


def test_request_ids_are_version_4_uuids_and_differ(cloud):
    _table(cloud)
    ids = {_post(cloud, "ListTables", b"{}")[1]["x-amzn-RequestId"] for _ in range(5)}
    assert len(ids) == 5
    assert all(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", i) for i in ids)


def test_unchanged_plain_put_and_get_round_trip_numbers_canonically(cloud):
    ddb = _table(cloud)
    ddb.put_item(TableName="fast", Item={"id": {"S": "n"}, "a": {"N": "100"}, "b": {"N": "1.50"},
                                         "s": {"SS": ["é", "b"]}})
    item = ddb.get_item(TableName="fast", Key={"id": {"S": "n"}}, ConsistentRead=True)["Item"]
    assert item == {"id": {"S": "n"}, "a": {"N": "100"}, "b": {"N": "1.5"}, "s": {"SS": ["é", "b"]}}
