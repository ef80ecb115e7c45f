"""Versioning-enabled and suspended buckets: versions, delete markers, ListObjectVersions."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of


@pytest.fixture
def versioned(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return bucket


def test_versions_and_delete_markers(s3, versioned):
    v1 = s3.put_object(Bucket=versioned, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=versioned, Key="k", Body=b"two")["VersionId"]
    assert v1 != v2 and len(v1) == 32
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"two"
    assert s3.get_object(Bucket=versioned, Key="k", VersionId=v1)["Body"].read() == b"one"
    marker = s3.delete_object(Bucket=versioned, Key="k")
    assert marker["DeleteMarker"] is True
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=versioned, Key="k")
    assert error_of(exc) == ("NoSuchKey", 404)
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=versioned, Key="k", VersionId=marker["VersionId"])
    assert error_of(exc) == ("MethodNotAllowed", 405)
    assert s3.list_objects_v2(Bucket=versioned)["KeyCount"] == 0
    listed = s3.list_object_versions(Bucket=versioned)
    assert [(v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == [(v2, False), (v1, False)]
    assert [(m["VersionId"], m["IsLatest"]) for m in listed["DeleteMarkers"]] == [(marker["VersionId"], True)]
    s3.delete_object(Bucket=versioned, Key="k", VersionId=marker["VersionId"])
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"two"
    s3.delete_object(Bucket=versioned, Key="k", VersionId=v2)
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"one"


def test_copy_from_a_version(s3, versioned):
    v1 = s3.put_object(Bucket=versioned, Key="src", Body=b"old")["VersionId"]
    s3.put_object(Bucket=versioned, Key="src", Body=b"new")
    out = s3.copy_object(Bucket=versioned, Key="dst", CopySource={"Bucket": versioned, "Key": "src", "VersionId": v1})
    assert out["CopySourceVersionId"] == v1 and out["VersionId"]
    assert s3.get_object(Bucket=versioned, Key="dst")["Body"].read() == b"old"


def test_unknown_versions(s3, versioned):
    s3.put_object(Bucket=versioned, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=versioned, Key="k", VersionId="A" * 32)
    assert error_of(exc) == ("NoSuchVersion", 404)
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=versioned, Key="k", VersionId="bad")
    assert error_of(exc) == ("InvalidArgument", 400)


def test_suspended_versioning_replaces_the_null_version(s3, versioned):
    kept = s3.put_object(Bucket=versioned, Key="k", Body=b"kept")["VersionId"]
    s3.put_bucket_versioning(Bucket=versioned, VersioningConfiguration={"Status": "Suspended"})
    assert "VersionId" not in s3.put_object(Bucket=versioned, Key="k", Body=b"n1")  # AWS omits it when suspended
    assert s3.head_object(Bucket=versioned, Key="k")["VersionId"] == "null"
    s3.put_object(Bucket=versioned, Key="k", Body=b"n2")
    versions = s3.list_object_versions(Bucket=versioned)["Versions"]
    assert [v["VersionId"] for v in versions] == ["null", kept]
    assert s3.get_object(Bucket=versioned, Key="k", VersionId="null")["Body"].read() == b"n2"


def test_list_object_versions_pages(s3, versioned):
    ids = [s3.put_object(Bucket=versioned, Key=key, Body=b"x")["VersionId"] for key in ("a", "a", "b")]
    page = s3.list_object_versions(Bucket=versioned, MaxKeys=2)
    assert page["IsTruncated"] and (page["NextKeyMarker"], page["NextVersionIdMarker"]) == ("a", ids[0])
    rest = s3.list_object_versions(Bucket=versioned, KeyMarker="a", VersionIdMarker=ids[0])
    assert [(v["Key"], v["VersionId"]) for v in rest["Versions"]] == [("b", ids[2])]
    all_versions = [v["VersionId"] for p in s3.get_paginator("list_object_versions").paginate(
        Bucket=versioned, PaginationConfig={"PageSize": 1}) for v in p.get("Versions", [])]
    assert all_versions == [ids[1], ids[0], ids[2]]
