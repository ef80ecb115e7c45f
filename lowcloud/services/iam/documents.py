"""Policy documents as data: IAM's syntax checks and size quotas, no evaluation.

IAM keeps a document exactly as sent (whitespace and key order included) and
returns it URL-encoded.  Before storing it checks what IAM checks: valid JSON
object, a known ``Version`` if one is given, a ``Statement`` of objects with
only the grammar's keys and an Allow/Deny ``Effect``; identity policies need
actions and resources and must not name a principal; trust policies need a
principal and must not name resources.  Sizes count characters other than
whitespace, as IAM's quotas do.
"""
from __future__ import annotations

import json

from lowcloud.errors import AwsError

VERSIONS = ("2008-10-17", "2012-10-17")
TOP_KEYS = {"Version", "Id", "Statement"}
STATEMENT_KEYS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
                  "NotResource", "Condition"}
TRUST_POLICY_QUOTA = 2048
ROLE_INLINE_QUOTA = 10240
USER_INLINE_QUOTA = 2048
GROUP_INLINE_QUOTA = 5120
MANAGED_POLICY_QUOTA = 6144


def malformed(message: str) -> AwsError:
    return AwsError("MalformedPolicyDocument", message)


def size(document: str) -> int:
    """Characters that count toward IAM's quotas: all but whitespace."""
    return sum(1 for ch in document if not ch.isspace())


def statements(document: str) -> list[dict]:
    """The statements of a syntactically valid policy; MalformedPolicyDocument otherwise."""
    try:
        policy = json.loads(document)
    except ValueError:
        raise malformed("This policy contains invalid Json") from None
    if not isinstance(policy, dict):
        raise malformed("This policy contains invalid Json")
    if "Version" in policy and policy["Version"] not in VERSIONS:
        raise malformed("The policy failed legacy parsing")
    if set(policy) - TOP_KEYS or "Statement" not in policy:
        raise malformed("Syntax errors in policy.")
    found = policy["Statement"]
    found = found if isinstance(found, list) else [found]
    if not found or not all(_well_formed(s) for s in found):
        raise malformed("Syntax errors in policy.")
    return found


def _well_formed(statement) -> bool:
    return (isinstance(statement, dict) and not set(statement) - STATEMENT_KEYS
            and statement.get("Effect") in ("Allow", "Deny"))


def check_identity_policy(document: str) -> None:
    """A policy attached to a user, group or role (inline or managed)."""
    for statement in statements(document):
        if "Principal" in statement or "NotPrincipal" in statement:
            raise malformed("Policy document should not specify a principal.")
        if "Action" not in statement and "NotAction" not in statement:
            raise malformed("Policy statement must contain actions.")
        if "Resource" not in statement and "NotResource" not in statement:
            raise malformed("Policy statement must contain resources.")


def _as_list(value) -> list:
    return [] if value is None else value if isinstance(value, list) else [value]


def _is_sts_action(action) -> bool:
    """Trust policies grant only STS actions (sts:AssumeRole and its variants, sts:TagSession...)."""
    return isinstance(action, str) and (action == "*" or action.lower().startswith("sts:"))


def check_trust_policy(document: str) -> None:
    """A role's AssumeRolePolicyDocument."""
    for statement in statements(document):
        if "Resource" in statement or "NotResource" in statement:
            raise malformed("Has prohibited field Resource")
        if "Principal" not in statement and "NotPrincipal" not in statement:
            raise malformed("Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: "
                            "The passed in policy has a statement with no principals!")
        if "Action" not in statement and "NotAction" not in statement:
            raise malformed("Policy statement must contain actions.")
        if not all(_is_sts_action(a) for a in _as_list(statement.get("Action"))):
            raise malformed("AssumeRole policy may only specify STS AssumeRole actions.")
    if size(document) > TRUST_POLICY_QUOTA:
        raise AwsError("LimitExceeded", f"Cannot exceed quota for ACLSizePerRole: {TRUST_POLICY_QUOTA}")
