"""The ``json`` protocol (DynamoDB, Step Functions, Logs, ...): POST /, X-Amz-Target.

Request: a JSON object of the input shape.  Response: a JSON object of the
output shape; errors as ``{"__type": ..., "message": ...}`` with the status the
model gives the error.  DynamoDB's responses carry ``x-amz-crc32``, which
botocore checks.  Both directions sit on every json request's path, so the
common cases skip work: a UTF-8 object body goes straight to the scanner, an
empty answer is the constant ``{}``, and the C encoder is made once.
"""
from __future__ import annotations

import json
import zlib
from datetime import datetime

from lowcloud.errors import AwsError
from lowcloud.protocol import jsonbody
from lowcloud.protocol.http import HttpRequest, HttpResponse
from lowcloud.protocol.model import error_status, query_error_headers
from lowcloud.protocol.values import WireError, b64encode, format_time

ERROR_NAMESPACES = {"dynamodb": "com.amazonaws.dynamodb.v20120810#", "dynamodbstreams": "com.amazonaws.dynamodb.v20120810#"}


def content_type(model) -> str:
    return f"application/x-amz-json-{model.metadata.get('jsonVersion', '1.0')}"


def parse(req: HttpRequest, op) -> dict:
    return parse_with(req.body, jsonbody.decoder(op.input_shape) if op.input_shape is not None else None)


def parse_with(body, decode) -> dict:
    """``parse`` given the input shape's decoder (None: no input shape)."""
    if not body or body.isspace():
        return {}
    try:
        doc = _loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise AwsError("SerializationException", "Malformed JSON in request body") from exc
    if not isinstance(doc, dict):
        raise AwsError("SerializationException", "Start of list found where not expected")
    try:
        return decode(doc) if decode is not None else {}
    except WireError as exc:
        raise AwsError("SerializationException", str(exc)) from exc


def _loads(body):
    """``json.loads(body)``; a UTF-8 object body skips its encoding sniffing and checks."""
    if type(body) is bytes and body[:1] == b"{" and body[1:2] != b"\x00":
        try:
            text = body.decode("utf-8", "surrogatepass")
            doc, end = _SCAN(text, 0)
            if end == len(text) or not text[end:].strip(" \t\n\r"):
                return doc
        except (ValueError, StopIteration, UnicodeDecodeError):
            pass  # json.loads raises the same error json.loads always raised
    return json.loads(body)


def serialize(output: dict, op, service: str, request_id: str) -> HttpResponse:
    if not output:  # most writes answer {}: nothing to walk or encode
        return _response(200, {}, op.service_model, service, request_id)
    shape = op.output_shape
    doc = jsonbody.encode(shape, output) if shape is not None else {}
    return _response(200, doc or {}, op.service_model, service, request_id)


def serialize_error(err: AwsError, op_model, service: str, request_id: str) -> HttpResponse:
    status, sender, code = error_status(service, err.code)
    doc = {"__type": ERROR_NAMESPACES.get(service, "") + code, "message": err.message}
    doc.update(_plain(err.fields))
    resp = _response(err.status or status, doc, op_model, service, request_id)
    resp.headers["x-amzn-ErrorType"] = code
    resp.headers.update(query_error_headers(op_model, code, sender and err.sender))
    return resp


def _plain(fields: dict) -> dict:
    return {k: v for k, v in fields.items() if v is not None}


def _response(status: int, doc: dict, model, service: str, request_id: str) -> HttpResponse:
    if doc:
        body = ("".join(_encode(doc, 0)) if _encode is not None else _ENCODER.encode(doc)).encode()
        crc = str(zlib.crc32(body)) if service.startswith("dynamodb") else None
    else:
        body, crc = b"{}", _EMPTY_CRC if service.startswith("dynamodb") else None
    headers = {"Content-Type": _CONTENT_TYPES.get(model.metadata.get("jsonVersion")) or content_type(model),
               "x-amzn-RequestId": request_id}
    if crc is not None:
        headers["x-amz-crc32"] = crc
    return HttpResponse(status, headers, body)


def _default(value):
    if isinstance(value, datetime):
        return format_time(value, "unixTimestamp")
    if isinstance(value, (bytes, bytearray)):
        return b64encode(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


# json.dumps(doc, separators=(",", ":"), default=_default), without building an encoder per response
_ENCODER = json.JSONEncoder(separators=(",", ":"), default=_default)
# The C encoder inside _ENCODER, made once: without the circular-reference check (which needs a fresh
# dict per call) it is reusable, and a service answer never refers to itself.  Same bytes as _ENCODER.
_encode = json.encoder.c_make_encoder and json.encoder.c_make_encoder(
    None, _default, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, True)
_EMPTY_CRC = str(zlib.crc32(b"{}"))
_CONTENT_TYPES = {version: f"application/x-amz-json-{version}" for version in ("1.0", "1.1")}
_SCAN = json.JSONDecoder().scan_once  # what json.loads runs on a document, minus the edge checks
