"""One HTTP request -> one service operation -> one HTTP response.

Reading top to bottom: find the service (SigV4 credential scope, X-Amz-Target,
RPC v2 path, S3 virtual-host names), find the operation (target, path, Action,
or URI template), parse the wire into boto3-shaped params, validate them against
the model, call the service, and write its answer or its AwsError in the
request's protocol: a service listing several (CloudWatch: CBOR, json, query)
answers each request in the one it came in.  The gateway and the in-process
binding both end here.
"""
from __future__ import annotations

import json
import logging
import re

from botocore import xform_name

from lowcloud import services as registry
from lowcloud.errors import AwsError
from lowcloud.protocol import cbor_, json_, query, rest_json, rest_xml
from lowcloud.protocol.http import HttpRequest, HttpResponse
from lowcloud.protocol.model import match_rest, operation, protocol_of, protocols_of, service_model, signing_name
from lowcloud.protocol.validate import validate
from lowcloud.services.base import Request

log = logging.getLogger("lowcloud.dispatch")
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
# bucket.s3.amazonaws.com, bucket.s3.us-east-1.amazonaws.com, bucket.s3-eu-west-1.amazonaws.com,
# bucket.s3.localhost.localstack.cloud, bucket.localhost
_IP_HOST = re.compile(r"[\d.]+|\[[0-9a-fA-F:.]*\]")
_S3_VHOST = re.compile(r"^(?P<bucket>.+?)\.s3[.-]|^(?P<local>.+)\.localhost$")
ERROR_WRITERS = {"json": json_.serialize_error, "rest-json": rest_json.serialize_error,
                 "query": query.serialize_error, "rest-xml": rest_xml.serialize_error,
                 cbor_.PROTOCOL: cbor_.serialize_error}
INTERNAL_CODES = {"rest-xml": "InternalError"}


class Dispatcher:
    def __init__(self, cloud):
        self.cloud = cloud
        self._signers, self._targets = _service_indexes()

    def handle(self, req: HttpRequest) -> HttpResponse:
        request_id = self.cloud.ids.uuid()
        service, op_model = None, None
        protocol = cbor_.PROTOCOL if cbor_.is_request(req) else "json"
        try:
            access_key, region, signer = _credential_scope(req, self.cloud.region)
            service, op_name, path_params, form = self._route(req, signer)
            protocol = _protocol(req, service)
            op_model = operation(service, op_name)
            if not op_model.has_streaming_input:
                req.drain()
            params = self._parse(req, op_model, protocol, path_params, form)
            ctx = Request(service, op_name, region, self.cloud.account, request_id, access_key,
                          req.headers, req.host, {"source_ip": req.client_ip})
            return self._call(service, op_model, protocol, params, ctx)
        except AwsError as err:
            service = service or err.fields.pop("_service", None)
            protocol = _protocol(req, service) if service else protocol
            return self._error(err, service, op_model, protocol, request_id, req)
        except Exception:  # a bug must still answer like AWS: 500 InternalFailure, never a traceback
            log.exception("internal error handling %s %s", req.method, req.path)
            err = AwsError(INTERNAL_CODES.get(protocol, "InternalFailure"), "We encountered an internal error. Please try again.",
                           status=500, sender=False)
            return self._error(err, service, op_model, protocol, request_id, req)

    # --- routing -------------------------------------------------------------
    def _route(self, req: HttpRequest, signer: str | None):
        if cbor_.is_request(req):
            return self._route_cbor(req)
        target = req.headers.get("x-amz-target")
        if target:
            return self._route_target(target)
        if signer and signer not in self._signers:
            raise AwsError("UnrecognizedClientException", f"lowcloud does not serve the '{signer}' service yet", status=400)
        for name in self._signers[signer] if signer else _unsigned_candidates():
            found = self._route_service(req, name)
            if found:
                return found
        raise AwsError("UnknownOperationException", f"lowcloud cannot route {req.method} {req.path}", status=404)

    def _route_target(self, target: str):
        prefix, _, op_name = target.rpartition(".")
        name = self._targets.get(prefix)
        if name is None:
            raise AwsError("UnrecognizedClientException", f"lowcloud does not serve the '{prefix}' target yet", status=400)
        if op_name not in service_model(name).operation_names:
            raise AwsError("UnknownOperationException", "", status=400, _service=name)
        return name, op_name, {}, None

    def _route_cbor(self, req: HttpRequest):
        """``/service/<targetPrefix>/operation/<Op>`` (botocore's BaseRpcV2Serializer path)."""
        found = cbor_.route(req.path)
        if found is None:
            raise AwsError("UnknownOperationException", f"lowcloud cannot route {req.method} {req.path}", status=404)
        prefix, op_name = found
        name = self._targets.get(prefix)
        if name is None or cbor_.PROTOCOL not in protocols_of(service_model(name)):
            raise AwsError("UnrecognizedClientException", f"lowcloud does not serve the '{prefix}' service over "
                           "RPC v2 CBOR", status=400)
        if op_name not in service_model(name).operation_names:
            raise AwsError("UnknownOperationException", "", status=404, _service=name)
        return name, op_name, {}, None

    def _route_service(self, req: HttpRequest, name: str):
        protocol = protocol_of(service_model(name))
        if protocol == "query":
            form = query.form_of(req)
            action = form.get("Action")
            if action is None:
                return None
            if action not in service_model(name).operation_names:
                raise AwsError("InvalidAction", f"Could not find operation {action} for version "
                               f"{service_model(name).api_version}", status=400, _service=name)
            return name, action, {}, form
        if protocol == "json":
            return None
        path = _s3_path(req) if name == "s3" else req.path
        found = match_rest(name, req.method, path, req.query, req.headers)
        return (name, found[0], found[1], None) if found else None

    # --- calling -------------------------------------------------------------
    def _parse(self, req, op_model, protocol, path_params, form) -> dict:
        if protocol == "json":
            return json_.parse(req, op_model)
        if protocol == cbor_.PROTOCOL:
            return cbor_.parse(req, op_model)
        if protocol == "query":
            return query.parse(req, op_model, form)
        if protocol == "rest-json":
            return rest_json.parse(req, op_model, path_params)
        rest_xml.dechunk(req)
        return rest_xml.parse(req, op_model, path_params)

    def _call(self, service: str, op_model, protocol: str, params: dict, ctx: Request) -> HttpResponse:
        if protocol != "rest-xml":
            validate(op_model.input_shape, params, service, protocol)
        target = self.cloud.service(service, ctx.region)
        method = getattr(target, xform_name(op_model.name), None)
        if method is None:
            raise AwsError("NotImplemented", f"lowcloud does not implement {op_model.service_model.service_id}."
                           f"{op_model.name} yet", status=501, sender=False)
        output = method(params, ctx) or {}
        return _writer(protocol)(output, op_model, service, ctx.request_id)

    def _error(self, err, service, op_model, protocol, request_id, req) -> HttpResponse:
        model = op_model.service_model if op_model is not None else (service_model(service) if service else None)
        if protocol == "rest-xml":
            return rest_xml.serialize_error(err, model, service or "s3", request_id, head=req.method == "HEAD")
        if model is None and protocol != cbor_.PROTOCOL:
            return _plain_error(err, request_id)
        return ERROR_WRITERS[protocol](err, model, service, request_id)


def _unsigned_candidates() -> list[str]:
    """Services an unsigned request may be for: REST and query ones by path or Action, S3 last."""
    names = [n for n in registry.REGISTRY if protocol_of(service_model(n)) in ("rest-json", "query")]
    return names + ["s3"]


def _writer(protocol: str):
    return {"json": json_.serialize, "rest-json": rest_json.serialize, "query": query.serialize,
            "rest-xml": rest_xml.serialize, cbor_.PROTOCOL: cbor_.serialize}[protocol]


def _protocol(req: HttpRequest, service: str) -> str:
    """The protocol to answer in: the request's when the service lists it, else the service's default."""
    model = service_model(service)
    if cbor_.is_request(req) and cbor_.PROTOCOL in protocols_of(model):
        return cbor_.PROTOCOL
    return protocol_of(model)


def _plain_error(err: AwsError, request_id: str) -> HttpResponse:
    body = json.dumps({"__type": err.code, "message": err.message}).encode()
    return HttpResponse(err.status or 400, {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": request_id,
                                           "x-amzn-ErrorType": err.code}, body)


def _service_indexes() -> tuple[dict[str, list[str]], dict[str, str]]:
    """signing name -> services, target prefix -> service, over lowcloud's registry."""
    signers: dict[str, list[str]] = {}
    targets: dict[str, str] = {}
    for name in registry.REGISTRY:
        model = service_model(name)
        signers.setdefault(signing_name(model), []).append(name)
        prefix = model.metadata.get("targetPrefix")
        if prefix:
            targets[prefix] = name
    return signers, targets


def _credential_scope(req: HttpRequest, default_region: str) -> tuple[str, str, str | None]:
    """(access key, region, signing name) from SigV4 auth (header or presigned query)."""
    auth = req.headers.get("authorization", "")
    m = _CREDENTIAL.search(auth) or _CREDENTIAL.search("Credential=" + req.query.get("X-Amz-Credential", ""))
    if m:
        return m.group(1), m.group(2), m.group(3)
    if auth.startswith("AWS ") or "AWSAccessKeyId" in req.query:
        return auth[4:].split(":", 1)[0] or req.query.get("AWSAccessKeyId", "test"), default_region, "s3"
    return "test", default_region, None


def _s3_path(req: HttpRequest) -> str:
    """The path-style path of an S3 request, moving a virtual-host bucket into it."""
    host = req.host.rsplit(":", 1)[0] if not req.host.startswith("[") else req.host
    if _IP_HOST.fullmatch(host):
        return req.path
    m = _S3_VHOST.match(host)
    if not m:
        return req.path
    bucket = m.group("bucket") or m.group("local")
    if bucket in ("s3", "") or bucket.startswith("s3."):
        return req.path
    return "/" + bucket + (req.path if req.path.startswith("/") else "/" + req.path)
