"""Bucket and object ACLs, under S3 Object Ownership.

A bucket created today has ObjectOwnership ``BucketOwnerEnforced``: ACLs are
disabled, reads answer the owner with FULL_CONTROL, and a write of any ACL
other than the owner's full control fails with AccessControlListNotSupported.
Once ownership is ObjectWriter or BucketOwnerPreferred, ACLs are accepted and
stored (Block Public Access still refuses public ones).  An ACL arrives in one
of three forms (a canned ``x-amz-acl``, ``x-amz-grant-*`` headers, or an
AccessControlPolicy body) and is stored as the grant list GetXxxAcl returns.
Grantees read from XML may lack their ``xsi:type``; it is inferred from which
identifier they carry; every grantee is answered with its ``Type``
(``xsi:type``), as S3 does.
"""
from __future__ import annotations

import re

from lowcloud.errors import AwsError
from lowcloud.services.s3 import buckets, config_kinds, config_store, errors, reads

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
GROUPS = (ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY)
PUBLIC_GROUPS = (ALL_USERS, AUTHENTICATED_USERS)
CANNED_EXTRA = {  # canned ACL -> grants beyond the owner's FULL_CONTROL
    "private": [], "bucket-owner-read": [], "bucket-owner-full-control": [], "aws-exec-read": [],
    "public-read": [(ALL_USERS, "READ")],
    "public-read-write": [(ALL_USERS, "READ"), (ALL_USERS, "WRITE")],
    "authenticated-read": [(AUTHENTICATED_USERS, "READ")],
    "log-delivery-write": [(LOG_DELIVERY, "WRITE"), (LOG_DELIVERY, "READ_ACP")],
}
OWNER_ONLY_CANNED = ("private", "bucket-owner-full-control")
GRANT_HEADERS = {"GrantFullControl": "FULL_CONTROL", "GrantRead": "READ", "GrantReadACP": "READ_ACP",
                 "GrantWrite": "WRITE", "GrantWriteACP": "WRITE_ACP"}
PERMISSIONS = ("FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP")
_GRANTEE = re.compile(r'\s*(id|uri|emailAddress)\s*=\s*"([^"]*)"\s*(?:,|$)', re.IGNORECASE)
_CANONICAL_ID = re.compile(r"^[0-9a-f]{64}$")
KIND = "acl"


# --- grants --------------------------------------------------------------------
def owner_grant(account: str) -> dict:
    return {"Grantee": {"ID": buckets.owner_id(account), "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}


def group_grant(uri: str, permission: str) -> dict:
    return {"Grantee": {"Type": "Group", "URI": uri}, "Permission": permission}


def canned(name: str, account: str) -> list:
    if name not in CANNED_EXTRA:
        raise errors.invalid_argument("", "x-amz-acl", name)
    return [owner_grant(account)] + [group_grant(uri, perm) for uri, perm in CANNED_EXTRA[name]]


def from_headers(params: dict) -> list:
    grants = []
    for field, permission in GRANT_HEADERS.items():
        for kind, value in _grantees(params.get(field)):
            grants.append({"Grantee": _grantee({kind: value}), "Permission": permission})
    return grants


def _grantees(header: str | None) -> list:
    if not header:
        return []
    found = [(m.group(1).lower(), m.group(2)) for m in _GRANTEE.finditer(header)]
    if not found:
        raise errors.invalid_argument("Invalid id", "x-amz-grant", header)
    names = {"id": "ID", "uri": "URI", "emailaddress": "EmailAddress"}
    return [(names[k], v) for k, v in found]


def _grantee(given: dict) -> dict:
    """A grantee as stored: validated, its Type inferred from its identifier when XML omitted it."""
    if given.get("ID") is not None:
        if not _CANONICAL_ID.match(given["ID"]):
            raise errors.invalid_argument("Invalid id", "CanonicalUser/ID", given["ID"])
        return {"ID": given["ID"], "Type": "CanonicalUser"}
    if given.get("URI") is not None:
        if given["URI"] not in GROUPS:
            raise errors.invalid_argument("Invalid group uri", "Group/URI", given["URI"])
        return {"Type": "Group", "URI": given["URI"]}
    if given.get("EmailAddress") is not None:
        raise AwsError("UnresolvableGrantByEmailAddress", "The e-mail address you provided does not match any "
                       "account on record.", status=400, EmailAddress=given["EmailAddress"])
    raise AwsError("MalformedACLError", "The XML you provided was not well-formed or did not validate against "
                   "our published schema", status=400)


def from_policy(doc: dict) -> list:
    grants = []
    for grant in doc.get("Grants") or []:
        if grant.get("Permission") not in PERMISSIONS or not grant.get("Grantee"):
            raise AwsError("MalformedACLError", "The XML you provided was not well-formed or did not validate "
                           "against our published schema", status=400)
        grants.append({"Grantee": _grantee(grant["Grantee"]), "Permission": grant["Permission"]})
    return grants


def requested(params: dict, account: str, body_allowed: bool = True) -> list | None:
    """The grants a request sets (canned header, grant headers or body); None when it sets none."""
    has_headers = any(params.get(f) for f in GRANT_HEADERS)
    if params.get("ACL") and has_headers:
        raise errors.invalid_request("Specifying both Canned ACLs and Header Grants is not allowed")
    if body_allowed and params.get("AccessControlPolicy") and (params.get("ACL") or has_headers):
        raise AwsError("UnexpectedContent", "This request does not support content", status=400)
    if params.get("ACL"):
        return canned(params["ACL"], account)
    if has_headers:
        return from_headers(params)
    if body_allowed and params.get("AccessControlPolicy"):
        return from_policy(params["AccessControlPolicy"])
    return None


# --- what a bucket allows --------------------------------------------------------
def owner_only(grants: list, account: str) -> bool:
    return all(g == owner_grant(account) for g in grants)


def check_allowed(svc, bucket, grants: list, canned_name: str | None) -> None:
    """AccessControlListNotSupported under BucketOwnerEnforced; AccessDenied for public grants under BPA."""
    if config_kinds.object_ownership(svc, bucket) == "BucketOwnerEnforced":
        if canned_name not in OWNER_ONLY_CANNED and not owner_only(grants, svc.account):
            raise AwsError("AccessControlListNotSupported", "The bucket does not allow ACLs", status=400)
    public = any(g["Grantee"].get("URI") in PUBLIC_GROUPS for g in grants)
    if public and config_kinds.public_access_block(svc, bucket).get("BlockPublicAcls"):
        raise AwsError("AccessDenied", "Access Denied", status=403)


def for_new_object(svc, bucket, params: dict) -> list | None:
    """The grants a PutObject/CopyObject/CreateMultipartUpload sets, checked; None for the default."""
    grants = requested(params, svc.account, body_allowed=False)
    if grants is not None:
        check_allowed(svc, bucket, grants, params.get("ACL"))
    return grants


def check_ownership_change(svc, params: dict) -> None:
    """BucketOwnerEnforced cannot be set while the bucket's own ACL grants to others."""
    rules = (params.get("OwnershipControls") or {}).get("Rules") or [{}]
    if rules[0].get("ObjectOwnership") != "BucketOwnerEnforced":
        return
    bucket = buckets.require(svc, params["Bucket"])
    if not owner_only(bucket_grants(svc, bucket), svc.account):
        raise AwsError("InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's "
                       "BucketOwnerEnforced setting", status=400)


# --- operations -------------------------------------------------------------------
def _policy_of(svc, grants: list) -> dict:
    return {"Owner": buckets.owner(svc.account), "Grants": grants}


def _required(params: dict, account: str) -> list:
    grants = requested(params, account)
    if grants is None:
        raise AwsError("MissingSecurityHeader", "Your request was missing a required header", status=400,
                       MissingHeaderName="x-amz-acl")
    return grants


def bucket_grants(svc, bucket) -> list:
    return config_store.load(svc, bucket, KIND) or [owner_grant(svc.account)]


def get_bucket_acl(svc, params: dict, req) -> dict:
    bucket = buckets.require(svc, params["Bucket"])
    return _policy_of(svc, bucket_grants(svc, bucket))


def put_bucket_acl(svc, params: dict, req) -> dict:
    bucket = buckets.require(svc, params["Bucket"])
    grants = _required(params, svc.account)
    check_allowed(svc, bucket, grants, params.get("ACL"))
    config_store.save(svc, bucket, KIND, grants)
    return {}


def get_object_acl(svc, params: dict, req) -> dict:
    """The stored grants; the owner's full control alone while ACLs are disabled (they no longer apply)."""
    obj, bucket = reads.readable(svc, params, "GET")
    stored = config_store.object_acl(svc, obj)
    if stored is None or config_kinds.object_ownership(svc, bucket) == "BucketOwnerEnforced":
        stored = [owner_grant(svc.account)]
    return _policy_of(svc, stored)


def put_object_acl(svc, params: dict, req) -> dict:
    obj, bucket = reads.readable(svc, params, "PUT")
    grants = _required(params, svc.account)
    check_allowed(svc, bucket, grants, params.get("ACL"))
    config_store.save_object_acl(svc, obj, grants)
    return {}


def store_new_object_acl(svc, obj, grants: list | None) -> None:
    """Keep the grants ``for_new_object`` returned with the object version just written."""
    if grants is not None:
        config_store.save_object_acl(svc, obj, grants)
