"""Bucket and object ACLs under Object Ownership: disabled by default, stored once enabled."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of

from lowcloud.services.s3 import acl
from lowcloud.services.s3.buckets import owner_id

OWNER = owner_id("000000000000")
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


def _error(call, **kwargs):
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return (*error_of(excinfo), excinfo.value.response["Error"].get("Message"))


def _grants(response: dict) -> list:
    """(grantee id or uri, permission) pairs, whatever else the grantee carries."""
    return [(g["Grantee"].get("ID") or g["Grantee"].get("URI"), g["Permission"]) for g in response["Grants"]]


def _enable_acls(s3, bucket: str) -> None:
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    s3.delete_public_access_block(Bucket=bucket)


def test_default_bucket_acl_is_owner_full_control(s3, bucket):
    response = s3.get_bucket_acl(Bucket=bucket)
    assert response["Owner"]["ID"] == OWNER
    assert _grants(response) == [(OWNER, "FULL_CONTROL")]


def test_default_object_acl_is_owner_full_control(s3, bucket):
    s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"x")
    response = s3.get_object_acl(Bucket=bucket, Key="doc.txt")
    assert response["Owner"]["ID"] == OWNER
    assert _grants(response) == [(OWNER, "FULL_CONTROL")]


def test_object_acl_of_missing_key(s3, bucket):
    assert _error(s3.get_object_acl, Bucket=bucket, Key="nothing-here")[:2] == ("NoSuchKey", 404)


@pytest.mark.parametrize("canned", ["public-read", "public-read-write", "authenticated-read", "log-delivery-write"])
def test_acls_disabled_by_default(s3, bucket, canned):
    assert _error(s3.put_bucket_acl, Bucket=bucket, ACL=canned) == (
        "AccessControlListNotSupported", 400, "The bucket does not allow ACLs")


def test_owner_only_acls_are_accepted_while_disabled(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    s3.put_object_acl(Bucket=bucket, Key="k", ACL="bucket-owner-full-control")
    assert _error(s3.put_object_acl, Bucket=bucket, Key="k", ACL="public-read")[0] == "AccessControlListNotSupported"
    assert _grants(s3.get_object_acl(Bucket=bucket, Key="k")) == [(OWNER, "FULL_CONTROL")]


def test_explicit_grants_while_disabled(s3, bucket):
    assert _error(s3.put_bucket_acl, Bucket=bucket, GrantRead=f'uri="{AUTHENTICATED}"')[0] == \
        "AccessControlListNotSupported"
    policy = {"Owner": {"ID": OWNER}, "Grants": [{"Grantee": {"ID": OWNER, "Type": "CanonicalUser"},
                                                  "Permission": "FULL_CONTROL"}]}
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy=policy)
    assert _grants(s3.get_bucket_acl(Bucket=bucket)) == [(OWNER, "FULL_CONTROL")]


def test_canned_acls_stored_once_object_writer(s3, bucket):
    _enable_acls(s3, bucket)
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    assert _grants(s3.get_bucket_acl(Bucket=bucket)) == [(OWNER, "FULL_CONTROL"), (ALL_USERS, "READ")]
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read-write")
    assert _grants(s3.get_bucket_acl(Bucket=bucket)) == [(OWNER, "FULL_CONTROL"), (ALL_USERS, "READ"),
                                                         (ALL_USERS, "WRITE")]
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.put_object_acl(Bucket=bucket, Key="k", ACL="authenticated-read")
    assert _grants(s3.get_object_acl(Bucket=bucket, Key="k")) == [(OWNER, "FULL_CONTROL"), (AUTHENTICATED, "READ")]


def test_access_control_policy_body_and_grant_headers(s3, bucket):
    _enable_acls(s3, bucket)
    policy = {"Owner": {"ID": OWNER}, "Grants": [
        {"Grantee": {"ID": OWNER, "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"},
        {"Grantee": {"URI": ALL_USERS, "Type": "Group"}, "Permission": "READ_ACP"}]}
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy=policy)
    assert _grants(s3.get_bucket_acl(Bucket=bucket)) == [(OWNER, "FULL_CONTROL"), (ALL_USERS, "READ_ACP")]
    s3.put_bucket_acl(Bucket=bucket, GrantFullControl=f'id="{OWNER}"', GrantWrite=f'uri="{AUTHENTICATED}"')
    assert _grants(s3.get_bucket_acl(Bucket=bucket)) == [(OWNER, "FULL_CONTROL"), (AUTHENTICATED, "WRITE")]


def test_block_public_access_refuses_public_acls(s3, bucket):
    s3.put_bucket_ownership_controls(Bucket=bucket,
                                     OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]})
    assert _error(s3.put_bucket_acl, Bucket=bucket, ACL="public-read")[:2] == ("AccessDenied", 403)
    s3.put_bucket_acl(Bucket=bucket, ACL="private")


def test_enforcing_ownership_needs_an_owner_only_bucket_acl(s3, bucket):
    _enable_acls(s3, bucket)
    s3.put_bucket_acl(Bucket=bucket, ACL="authenticated-read")
    enforced = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert _error(s3.put_bucket_ownership_controls, Bucket=bucket, OwnershipControls=enforced) == (
        "InvalidBucketAclWithObjectOwnership", 400,
        "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls=enforced)


def test_bad_acl_requests(s3, bucket):
    _enable_acls(s3, bucket)
    assert _error(s3.put_bucket_acl, Bucket=bucket, ACL="public-read",
                  GrantRead=f'uri="{ALL_USERS}"')[:2] == ("InvalidRequest", 400)
    assert _error(s3.put_bucket_acl, Bucket=bucket, GrantRead='uri="http://example.com/group"')[:2] == \
        ("InvalidArgument", 400)
    assert _error(s3.put_bucket_acl, Bucket=bucket)[:2] == ("MissingSecurityHeader", 400)


def test_object_acl_follows_the_version(s3, bucket):
    _enable_acls(s3, bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=bucket, Key="v", Body=b"1")["VersionId"]
    s3.put_object_acl(Bucket=bucket, Key="v", VersionId=first, ACL="authenticated-read")
    s3.put_object(Bucket=bucket, Key="v", Body=b"2")
    assert _grants(s3.get_object_acl(Bucket=bucket, Key="v")) == [(OWNER, "FULL_CONTROL")]
    assert (AUTHENTICATED, "READ") in _grants(s3.get_object_acl(Bucket=bucket, Key="v", VersionId=first))


def test_new_object_acl_helpers(cloud, local_s3, local_bucket):
    """What PutObject's ACL header is checked against (writes.py calls these)."""
    svc = cloud.service("s3")
    bucket = svc.store.bucket(local_bucket)
    assert acl.for_new_object(svc, bucket, {"ACL": "bucket-owner-full-control"})[0]["Permission"] == "FULL_CONTROL"
    assert acl.for_new_object(svc, bucket, {}) is None
    with pytest.raises(Exception) as excinfo:
        acl.for_new_object(svc, bucket, {"ACL": "public-read"})
    assert excinfo.value.code == "AccessControlListNotSupported"


def test_aws_cli_get_bucket_acl(aws_cli):
    aws_cli("s3api", "create-bucket", "--bucket", "cli-acl-bucket")
    got = json.loads(aws_cli("s3api", "get-bucket-acl", "--bucket", "cli-acl-bucket").stdout)
    assert got["Owner"]["ID"] == OWNER
    assert [g["Permission"] for g in got["Grants"]] == ["FULL_CONTROL"]
    refused = aws_cli("s3api", "put-bucket-acl", "--bucket", "cli-acl-bucket", "--acl", "public-read", check=False)
    assert refused.returncode != 0 and "AccessControlListNotSupported" in refused.stderr


def test_deleted_object_version_drops_its_acl(local_s3, local_bucket, service):
    _enable_acls(local_s3, local_bucket)
    local_s3.put_object(Bucket=local_bucket, Key="gone", Body=b"x")
    local_s3.put_object_acl(Bucket=local_bucket, Key="gone", ACL="authenticated-read")
    assert service.store.db.all("SELECT seq FROM object_acls WHERE bucket = ?", (local_bucket,))
    local_s3.delete_object(Bucket=local_bucket, Key="gone")
    assert service.store.db.all("SELECT seq FROM object_acls WHERE bucket = ?", (local_bucket,)) == []


def test_enforcing_ownership_disables_existing_object_acls(s3, bucket):
    _enable_acls(s3, bucket)
    s3.put_object(Bucket=bucket, Key="shared", Body=b"x")
    s3.put_object_acl(Bucket=bucket, Key="shared", ACL="authenticated-read")
    assert len(s3.get_object_acl(Bucket=bucket, Key="shared")["Grants"]) == 2
    s3.put_bucket_ownership_controls(Bucket=bucket,
                                     OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    assert _grants(s3.get_object_acl(Bucket=bucket, Key="shared")) == [(OWNER, "FULL_CONTROL")]
