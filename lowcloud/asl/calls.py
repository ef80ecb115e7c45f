"""Calling a lowcloud service from a Task state, the way Step Functions' SDKs would.

Task integrations hand over JSON values named as the target API names its
members.  ``call_api`` shapes them for the service method (blobs as bytes,
timestamps as datetimes, numbers as the model's type), checks them with the wire
layer's own model validation (so "1 validation error detected: Value null at
'item' ..." reads as AWS's), runs the operation off the loop (``clock.run_blocking``: other
services block), and turns the result back into JSON values.  Every failure
becomes one ``ApiError`` carrying the code, message and HTTP status the model
gives, so the integrations can name it as AWS does.  A service lowcloud does
not serve fails like an unreachable endpoint.
"""
from __future__ import annotations

import base64
import io
from datetime import datetime, timezone
from decimal import Decimal

from botocore import xform_name

from lowcloud.errors import AwsError
from lowcloud.protocol.model import protocol_of, service_model
from lowcloud.protocol.validate import validate
from lowcloud.services.base import Request


class ApiError(Exception):
    def __init__(self, service: str, code: str, message: str, status: int = 400, request_id: str = "",
                 client_side: bool = False):
        super().__init__(message)
        self.service, self.code, self.message = service, code, message
        self.status, self.request_id, self.client_side = status, request_id, client_side


async def call_api(env, service: str, operation: str, params: dict, region: str | None = None,
                   timestamps: str = "iso") -> tuple[dict, str]:
    """Run ``operation`` (PascalCase) of ``service`` with JSON ``params``: (JSON result, request id)."""
    return await env.clock.run_blocking(call_blocking, env, service, operation, params, region, timestamps)


def call_blocking(env, service: str, operation: str, params: dict, region: str | None = None,
                  timestamps: str = "iso") -> tuple[dict, str]:
    request_id = env.ids.uuid()
    method, args = _prepare(env, service, operation, params, region, request_id)
    req = Request(service=service, operation=operation, region=method.__self__.region, account=env.account,
                  request_id=request_id, extra={"internal": True, "caller": "states"})
    try:
        return jsonable(method(args, req), timestamps), request_id
    except AwsError as err:
        raise ApiError(service, err.code, err.message, err.status or error_status(service, err.code),
                       request_id) from err
    except Exception as err:  # a bug in the target must not crash the execution
        raise ApiError(service, "InternalFailure", f"{type(err).__name__}: {err}", 500, request_id) from err


def _prepare(env, service: str, operation: str, params, region, request_id: str):
    """The bound service method and its arguments, or the ApiError the call would give."""
    try:
        op = service_model(service).operation_model(operation)
    except Exception:
        raise ApiError(service, "UnknownOperationException", f"Unknown operation {operation}", 400, request_id)
    args = coerce(op.input_shape, params if params is not None else {}) if op.input_shape else {}
    try:  # the same constraint check (and wording) the wire layer applies to requests
        validate(op.input_shape, args, service, protocol_of(service_model(service)))
    except AwsError as err:
        raise ApiError(service, err.code, err.message, 400, request_id) from None
    method = getattr(_service(env, service, region, request_id), xform_name(operation), None)
    if method is None:
        raise ApiError(service, "UnknownOperationException", f"lowcloud does not implement {operation}",
                       400, request_id)
    return method, args


def _service(env, service: str, region, request_id: str):
    try:
        return env.cloud.service(service, region or env.region)
    except AwsError:
        raise ApiError(service, "SdkClientException",
                       f"Unable to execute HTTP request: Connect to {service}.{region or env.region}"
                       ".amazonaws.com:443 failed: Connection refused", 0, request_id, client_side=True)


def error_status(service: str, code: str) -> int:
    """The HTTP status the model gives an error code (400 when it does not say)."""
    shape = modeled_error(service, code)
    if shape is not None:
        return shape.metadata.get("error", {}).get("httpStatusCode", 400)
    return 400


def modeled_error(service: str, code: str):
    """The model's exception shape for ``code`` (by shape name or declared code), or None."""
    try:
        model = service_model(service)
    except Exception:
        return None
    for shape in model.error_shapes:
        if shape.name == code or shape.metadata.get("error", {}).get("code") == code:
            return shape
    return None


# --- JSON -> botocore values ------------------------------------------------------

def walk_shape(shape, value, key_of, leaf=None):
    """``value`` rebuilt along the model ``shape``: each structure key becomes ``key_of(shape, key)`` =
    (new key, member shape), lists and maps are walked member by member, other values go through ``leaf``."""
    if value is None or shape is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return dict(_walk_member(shape, key, v, key_of, leaf) for key, v in value.items())
    if kind == "list" and isinstance(value, list):
        return [walk_shape(shape.member, v, key_of, leaf) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: walk_shape(shape.value, v, key_of, leaf) for k, v in value.items()}
    return leaf(kind, value) if leaf else value


def _walk_member(shape, key: str, value, key_of, leaf) -> tuple:
    name, member = key_of(shape, key)
    return name, walk_shape(member, value, key_of, leaf)


def coerce(shape, value):
    """JSON parameters as botocore values: blobs to bytes, timestamps to datetimes, whole floats to ints."""
    return walk_shape(shape, value, lambda s, k: (k, s.members.get(k)), _coerce_scalar)


def _coerce_scalar(kind: str, value):
    if kind == "blob" and isinstance(value, str):
        return value.encode("utf-8")
    if kind == "timestamp" and isinstance(value, (str, int, float)):
        return _to_datetime(value)
    if kind in ("integer", "long") and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _to_datetime(value):
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc)
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value


# --- botocore values -> JSON ---------------------------------------------------------

def jsonable(value, timestamps: str = "iso"):
    """Result values as JSON: datetimes ISO-8601 (or epoch millis), bytes/streams as text."""
    if isinstance(value, dict):
        return {k: jsonable(v, timestamps) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, (list, tuple)):
        return [jsonable(v, timestamps) for v in value]
    if isinstance(value, datetime):
        return iso_instant(value) if timestamps == "iso" else int(value.timestamp() * 1000)
    if isinstance(value, (bytes, bytearray)):
        return _text(bytes(value))
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if hasattr(value, "read") and not isinstance(value, (str, io.StringIO)):
        return _text(value.read())
    return value


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return base64.b64encode(data).decode("ascii")


def iso_instant(value: datetime) -> str:
    """java.time.Instant.toString(): 2024-01-02T03:04:05Z, fractions only when present."""
    value = value.astimezone(timezone.utc) if value.tzinfo else value.replace(tzinfo=timezone.utc)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        frac = f"{value.microsecond:06d}"
        text += "." + (frac[:3] if frac.endswith("000") else frac)
    return text + "Z"


def epoch_millis(value) -> int:
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    return value
