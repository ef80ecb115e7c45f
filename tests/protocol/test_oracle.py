"""The wire layer against botocore's own serializers and parsers as the oracle.

Requests: botocore serializes params; lowcloud must parse them back to the same
params.  Responses: lowcloud serializes an output; botocore must parse it back
to the same output.  One operation per protocol shape feature.
"""
from datetime import datetime, timezone

import pytest
from botocore import parsers, serialize
from botocore.awsrequest import HeadersDict

from lowcloud.protocol import json_, query, rest_json, rest_xml
from lowcloud.protocol.http import HttpRequest
from lowcloud.protocol.model import match_rest, operation, protocol_of, service_model

T = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)

REQUESTS = [
    ("dynamodb", "PutItem", {"TableName": "t", "Item": {"pk": {"S": "a"}, "bin": {"B": b"\x00\x01"},
                                                        "m": {"M": {"n": {"N": "1"}, "l": {"L": [{"BOOL": True}]}}}}}),
    ("stepfunctions", "StartExecution", {"stateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:m",
                                         "input": "{}", "name": "x"}),
    ("logs", "GetLogEvents", {"logGroupName": "g", "logStreamName": "s", "startTime": 5, "startFromHead": True}),
    ("lambda", "Invoke", {"FunctionName": "f", "Payload": b'{"a":1}', "InvocationType": "Event", "Qualifier": "1"}),
    ("lambda", "ListFunctions", {"MaxItems": 5, "Marker": "m"}),
    ("sts", "AssumeRole", {"RoleArn": "arn:aws:iam::000000000000:role/r", "RoleSessionName": "s",
                           "Tags": [{"Key": "a", "Value": "b"}], "PolicyArns": [{"arn": "arn:x"}]}),
    ("iam", "CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": "{}", "Tags": [{"Key": "k", "Value": "v"}]}),
    ("s3", "PutObject", {"Bucket": "b", "Key": "a/b c/ü.txt", "Body": b"data", "Metadata": {"x": "y"},
                         "ContentType": "text/plain", "Expires": T}),
    ("s3", "ListObjectsV2", {"Bucket": "b", "Prefix": "p/", "Delimiter": "/", "MaxKeys": 10}),
    ("s3", "CompleteMultipartUpload", {"Bucket": "b", "Key": "k", "UploadId": "u",
                                       "MultipartUpload": {"Parts": [{"ETag": '"e1"', "PartNumber": 1},
                                                                     {"ETag": '"e2"', "PartNumber": 2}]}}),
    ("s3", "DeleteObjects", {"Bucket": "b", "Delete": {"Objects": [{"Key": "a"}, {"Key": "b"}], "Quiet": True}}),
]


def _as_http(service, op_model, params) -> tuple[HttpRequest, dict]:
    model = service_model(service)
    serializer = serialize.create_serializer(protocol_of(model), include_validation=False)
    wire = serializer.serialize_to_request(params, op_model)
    body = wire["body"]
    body = body.encode() if isinstance(body, str) else (body if isinstance(body, bytes) else dict_body(body))
    path, _, qs = wire["url_path"].partition("?")
    from urllib.parse import urlencode
    query_string = "&".join(filter(None, [qs, urlencode(wire["query_string"], doseq=True)]))
    headers = {k.lower(): v for k, v in wire["headers"].items()}
    return HttpRequest(wire["method"], path, query_string, headers, body), wire


def dict_body(body):
    from urllib.parse import urlencode
    return urlencode(body).encode()


@pytest.mark.parametrize("service,op,params", REQUESTS, ids=[f"{s}.{o}" for s, o, _ in REQUESTS])
def test_request_roundtrip(service, op, params):
    op_model = operation(service, op)
    req, _ = _as_http(service, op_model, params)
    protocol = protocol_of(service_model(service))
    if protocol == "json":
        parsed = json_.parse(req, op_model)
    elif protocol == "query":
        parsed = query.parse(req, op_model, query.form_of(req))
    else:
        found = match_rest(service, req.method, req.path, req.query, req.headers)
        assert found and found[0] == op
        parsed = (rest_json if protocol == "rest-json" else rest_xml).parse(req, op_model, found[1])
    expected = dict(params)
    if "Body" in expected:
        assert parsed.pop("Body") == expected.pop("Body")
    assert parsed == expected


RESPONSES = [
    ("dynamodb", "GetItem", {"Item": {"pk": {"S": "a"}, "b": {"B": b"\xff"}, "ns": {"NS": ["1", "2"]}}}),
    ("stepfunctions", "DescribeExecution", {"executionArn": "arn:e", "stateMachineArn": "arn:m", "status": "SUCCEEDED",
                                            "startDate": T, "stopDate": T, "output": "{}"}),
    ("lambda", "GetFunction", {"Configuration": {"FunctionName": "f", "MemorySize": 128, "Timeout": 3,
                                                 "Environment": {"Variables": {"A": "1"}}}, "Tags": {"k": "v"}}),
    ("sts", "AssumeRole", {"Credentials": {"AccessKeyId": "ASIA", "SecretAccessKey": "s", "SessionToken": "t",
                                           "Expiration": T}, "AssumedRoleUser": {"AssumedRoleId": "id", "Arn": "arn"}}),
    ("iam", "ListRoles", {"Roles": [{"Path": "/", "RoleName": "r", "RoleId": "AROA1", "Arn": "arn:r", "CreateDate": T}],
                          "IsTruncated": False}),
    ("s3", "ListObjectsV2", {"IsTruncated": False, "Contents": [{"Key": "a&b<c>", "Size": 3, "ETag": '"e"',
                                                                 "LastModified": T, "StorageClass": "STANDARD"}],
                             "Name": "b", "Prefix": "", "KeyCount": 1, "MaxKeys": 1000,
                             "CommonPrefixes": [{"Prefix": "d/"}]}),
    ("s3", "HeadObject", {"ContentLength": 4, "ETag": '"e"', "LastModified": T, "Metadata": {"x": "y"},
                          "ContentType": "text/plain"}),
    ("s3", "CopyObject", {"CopyObjectResult": {"ETag": '"e"', "LastModified": T}}),
]


@pytest.mark.parametrize("service,op,output", RESPONSES, ids=[f"{s}.{o}" for s, o, _ in RESPONSES])
def test_response_roundtrip(service, op, output):
    op_model = operation(service, op)
    protocol = protocol_of(service_model(service))
    writer = {"json": json_, "rest-json": rest_json, "query": query, "rest-xml": rest_xml}[protocol]
    resp = writer.serialize(dict(output), op_model, service, "req-1")
    parser = parsers.create_parser(protocol)
    headers = HeadersDict(resp.headers)
    parsed = parser.parse({"status_code": resp.status, "headers": headers, "body": resp.body_bytes()},
                          op_model.output_shape)
    parsed.pop("ResponseMetadata", None)
    if op == "Invoke":
        assert parsed.pop("Payload") == output["Payload"]
        output = {k: v for k, v in output.items() if k != "Payload"}
    assert parsed == output


@pytest.mark.parametrize("service,code,status", [("dynamodb", "ResourceNotFoundException", 400),
                                                 ("iam", "NoSuchEntity", 404), ("lambda", "ResourceNotFoundException", 404),
                                                 ("s3", "NoSuchKey", 404), ("stepfunctions", "ExecutionDoesNotExist", 400)])
def test_errors_parse_with_code_and_status(service, code, status):
    from lowcloud.errors import AwsError
    model = service_model(service)
    protocol = protocol_of(model)
    writer = {"json": json_, "rest-json": rest_json, "query": query, "rest-xml": rest_xml}[protocol]
    resp = writer.serialize_error(AwsError(code, "it is gone"), model, service, "req-1")
    parser = parsers.create_parser(protocol)
    headers = {k.lower(): v for k, v in resp.headers.items()}
    parsed = parser.parse({"status_code": resp.status, "headers": headers, "body": resp.body_bytes()}, None)
    assert resp.status == status
    assert parsed["Error"]["Code"] == code and parsed["Error"]["Message"] == "it is gone"
