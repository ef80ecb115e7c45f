"""Function URLs: the config API as Lambda answers it, and real HTTP requests served through the gateway."""
from __future__ import annotations

import base64
import json
import re

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from lambda_helpers import make_zip
from lowcloud.cloud import Cloud
from lowcloud.clock import VirtualClock

URL = re.compile(r"^https://([a-z0-9]{32})\.lambda-url\.us-east-1\.on\.aws/$")
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
ECHO_PY = """
import json
def handler(event, context):
    return {"statusCode": 207, "headers": {"X-Echo": "yes", "Content-Type": "application/json"},
            "cookies": ["first=1; Path=/", "second=2"], "body": json.dumps(event)}
"""
PLAIN_NODE = """
exports.handler = async (event) => ({ method: event.requestContext.http.method, path: event.rawPath,
                                       query: event.queryStringParameters || null });
"""
BINARY_PY = """
import base64
def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "image/png"}, "isBase64Encoded": True,
            "body": base64.b64encode(b"\\x89PNG" + base64.b64decode(event["body"])).decode()}
"""
FAILING_PY = "def handler(event, context):\n    raise ValueError('no')\n"


def error_of(call, *args, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    return caught.value.response


def url_id(config: dict) -> str:
    return URL.match(config["FunctionUrl"]).group(1)


def host_url(gateway, config: dict, path: str = "/") -> tuple[str, dict]:
    """(address, headers) reaching a function URL through the gateway by its Host name."""
    return f"{gateway.url}{path}", {"Host": f"{url_id(config)}.lambda-url.us-east-1.localhost:{gateway.port}"}


# --- the configuration API ---------------------------------------------------------------------------
def test_url_config_lifecycle(cloud, lam, deploy):
    deploy("web", {"app.py": ECHO_PY})
    created = lam.create_function_url_config(FunctionName="web", AuthType="NONE")
    assert URL.match(created["FunctionUrl"])
    assert created["FunctionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:web"
    assert created["AuthType"] == "NONE" and created["InvokeMode"] == "BUFFERED"
    assert STAMP.match(created["CreationTime"]) and "LastModifiedTime" not in created and "Cors" not in created
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    got = lam.get_function_url_config(FunctionName="web")
    assert got["FunctionUrl"] == created["FunctionUrl"] and got["LastModifiedTime"] == got["CreationTime"]
    cloud.clock.advance(5)
    cors = {"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET", "POST"], "MaxAge": 60}
    updated = lam.update_function_url_config(FunctionName="web", AuthType="AWS_IAM", Cors=cors,
                                             InvokeMode="RESPONSE_STREAM")
    assert updated["AuthType"] == "AWS_IAM" and updated["Cors"] == cors and updated["InvokeMode"] == "RESPONSE_STREAM"
    assert updated["CreationTime"] == created["CreationTime"] and updated["LastModifiedTime"] > created["CreationTime"]
    listed = lam.list_function_url_configs(FunctionName="web")["FunctionUrlConfigs"]
    assert [c["FunctionUrl"] for c in listed] == [created["FunctionUrl"]] and listed[0]["Cors"] == cors
    assert lam.delete_function_url_config(FunctionName="web")["ResponseMetadata"]["HTTPStatusCode"] == 204
    gone = error_of(lam.get_function_url_config, FunctionName="web")
    assert gone["Error"] == {"Code": "ResourceNotFoundException", "Message": "The resource you requested does not exist."}
    assert gone["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_url_config_errors_are_lambdas(lam, deploy):
    deploy("web", {"app.py": ECHO_PY})
    first = lam.create_function_url_config(FunctionName="web", AuthType="NONE")
    again = error_of(lam.create_function_url_config, FunctionName="web", AuthType="NONE")
    assert again["Error"]["Code"] == "ResourceConflictException"
    assert again["Error"]["Message"] == (f"Failed to create function url config for [functionArn = "
                                         f"{first['FunctionArn']}]. Error message:  FunctionUrlConfig exists for "
                                         "this Lambda function")
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 409
    missing = error_of(lam.create_function_url_config, FunctionName="nope", AuthType="NONE")
    assert missing["Error"] == {"Code": "ResourceNotFoundException", "Message": "Function does not exist"}
    no_alias = error_of(lam.create_function_url_config, FunctionName="web", Qualifier="live", AuthType="NONE")
    assert no_alias["Error"]["Message"] == "Function does not exist"
    version = error_of(lam.get_function_url_config, FunctionName="web", Qualifier="1")
    assert version["Error"]["Code"] == "ValidationException" and "at 'qualifier'" in version["Error"]["Message"]
    assert error_of(lam.list_function_url_configs, FunctionName="nope")["Error"]["Message"] == "Function does not exist"
    assert error_of(lam.update_function_url_config, FunctionName="nope", AuthType="NONE")["Error"]["Message"] == \
        "Function does not exist"
    assert error_of(lam.delete_function_url_config, FunctionName="nope")["Error"]["Code"] == "ResourceNotFoundException"


def test_alias_urls_follow_their_alias_and_function(lam, deploy):
    deploy("web", {"app.py": ECHO_PY}, Publish=True)
    lam.create_alias(FunctionName="web", Name="live", FunctionVersion="1")
    latest = lam.create_function_url_config(FunctionName="web", AuthType="NONE")
    live = lam.create_function_url_config(FunctionName="web", Qualifier="live", AuthType="NONE")
    assert live["FunctionArn"].endswith(":function:web:live") and live["FunctionUrl"] != latest["FunctionUrl"]
    arns = {c["FunctionArn"] for c in lam.list_function_url_configs(FunctionName="web")["FunctionUrlConfigs"]}
    assert arns == {latest["FunctionArn"], live["FunctionArn"]}
    lam.delete_alias(FunctionName="web", Name="live")
    assert len(lam.list_function_url_configs(FunctionName="web")["FunctionUrlConfigs"]) == 1
    lam.delete_function(FunctionName="web")
    deploy("web", {"app.py": ECHO_PY})
    assert lam.list_function_url_configs(FunctionName="web")["FunctionUrlConfigs"] == []


def test_url_configs_survive_a_restart(tmp_path):
    from lambda_helpers import TRUST
    first = Cloud(data_dir=tmp_path, clock=VirtualClock(start=1_700_000_000), seed=7)
    role_arn = first.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    lam = first.client("lambda")
    lam.create_function(FunctionName="kept", Runtime="python3.12", Role=role_arn, Handler="app.handler",
                        Code={"ZipFile": make_zip({"app.py": ECHO_PY})})
    url = lam.create_function_url_config(FunctionName="kept", AuthType="AWS_IAM")["FunctionUrl"]
    first.close()
    again = Cloud(data_dir=tmp_path, clock=VirtualClock(start=1_700_000_100), seed=8)
    try:
        got = again.client("lambda").get_function_url_config(FunctionName="kept")
        assert got["FunctionUrl"] == url and got["AuthType"] == "AWS_IAM"
    finally:
        again.close()


def test_url_config_over_http(http_client, lam, deploy):
    deploy("web", {"app.py": ECHO_PY})
    remote = http_client("lambda")
    created = remote.create_function_url_config(FunctionName="web", AuthType="NONE",
                                                Cors={"AllowOrigins": ["*"], "AllowCredentials": True})
    assert URL.match(created["FunctionUrl"]) and created["Cors"] == {"AllowOrigins": ["*"], "AllowCredentials": True}
    assert remote.get_function_url_config(FunctionName="web")["FunctionUrl"] == created["FunctionUrl"]
    gone = error_of(remote.get_function_url_config, FunctionName="other")
    assert gone["Error"]["Code"] == "ResourceNotFoundException"


def test_cli_creates_a_function_url(aws_cli, lam, deploy):
    deploy("cli-web", {"app.py": ECHO_PY})
    out = json.loads(aws_cli("lambda", "create-function-url-config", "--function-name", "cli-web",
                             "--auth-type", "NONE").stdout)
    assert URL.match(out["FunctionUrl"]) and out["AuthType"] == "NONE" and out["InvokeMode"] == "BUFFERED"
    assert lam.get_function_url_config(FunctionName="cli-web")["FunctionUrl"] == out["FunctionUrl"]


# --- serving requests ---------------------------------------------------------------------------------
def test_python_function_url_sees_the_v2_event(gateway, lam, deploy):
    deploy("echo", {"app.py": ECHO_PY})
    config = lam.create_function_url_config(FunctionName="echo", AuthType="NONE")
    address, headers = host_url(gateway, config, "/items/7?color=red&color=blue&empty=")
    resp = requests.post(address, headers={**headers, "Cookie": "a=1; b=2", "X-Custom": "Mixed"},
                         json={"hello": "world"}, timeout=30)
    assert resp.status_code == 207 and resp.headers["X-Echo"] == "yes"
    assert resp.raw.headers.getlist("Set-Cookie") == ["first=1; Path=/", "second=2"]
    assert "access-control-allow-origin" not in resp.headers
    event = resp.json()
    assert event["version"] == "2.0" and event["routeKey"] == "$default"
    assert event["rawPath"] == "/items/7" and event["rawQueryString"] == "color=red&color=blue&empty="
    assert event["queryStringParameters"] == {"color": "red,blue", "empty": ""}
    assert event["cookies"] == ["a=1", "b=2"] and "cookie" not in event["headers"]
    assert event["headers"]["x-custom"] == "Mixed" and event["headers"]["content-type"] == "application/json"
    assert re.match(r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$", event["headers"]["x-amzn-trace-id"])
    assert event["headers"]["x-forwarded-port"] == str(gateway.port)
    assert event["headers"]["x-forwarded-for"] == "127.0.0.1"
    assert json.loads(event["body"]) == {"hello": "world"} and event["isBase64Encoded"] is False
    ctx = event["requestContext"]
    uid = url_id(config)
    assert ctx["apiId"] == uid and ctx["domainPrefix"] == uid and ctx["domainName"].startswith(f"{uid}.lambda-url.")
    assert ctx["accountId"] == "anonymous" and ctx["stage"] == "$default" and ctx["routeKey"] == "$default"
    assert ctx["http"] == {"method": "POST", "path": "/items/7", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                           "userAgent": resp.request.headers["User-Agent"]}
    assert ctx["requestId"] == resp.headers["x-amzn-RequestId"]
    assert re.match(r"^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$", ctx["time"]) and isinstance(ctx["timeEpoch"], int)


def test_node_function_url_plain_result_is_json(gateway, lam, deploy):
    deploy("plain", {"index.js": PLAIN_NODE}, handler="index.handler", runtime="nodejs20.x")
    config = lam.create_function_url_config(FunctionName="plain", AuthType="NONE")
    address, headers = host_url(gateway, config, "/a/b?x=1")
    resp = requests.get(address, headers=headers, timeout=30)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/json"
    assert resp.json() == {"method": "GET", "path": "/a/b", "query": {"x": "1"}}
    bare = requests.get(f"{gateway.url}/_lowcloud/lambda-url/{url_id(config)}/via/path", timeout=30)
    assert bare.status_code == 200 and bare.json() == {"method": "GET", "path": "/via/path", "query": None}


def test_binary_bodies_travel_base64(gateway, lam, deploy):
    deploy("bin", {"app.py": BINARY_PY})
    config = lam.create_function_url_config(FunctionName="bin", AuthType="NONE")
    address, headers = host_url(gateway, config, "/upload")
    resp = requests.put(address, data=b"\x00\xffdata", headers={**headers, "Content-Type": "application/octet-stream"},
                        timeout=30)
    assert resp.status_code == 200 and resp.headers["content-type"] == "image/png"
    assert resp.content == b"\x89PNG\x00\xffdata"


def test_large_put_to_a_url_is_refused_like_lambda(gateway, lam, deploy):
    deploy("big", {"app.py": BINARY_PY})
    config = lam.create_function_url_config(FunctionName="big", AuthType="NONE")
    address, headers = host_url(gateway, config, "/upload")
    resp = requests.put(address, data=b"x" * (9 << 20), headers=headers, timeout=30)
    assert resp.status_code == 413 and "smaller than 6291456 bytes" in resp.text


def test_function_error_is_a_502(gateway, lam, deploy):
    deploy("boom", {"app.py": FAILING_PY})
    config = lam.create_function_url_config(FunctionName="boom", AuthType="NONE")
    address, headers = host_url(gateway, config)
    resp = requests.get(address, headers=headers, timeout=30)
    assert resp.status_code == 502 and resp.json() == {"Message": "Internal Server Error"}


def test_iam_url_wants_a_signed_request(gateway, lam, deploy):
    deploy("private", {"app.py": ECHO_PY})
    config = lam.create_function_url_config(FunctionName="private", AuthType="AWS_IAM")
    address, headers = host_url(gateway, config, "/secret")
    assert requests.get(address, headers=headers, timeout=30).status_code == 403
    signed = AWSRequest(method="GET", url=address, headers=dict(headers))
    SigV4Auth(Credentials("AKIDEXAMPLE", "secret"), "lambda", "us-east-1").add_auth(signed)
    resp = requests.get(address, headers=dict(signed.headers), timeout=30)
    assert resp.status_code == 207
    ctx = resp.json()["requestContext"]
    assert ctx["accountId"] == "000000000000" and ctx["authorizer"]["iam"]["accessKey"] == "AKIDEXAMPLE"


def test_cors_preflight_and_origin_headers(gateway, lam, deploy):
    deploy("cors", {"app.py": ECHO_PY})
    cors = {"AllowOrigins": ["https://app.example"], "AllowMethods": ["GET", "POST"], "AllowHeaders": ["x-token"],
            "ExposeHeaders": ["x-echo"], "MaxAge": 300}
    config = lam.create_function_url_config(FunctionName="cors", AuthType="NONE", Cors=cors)
    address, headers = host_url(gateway, config)
    preflight = requests.options(address, headers={**headers, "Origin": "https://app.example",
                                                   "Access-Control-Request-Method": "POST"}, timeout=30)
    assert preflight.status_code == 200 and preflight.content == b""
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET,POST"
    assert preflight.headers["Access-Control-Max-Age"] == "300"
    plain = requests.get(address, headers={**headers, "Origin": "https://app.example"}, timeout=30)
    assert plain.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert plain.headers["Access-Control-Expose-Headers"] == "x-echo"
    stranger = requests.get(address, headers={**headers, "Origin": "https://evil.example"}, timeout=30)
    assert "Access-Control-Allow-Origin" not in stranger.headers


def test_unknown_url_id_is_not_found(gateway):
    resp = requests.get(f"{gateway.url}/_lowcloud/lambda-url/{'z' * 32}/", timeout=30)
    assert resp.status_code == 404


def test_event_body_base64_for_form_posts(gateway, lam, deploy):
    deploy("form", {"app.py": ECHO_PY})
    config = lam.create_function_url_config(FunctionName="form", AuthType="NONE")
    address, headers = host_url(gateway, config)
    event = requests.post(address, headers=headers, data={"a": "b"}, timeout=30).json()
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"a=b"
