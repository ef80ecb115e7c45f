"""Bucket policies: the grammar checks PutBucketPolicy makes, and policy status.

lowcloud does not evaluate policies (every caller is the account), but it
refuses what S3 refuses with S3's MalformedPolicy messages, blocks public
policies while Block Public Access says so (as every new bucket does), and
answers GetBucketPolicyStatus by S3's rule of thumb: a policy is public when an
Allow statement without conditions names every principal.
"""
from __future__ import annotations

import json

from lowcloud.errors import AwsError

VERSIONS = ("2012-10-17", "2008-10-17")
STATEMENT_FIELDS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
                    "NotResource", "Condition"}
MAX_BYTES = 20 * 1024


def malformed(message: str) -> AwsError:
    return AwsError("MalformedPolicy", message, status=400)


def validated(svc, bucket, text: str, params: dict) -> str:
    """The policy text as stored (exactly as sent), after S3's checks."""
    if len(text.encode()) > MAX_BYTES:
        raise AwsError("PolicyTooLarge", "Policy exceeds the maximum allowed document size.", status=400)
    doc = parsed(text)
    if doc.get("Version") is not None and doc["Version"] not in VERSIONS:
        raise malformed("The policy must contain a valid version string")
    statements = doc.get("Statement")
    if statements is None:
        raise malformed("Missing required field Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        _check_statement(statement, bucket.name)
    return text


def parsed(text: str) -> dict:
    try:
        doc = json.loads(text) if text.lstrip().startswith("{") else None
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise malformed("Policies must be valid JSON and the first byte must be '{'")
    return doc


def _check_statement(statement, bucket: str) -> None:
    if not isinstance(statement, dict):
        raise malformed("Invalid policy syntax.")
    unknown = sorted(set(statement) - STATEMENT_FIELDS)
    if unknown:
        raise malformed(f"Unknown field {unknown[0]}")
    if statement.get("Effect") not in ("Allow", "Deny"):
        raise malformed(f"Invalid effect: {statement['Effect']}" if "Effect" in statement
                        else "Missing required field Effect")
    if "Principal" not in statement and "NotPrincipal" not in statement:
        raise malformed("Missing required field Principal")
    _check_actions(statement)
    _check_resources(statement, bucket)


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _check_actions(statement: dict) -> None:
    actions = statement.get("Action", statement.get("NotAction"))
    if actions is None:
        raise malformed("Missing required field Action")
    for action in _listed(actions):
        if not isinstance(action, str) or not (action == "*" or action.lower().startswith("s3:")):
            raise malformed("Policy has invalid action")


def _check_resources(statement: dict, bucket: str) -> None:
    resources = statement.get("Resource", statement.get("NotResource"))
    if resources is None:
        raise malformed("Missing required field Resource")
    for resource in _listed(resources):
        if not isinstance(resource, str) or not _names_bucket(resource, bucket):
            raise malformed("Policy has invalid resource")


def _names_bucket(resource: str, bucket: str) -> bool:
    if resource == "*":
        return True
    name = resource.removeprefix("arn:aws:s3:::")
    if name == resource:
        return False
    head = name.split("/", 1)[0]
    return head == bucket or ("*" in head or "?" in head)


def is_public(text: str) -> bool:
    """An unconditioned Allow for every principal (``"*"`` or ``{"AWS": "*"}``)."""
    statements = json.loads(text).get("Statement")
    for statement in _listed(statements):
        if statement.get("Effect") == "Allow" and not statement.get("Condition") and \
                _everyone(statement.get("Principal")):
            return True
    return False


def _everyone(principal) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any("*" in _listed(v) for v in principal.values())
    return False


def public_policy_blocked(account: str, bucket: str) -> AwsError:
    return AwsError("AccessDenied", f"User: arn:aws:iam::{account}:root is not authorized to perform: "
                    f's3:PutBucketPolicy on resource: "arn:aws:s3:::{bucket}" because public policies are blocked '
                    "by the BlockPublicPolicy block public access setting.", status=403)
