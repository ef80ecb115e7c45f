"""What S3 answers browsers over HTTP: CORS of configured buckets, and POST form uploads."""
from __future__ import annotations

import base64
import hashlib
import json
import xml.etree.ElementTree as ET

import pytest
import requests
from botocore.config import Config
from s3_helpers import facts

APP = "https://app.example"
RULES = {"CORSRules": [
    {"AllowedOrigins": [APP], "AllowedMethods": ["GET", "PUT", "POST"], "AllowedHeaders": ["content-type", "x-amz-*"],
     "ExposeHeaders": ["ETag", "x-amz-version-id"], "MaxAgeSeconds": 600},
    {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]}


@pytest.fixture
def web(http_client):
    s3 = http_client("s3")
    s3.create_bucket(Bucket="web-bucket")
    return s3


@pytest.fixture
def cors_bucket(web):
    web.put_bucket_cors(Bucket="web-bucket", CORSConfiguration=RULES)
    web.put_object(Bucket="web-bucket", Key="page.html", Body=b"<p>hi</p>")
    return "web-bucket"


def _code(resp) -> str:
    return ET.fromstring(resp.content).findtext("Code")


# --- CORS -----------------------------------------------------------------------
def test_preflight_answered_by_the_matching_rule(gateway_url, cors_bucket):
    resp = requests.options(f"{gateway_url}/{cors_bucket}/page.html", timeout=10, headers={
        "Origin": APP, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "Content-Type, X-Amz-Date"})
    assert resp.status_code == 200
    assert resp.headers["Access-Control-Allow-Origin"] == APP
    assert resp.headers["Access-Control-Allow-Methods"] == "GET, PUT, POST"
    assert resp.headers["Access-Control-Allow-Headers"] == "content-type, x-amz-date"
    assert resp.headers["Access-Control-Expose-Headers"] == "ETag, x-amz-version-id"
    assert resp.headers["Access-Control-Max-Age"] == "600"
    assert resp.headers["Access-Control-Allow-Credentials"] == "true"


def test_preflight_without_a_matching_rule_is_forbidden(gateway_url, cors_bucket):
    resp = requests.options(f"{gateway_url}/{cors_bucket}/page.html", timeout=10, headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "DELETE"})
    assert resp.status_code == 403
    assert _code(resp) == "AccessForbidden"
    assert ET.fromstring(resp.content).findtext("Message").startswith("CORSResponse: This CORS request is not allowed.")
    assert "Access-Control-Allow-Origin" not in resp.headers


def test_preflight_refuses_a_header_no_rule_allows(gateway_url, cors_bucket):
    resp = requests.options(f"{gateway_url}/{cors_bucket}/page.html", timeout=10, headers={
        "Origin": APP, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "x-secret"})
    assert resp.status_code == 403


def test_wildcard_rule_answers_any_origin_with_a_star(gateway_url, cors_bucket):
    resp = requests.options(f"{gateway_url}/{cors_bucket}/page.html", timeout=10, headers={
        "Origin": "https://any.example", "Access-Control-Request-Method": "GET"})
    assert resp.status_code == 200
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in resp.headers


def test_get_with_origin_carries_the_rule_headers(gateway_url, cors_bucket):
    resp = requests.get(f"{gateway_url}/{cors_bucket}/page.html", headers={"Origin": APP}, timeout=10)
    assert resp.status_code == 200 and resp.content == b"<p>hi</p>"
    assert resp.headers["Access-Control-Allow-Origin"] == APP
    assert resp.headers["Access-Control-Expose-Headers"] == "ETag, x-amz-version-id"


def test_get_from_an_origin_no_rule_names_gets_no_cors_headers(gateway_url, web, cors_bucket):
    web.put_bucket_cors(Bucket=cors_bucket, CORSConfiguration={"CORSRules": RULES["CORSRules"][:1]})
    resp = requests.get(f"{gateway_url}/{cors_bucket}/page.html", headers={"Origin": "https://other.example"},
                        timeout=10)
    assert resp.status_code == 200
    assert not any(h.lower().startswith("access-control-") for h in resp.headers)


def test_virtual_host_addressed_preflight(gateway_url, cors_bucket):
    port = gateway_url.rsplit(":", 1)[1]
    resp = requests.options(f"{gateway_url}/page.html", timeout=10, headers={
        "Host": f"{cors_bucket}.localhost:{port}", "Origin": "https://elsewhere.example",
        "Access-Control-Request-Method": "PUT"})
    assert resp.status_code == 403 and _code(resp) == "AccessForbidden"


def test_bucket_without_cors_keeps_the_permissive_answers(gateway_url, web):
    web.put_object(Bucket="web-bucket", Key="k", Body=b"x")
    preflight = requests.options(f"{gateway_url}/web-bucket/k", timeout=10, headers={
        "Origin": APP, "Access-Control-Request-Method": "DELETE"})
    assert preflight.status_code == 200 and preflight.headers["Access-Control-Allow-Origin"] == "*"
    got = requests.get(f"{gateway_url}/web-bucket/k", headers={"Origin": APP}, timeout=10)
    assert got.headers["Access-Control-Allow-Origin"] == "*"


def test_deleting_cors_restores_the_permissive_answers(gateway_url, web, cors_bucket):
    web.delete_bucket_cors(Bucket=cors_bucket)
    resp = requests.options(f"{gateway_url}/{cors_bucket}/page.html", timeout=10, headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "DELETE"})
    assert resp.status_code == 200


# --- POST form uploads ----------------------------------------------------------------
def _policy(conditions: list, expiration: str = "2099-01-01T00:00:00Z") -> str:
    return base64.b64encode(json.dumps({"expiration": expiration, "conditions": conditions}).encode()).decode()


def _post(gateway_url, fields: dict, body: bytes = b"form body", filename: str = "photo.jpg", path="/web-bucket"):
    return requests.post(gateway_url + path, data=fields, files={"file": (filename, body)}, timeout=10)


def test_post_stores_the_file_with_its_fields(gateway_url, web):
    resp = _post(gateway_url, {"key": "uploads/${filename}", "Content-Type": "image/jpeg",
                               "x-amz-meta-owner": "ana", "Cache-Control": "max-age=60"}, body=b"\x00\r\n--\xff")
    assert resp.status_code == 204 and resp.content == b""
    assert resp.headers["ETag"] == '"' + hashlib.md5(b"\x00\r\n--\xff").hexdigest() + '"'
    assert resp.headers["Location"].endswith("/web-bucket/uploads/photo.jpg")
    got = web.get_object(Bucket="web-bucket", Key="uploads/photo.jpg")
    assert got["Body"].read() == b"\x00\r\n--\xff"
    assert (got["ContentType"], got["CacheControl"], got["Metadata"]) == ("image/jpeg", "max-age=60", {"owner": "ana"})


def test_post_answers_201_with_a_post_response(gateway_url, web):
    resp = _post(gateway_url, {"key": "a/b.txt", "success_action_status": "201"})
    assert resp.status_code == 201
    doc = ET.fromstring(resp.content)
    assert doc.tag == "PostResponse"
    assert (doc.findtext("Bucket"), doc.findtext("Key")) == ("web-bucket", "a/b.txt")
    assert doc.findtext("ETag") == resp.headers["ETag"]
    assert doc.findtext("Location").endswith("/web-bucket/a/b.txt")


def test_post_answers_200_when_asked(gateway_url, web):
    resp = _post(gateway_url, {"key": "k200", "success_action_status": "200"})
    assert resp.status_code == 200 and resp.content == b""


def test_post_redirects_to_success_action_redirect(gateway_url, web):
    resp = requests.post(gateway_url + "/web-bucket", data={"key": "r.txt", "success_action_redirect":
                                                           "https://app.example/done?x=1"},
                         files={"file": ("r.txt", b"r")}, allow_redirects=False, timeout=10)
    assert resp.status_code == 303
    assert resp.headers["Location"].startswith("https://app.example/done?x=1&bucket=web-bucket&key=r.txt&etag=%22")


def test_post_to_a_virtual_host_bucket(gateway_url, web):
    port = gateway_url.rsplit(":", 1)[1]
    resp = requests.post(gateway_url + "/", data={"key": "vh.txt"}, files={"file": ("f", b"vh")},
                         headers={"Host": f"web-bucket.localhost:{port}"}, timeout=10)
    assert resp.status_code == 204
    assert web.get_object(Bucket="web-bucket", Key="vh.txt")["Body"].read() == b"vh"


def test_post_is_published_as_object_created_post(cloud, gateway_url, web):
    seen = facts(cloud)
    _post(gateway_url, {"key": "evt.txt"})
    assert [f["event_name"] for f in seen if f["key"] == "evt.txt"] == ["ObjectCreated:Post"]


@pytest.mark.parametrize("fields,code,status", [
    ({"Content-Type": "text/plain"}, "InvalidArgument", 400),
    ({"key": "k", "acl": "public-read"}, "AccessControlListNotSupported", 400),
])
def test_post_refusals(gateway_url, web, fields, code, status):
    resp = _post(gateway_url, fields)
    assert (resp.status_code, _code(resp)) == (status, code)


def test_post_without_a_file_is_refused(gateway_url, web):
    resp = requests.post(gateway_url + "/web-bucket", files={"key": (None, "k"), "other": (None, "v")}, timeout=10)
    assert (resp.status_code, _code(resp)) == (400, "InvalidArgument")
    assert "exactly one file" in ET.fromstring(resp.content).findtext("Message")


def test_post_to_a_missing_bucket(gateway_url, web):
    resp = _post(gateway_url, {"key": "k"}, path="/no-such-bucket-here")
    assert (resp.status_code, _code(resp)) == (404, "NoSuchBucket")


def test_post_malformed_form(gateway_url, web):
    resp = requests.post(gateway_url + "/web-bucket", data=b"--xyz\r\nnothing", timeout=10,
                         headers={"Content-Type": "multipart/form-data; boundary=xyz"})
    assert (resp.status_code, _code(resp)) == (400, "MalformedPOSTRequest")


SIGNED = {"AWSAccessKeyId": "test", "signature": "not-verified"}
MINE = {"bucket": "web-bucket"}


def test_post_policy_conditions_allow_a_conforming_upload(gateway_url, web):
    policy = _policy([MINE, ["starts-with", "$key", "user/"], ["content-length-range", 1, 20],
                      ["eq", "$Content-Type", "text/plain"], {"acl": "private"}])
    resp = _post(gateway_url, {"key": "user/ok.txt", "Content-Type": "text/plain", "policy": policy, "acl": "private",
                               "x-ignore-note": "free", **SIGNED})
    assert resp.status_code == 204


def test_post_policy_names_are_case_insensitive(gateway_url, web):
    policy = _policy([{"BuCkEt": "web-bucket"}, ["StArTs-WiTh", "$KeY", "up"]])
    resp = _post(gateway_url, {"kEy": "upper.txt", "PoLiCy": policy, **SIGNED})
    assert resp.status_code == 204
    assert web.head_object(Bucket="web-bucket", Key="upper.txt")["ContentLength"] == len(b"form body")


@pytest.mark.parametrize("conditions,fields,body,code,message", [
    ([MINE, ["starts-with", "$key", "user/"]], {"key": "admin/x"}, b"x", "AccessDenied",
     'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/"]'),
    ([MINE, ["starts-with", "$key", ""]], {"key": "k", "x-amz-meta-extra": "1"}, b"x", "AccessDenied",
     "Invalid according to Policy: Extra input fields: x-amz-meta-extra"),
    ([MINE, ["eq", "$x-amz-meta-tag", "blue"], ["starts-with", "$key", ""]], {"key": "k"}, b"x", "AccessDenied",
     'Invalid according to Policy: Policy Condition failed: ["eq", "$x-amz-meta-tag", "blue"]'),
    ([MINE, ["starts-with", "$key", ""], ["content-length-range", 0, 3]], {"key": "k"}, b"four", "EntityTooLarge",
     "Your proposed upload exceeds the maximum allowed size"),
    ([MINE, ["starts-with", "$key", ""], ["content-length-range", 5, 10]], {"key": "k"}, b"four", "EntityTooSmall",
     "Your proposed upload is smaller than the minimum allowed size"),
    ([{"bucket": "another-bucket"}, ["starts-with", "$key", ""]], {"key": "k", "bucket": "another-bucket"}, b"x",
     "AccessDenied", 'Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "another-bucket"]'),
    ([["starts-with", "$key", ""]], {"key": "k"}, b"x", "AccessDenied",
     'Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "web-bucket"]'),
])
def test_post_policy_violations(gateway_url, web, conditions, fields, body, code, message):
    resp = _post(gateway_url, {**fields, "policy": _policy(conditions), **SIGNED}, body=body)
    doc = ET.fromstring(resp.content)
    assert (doc.findtext("Code"), doc.findtext("Message")) == (code, message)
    assert resp.status_code == (403 if code == "AccessDenied" else 400)
    assert web.list_objects_v2(Bucket="web-bucket")["KeyCount"] == 0


def test_post_expired_policy(gateway_url, web):
    policy = _policy([MINE, ["starts-with", "$key", ""]], "2001-01-01T00:00:00Z")
    resp = _post(gateway_url, {"key": "k", "policy": policy, **SIGNED})
    assert resp.status_code == 403
    assert ET.fromstring(resp.content).findtext("Message") == "Invalid according to Policy: Policy expired."


@pytest.mark.parametrize("document", [
    b"{nope",
    json.dumps({"conditions": [MINE]}).encode(),
    json.dumps({"expiration": "2099-01-01T00:00:00Z"}).encode(),
    json.dumps({"expiration": "2099-01-01 00:00:00+00:00", "conditions": [MINE]}).encode(),
    json.dumps({"expiration": "2099-01-01T00:00:00Z", "conditions": [{}]}).encode(),
    json.dumps({"expiration": "2099-01-01T00:00:00Z", "conditions": [MINE, ["content-length-range", 0]]}).encode(),
], ids=["not-json", "no-expiration", "no-conditions", "expiration-not-iso", "empty-condition", "short-range"])
def test_post_policy_documents_s3_refuses(gateway_url, web, document):
    resp = _post(gateway_url, {"key": "k", "policy": base64.b64encode(document).decode(), **SIGNED})
    assert (resp.status_code, _code(resp)) == (400, "InvalidPolicyDocument")


def test_post_policy_needs_its_signature_fields(gateway_url, web):
    policy = _policy([MINE, ["starts-with", "$key", ""]])
    resp = _post(gateway_url, {"key": "k", "policy": policy, "AWSAccessKeyId": "test"})
    doc = ET.fromstring(resp.content)
    assert (resp.status_code, doc.findtext("Code"), doc.findtext("ArgumentName")) == (400, "InvalidArgument",
                                                                                      "Signature")


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_boto3_generate_presigned_post(gateway_url, http_client, signature_version):
    s3 = http_client("s3", config=Config(signature_version=signature_version))
    s3.create_bucket(Bucket="presigned-posts")
    post = s3.generate_presigned_post("presigned-posts", "inbox/${filename}",
                                      Fields={"Content-Type": "text/csv"},
                                      Conditions=[{"Content-Type": "text/csv"}, ["content-length-range", 1, 1000]])
    resp = requests.post(post["url"], data=post["fields"], files={"file": ("rows.csv", b"a,b\n1,2\n")}, timeout=10)
    assert resp.status_code == 204, resp.text
    got = s3.get_object(Bucket="presigned-posts", Key="inbox/rows.csv")
    assert (got["Body"].read(), got["ContentType"]) == (b"a,b\n1,2\n", "text/csv")


def test_post_cors_headers_follow_the_bucket_rules(gateway_url, cors_bucket):
    resp = requests.post(f"{gateway_url}/{cors_bucket}", data={"key": "c.txt"}, files={"file": ("c", b"c")},
                         headers={"Origin": APP}, timeout=10)
    assert resp.status_code == 204
    assert resp.headers["Access-Control-Allow-Origin"] == APP


def test_cors_headers_follow_the_requested_method_header_and_errors_carry_them(gateway_url, cors_bucket):
    missing = requests.get(f"{gateway_url}/{cors_bucket}/absent", headers={"Origin": "https://x.example"}, timeout=10)
    assert missing.status_code == 404 and missing.headers["Access-Control-Allow-Origin"] == "*"
    put = requests.put(f"{gateway_url}/{cors_bucket}/put.txt", data=b"p", timeout=10, headers={
        "Origin": "https://x.example", "Access-Control-Request-Method": "GET"})
    assert put.headers["Access-Control-Allow-Methods"] == "GET"
    plain_put = requests.put(f"{gateway_url}/{cors_bucket}/put.txt", data=b"p", timeout=10,
                             headers={"Origin": "https://x.example"})
    assert "Access-Control-Allow-Origin" not in plain_put.headers


def test_preflight_needs_origin_and_method_once_cors_is_configured(gateway_url, cors_bucket):
    no_origin = requests.options(f"{gateway_url}/{cors_bucket}/page.html", timeout=10)
    assert (no_origin.status_code, _code(no_origin)) == (400, "BadRequest")
    no_method = requests.options(f"{gateway_url}/{cors_bucket}/page.html", headers={"Origin": APP}, timeout=10)
    assert no_method.status_code == 400


def test_preflight_of_a_presigned_url(gateway_url, web, cors_bucket):
    url = web.generate_presigned_url("get_object", Params={"Bucket": cors_bucket, "Key": "page.html"})
    resp = requests.options(url, headers={"Origin": APP, "Access-Control-Request-Method": "GET"}, timeout=10)
    assert resp.status_code == 200 and resp.headers["Access-Control-Allow-Origin"] == APP


def test_post_cut_short_before_its_closing_delimiter_is_malformed(gateway_url, web):
    body = (b'--cut\r\nContent-Disposition: form-data; name="key"\r\n\r\nhalf.txt\r\n'
            b'--cut\r\nContent-Disposition: form-data; name="file"; filename="h"\r\n\r\nhalf a file')
    resp = requests.post(gateway_url + "/web-bucket", data=body, timeout=10,
                         headers={"Content-Type": "multipart/form-data; boundary=cut"})
    assert (resp.status_code, _code(resp)) == (400, "MalformedPOSTRequest")
    assert web.list_objects_v2(Bucket="web-bucket")["KeyCount"] == 0
