"""The ``rest-json`` protocol (Lambda, Scheduler, QuickSight): REST bindings + JSON body.

Errors are a JSON body with ``message`` (and ``Type``) plus the
``x-amzn-ErrorType`` header, which is what botocore reads the code from.
"""
from __future__ import annotations

import json

from lowcloud.errors import AwsError
from lowcloud.protocol import jsonbody, rest
from lowcloud.protocol.http import HttpRequest, HttpResponse
from lowcloud.protocol.model import error_shapes, error_status
from lowcloud.protocol.values import WireError

CONTENT_TYPE = "application/json"


def _read(shape, body: bytes):
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WireError("Could not parse request body into json") from exc
    return jsonbody.decode(shape, doc)


def _write(shape, value) -> bytes:
    return json.dumps(jsonbody.encode(shape, value), separators=(",", ":")).encode()


def parse(req: HttpRequest, op, path_params: dict) -> dict:
    try:
        return rest.parse_request(req, op, path_params, _read)
    except WireError as exc:
        raise AwsError(_bad_body_code(op.service_model.service_name), str(exc)) from exc


def _bad_body_code(service: str) -> str:
    """Lambda answers an unparsable body with InvalidRequestContentException; others with SerializationException."""
    return "InvalidRequestContentException" if "InvalidRequestContentException" in error_shapes(service) else "SerializationException"


def serialize(output: dict, op, service: str, request_id: str) -> HttpResponse:
    resp = rest.serialize_output(dict(output), op, _write, CONTENT_TYPE)
    if resp.body == b"" and op.output_shape is not None and not op.output_shape.serialization.get("payload"):
        resp.body = b"{}" if resp.status != 204 else b""
        if resp.body:
            resp.headers.setdefault("Content-Type", CONTENT_TYPE)
    resp.headers["x-amzn-RequestId"] = request_id
    return resp


def serialize_error(err: AwsError, model, service: str, request_id: str) -> HttpResponse:
    status, sender, code = error_status(service, err.code)
    doc = {"Type": "User" if sender else "Service", "message": err.message}
    doc.update({k: v for k, v in err.fields.items() if v is not None})
    headers = {"Content-Type": CONTENT_TYPE, "x-amzn-ErrorType": code, "x-amzn-RequestId": request_id}
    return HttpResponse(err.status or status, headers, json.dumps(doc).encode())
