"""The policy document of a browser POST upload, checked as S3 checks it.

The policy is a base64 JSON document with an ``expiration`` and a list of
``conditions``; S3 refuses the upload when the policy expired, when a field
fails a condition (``eq``/``starts-with``/``{"field": value}``), when the file
is outside ``content-length-range``, or when the form carries a field no
condition mentions.  lowcloud does not verify the policy's signature (there
are no secret keys to verify it with); everything the document itself says
is enforced.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime

from lowcloud.errors import AwsError

EXEMPT = ("file", "policy", "x-amz-signature", "signature", "awsaccesskeyid")  # need no condition
EXEMPT_PREFIX = "x-ignore-"
_ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
SIGNATURE_FIELDS = {"x-amz-algorithm": ("x-amz-credential", "x-amz-date", "x-amz-signature"),
                    "": ("awsaccesskeyid", "signature")}  # SigV4 when x-amz-algorithm is sent, else SigV2


def invalid_policy(why: str) -> AwsError:
    return AwsError("InvalidPolicyDocument", f"Invalid Policy: {why}", status=400)


def denied(why: str) -> AwsError:
    return AwsError("AccessDenied", f"Invalid according to Policy: {why}", status=403)


def decoded(text: str) -> dict:
    """The policy document, or InvalidPolicyDocument for one that is not base64 JSON with the two keys."""
    try:
        doc = json.loads(base64.b64decode(text.encode(), validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid_policy("Invalid JSON.") from None
    if not isinstance(doc, dict) or "expiration" not in doc:
        raise invalid_policy("Policy missing expiration.")
    if not isinstance(doc.get("conditions"), list):
        raise invalid_policy("Policy missing conditions.")
    return doc


def require_signature_fields(fields: dict) -> None:
    """A form with a policy names its signer and signature (their values are not verified)."""
    for name in SIGNATURE_FIELDS["x-amz-algorithm" if "x-amz-algorithm" in fields else ""]:
        if name not in fields:
            shown = {"awsaccesskeyid": "AWSAccessKeyId", "signature": "Signature"}.get(name, name)
            raise AwsError("InvalidArgument", f"Bucket POST must contain a field named '{shown}'.  If it is "
                           "specified, please check the order of the fields.", status=400, ArgumentName=shown,
                           ArgumentValue="")


def check(text: str, fields: dict, bucket: str, size: int, now: float) -> None:
    """Refuse the upload unless the policy allows the form ``fields`` (lower-cased names) sent to
    ``bucket`` with a file of ``size`` bytes."""
    doc = decoded(text)
    if _expiry(doc["expiration"]) < now:
        raise denied("Policy expired.")
    values = {**fields, "bucket": bucket}  # the bucket posted to, whatever a "bucket" field says
    covered = set()
    for condition in doc["conditions"]:
        covered.update(_check_condition(condition, values, size))
    if "bucket" not in covered:
        raise denied(f'Policy Condition failed: ["eq", "$bucket", "{bucket}"]')
    extra = [name for name in fields if name not in covered and name not in EXEMPT
             and not name.startswith(EXEMPT_PREFIX)]
    if extra:
        raise denied(f"Extra input fields: {', '.join(extra)}")


def _expiry(value) -> float:
    """Seconds since the epoch of an ISO 8601 UTC ``expiration`` (S3 takes no other form)."""
    if not isinstance(value, str) or not _ISO_UTC.match(value):
        raise invalid_policy(f"Invalid 'expiration' value: '{value}'")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise invalid_policy(f"Invalid 'expiration' value: '{value}'") from None


def _check_condition(condition, fields: dict, size: int) -> list:
    """Check one condition; returns the field names it covers."""
    if isinstance(condition, dict):
        if len(condition) != 1:
            raise invalid_policy("Invalid Simple-Condition: Simple-Conditions must have exactly one property "
                                 "specified.")
        (key, value), = condition.items()
        return _match("eq", "$" + key, value, fields)
    if not isinstance(condition, list) or len(condition) != 3:
        raise invalid_policy("Invalid 'conditions' value.")
    op, field, value = condition
    if str(op).lower() == "content-length-range":
        _check_size(size, _bound(field), _bound(value))
        return []
    return _match(str(op).lower(), field, value, fields)


def _match(op: str, field: str, value, fields: dict) -> list:
    if op not in ("eq", "starts-with") or not isinstance(field, str) or not field.startswith("$"):
        raise invalid_policy(f"Invalid Condition: {json.dumps([op, field, value])}")
    name = field[1:].lower()
    given = fields.get(name, "")
    if not (given == str(value) if op == "eq" else given.startswith(str(value))):
        raise denied(f"Policy Condition failed: {json.dumps([op, field, value])}")
    return [name]


def _bound(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid_policy("Invalid content-length-range: " + json.dumps(value)) from None


def _check_size(size: int, low: int, high: int) -> None:
    if size > high:
        raise AwsError("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", status=400,
                       ProposedSize=str(size), MaxSizeAllowed=str(high))
    if size < low:
        raise AwsError("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size",
                       status=400, ProposedSize=str(size), MinSizeAllowed=str(low))
