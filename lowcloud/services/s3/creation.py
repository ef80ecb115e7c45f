"""What CreateBucket's ACL, ObjectOwnership and Object Lock parameters set up.

CreateBucket itself lives in ``buckets``; these two hooks are what it would
call around its insert so a new bucket starts with the configuration its
request asked for: ``check`` before anything is written (an ACL that the
requested or default ownership forbids fails with
InvalidBucketAclWithObjectOwnership, a public one with
InvalidBucketAclWithBlockPublicAccessError, since a new bucket blocks public
access), ``apply`` after the bucket row exists.
"""
from __future__ import annotations

from lowcloud.errors import AwsError
from lowcloud.services.s3 import acl, buckets, config_kinds, config_store


def _ownership(params: dict) -> str:
    return params.get("ObjectOwnership") or "BucketOwnerEnforced"


def check(svc, params: dict) -> None:
    """Refuse an ACL the new bucket's ownership or its default Block Public Access forbids."""
    grants = acl.requested(params, svc.account, body_allowed=False)
    if grants is None:
        return
    enforced = _ownership(params) == "BucketOwnerEnforced"
    if enforced and params.get("ACL") not in acl.OWNER_ONLY_CANNED and not acl.owner_only(grants, svc.account):
        raise AwsError("InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's "
                       "BucketOwnerEnforced setting", status=400)
    if any(g["Grantee"].get("URI") in acl.PUBLIC_GROUPS for g in grants):
        raise AwsError("InvalidBucketAclWithBlockPublicAccessError", "Bucket cannot have public ACLs set with "
                       "BlockPublicAccess enabled", status=400)


def apply(svc, params: dict) -> None:
    bucket = buckets.require(svc, params["Bucket"])
    if params.get("ObjectOwnership"):
        config_store.save(svc, bucket, config_kinds.OWNERSHIP.name,
                          {"Rules": [{"ObjectOwnership": params["ObjectOwnership"]}]})
    grants = acl.requested(params, svc.account, body_allowed=False)
    if grants is not None:
        config_store.save(svc, bucket, acl.KIND, grants)
    if params.get("ObjectLockEnabledForBucket"):
        config_store.save(svc, bucket, config_kinds.OBJECT_LOCK.name, {"ObjectLockEnabled": "Enabled"})
