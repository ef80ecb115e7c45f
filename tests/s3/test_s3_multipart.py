"""Multipart uploads through boto3: transfer manager, parts, completion rules, listings, errors."""
from __future__ import annotations

import base64
import hashlib
import io
import os
import zlib

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError
from s3_helpers import error_of

MiB = 1024 * 1024


def test_64_mib_upload_fileobj_round_trip(s3, bucket):
    body = os.urandom(64 * MiB)
    config = TransferConfig(multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB, max_concurrency=4)
    s3.upload_fileobj(io.BytesIO(body), bucket, "big/blob.bin", Config=config)
    head = s3.head_object(Bucket=bucket, Key="big/blob.bin", ChecksumMode="ENABLED")
    assert head["ContentLength"] == len(body)
    parts_md5 = b"".join(hashlib.md5(body[i:i + 8 * MiB]).digest() for i in range(0, len(body), 8 * MiB))
    assert head["ETag"] == f'"{hashlib.md5(parts_md5).hexdigest()}-8"'
    out = io.BytesIO()
    s3.download_fileobj(bucket, "big/blob.bin", out, Config=config)
    assert hashlib.sha256(out.getvalue()).digest() == hashlib.sha256(body).digest()
    assert s3.get_object(Bucket=bucket, Key="big/blob.bin", PartNumber=8)["ContentLength"] == 8 * MiB


def _upload(s3, bucket, key, sizes, **create):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, **create)["UploadId"]
    parts, bodies = [], []
    for number, size in enumerate(sizes, start=1):
        body = bytes([number]) * size
        out = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body)
        part = {"PartNumber": number, "ETag": out["ETag"]}
        part.update({k: v for k, v in out.items() if k.startswith("Checksum")})
        parts.append(part)
        bodies.append(body)
    return upload_id, parts, b"".join(bodies)


def test_complete_builds_object_with_parts_and_composite_crc32(s3, bucket):
    upload_id, parts, body = _upload(s3, bucket, "mp", [5 * MiB, 1024], ChecksumAlgorithm="CRC32")
    listed = s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload_id)
    assert [(p["PartNumber"], p["Size"]) for p in listed["Parts"]] == [(1, 5 * MiB), (2, 1024)]
    assert listed["ChecksumAlgorithm"] == "CRC32" and listed["ChecksumType"] == "COMPOSITE"
    done = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload_id,
                                        MultipartUpload={"Parts": parts})
    assert done["Key"] == "mp" and done["Bucket"] == bucket and done["ETag"].endswith('-2"')
    raw = b"".join(base64.b64decode(p["ChecksumCRC32"]) for p in parts)
    expected = base64.b64encode(zlib.crc32(raw).to_bytes(4, "big")).decode() + "-2"
    assert done["ChecksumCRC32"] == expected and done["ChecksumType"] == "COMPOSITE"
    got = s3.get_object(Bucket=bucket, Key="mp", ChecksumMode="ENABLED")
    assert got["Body"].read() == body and got["ChecksumCRC32"] == expected
    second = s3.get_object(Bucket=bucket, Key="mp", PartNumber=2)
    assert second["Body"].read() == bytes([2]) * 1024 and second["PartsCount"] == 2
    assert second["ContentRange"] == f"bytes {5 * MiB}-{5 * MiB + 1023}/{5 * MiB + 1024}"
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="mp", PartNumber=3)
    assert error_of(exc) == ("InvalidPartNumber", 416)


def test_full_object_crc32_multipart(s3, bucket):
    upload_id, parts, body = _upload(s3, bucket, "full", [5 * MiB, 10],
                                     ChecksumAlgorithm="CRC32", ChecksumType="FULL_OBJECT")
    done = s3.complete_multipart_upload(Bucket=bucket, Key="full", UploadId=upload_id,
                                        MultipartUpload={"Parts": parts})
    assert done["ChecksumType"] == "FULL_OBJECT"
    assert done["ChecksumCRC32"] == base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()


def test_small_non_last_part_is_entity_too_small(s3, bucket):
    upload_id, parts, _ = _upload(s3, bucket, "small", [1024, 1024])
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="small", UploadId=upload_id,
                                     MultipartUpload={"Parts": parts})
    assert error_of(exc) == ("EntityTooSmall", 400)
    assert exc.value.response["Error"]["ProposedSize"] == "1024"


def test_invalid_part_and_part_order(s3, bucket):
    upload_id, parts, _ = _upload(s3, bucket, "order", [5 * MiB, 10])
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="order", UploadId=upload_id,
                                     MultipartUpload={"Parts": list(reversed(parts))})
    assert error_of(exc) == ("InvalidPartOrder", 400)
    wrong = [parts[0], {"PartNumber": 2, "ETag": '"00000000000000000000000000000000"'}]
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="order", UploadId=upload_id,
                                     MultipartUpload={"Parts": wrong})
    assert error_of(exc) == ("InvalidPart", 400)
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="order", UploadId=upload_id,
                                     MultipartUpload={"Parts": [parts[0], {"PartNumber": 3, "ETag": parts[1]["ETag"]}]})
    assert error_of(exc) == ("InvalidPart", 400)
    s3.complete_multipart_upload(Bucket=bucket, Key="order", UploadId=upload_id, MultipartUpload={"Parts": parts})


def test_no_such_upload(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.upload_part(Bucket=bucket, Key="k", UploadId="nope", PartNumber=1, Body=b"x")
    assert error_of(exc) == ("NoSuchUpload", 404)
    assert exc.value.response["Error"]["UploadId"] == "nope"
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId="nope",
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"x"'}]})
    assert error_of(exc) == ("NoSuchUpload", 404)
    with pytest.raises(ClientError) as exc:
        s3.list_parts(Bucket=bucket, Key="k", UploadId="nope")
    assert error_of(exc) == ("NoSuchUpload", 404)
    with pytest.raises(ClientError) as exc:
        s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId="nope")
    assert error_of(exc) == ("NoSuchUpload", 404)


def test_abort_removes_upload_and_part_blobs(cloud, local_s3, local_bucket):
    upload_id, _, _ = _upload(local_s3, local_bucket, "gone", [100, 100])
    out = local_s3.abort_multipart_upload(Bucket=local_bucket, Key="gone", UploadId=upload_id)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert cloud.storage.blobs("s3")._data == {}
    with pytest.raises(ClientError) as exc:
        local_s3.list_parts(Bucket=local_bucket, Key="gone", UploadId=upload_id)
    assert error_of(exc) == ("NoSuchUpload", 404)


def test_list_multipart_uploads_pages(s3, bucket):
    ids = [s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"] for key in ("a/1", "a/2", "b", "b")]
    out = s3.list_multipart_uploads(Bucket=bucket)
    assert [(u["Key"], u["UploadId"]) for u in out["Uploads"]] == list(zip(["a/1", "a/2", "b", "b"], ids))
    page = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=3)
    assert page["IsTruncated"] and page["NextKeyMarker"] == "b" and page["NextUploadIdMarker"] == ids[2]
    rest = s3.list_multipart_uploads(Bucket=bucket, KeyMarker="b", UploadIdMarker=ids[2])
    assert [u["UploadId"] for u in rest["Uploads"]] == [ids[3]]
    grouped = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in grouped["CommonPrefixes"]] == ["a/"]


def test_upload_part_copy_and_list_parts_paging(s3, bucket):
    source = os.urandom(6 * MiB)
    s3.put_object(Bucket=bucket, Key="source", Body=source)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="assembled")["UploadId"]
    first = s3.upload_part_copy(Bucket=bucket, Key="assembled", UploadId=upload_id, PartNumber=1,
                                CopySource={"Bucket": bucket, "Key": "source"}, CopySourceRange=f"bytes=0-{5 * MiB - 1}")
    second = s3.upload_part_copy(Bucket=bucket, Key="assembled", UploadId=upload_id, PartNumber=2,
                                 CopySource={"Bucket": bucket, "Key": "source"},
                                 CopySourceRange=f"bytes={5 * MiB}-{6 * MiB - 1}")
    page = s3.list_parts(Bucket=bucket, Key="assembled", UploadId=upload_id, MaxParts=1)
    assert page["IsTruncated"] and page["NextPartNumberMarker"] == 1
    parts = [{"PartNumber": 1, "ETag": first["CopyPartResult"]["ETag"]},
             {"PartNumber": 2, "ETag": second["CopyPartResult"]["ETag"]}]
    s3.complete_multipart_upload(Bucket=bucket, Key="assembled", UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert s3.get_object(Bucket=bucket, Key="assembled")["Body"].read() == source
    with pytest.raises(ClientError) as exc:
        s3.upload_part_copy(Bucket=bucket, Key="assembled", UploadId="x", PartNumber=1,
                            CopySource={"Bucket": bucket, "Key": "source"})
    assert error_of(exc) == ("NoSuchUpload", 404)


def test_part_number_out_of_range(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    with pytest.raises(ClientError) as exc:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=10001, Body=b"x")
    assert error_of(exc) == ("InvalidArgument", 400)
