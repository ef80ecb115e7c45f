"""The HTTP gateway: health, routing, and malformed requests answered as 4xx AWS errors."""
import json

import pytest
import requests

AUTH = "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/{svc}/aws4_request, SignedHeaders=host, Signature=0"


def test_health_lists_services_and_version(gateway_url):
    doc = requests.get(gateway_url + "/_lowcloud/health", timeout=10).json()
    assert doc["version"] and "sts" in doc["services"]


def test_gateway_binds_loopback_by_default():
    import inspect
    from lowcloud.protocol.gateway import ServerThread
    assert inspect.signature(ServerThread).parameters["host"].default == "127.0.0.1"


@pytest.mark.parametrize("target,body", [
    ("DynamoDB_20120810.ListTables", b"{not json"),
    ("DynamoDB_20120810.NoSuchOperation", b"{}"),
    ("DynamoDB_20120810.DescribeTable", b"[1, 2]"),
    ("DynamoDB_20120810.DescribeTable", b'{"TableName": 5}'),
    ("AWSStepFunctions.DescribeExecution", b"{}"),
    ("NoSuchService_2020.Op", b"{}"),
])
def test_malformed_json_requests_get_4xx(gateway_url, target, body):
    svc = "states" if target.startswith("AWSStep") else "dynamodb"
    r = requests.post(gateway_url + "/", data=body, timeout=10, headers={
        "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0", "Authorization": AUTH.format(svc=svc)})
    assert 400 <= r.status_code < 500, r.text
    assert "__type" in r.json()


def test_missing_required_member_is_validation_exception(gateway_url):
    r = requests.post(gateway_url + "/", data=b"{}", timeout=10, headers={
        "X-Amz-Target": "AWSStepFunctions.DescribeExecution", "Content-Type": "application/x-amz-json-1.0",
        "Authorization": AUTH.format(svc="states")})
    assert r.status_code == 400
    doc = r.json()
    assert doc["__type"].endswith("ValidationException")
    assert doc["message"] == ("1 validation error detected: Value null at 'executionArn' failed to satisfy "
                              "constraint: Member must not be null")


@pytest.mark.parametrize("body", [b"Action=NoSuchAction&Version=2011-06-15", b"Action=AssumeRole&Version=2011-06-15",
                                  b"Action=AssumeRole&RoleArn=x&RoleSessionName=s&DurationSeconds=abc"])
def test_malformed_query_requests_get_4xx_xml(gateway_url, body):
    r = requests.post(gateway_url + "/", data=body, timeout=10, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Authorization": AUTH.format(svc="sts")})
    assert 400 <= r.status_code < 500, r.text
    assert "<ErrorResponse" in r.text and "<Code>" in r.text


def test_bad_xml_to_s3_gets_malformed_xml(gateway_url, http_client):
    http_client("s3").create_bucket(Bucket="xml-bucket")
    r = requests.post(gateway_url + "/xml-bucket?delete", data=b"<Delete><Object>", timeout=10,
                      headers={"Authorization": AUTH.format(svc="s3")})
    assert r.status_code == 400 and "<Code>MalformedXML</Code>" in r.text


def test_garbage_paths_never_500(gateway_url):
    for method, path in [("GET", "/%ff%fe"), ("PUT", "/"), ("PATCH", "/x"), ("GET", "/a" * 300)]:
        r = requests.request(method, gateway_url + path, timeout=10, headers={"Authorization": AUTH.format(svc="s3")})
        assert r.status_code < 500, (method, path, r.status_code, r.text)


@pytest.mark.parametrize("host", ["vh-bucket.s3.amazonaws.com", "vh-bucket.s3.us-east-1.amazonaws.com",
                                  "vh-bucket.localhost:4566", "vh-bucket.s3.localhost.localstack.cloud:4566"])
def test_s3_virtual_host_addressing(gateway_url, http_client, host):
    s3 = http_client("s3")
    s3.create_bucket(Bucket="vh-bucket")
    s3.put_object(Bucket="vh-bucket", Key="dir/file.txt", Body=b"virtual")
    r = requests.get(gateway_url + "/dir/file.txt", headers={"Host": host}, timeout=10)
    assert r.status_code == 200 and r.content == b"virtual"


def test_s3_presigned_get_and_put(http_client):
    s3 = http_client("s3")
    s3.create_bucket(Bucket="presigned")
    put = s3.generate_presigned_url("put_object", Params={"Bucket": "presigned", "Key": "k"}, ExpiresIn=60)
    assert requests.put(put, data=b"signed body", timeout=10).status_code == 200
    get = s3.generate_presigned_url("get_object", Params={"Bucket": "presigned", "Key": "k"}, ExpiresIn=60)
    assert requests.get(get, timeout=10).content == b"signed body"


@pytest.mark.parametrize("body", [b"null", b'"text"', b"[1]", b"{broken"])
def test_rest_json_body_that_is_not_an_object_is_rejected(gateway_url, body):
    r = requests.post(gateway_url + "/2015-03-31/functions", data=body, timeout=10,
                      headers={"Authorization": AUTH.format(svc="lambda"), "Content-Type": "application/json"})
    assert r.status_code == 400 and r.headers["x-amzn-ErrorType"] == "InvalidRequestContentException"


def test_non_utf8_text_payload_is_a_4xx(gateway_url, http_client):
    http_client("s3").create_bucket(Bucket="policy-bucket")
    r = requests.put(gateway_url + "/policy-bucket?policy", data=b"\xff\xfe\x00", timeout=10,
                     headers={"Authorization": AUTH.format(svc="s3")})
    assert 400 <= r.status_code < 500


BIG = 9 << 20  # over the gateway's streaming threshold


def test_large_put_streams_into_s3_and_round_trips(http_client):
    import hashlib
    import os
    s3 = http_client("s3")
    s3.create_bucket(Bucket="streamed")
    body = os.urandom(BIG)
    out = s3.put_object(Bucket="streamed", Key="big", Body=body)
    assert out["ETag"] == '"' + hashlib.md5(body).hexdigest() + '"'
    assert s3.get_object(Bucket="streamed", Key="big")["Body"].read() == body


def test_large_put_errors_before_and_after_the_body(gateway_url, http_client):
    import base64
    import hashlib
    s3 = http_client("s3")
    body = b"x" * BIG
    r = requests.put(gateway_url + "/no-such-bucket/k", data=body, timeout=30, headers={"Authorization": AUTH.format(svc="s3")})
    assert r.status_code == 404 and "<Code>NoSuchBucket</Code>" in r.text
    s3.create_bucket(Bucket="digest")
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    r = requests.put(gateway_url + "/digest/k", data=body, timeout=30,
                     headers={"Authorization": AUTH.format(svc="s3"), "Content-MD5": wrong})
    assert r.status_code == 400 and "<Code>BadDigest</Code>" in r.text
    assert s3.list_objects_v2(Bucket="digest")["KeyCount"] == 0


def test_large_non_streaming_put_is_read_whole(gateway_url):
    r = requests.put(gateway_url + "/2015-03-31/functions/f/code", data=b"{" + b" " * BIG + b"}", timeout=30,
                     headers={"Authorization": AUTH.format(svc="lambda"), "Content-Type": "application/json"})
    assert r.status_code in (400, 404) and r.headers.get("x-amzn-ErrorType")


def _put_then_hang_up(gateway_url: str, path: str, declared: int, sent: int) -> None:
    """A PUT that promises ``declared`` bytes, sends ``sent`` of them and closes the connection."""
    import socket
    import time
    host, port = gateway_url.split("//")[1].split(":")
    with socket.create_connection((host, int(port))) as sock:
        head = (f"PUT {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {declared}\r\n"
                f"Authorization: {AUTH.format(svc='s3')}\r\n\r\n")
        sock.sendall(head.encode() + b"x" * sent)
    time.sleep(0.5)


@pytest.mark.parametrize("declared", [1 << 20, BIG + (1 << 20)], ids=["read-whole", "streamed"])
def test_upload_cut_short_by_the_client_is_never_stored(gateway_url, http_client, declared):
    s3 = http_client("s3")
    s3.create_bucket(Bucket="cut")
    s3.put_object(Bucket="cut", Key="k", Body=b"old")
    _put_then_hang_up(gateway_url, "/cut/k", declared, declared // 2)
    assert s3.get_object(Bucket="cut", Key="k")["Body"].read() == b"old"
    assert s3.list_objects_v2(Bucket="cut")["KeyCount"] == 1


def test_upload_declared_over_5_gib_is_refused_at_once_and_the_connection_closed(gateway_url, http_client):
    import socket
    http_client("s3").create_bucket(Bucket="huge")
    host, port = gateway_url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        head = (f"PUT /huge/k HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {6 << 30}\r\n"
                f"Authorization: {AUTH.format(svc='s3')}\r\n\r\n")
        sock.sendall(head.encode() + b"xx")
        answer = b""
        while chunk := sock.recv(65536):  # the server answers, then closes: the unread body is no request
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400") and b"<Code>EntityTooLarge</Code>" in answer
    assert b"<MaxSizeAllowed>5368709120</MaxSizeAllowed>" in answer


def test_preflight_of_a_non_s3_path_stays_permissive(gateway_url):
    resp = requests.options(gateway_url + "/2015-03-31/functions", timeout=10, headers={
        "Origin": "https://tool.example", "Access-Control-Request-Method": "POST"})
    assert resp.status_code == 200
    assert resp.headers["Access-Control-Allow-Origin"] == "*"


def test_request_signed_for_another_service_keeps_blanket_cors_even_on_a_bucket_path(gateway_url, http_client):
    s3 = http_client("s3")
    s3.create_bucket(Bucket="looks-like-a-bucket")
    s3.put_bucket_cors(Bucket="looks-like-a-bucket", CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["https://only.example"], "AllowedMethods": ["GET"]}]})
    resp = requests.get(gateway_url + "/looks-like-a-bucket", timeout=10, headers={
        "Origin": "https://tool.example", "Authorization": AUTH.format(svc="lambda")})
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    s3_answer = requests.get(gateway_url + "/looks-like-a-bucket", timeout=10, headers={
        "Origin": "https://tool.example", "Authorization": AUTH.format(svc="s3")})
    assert "Access-Control-Allow-Origin" not in s3_answer.headers
