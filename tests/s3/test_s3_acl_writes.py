"""ACLs on the wire (xsi:type), at write time, and at bucket creation (ownership, Object Lock)."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of

from lowcloud.protocol import xmlbody
from lowcloud.protocol.model import service_model
from lowcloud.services.s3.buckets import owner_id

OWNER = owner_id("000000000000")
AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
OWNER_GRANT = {"Grantee": {"ID": OWNER, "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}


def _error(call, **kwargs):
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return (*error_of(excinfo), excinfo.value.response["Error"].get("Message"))


def _acl_bucket(s3, name: str) -> str:
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
    s3.delete_public_access_block(Bucket=name)
    return name


# --- Grantee Type on the wire ---------------------------------------------------
def test_grantee_writer_declares_xsi_once():
    parts: list = []
    xmlbody.write_element(service_model("s3").shape_for("Grantee"), "Grantee", {"ID": "abc", "Type": "CanonicalUser"},
                          parts)
    text = "".join(parts)
    assert text.count('xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"') == 1
    assert 'xsi:type="CanonicalUser"' in text


def test_grantee_reader_takes_the_prefixed_type():
    body = (b'<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">'
            b'<URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee>')
    assert xmlbody.parse_document(service_model("s3").shape_for("Grantee"), body) == {"URI": ALL_USERS, "Type": "Group"}


def test_bucket_and_object_acls_name_the_grantee_type(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert s3.get_bucket_acl(Bucket=bucket)["Grants"] == [OWNER_GRANT]
    assert s3.get_object_acl(Bucket=bucket, Key="k")["Grants"] == [OWNER_GRANT]


def test_group_grantee_type_round_trips(s3):
    name = _acl_bucket(s3, "typed-acl")
    s3.put_bucket_acl(Bucket=name, ACL="authenticated-read")
    assert s3.get_bucket_acl(Bucket=name)["Grants"] == [
        OWNER_GRANT, {"Grantee": {"Type": "Group", "URI": AUTHENTICATED}, "Permission": "READ"}]


def test_aws_cli_shows_grantee_type(aws_cli):
    aws_cli("s3api", "create-bucket", "--bucket", "cli-typed-acl")
    got = json.loads(aws_cli("s3api", "get-bucket-acl", "--bucket", "cli-typed-acl").stdout)
    assert got["Grants"] == [OWNER_GRANT]


# --- ACLs sent with a write -----------------------------------------------------
def test_put_object_public_acl_refused_while_acls_disabled(s3, bucket):
    assert _error(s3.put_object, Bucket=bucket, Key="k", Body=b"x", ACL="public-read") == (
        "AccessControlListNotSupported", 400, "The bucket does not allow ACLs")
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="bucket-owner-full-control")
    assert s3.get_object_acl(Bucket=bucket, Key="k")["Grants"] == [OWNER_GRANT]


def test_put_object_stores_its_acl(s3):
    name = _acl_bucket(s3, "writer-acl")
    s3.put_object(Bucket=name, Key="k", Body=b"x", ACL="authenticated-read")
    assert s3.get_object_acl(Bucket=name, Key="k")["Grants"][1] == {
        "Grantee": {"Type": "Group", "URI": AUTHENTICATED}, "Permission": "READ"}
    s3.put_object(Bucket=name, Key="k", Body=b"y")
    assert s3.get_object_acl(Bucket=name, Key="k")["Grants"] == [OWNER_GRANT]


def test_copy_object_takes_the_requested_acl_not_the_source(s3):
    name = _acl_bucket(s3, "copy-acl")
    s3.put_object(Bucket=name, Key="src", Body=b"x", ACL="authenticated-read")
    s3.copy_object(Bucket=name, Key="plain", CopySource=f"{name}/src")
    assert s3.get_object_acl(Bucket=name, Key="plain")["Grants"] == [OWNER_GRANT]
    s3.copy_object(Bucket=name, Key="granted", CopySource=f"{name}/src", GrantRead=f'uri="{AUTHENTICATED}"')
    grants = s3.get_object_acl(Bucket=name, Key="granted")["Grants"]
    assert grants == [{"Grantee": {"Type": "Group", "URI": AUTHENTICATED}, "Permission": "READ"}]


def test_copy_object_public_acl_refused_while_acls_disabled(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x")
    assert _error(s3.copy_object, Bucket=bucket, Key="dst", CopySource=f"{bucket}/src",
                  ACL="public-read")[:2] == ("AccessControlListNotSupported", 400)


def test_multipart_upload_acl_applies_at_completion(s3):
    name = _acl_bucket(s3, "mpu-acl")
    upload = s3.create_multipart_upload(Bucket=name, Key="big", ACL="authenticated-read")["UploadId"]
    etag = s3.upload_part(Bucket=name, Key="big", UploadId=upload, PartNumber=1, Body=b"abc")["ETag"]
    s3.complete_multipart_upload(Bucket=name, Key="big", UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert [g["Permission"] for g in s3.get_object_acl(Bucket=name, Key="big")["Grants"]] == ["FULL_CONTROL", "READ"]
    assert "Grants" not in s3.head_object(Bucket=name, Key="big")["Metadata"]


def test_multipart_upload_public_acl_refused_while_acls_disabled(s3, bucket):
    assert _error(s3.create_multipart_upload, Bucket=bucket, Key="k", ACL="public-read-write")[:2] == (
        "AccessControlListNotSupported", 400)


# --- CreateBucket's ownership, ACL and Object Lock ------------------------------
def test_create_bucket_with_object_writer_ownership(s3):
    s3.create_bucket(Bucket="owned-by-writer", ObjectOwnership="ObjectWriter")
    rules = s3.get_bucket_ownership_controls(Bucket="owned-by-writer")["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "ObjectWriter"}]


def test_create_bucket_default_ownership_is_enforced(s3, bucket):
    rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]


def test_create_bucket_acl_refused_by_default_ownership(s3):
    assert _error(s3.create_bucket, Bucket="acl-at-create", ACL="authenticated-read") == (
        "InvalidBucketAclWithObjectOwnership", 400,
        "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
    assert _error(s3.head_bucket, Bucket="acl-at-create")[:2] == ("404", 404)


def test_create_bucket_public_acl_refused_by_block_public_access(s3):
    assert _error(s3.create_bucket, Bucket="public-at-create", ACL="public-read", ObjectOwnership="ObjectWriter") == (
        "InvalidBucketAclWithBlockPublicAccessError", 400,
        "Bucket cannot have public ACLs set with BlockPublicAccess enabled")


def test_create_bucket_keeps_a_private_acl_and_owner_grants(s3):
    s3.create_bucket(Bucket="private-at-create", ACL="private")
    assert s3.get_bucket_acl(Bucket="private-at-create")["Grants"] == [OWNER_GRANT]
    s3.create_bucket(Bucket="granted-at-create", ObjectOwnership="BucketOwnerPreferred",
                     GrantWrite=f'uri="{LOG_DELIVERY}"')
    assert s3.get_bucket_acl(Bucket="granted-at-create")["Grants"] == [
        {"Grantee": {"Type": "Group", "URI": LOG_DELIVERY}, "Permission": "WRITE"}]


def test_create_bucket_with_object_lock(s3):
    s3.create_bucket(Bucket="locked", ObjectLockEnabledForBucket=True)
    assert s3.get_object_lock_configuration(Bucket="locked")["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled"}
    assert s3.get_bucket_versioning(Bucket="locked")["Status"] == "Enabled"
    assert _error(s3.put_bucket_versioning, Bucket="locked", VersioningConfiguration={"Status": "Suspended"}) == (
        "InvalidBucketState", 409, "An Object Lock configuration is present on this bucket, so the versioning "
        "state cannot be changed.")
    s3.put_bucket_versioning(Bucket="locked", VersioningConfiguration={"Status": "Enabled"})


def test_recreating_an_owned_bucket_keeps_its_configuration(s3):
    s3.create_bucket(Bucket="made-once", ObjectOwnership="ObjectWriter")
    s3.create_bucket(Bucket="made-once")
    rules = s3.get_bucket_ownership_controls(Bucket="made-once")["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "ObjectWriter"}]
