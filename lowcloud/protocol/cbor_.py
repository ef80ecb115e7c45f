"""The ``smithy-rpc-v2-cbor`` protocol (CloudWatch, GameLift, ...): POST /service/{Name}/operation/{Op}.

Request: a CBOR map of the input shape, sent with ``smithy-protocol: rpc-v2-cbor``.
The service name in the path is the model's ``targetPrefix`` (botocore
serialize.py, BaseRpcV2Serializer).  Response: a CBOR map of the output shape
with the same header and ``Content-Type: application/cbor``; errors are a CBOR
map with ``__type`` and ``message`` plus, for ``awsQueryCompatible`` services,
the ``x-amzn-query-error: Code;Sender`` header botocore maps modeled errors by.

CBOR carries blobs (byte strings) and timestamps (tag 1, epoch seconds) natively,
so decoding is a type check along the shape; timestamps go out as tag 1 over a
double so milliseconds survive.
"""
from __future__ import annotations

import io
import re
from datetime import datetime, timezone

import cbor2

from lowcloud.errors import AwsError
from lowcloud.protocol.http import HttpRequest, HttpResponse
from lowcloud.protocol.model import error_shapes, error_status, query_error_headers
from lowcloud.protocol.values import WireError, epoch

PROTOCOL = "smithy-rpc-v2-cbor"
CONTENT_TYPE = "application/cbor"
_PATH = re.compile(r"/service/(?P<service>[^/]+)/operation/(?P<operation>[^/?]+)")
_SCALARS = {"string": str, "boolean": bool, "integer": int, "long": int, "float": (int, float),
            "double": (int, float), "blob": (bytes, bytearray), "timestamp": (datetime, int, float)}


def is_request(req: HttpRequest) -> bool:
    """Whether the request speaks RPC v2 CBOR (the spec makes the header mandatory)."""
    return req.headers.get("smithy-protocol", "").strip().lower() == "rpc-v2-cbor"


def route(path: str) -> tuple[str, str] | None:
    """(service name as in the path, operation name), or None when the path is not an RPC v2 one."""
    m = _PATH.fullmatch(path.split("?", 1)[0])
    return (m.group("service"), m.group("operation")) if m else None


# --- requests ----------------------------------------------------------------
def parse(req: HttpRequest, op) -> dict:
    if not req.body:
        return {}
    doc = _loads(req.body)
    if not isinstance(doc, dict):
        raise AwsError("SerializationException", "Expected a CBOR map as the request body")
    try:
        return decode(op.input_shape, doc) if op.input_shape is not None else {}
    except WireError as exc:
        raise AwsError("SerializationException", str(exc)) from exc


def _loads(body: bytes):
    """One CBOR data item, nothing after it."""
    stream = io.BytesIO(body)
    try:
        doc = cbor2.CBORDecoder(stream).decode()
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise AwsError("SerializationException", "Malformed CBOR in request body") from exc
    if stream.tell() != len(body):
        raise AwsError("SerializationException", "Malformed CBOR in request body: trailing data")
    return doc


def decode(shape, value):
    """Wire CBOR value -> boto3 value; WireError when the type is wrong."""
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        return _decode_structure(shape, value)
    if kind == "list":
        if not isinstance(value, list):
            raise WireError(f"expected list for {shape.name}")
        return [decode(shape.member, v) for v in value]
    if kind == "map":
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            raise WireError(f"expected map with string keys for {shape.name}")
        return {k: decode(shape.value, v) for k, v in value.items()}
    return _decode_scalar(shape, value)


def _decode_structure(shape, value) -> dict:
    if not isinstance(value, dict):
        raise WireError(f"expected map for {shape.name}")
    if getattr(shape, "is_document_type", False):
        return value
    members = shape.members
    return {k: decode(members[k], v) for k, v in value.items() if k in members and v is not None}


def _decode_scalar(shape, value):
    kind = shape.type_name
    expected = _SCALARS.get(kind)
    numeric = kind in ("integer", "long", "float", "double", "timestamp")
    if expected is not None and (not isinstance(value, expected) or (numeric and isinstance(value, bool))):
        raise WireError(f"expected {kind} for {shape.name}")
    if kind == "blob":
        return bytes(value)
    if kind == "timestamp":
        return _timestamp(value)
    return value


def _timestamp(value) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc)
    try:
        return datetime.fromtimestamp(value, timezone.utc)
    except (OverflowError, OSError, ValueError) as exc:
        raise WireError(f"invalid timestamp {value!r}") from exc


# --- responses ---------------------------------------------------------------
def encode(shape, value):
    """boto3 value -> CBOR-ready value, keeping only members the shape knows."""
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        if getattr(shape, "is_document_type", False):
            return value
        members = shape.members
        return {k: encode(members[k], v) for k, v in value.items() if k in members and v is not None}
    if kind == "list":
        return [encode(shape.member, v) for v in value]
    if kind == "map":
        return {k: encode(shape.value, v) for k, v in value.items()}
    if kind == "timestamp":
        return cbor2.CBORTag(1, float(epoch(value) if isinstance(value, datetime) else value))
    if kind in ("float", "double"):
        return float(value)
    if kind == "blob" and isinstance(value, str):
        return value.encode()
    return value


def serialize(output: dict, op, service: str, request_id: str) -> HttpResponse:
    shape = op.output_shape
    doc = encode(shape, output) if shape is not None else {}
    return _response(200, doc or {}, request_id)


def serialize_error(err: AwsError, model, service: str | None, request_id: str) -> HttpResponse:
    """``__type`` names the error shape; query-compatible services add the query code header."""
    status, sender, code = error_status(service, err.code) if service else (400, True, err.code)
    shape = error_shapes(service).get(err.code) if service else None
    doc = {"__type": shape.name if shape is not None else code, "message": err.message}
    doc.update({k: v for k, v in err.fields.items() if v is not None and not k.startswith("_")})
    resp = _response(err.status or status, doc, request_id)
    resp.headers.update(query_error_headers(model, code, sender and err.sender))
    return resp


def _response(status: int, doc: dict, request_id: str) -> HttpResponse:
    headers = {"Content-Type": CONTENT_TYPE, "smithy-protocol": "rpc-v2-cbor", "x-amzn-RequestId": request_id}
    # datetimes outside an encoded shape (error fields) still go out as tag 1
    body = cbor2.dumps(doc, datetime_as_timestamp=True, timezone=timezone.utc)
    return HttpResponse(status, headers, body)
