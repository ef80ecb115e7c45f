"""The ``json`` protocol (DynamoDB, Step Functions, Logs, ...): POST /, X-Amz-Target.

Request: a JSON object of the input shape.  Response: a JSON object of the
output shape; errors as ``{"__type": ..., "message": ...}`` with the status the
model gives the error.  DynamoDB's responses carry ``x-amz-crc32``, which
botocore checks.
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
    if not req.body.strip():
        return {}
    try:
        doc = json.loads(req.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise AwsError("SerializationException", "Malformed JSON in request body") from exc
    if not isinstance(doc, dict):
        raise AwsError("SerializationException", "Start of list found where not expected")
    try:
        return jsonbody.decode(op.input_shape, doc) if op.input_shape is not None else {}
    except WireError as exc:
        raise AwsError("SerializationException", str(exc)) from exc


def serialize(output: dict, op, service: str, request_id: str) -> HttpResponse:
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
    body = json.dumps(doc, separators=(",", ":"), default=_default).encode()
    headers = {"Content-Type": content_type(model), "x-amzn-RequestId": request_id}
    if service.startswith("dynamodb"):
        headers["x-amz-crc32"] = str(zlib.crc32(body))
    return HttpResponse(status, headers, body)


def _default(value):
    if isinstance(value, datetime):
        return format_time(value, "unixTimestamp")
    if isinstance(value, (bytes, bytearray)):
        return b64encode(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")
