"""Helpers every Step Functions operation shares: ARNs, names, pagination.

ARN parsing answers with AWS's InvalidArn wording ("Invalid ARN prefix",
"Resource type not valid in this context"); names follow the state machine /
execution naming rule; page tokens are opaque offsets.
"""
from __future__ import annotations

import base64
import json
import re

from lowcloud.errors import AwsError

_BAD_NAME = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")

# (error code, message head) of each not-found answer; the message ends ": '<arn>'"
NO_MACHINE = ("StateMachineDoesNotExist", "State Machine Does Not Exist")
NO_ACTIVITY = ("ActivityDoesNotExist", "Activity Does Not Exist")
NO_EXECUTION = ("ExecutionDoesNotExist", "Execution Does Not Exist")
NOT_FOUND = ("ResourceNotFound", "Resource not found")



def parse_arn(arn: str, *kinds: str) -> tuple[str, list[str]]:
    """(resource type, remaining parts) of a states ARN, or AWS's InvalidArn."""
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        raise AwsError("InvalidArn", f"Invalid Arn: 'Invalid ARN prefix: {arn}'")
    parts = arn.split(":")
    if len(parts) < 7 or parts[2] != "states":
        raise AwsError("InvalidArn", f"Invalid Arn: 'Invalid ARN prefix: {arn}'")
    if kinds and parts[5] not in kinds:
        raise AwsError("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {parts[5]}'")
    return parts[5], parts[6:]


def check_name(name: str, what: str = "Name") -> None:
    if not isinstance(name, str) or not 1 <= len(name) <= 80 or _BAD_NAME.search(name):
        raise AwsError("InvalidName", f"Invalid {what}: '{name}'")


def page(items: list, params: dict, key: str, default: int = 100, limit: int = 1000) -> dict:
    """One page of ``items`` under ``key`` with an opaque nextToken."""
    size = params.get("maxResults") or default
    if size > limit:
        raise AwsError("ValidationException", f"1 validation error detected: Value '{size}' at 'maxResults' "
                                              f"failed to satisfy constraint: Member must have value less than "
                                              f"or equal to {limit}")
    start = decode_token(params.get("nextToken"))
    out = {key: items[start:start + size]}
    if start + size < len(items):
        out["nextToken"] = base64.b64encode(json.dumps({"o": start + size}).encode()).decode()
    return out


def decode_token(token) -> int:
    if not token:
        return 0
    if len(token) > 1024:
        raise AwsError("ValidationException", f"1 validation error detected: Value '{token}' at 'nextToken' "
                                              "failed to satisfy constraint: Member must have length less than "
                                              "or equal to 1024")
    try:
        return int(json.loads(base64.b64decode(token))["o"])
    except Exception:
        raise AwsError("InvalidToken", f"Invalid Token: '{token}'")
