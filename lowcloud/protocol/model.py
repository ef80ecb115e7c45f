"""botocore's service models, indexed for serving rather than calling.

Everything the wire layer knows about an operation (its URI, its input and
output shapes, its errors' HTTP statuses) comes from these models; the index
adds only lookups: which service signs as ``dynamodb``, which owns the
``X-Amz-Target`` prefix ``AWSStepFunctions``, which REST operation a method and
path select.  Models are immutable, so one index serves every Cloud.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.utils import PRIORITY_ORDERED_SUPPORTED_PROTOCOLS


@functools.lru_cache(maxsize=None)
def botocore_session() -> botocore.session.Session:
    return botocore.session.get_session()


@functools.lru_cache(maxsize=None)
def service_model(name: str) -> ServiceModel:
    return botocore_session().get_service_model(name)


SPOKEN = ("json", "rest-json", "rest-xml", "smithy-rpc-v2-cbor", "query")


def protocols_of(model: ServiceModel) -> list[str]:
    return list(model.metadata.get("protocols") or [model.protocol])


def protocol_of(model: ServiceModel) -> str:
    """The service's default wire protocol: the one botocore's clients pick.

    botocore takes the first of its own priority list (json, rest-json, rest-xml,
    smithy-rpc-v2-cbor, query, ec2) that the model lists, not the model's first
    (botocore/model.py ``resolved_protocol``), so CloudWatch's clients speak json.
    Requests in another listed protocol are answered in theirs (dispatch).
    """
    listed = protocols_of(model)
    for proto in PRIORITY_ORDERED_SUPPORTED_PROTOCOLS:
        if proto in listed and proto in SPOKEN:
            return proto
    return model.protocol


def signing_name(model: ServiceModel) -> str:
    return model.metadata.get("signingName") or model.metadata.get("endpointPrefix") or model.service_name


@dataclass
class RestRoute:
    method: str
    pattern: re.Pattern
    query: tuple  # ((key, value-or-None), ...) required in the query string
    headers: tuple  # header names the operation requires (CopyObject: x-amz-copy-source)
    literal: int  # literal characters in the URI: more is more specific
    operation: str

    @functools.cached_property
    def query_keys(self) -> frozenset:
        return frozenset(k for k, _ in self.query)

    @functools.cached_property
    def query_values(self) -> tuple:
        return tuple((k, v) for k, v in self.query if v is not None)


def _compile_uri(uri: str) -> tuple[re.Pattern, tuple, int]:
    path, _, query = uri.partition("?")
    regex, literal = "", 0
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{"):
            name = part[1:-1]
            greedy = name.endswith("+")
            name = name.rstrip("+")
            regex += f"(?P<{name}>.+)" if greedy else f"(?P<{name}>[^/]+)"
        else:
            regex += re.escape(part)
            literal += len(part)
    required = tuple((k, v if v != "" else None) for k, v in parse_qsl(query, keep_blank_values=True))
    return re.compile(regex + "/?" if not path.endswith("/") else regex), required, literal


@functools.lru_cache(maxsize=None)
def rest_routes(name: str) -> tuple[RestRoute, ...]:
    """Every non-deprecated operation's route, most specific first.

    Required query-string and header members count as requirements of the route:
    S3's DeleteObject and AbortMultipartUpload share a URI and differ by uploadId.
    """
    model = service_model(name)
    routes = []
    for op_name in model.operation_names:
        op = model.operation_model(op_name)
        if op.deprecated:
            continue
        pattern, query, literal = _compile_uri(op.http["requestUri"])
        query += tuple((q, None) for q in _required_located(op.input_shape, "querystring") if q not in dict(query))
        headers = tuple(h.lower() for h in _required_located(op.input_shape, "header"))
        routes.append(RestRoute(op.http["method"], pattern, query, headers, literal, op_name))
    routes.sort(key=lambda r: (-len(r.query) - len(r.headers), -r.literal))
    return tuple(routes)


def _required_located(shape, location: str) -> tuple:
    """Wire names of the required members bound to ``location``."""
    if shape is None:
        return ()
    members = shape.members
    return tuple(members[m].serialization["name"] for m in shape.required_members
                 if members[m].serialization.get("location") == location)


@functools.lru_cache(maxsize=None)
def _routes_for(name: str, method: str) -> tuple[RestRoute, ...]:
    return tuple(r for r in rest_routes(name) if r.method == method)


def match_rest(name: str, method: str, path: str, query: dict, headers: dict | None = None) -> tuple[str, dict] | None:
    """(operation, raw path params) for a REST request, or None.

    Cheap tests first: the query string and headers rule out most routes before a regex runs.
    """
    headers = headers or {}
    present = query.keys()
    for route in _routes_for(name, method):
        if not route.query_keys <= present or any(query[k] != v for k, v in route.query_values):
            continue
        if route.headers and not all(h in headers for h in route.headers):
            continue
        m = route.pattern.fullmatch(path)
        if m:
            return route.operation, m.groupdict()
    return None


@functools.lru_cache(maxsize=None)
def error_shapes(name: str) -> dict[str, Shape]:
    """Error shapes by shape name and by wire code (``error.code``)."""
    model = service_model(name)
    index: dict[str, Shape] = {}
    for shape_name in model.shape_names:
        shape = model.shape_for(shape_name)
        if shape.metadata.get("exception"):
            index[shape_name] = shape
            code = shape.metadata.get("error", {}).get("code")
            if code:
                index.setdefault(code, shape)
    return index


def error_status(name: str, code: str) -> tuple[int, bool, str]:
    """(HTTP status, sender fault, wire code) the model gives an error code."""
    shape = error_shapes(name).get(code)
    if shape is None:
        return 400, True, code
    err = shape.metadata.get("error", {})
    wire = err.get("code") or shape.name
    return err.get("httpStatusCode", 400), err.get("senderFault", True), wire


def query_error_headers(model, code: str, sender: bool) -> dict[str, str]:
    """``x-amzn-query-error: Code;Sender`` for awsQueryCompatible services (json and CBOR errors).

    botocore takes the error code from it (parsers.py ``_do_query_compatible_error_parse``),
    which is what its modeled exceptions are keyed by (CloudWatch: InvalidParameterValue).
    """
    if model is None or "awsQueryCompatible" not in model.metadata:
        return {}
    return {"x-amzn-query-error": f"{code};{'Sender' if sender else 'Receiver'}"}


def operation(name: str, op: str) -> OperationModel:
    return service_model(name).operation_model(op)
