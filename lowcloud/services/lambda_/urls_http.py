"""Serving function URLs: one HTTP request -> one invocation -> one HTTP response.

The gateway hands over requests whose Host is ``<url-id>.lambda-url.<region>.localhost``
(or ``...on.aws``, for clients that resolve the real name to lowcloud), and requests
to ``/_lowcloud/lambda-url/<url-id>/<path>`` for clients that cannot set Host.  The
function sees AWS's function-URL event (payload format 2.0) and its answer is mapped
as AWS maps it: a dict with ``statusCode`` is a full response (headers, body,
``isBase64Encoded``, ``cookies``); any other JSON value is a 200 ``application/json``
body; a function error is a 502.  ``RESPONSE_STREAM`` URLs are answered buffered.
``AWS_IAM`` URLs require a SigV4-signed request but do not evaluate IAM policies yet.
"""
from __future__ import annotations

import base64
import json
import logging
import re
from datetime import datetime, timezone
from urllib.parse import parse_qsl

from lowcloud.errors import AwsError
from lowcloud.protocol.http import HttpRequest, HttpResponse
from lowcloud.services.lambda_.names import LATEST

log = logging.getLogger("lowcloud.lambda.urls")
PATH_PREFIX = "/_lowcloud/lambda-url/"
URL_HOST = re.compile(r"^(?P<id>[a-z0-9]{32})\.lambda-url\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d)\."
                      r"(?:localhost|on\.aws)(?::\d+)?$")
PAYLOAD_LIMIT = 6 * 1024 * 1024
TEXT_TYPES = re.compile(r"^(text/|application/(?:[\w.+-]+\+)?(?:json|xml)\b|application/(?:x-)?javascript\b)")
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")


def addressed(req: HttpRequest) -> bool:
    """Whether the gateway should hand this request to the function URL server."""
    return bool(URL_HOST.match(req.host.lower())) or req.path.startswith(PATH_PREFIX)


def serve(cloud, req: HttpRequest) -> HttpResponse:
    """Answer one request to a function URL, as Lambda's URL front end does."""
    found = _locate(cloud, req)
    if found is None:
        return _message(404, "Not Found")
    service, config, raw_path, domain = found
    if _is_preflight(req, config):  # browsers never sign preflights, so CORS answers before auth
        return HttpResponse(200, _preflight_headers(req, config), b"")
    if config["AuthType"] == "AWS_IAM" and not _signed(req):
        return _message(403, "Forbidden")
    request_id = cloud.ids.uuid()
    event = function_url_event(req, config, raw_path, domain, request_id, service)
    payload = json.dumps(event).encode()
    if len(payload) > PAYLOAD_LIMIT:
        return _message(413, f"Request must be smaller than {PAYLOAD_LIMIT} bytes for the InvokeFunction operation")
    resp = _invoke(service, config, payload, request_id)
    resp.headers.update(_cors_headers(req, config))
    resp.headers["x-amzn-RequestId"] = request_id
    return resp


# --- finding the URL ------------------------------------------------------------------------------
def _locate(cloud, req: HttpRequest):
    """(lambda service, URL config, raw path, domain name) for the request, or None."""
    match = URL_HOST.match(req.host.lower())
    if match:
        service = cloud.service("lambda", match.group("region"))
        config = service.url_config_by_id(match.group("id"))
        return (service, config, req.path, req.host.split(":")[0].lower()) if config else None
    url_id, _, rest = req.path[len(PATH_PREFIX):].partition("/")
    for service in _lambda_services(cloud):
        config = service.url_config_by_id(url_id)
        if config:
            return service, config, "/" + rest, f"{url_id}.lambda-url.{service.region}.on.aws"
    return None


def _lambda_services(cloud) -> list:
    started = [s for s in cloud.started_services() if getattr(s, "name", "") == "lambda"]
    return started or [cloud.service("lambda")]


def _signed(req: HttpRequest) -> bool:
    return req.headers.get("authorization", "").startswith("AWS4-HMAC-SHA256") or "X-Amz-Signature" in req.query


# --- the event ----------------------------------------------------------------------------------------
def function_url_event(req: HttpRequest, config: dict, raw_path: str, domain: str, request_id: str,
                       service) -> dict:
    """AWS's function-URL request event (payload format version 2.0)."""
    headers = _event_headers(req, service)
    cookies = [c.strip() for c in headers.pop("cookie", "").split(";") if c.strip()]
    event = {"version": "2.0", "routeKey": "$default", "rawPath": raw_path, "rawQueryString": req.query_string}
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if req.query_string:
        event["queryStringParameters"] = _query_parameters(req.query_string)
    event["requestContext"] = _request_context(req, config, raw_path, domain, request_id, service)
    event.update(_event_body(req))
    return event


def _event_headers(req: HttpRequest, service) -> dict:
    """The request's headers, lower-cased, plus those Lambda's front end adds (forwarding, trace id)."""
    headers = {k.lower(): v for k, v in req.headers.items()}
    port = req.host.rpartition(":")[2] if ":" in req.host else "80"
    trace = f"Root=1-{int(service.clock.now()):08x}-{service.cloud.ids.hex(24)}"
    for name, value in (("x-amzn-trace-id", trace), ("x-forwarded-for", req.client_ip),
                        ("x-forwarded-port", port), ("x-forwarded-proto", "http")):
        headers.setdefault(name, value)
    return headers


def _query_parameters(query: str) -> dict:
    """Query parameters with repeated keys joined by commas, as payload format 2.0 does."""
    out: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        out[key] = f"{out[key]},{value}" if key in out else value
    return out


def _request_context(req: HttpRequest, config: dict, raw_path: str, domain: str, request_id: str, service) -> dict:
    now = service.clock.now()
    url_id = config["_url_id"]
    context = {"accountId": "anonymous", "apiId": url_id, "domainName": domain, "domainPrefix": url_id,
               "http": {"method": req.method, "path": raw_path, "protocol": "HTTP/1.1", "sourceIp": req.client_ip,
                        "userAgent": req.headers.get("user-agent", "")},
               "requestId": request_id, "routeKey": "$default", "stage": "$default",
               "time": datetime.fromtimestamp(now, timezone.utc).strftime("%d/%b/%Y:%H:%M:%S +0000"),
               "timeEpoch": int(now * 1000)}
    if config["AuthType"] == "AWS_IAM":
        context["accountId"] = service.account
        context["authorizer"] = {"iam": _iam_caller(req, service.account)}
    return context


def _iam_caller(req: HttpRequest, account: str) -> dict:
    match = _CREDENTIAL.search(req.headers.get("authorization", ""))
    access_key = match.group(1) if match else req.query.get("X-Amz-Credential", "").split("/")[0]
    return {"accessKey": access_key, "accountId": account, "callerId": account, "cognitoIdentity": None,
            "principalOrgId": None, "userArn": f"arn:aws:iam::{account}:root", "userId": account}


def _event_body(req: HttpRequest) -> dict:
    """``body`` (absent when empty) and ``isBase64Encoded``: text types as text, anything else base64."""
    if not req.body:
        return {"isBase64Encoded": False}
    if TEXT_TYPES.match(req.headers.get("content-type", "").lower()):
        try:
            return {"body": req.body.decode("utf-8"), "isBase64Encoded": False}
        except UnicodeDecodeError:
            pass
    return {"body": base64.b64encode(req.body).decode(), "isBase64Encoded": True}


# --- invoking and answering ---------------------------------------------------------------------------
def _invoke(service, config: dict, payload: bytes, request_id: str) -> HttpResponse:
    try:
        qualifier = None if config["_qualifier"] == LATEST else config["_qualifier"]
        result, _ = service.run_invocation(config["_name"], qualifier, payload, request_id=request_id)
    except AwsError as exc:
        if exc.code == "TooManyRequestsException":
            return _message(429, "Rate Exceeded.")
        return _message(502, "Internal Server Error")
    except Exception:  # a lowcloud fault still answers as the URL front end would, never a traceback
        log.exception("function URL invocation of %s failed", config["FunctionArn"])
        return _message(502, "Internal Server Error")
    if result.function_error:
        return _message(502, "Internal Server Error")
    return function_response(result.payload)


def function_response(payload: bytes) -> HttpResponse:
    """The HTTP response for a function's result, inferred as function URLs infer it."""
    try:
        value = json.loads(payload)
    except ValueError:
        return _message(502, "Internal Server Error")
    if isinstance(value, dict) and "statusCode" in value:
        return _structured_response(value)
    return HttpResponse(200, {"Content-Type": "application/json"}, bytes(payload))


def _structured_response(value: dict) -> HttpResponse:
    status = value["statusCode"]
    headers = value.get("headers") or {}
    if not isinstance(status, int) or isinstance(status, bool) or not isinstance(headers, dict):
        return _message(502, "Internal Server Error")
    out = {str(k): _header_text(v) for k, v in headers.items()}
    if not any(k.lower() == "content-type" for k in out):
        out["Content-Type"] = "application/json"
    if value.get("cookies"):
        out["Set-Cookie"] = [str(c) for c in value["cookies"]]
    return HttpResponse(status, out, _response_body(value))


def _header_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _response_body(value: dict) -> bytes:
    body = value.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        return json.dumps(body).encode()
    if value.get("isBase64Encoded"):
        try:
            return base64.b64decode(body)
        except ValueError:
            return body.encode()
    return body.encode()


def _message(status: int, message: str) -> HttpResponse:
    return HttpResponse(status, {"Content-Type": "application/json"}, json.dumps({"Message": message}).encode())


# --- CORS, when the URL config has it -------------------------------------------------------------------
def _is_preflight(req: HttpRequest, config: dict) -> bool:
    return bool(config.get("Cors")) and req.method == "OPTIONS" and "access-control-request-method" in req.headers


def _allowed_origin(req: HttpRequest, cors: dict) -> str | None:
    origin = req.headers.get("origin")
    allowed = cors.get("AllowOrigins") or []
    if origin and "*" in allowed:
        return "*"
    return origin if origin and origin in allowed else None


def _cors_headers(req: HttpRequest, config: dict) -> dict:
    cors = config.get("Cors") or {}
    origin = _allowed_origin(req, cors) if cors else None
    if origin is None:
        return {}
    out = {"Access-Control-Allow-Origin": origin}
    if cors.get("ExposeHeaders"):
        out["Access-Control-Expose-Headers"] = ",".join(cors["ExposeHeaders"])
    if cors.get("AllowCredentials"):
        out["Access-Control-Allow-Credentials"] = "true"
    return out


def _preflight_headers(req: HttpRequest, config: dict) -> dict:
    cors = config["Cors"]
    out = _cors_headers(req, config)
    if not out:
        return out
    if cors.get("AllowMethods"):
        out["Access-Control-Allow-Methods"] = ",".join(cors["AllowMethods"])
    if cors.get("AllowHeaders"):
        out["Access-Control-Allow-Headers"] = ",".join(cors["AllowHeaders"])
    if cors.get("MaxAge") is not None:
        out["Access-Control-Max-Age"] = str(cors["MaxAge"])
    return out
