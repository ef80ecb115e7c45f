"""Every served operation, fed missing, junk and out-of-range parameters over HTTP, answers with an
AWS error of status 4xx (501 where a feature is not served), never a 5xx fault or a Python traceback.

The parameters come from each operation's botocore input shape, and the client skips botocore's own
validation, so the server sees what a careless or hostile caller would send.
"""
from __future__ import annotations

import datetime

import boto3
import botocore.session
import pytest
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError, FlexibleChecksumError, ParamValidationError

from lowcloud.services import served, service_class

SESSION = botocore.session.get_session()
NO_CHECKS = Config(parameter_validation=False, inject_host_prefix=False, retries={"max_attempts": 0}, read_timeout=10,
                   request_checksum_calculation="when_required", response_checksum_validation="when_required")
JUNK = {
    "small": {"string": "x", "integer": -1, "long": -1, "float": -1.5, "double": -1.5},
    "large": {"string": "x" * 3000, "integer": 2 ** 31, "long": 2 ** 63 - 1, "float": 1e308, "double": 1e308},
}


def junk_value(shape, flavour: str, depth: int = 0):
    kind = shape.type_name
    if kind == "structure":
        return junk_struct(shape, flavour, depth + 1) if depth < 3 else {}
    if kind == "list":
        return [junk_value(shape.member, flavour, depth + 1)]
    if kind == "map":
        return {"k": junk_value(shape.value, flavour, depth + 1)}
    if kind == "string" and shape.enum:
        return "NOT_A_MEMBER"
    fixed = {"boolean": True, "blob": b"\x00\xff", "timestamp": datetime.datetime(1970, 1, 1)}
    return fixed.get(kind, JUNK[flavour].get(kind, "x"))


def junk_struct(shape, flavour: str, depth: int) -> dict:
    names = shape.members if flavour == "large" else shape.required_members
    out = {name: junk_value(shape.members[name], flavour, depth) for name in names
           if not shape.members[name].metadata.get("eventstream")}
    if "Bucket" in out:  # botocore itself refuses over-long bucket names; send a real-looking one
        out["Bucket"] = f"junk-bucket-{flavour}"
    return out


def variants(operation) -> list[dict]:
    shape = operation.input_shape
    if shape is None:
        return [{}]
    return [{}, junk_struct(shape, "small", 0), junk_struct(shape, "large", 0)]


def served_operations():
    for name in served():
        cls = service_class(name)
        model = SESSION.get_service_model(name)
        for op in model.operation_names:
            if hasattr(cls, xform_name(op)):
                yield name, op


def send(client, operation, params) -> tuple[int, str]:
    """(HTTP status, error code) of one call; (200, '') when it was accepted."""
    try:
        getattr(client, xform_name(operation))(**params)
    except ClientError as exc:
        meta = exc.response.get("ResponseMetadata", {})
        return meta.get("HTTPStatusCode", 0), exc.response.get("Error", {}).get("Code", "")
    except (ParamValidationError, FlexibleChecksumError, ValueError, TypeError, AttributeError, KeyError):
        return 0, "client-side"  # botocore could not even serialize this junk
    return 200, ""


@pytest.fixture(scope="module")
def sweep_gateway():
    from lowcloud.cloud import Cloud
    from lowcloud.clock import VirtualClock
    from lowcloud.protocol.gateway import ServerThread
    cloud = Cloud(clock=VirtualClock(start=1_700_000_000), seed=7)
    server = ServerThread(cloud, port=0).start()
    yield server.url
    server.stop()
    cloud.close()


@pytest.mark.parametrize("service", [name for name in served()])
def test_junk_parameters_never_fault(sweep_gateway, service):
    client = boto3.client(service, endpoint_url=sweep_gateway, region_name="us-east-1", config=NO_CHECKS,
                          aws_access_key_id="test", aws_secret_access_key="test")
    model = SESSION.get_service_model(service)
    faults = []
    for _, op in (pair for pair in served_operations() if pair[0] == service):
        for params in variants(model.operation_model(op)):
            status, code = send(client, op, params)
            if status >= 500 and status != 501:
                faults.append(f"{op} {status} {code} with {sorted(params)}")
    assert faults == []
