"""One HTTP request -> one service operation -> one HTTP response.

Reading top to bottom: find the service (SigV4 credential scope, X-Amz-Target,
RPC v2 path, S3 virtual-host names), find the operation (target, path, Action,
or URI template), parse the wire into boto3-shaped params, validate them against
the model, call the service, and write its answer or its AwsError in the
request's protocol: a service listing several (CloudWatch: CBOR, json, query)
answers each request in the one it came in.  The gateway and the in-process
binding both end here.

Every step counts against in-process callers (DynamoDB's PutItem costs little
more than this module), so a json-protocol X-Amz-Target request, the bulk of the
traffic, takes ``_handle_json``: its target resolves once to a ``JsonRoute``, its
credential scope is remembered per Authorization header and service instances
per region; anything unusual falls back to the general path and its errors.
"""
from __future__ import annotations

import json
import logging
import re

from botocore import xform_name

from lowcloud import services as registry
from lowcloud.errors import AwsError
from lowcloud.protocol import cbor_, json_, jsonbody, query, rest_json, rest_xml
from lowcloud.protocol.http import HttpRequest, HttpResponse
from lowcloud.protocol.model import match_rest, operation, protocol_of, protocols_of, service_model, signing_name
from lowcloud.protocol.validate import checker, validate, validation_error
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
# The UUID variant digit (10xx) for each random hex digit, as uuid.UUID(version=4) sets it.
_VARIANT = {f"{n:x}": "89ab"[n & 3] for n in range(16)}


class Dispatcher:
    def __init__(self, cloud):
        self.cloud = cloud
        self._signers, self._targets = _service_indexes()
        self._json_routes: dict[str, JsonRoute] = {}
        self._scopes: dict[str, tuple[str, str]] = {}
        self._instances: dict[tuple[str, str], object] = {}

    def handle(self, req: HttpRequest) -> HttpResponse:
        route = self._json_route(req)
        if route is not None:
            return self._handle_json(req, route)
        request_id = self._request_id()
        service, op_model = None, None
        protocol = cbor_.PROTOCOL if cbor_.is_request(req) else "json"
        try:
            access_key, region, signer = credential_scope(req, self.cloud.region)
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
            return self._internal(req, service, op_model, protocol, request_id)

    def _handle_json(self, req: HttpRequest, route: "JsonRoute") -> HttpResponse:
        """``handle`` for a json-protocol X-Amz-Target request whose route is already compiled."""
        request_id = self._request_id()
        try:
            scope = self._scopes.get(req.headers.get("authorization", ""))
            access_key, region = scope if scope is not None else self._scope(req)
            if req.stream is not None and route.drain:
                req.drain()
            params = json_.parse_with(req.body, route.decode)
            ctx = Request(route.service, route.op_name, region, self.cloud.account, request_id, access_key,
                          req.headers, req.headers.get("host", ""), {"source_ip": req.client_ip})
            if route.check is not None:  # validate(), with the route's compiled checker
                problems: list[str] = []
                route.check(params, "", problems)
                if problems:
                    raise validation_error(problems, route.service, "json")
            target = self._instances.get((route.service, region)) or self._instance(route.service, region)
            method = getattr(target, route.method, None)
            if method is None:
                return self._call(route.service, route.op_model, "json", params, ctx)  # its NotImplemented
            return json_.serialize(method(params, ctx) or {}, route.op_model, route.service, request_id)
        except AwsError as err:
            return self._error(err, route.service, route.op_model, "json", request_id, req)
        except Exception:  # as in ``handle``
            return self._internal(req, route.service, route.op_model, "json", request_id)

    def _internal(self, req, service, op_model, protocol, request_id) -> HttpResponse:
        log.exception("internal error handling %s %s", req.method, req.path)
        err = AwsError(INTERNAL_CODES.get(protocol, "InternalFailure"), "We encountered an internal error. Please try again.",
                       status=500, sender=False)
        return self._error(err, service, op_model, protocol, request_id, req)

    def _request_id(self) -> str:
        """A version-4 UUID from the Cloud's ids (the same one ``ids.uuid()`` would give), formatted directly."""
        bits = self.cloud.ids.bytes(16).hex()  # the same 128 random bits ids.uuid() would draw
        return f"{bits[:8]}-{bits[8:12]}-4{bits[13:16]}-{_VARIANT[bits[16]]}{bits[17:20]}-{bits[20:]}"

    def _scope(self, req: HttpRequest) -> tuple[str, str]:
        """(access key, region) of a request, remembered per Authorization header (fixed in-process)."""
        auth = req.headers.get("authorization", "")
        found = self._scopes.get(auth)
        if found is None:
            access_key, region, _ = credential_scope(req, self.cloud.region)
            found = (access_key, region)
            if _CREDENTIAL.search(auth):
                if len(self._scopes) >= 256:
                    self._scopes.clear()
                self._scopes[auth] = found
        return found

    def _json_route(self, req: HttpRequest) -> "JsonRoute | None":
        """The compiled route of a json-protocol X-Amz-Target request; None for every other request."""
        target = req.headers.get("x-amz-target")
        if target is None or "smithy-protocol" in req.headers:
            return None
        found = self._json_routes.get(target)
        if found is None:
            found = _compile_json_route(target, self._targets)
            if found is not None:
                self._json_routes[target] = found
        return found

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
        path = s3_path(req) if name == "s3" else req.path
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
        target = self._instance(service, ctx.region)
        method = getattr(target, _method_name(op_model.name), None)
        if method is None:
            raise AwsError("NotImplemented", f"lowcloud does not implement {op_model.service_model.service_id}."
                           f"{op_model.name} yet", status=501, sender=False)
        output = method(params, ctx) or {}
        return _writer(protocol)(output, op_model, service, ctx.request_id)

    def _instance(self, service: str, region: str):
        """``cloud.service`` remembered per (service, region): services are never replaced."""
        found = self._instances.get((service, region))
        if found is None:
            found = self._instances[(service, region)] = self.cloud.service(service, region)
        return found

    def _error(self, err, service, op_model, protocol, request_id, req) -> HttpResponse:
        model = op_model.service_model if op_model is not None else (service_model(service) if service else None)
        if protocol == "rest-xml":
            return rest_xml.serialize_error(err, model, service or "s3", request_id, head=req.method == "HEAD")
        if model is None and protocol != cbor_.PROTOCOL:
            return _plain_error(err, request_id)
        return ERROR_WRITERS[protocol](err, model, service, request_id)


class JsonRoute:
    """What a json-protocol X-Amz-Target names, looked up once: service, operation, its model."""

    __slots__ = ("service", "op_name", "op_model", "drain", "method", "decode", "check")

    def __init__(self, service: str, op_name: str):
        self.service, self.op_name, self.method = service, op_name, _method_name(op_name)
        self.op_model = operation(service, op_name)
        self.drain = not self.op_model.has_streaming_input
        shape = self.op_model.input_shape
        self.decode = jsonbody.decoder(shape) if shape is not None else None
        self.check = checker(shape)



def _compile_json_route(target: str, targets: dict[str, str]) -> JsonRoute | None:
    """The route for ``target`` when it names an operation of a json-protocol service, else None
    (the general path then answers, errors included)."""
    prefix, _, op_name = target.rpartition(".")
    name = targets.get(prefix)
    if name is None or op_name not in service_model(name).operation_names:
        return None
    if protocol_of(service_model(name)) != "json":
        return None
    return JsonRoute(name, op_name)


_METHOD_NAMES: dict[str, str] = {}


def _method_name(op_name: str) -> str:
    found = _METHOD_NAMES.get(op_name)
    if found is None:
        found = _METHOD_NAMES[op_name] = xform_name(op_name)
    return found


def _unsigned_candidates() -> list[str]:
    """Services an unsigned request may be for: REST and query ones by path or Action, S3 last."""
    names = [n for n in registry.REGISTRY if protocol_of(service_model(n)) in ("rest-json", "query")]
    return names + ["s3"]


_WRITERS = {"json": json_.serialize, "rest-json": rest_json.serialize, "query": query.serialize,
            "rest-xml": rest_xml.serialize, cbor_.PROTOCOL: cbor_.serialize}


def _writer(protocol: str):
    return _WRITERS[protocol]


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


def credential_scope(req: HttpRequest, default_region: str) -> tuple[str, str, str | None]:
    """(access key, region, signing name) from SigV4 auth (header or presigned query)."""
    auth = req.headers.get("authorization", "")
    m = _CREDENTIAL.search(auth) or _CREDENTIAL.search("Credential=" + req.query.get("X-Amz-Credential", ""))
    if m:
        return m.group(1), m.group(2), m.group(3)
    if auth.startswith("AWS ") or "AWSAccessKeyId" in req.query:
        return auth[4:].split(":", 1)[0] or req.query.get("AWSAccessKeyId", "test"), default_region, "s3"
    return "test", default_region, None


def s3_path(req: HttpRequest) -> str:
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
