"""GetObjectAttributes: only the attributes asked for, in S3's shapes."""
from __future__ import annotations

import base64
import hashlib
import json

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of

ALL = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"]
PART = 5 * 1024 * 1024


def _error(call, **kwargs):
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return (*error_of(excinfo), excinfo.value.response["Error"].get("Message"))


def test_single_part_object(s3, bucket):
    body = b"attribute body"
    sha = base64.b64encode(hashlib.sha256(body).digest()).decode()
    s3.put_object(Bucket=bucket, Key="a.txt", Body=body, ChecksumSHA256=sha, StorageClass="STANDARD_IA")
    got = s3.get_object_attributes(Bucket=bucket, Key="a.txt", ObjectAttributes=ALL)
    assert got["ETag"] == hashlib.md5(body).hexdigest()
    assert got["Checksum"] == {"ChecksumSHA256": sha, "ChecksumType": "FULL_OBJECT"}
    assert got["ObjectSize"] == len(body)
    assert got["StorageClass"] == "STANDARD_IA"
    assert "ObjectParts" not in got and "VersionId" not in got
    assert got["LastModified"] == s3.head_object(Bucket=bucket, Key="a.txt")["LastModified"]


def test_only_requested_attributes(s3, bucket):
    s3.put_object(Bucket=bucket, Key="b", Body=b"12345")
    got = s3.get_object_attributes(Bucket=bucket, Key="b", ObjectAttributes=["ObjectSize"])
    assert got["ObjectSize"] == 5
    assert not {"ETag", "Checksum", "StorageClass"} & set(got)


def test_versioned_object_reports_version(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=bucket, Key="v", Body=b"one")["VersionId"]
    s3.put_object(Bucket=bucket, Key="v", Body=b"three")
    got = s3.get_object_attributes(Bucket=bucket, Key="v", VersionId=first, ObjectAttributes=["ObjectSize"])
    assert got["VersionId"] == first and got["ObjectSize"] == 3


def test_multipart_with_composite_checksum_lists_parts(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp", ChecksumAlgorithm="SHA256")["UploadId"]
    parts = []
    for number, body in ((1, b"a" * PART), (2, b"b" * 10)):
        sent = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=number, Body=body,
                              ChecksumAlgorithm="SHA256")
        parts.append({"PartNumber": number, "ETag": sent["ETag"], "ChecksumSHA256": sent["ChecksumSHA256"]})
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload, MultipartUpload={"Parts": parts})
    got = s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=ALL, MaxParts=1)
    assert got["ETag"].endswith("-2") and '"' not in got["ETag"]
    assert got["Checksum"]["ChecksumType"] == "COMPOSITE" and "-" not in got["Checksum"]["ChecksumSHA256"]
    assert got["ObjectParts"]["TotalPartsCount"] == 2
    assert got["ObjectParts"]["IsTruncated"] is True and got["ObjectParts"]["NextPartNumberMarker"] == 1
    assert got["ObjectParts"]["Parts"] == [{"PartNumber": 1, "Size": PART}]
    rest = s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=["ObjectParts"], PartNumberMarker=1)
    assert rest["ObjectParts"]["Parts"] == [{"PartNumber": 2, "Size": 10}]
    assert rest["ObjectParts"]["IsTruncated"] is False


def test_multipart_without_additional_checksum_reports_count_only(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="plain")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="plain", UploadId=upload, PartNumber=1, Body=b"z" * 100)["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="plain", UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    got = s3.get_object_attributes(Bucket=bucket, Key="plain", ObjectAttributes=["ObjectParts"])
    assert got["ObjectParts"] == {"TotalPartsCount": 1}


def test_errors(s3, bucket):
    s3.put_object(Bucket=bucket, Key="c", Body=b"c")
    assert _error(s3.get_object_attributes, Bucket=bucket, Key="c", ObjectAttributes=["Colour"]) == (
        "InvalidArgument", 400, "Invalid attribute name specified.")
    assert _error(s3.get_object_attributes, Bucket=bucket, Key="absent", ObjectAttributes=["ETag"])[:2] == \
        ("NoSuchKey", 404)
    assert _error(s3.get_object_attributes, Bucket="no-bucket-like-this", Key="c", ObjectAttributes=["ETag"])[:2] == \
        ("NoSuchBucket", 404)


def test_aws_cli_get_object_attributes(aws_cli, tmp_path):
    aws_cli("s3api", "create-bucket", "--bucket", "cli-attr-bucket")
    (tmp_path / "body.bin").write_bytes(b"cli attributes")
    aws_cli("s3api", "put-object", "--bucket", "cli-attr-bucket", "--key", "o", "--body", "body.bin")
    got = json.loads(aws_cli("s3api", "get-object-attributes", "--bucket", "cli-attr-bucket", "--key", "o",
                             "--object-attributes", "ETag", "ObjectSize").stdout)
    assert got["ObjectSize"] == 14 and got["ETag"] == hashlib.md5(b"cli attributes").hexdigest()
