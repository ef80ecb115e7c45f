"""Objects through boto3: put/get/head/delete/copy, metadata, ranges, conditions, checksums."""
from __future__ import annotations

import base64
import hashlib
import zlib
from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of


def test_put_get_round_trip_with_metadata_and_content_headers(s3, bucket):
    body = b"hello, lowcloud"
    put = s3.put_object(Bucket=bucket, Key="docs/a.txt", Body=body, ContentType="text/plain",
                        Metadata={"Owner": "alice"}, ContentEncoding="identity", ContentLanguage="en",
                        ContentDisposition="inline", CacheControl="no-cache",
                        Expires=datetime(2030, 1, 1, tzinfo=timezone.utc))
    assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="docs/a.txt")
    assert got["Body"].read() == body
    assert got["ContentType"] == "text/plain" and got["ContentLength"] == len(body)
    assert got["Metadata"] == {"owner": "alice"}
    assert (got["ContentEncoding"], got["ContentLanguage"], got["ContentDisposition"], got["CacheControl"]) == \
        ("identity", "en", "inline", "no-cache")
    assert got["Expires"] == datetime(2030, 1, 1, tzinfo=timezone.utc)
    assert got["ETag"] == put["ETag"] and got["AcceptRanges"] == "bytes"
    assert got["ServerSideEncryption"] == "AES256"


def test_default_content_type_and_zero_byte_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    got = s3.get_object(Bucket=bucket, Key="empty")
    assert got["Body"].read() == b"" and got["ContentLength"] == 0
    assert got["ContentType"] == "binary/octet-stream"
    assert got["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
    head = s3.head_object(Bucket=bucket, Key="empty")
    assert head["ContentLength"] == 0 and head["ETag"] == got["ETag"]


def test_head_object_reports_without_body(s3, bucket):
    s3.put_object(Bucket=bucket, Key="h", Body=b"12345", Metadata={"k": "v"})
    head = s3.head_object(Bucket=bucket, Key="h")
    assert head["ContentLength"] == 5 and head["Metadata"] == {"k": "v"}
    assert "Body" not in head
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="missing")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_missing_key_is_no_such_key(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="nope/there")
    assert error_of(exc) == ("NoSuchKey", 404)
    assert exc.value.response["Error"]["Key"] == "nope/there"
    assert exc.value.response["Error"]["Message"] == "The specified key does not exist."


def test_overwrite_replaces_body_and_removes_old_blob(cloud, local_s3, local_bucket):
    local_s3.put_object(Bucket=local_bucket, Key="k", Body=b"first")
    local_s3.put_object(Bucket=local_bucket, Key="k", Body=b"second!")
    assert local_s3.get_object(Bucket=local_bucket, Key="k")["Body"].read() == b"second!"
    blobs = cloud.storage.blobs("s3")
    assert sorted(blobs._data.values()) == [b"second!"]


RANGES = [("bytes=0-3", b"0123", 206), ("bytes=4-", b"456789", 206), ("bytes=-3", b"789", 206),
          ("bytes=8-100", b"89", 206), ("bytes=-100", b"0123456789", 206), ("bytes=5-2", b"0123456789", 200),
          ("bytes=0-1,4-5", b"0123456789", 200), ("lines=1-2", b"0123456789", 200)]


def test_ranges(s3, bucket):
    s3.put_object(Bucket=bucket, Key="digits", Body=b"0123456789")
    for header, expected, status in RANGES:
        got = s3.get_object(Bucket=bucket, Key="digits", Range=header)
        assert got["Body"].read() == expected, header
        assert got["ResponseMetadata"]["HTTPStatusCode"] == status, header
        if status == 206:
            first = 10 - len(expected) if header.startswith("bytes=-") else int(header[6:].split("-")[0])
            assert got["ContentRange"] == f"bytes {first}-{first + len(expected) - 1}/10"
        else:
            assert "ContentRange" not in got


def test_unsatisfiable_range_is_invalid_range(s3, bucket):
    s3.put_object(Bucket=bucket, Key="digits", Body=b"0123456789")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="digits", Range="bytes=10-20")
    assert error_of(exc) == ("InvalidRange", 416)
    error = exc.value.response["Error"]
    assert error["Message"] == "The requested range is not satisfiable"
    assert (error["RangeRequested"], error["ActualObjectSize"]) == ("bytes=10-20", "10")
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="empty", Range="bytes=0-")
    assert error_of(exc) == ("InvalidRange", 416)


def test_conditional_reads(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"data")["ETag"]
    modified = s3.head_object(Bucket=bucket, Key="c")["LastModified"]
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"data"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfMatch='"0000"')
    assert error_of(exc) == ("PreconditionFailed", 412)
    assert exc.value.response["Error"]["Condition"] == "If-Match"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=modified + timedelta(seconds=5))
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfUnmodifiedSince=modified - timedelta(days=1))
    assert error_of(exc) == ("PreconditionFailed", 412)
    # If-Match true overrides a false If-Unmodified-Since (RFC 7232, as S3 documents)
    ok = s3.get_object(Bucket=bucket, Key="c", IfMatch=etag, IfUnmodifiedSince=modified - timedelta(days=1))
    assert ok["Body"].read() == b"data"


def test_conditional_writes(s3, bucket):
    s3.put_object(Bucket=bucket, Key="once", Body=b"1", IfNoneMatch="*")
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="once", Body=b"2", IfNoneMatch="*")
    assert error_of(exc) == ("PreconditionFailed", 412)
    etag = s3.head_object(Bucket=bucket, Key="once")["ETag"]
    s3.put_object(Bucket=bucket, Key="once", Body=b"3", IfMatch=etag)
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="once", Body=b"4", IfMatch=etag)
    assert error_of(exc) == ("PreconditionFailed", 412)
    assert s3.get_object(Bucket=bucket, Key="once")["Body"].read() == b"3"


def test_response_header_overrides(s3, bucket):
    s3.put_object(Bucket=bucket, Key="o", Body=b"x", ContentType="text/plain")
    got = s3.get_object(Bucket=bucket, Key="o", ResponseContentType="application/json",
                        ResponseContentDisposition="attachment; filename=o.json", ResponseCacheControl="max-age=1")
    assert got["ContentType"] == "application/json"
    assert got["ContentDisposition"] == "attachment; filename=o.json" and got["CacheControl"] == "max-age=1"


def test_default_crc32_checksum_is_stored_and_returned(s3, bucket):
    body = b"checksum me"
    expected = base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
    put = s3.put_object(Bucket=bucket, Key="crc", Body=body)
    assert put["ChecksumCRC32"] == expected and put["ChecksumType"] == "FULL_OBJECT"
    got = s3.get_object(Bucket=bucket, Key="crc", ChecksumMode="ENABLED")
    assert got["ChecksumCRC32"] == expected and got["Body"].read() == body
    head = s3.head_object(Bucket=bucket, Key="crc", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == expected
    ranged = s3.get_object(Bucket=bucket, Key="crc", Range="bytes=0-3", ChecksumMode="ENABLED")
    assert "ChecksumCRC32" not in ranged


@pytest.mark.parametrize("algorithm", ["SHA256", "SHA1"])
def test_other_checksum_algorithms(local_s3, local_bucket, algorithm):
    body = b"some bytes to hash" * 10
    local_s3.put_object(Bucket=local_bucket, Key="k", Body=body, ChecksumAlgorithm=algorithm)
    got = local_s3.get_object(Bucket=local_bucket, Key="k", ChecksumMode="ENABLED")
    digest = hashlib.new(algorithm.lower(), body).digest()
    assert got[f"Checksum{algorithm}"] == base64.b64encode(digest).decode()
    assert got["Body"].read() == body


@pytest.mark.parametrize("algorithm, check", [("CRC32C", 0xE3069283), ("CRC64NVME", 0xAE8B14860A799888)])
def test_crc32c_and_crc64nvme_match_their_check_values(service, req, local_bucket, algorithm, check):
    """botocore needs awscrt for these, so the service is called directly with the standard check input."""
    size = 4 if algorithm == "CRC32C" else 8
    value = base64.b64encode(check.to_bytes(size, "big")).decode()
    put = service.put_object({"Bucket": local_bucket, "Key": "v", "Body": b"123456789",
                              f"Checksum{algorithm}": value}, req)
    assert put[f"Checksum{algorithm}"] == value
    got = service.head_object({"Bucket": local_bucket, "Key": "v", "ChecksumMode": "ENABLED"}, req)
    assert got[f"Checksum{algorithm}"] == value and got["ChecksumType"] == "FULL_OBJECT"


def test_objects_without_a_checksum_get_crc64nvme(service, req, local_bucket):
    service.put_object({"Bucket": local_bucket, "Key": "plain", "Body": b"123456789"}, req)
    got = service.head_object({"Bucket": local_bucket, "Key": "plain", "ChecksumMode": "ENABLED"}, req)
    assert got["ChecksumCRC64NVME"] == base64.b64encode((0xAE8B14860A799888).to_bytes(8, "big")).decode()


def test_wrong_checksum_is_bad_digest(service, req, local_s3, local_bucket):
    wrong = base64.b64encode(b"\x00\x00\x00\x01").decode()
    with pytest.raises(Exception) as exc:
        service.put_object({"Bucket": local_bucket, "Key": "bad", "Body": b"data", "ChecksumCRC32": wrong}, req)
    assert exc.value.code == "BadDigest" and exc.value.status == 400
    assert str(exc.value) == "The CRC32 you specified did not match the calculated checksum."
    with pytest.raises(Exception) as exc:
        service.put_object({"Bucket": local_bucket, "Key": "bad", "Body": b"data", "ChecksumSHA256": "xx"}, req)
    assert exc.value.code == "InvalidRequest"
    with pytest.raises(ClientError) as cexc:
        local_s3.get_object(Bucket=local_bucket, Key="bad")
    assert error_of(cexc) == ("NoSuchKey", 404)


def test_content_md5_is_validated(s3, bucket):
    body = b"md5 checked"
    good = base64.b64encode(hashlib.md5(body).digest()).decode()
    s3.put_object(Bucket=bucket, Key="m", Body=body, ContentMD5=good)
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="m", Body=body, ContentMD5=wrong)
    assert error_of(exc) == ("BadDigest", 400)
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="m", Body=body, ContentMD5="not-md5")
    assert error_of(exc) == ("InvalidDigest", 400)


def test_delete_object_and_missing_key_both_204(s3, bucket):
    s3.put_object(Bucket=bucket, Key="d", Body=b"x")
    assert s3.delete_object(Bucket=bucket, Key="d")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.delete_object(Bucket=bucket, Key="never-there")["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError):
        s3.get_object(Bucket=bucket, Key="d")


def test_delete_objects_with_quiet_and_errors(s3, bucket):
    for key in ("a", "b", "c"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}, {"Key": "zz"}]})
    assert sorted(d["Key"] for d in out["Deleted"]) == ["a", "b", "zz"]
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "c"}, {"Key": "k" * 1025}], "Quiet": True})
    assert "Deleted" not in out
    assert [(e["Key"], e["Code"]) for e in out["Errors"]] == [("k" * 1025, "KeyTooLongError")]
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_copy_object_copies_or_replaces_metadata(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src/a b+c.txt", Body=b"payload", ContentType="text/plain",
                  Metadata={"m": "1"})
    copied = s3.copy_object(Bucket=bucket, Key="dst/copy", CopySource={"Bucket": bucket, "Key": "src/a b+c.txt"})
    assert copied["CopyObjectResult"]["ETag"] == f'"{hashlib.md5(b"payload").hexdigest()}"'
    assert copied["CopyObjectResult"]["LastModified"].year >= 2023
    got = s3.get_object(Bucket=bucket, Key="dst/copy")
    assert (got["Body"].read(), got["ContentType"], got["Metadata"]) == (b"payload", "text/plain", {"m": "1"})
    s3.copy_object(Bucket=bucket, Key="dst/replaced", CopySource=f"{bucket}/src/a b+c.txt",
                   MetadataDirective="REPLACE", Metadata={"n": "2"}, ContentType="application/json")
    got = s3.head_object(Bucket=bucket, Key="dst/replaced")
    assert (got["ContentType"], got["Metadata"]) == ("application/json", {"n": "2"})


def test_copy_object_errors(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "k"})
    assert error_of(exc) == ("InvalidRequest", 400)
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="n", CopySource={"Bucket": bucket, "Key": "missing"})
    assert error_of(exc) == ("NoSuchKey", 404)
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="n", CopySource={"Bucket": "no-such-source", "Key": "k"})
    assert error_of(exc) == ("NoSuchBucket", 404)
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="n", CopySource={"Bucket": bucket, "Key": "k"}, CopySourceIfMatch='"0"')
    assert error_of(exc) == ("PreconditionFailed", 412)
    s3.copy_object(Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "k"},
                   MetadataDirective="REPLACE", Metadata={"fresh": "yes"})
    assert s3.head_object(Bucket=bucket, Key="k")["Metadata"] == {"fresh": "yes"}


def test_object_tagging_round_trip(s3, bucket):
    s3.put_object(Bucket=bucket, Key="t", Body=b"x", Tagging="a=1&b=two%20words")
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == [{"Key": "a", "Value": "1"},
                                                                       {"Key": "b", "Value": "two words"}]
    assert s3.get_object(Bucket=bucket, Key="t")["TagCount"] == 2
    s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": [{"Key": "c", "Value": "3"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == [{"Key": "c", "Value": "3"}]
    s3.delete_object_tagging(Bucket=bucket, Key="t")
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == []


def test_streamed_body_larger_than_a_chunk(local_s3, local_bucket):
    import io
    body = bytes(range(256)) * 12_000  # ~3 MiB, crosses several 1 MiB chunks and the inline limit
    local_s3.upload_fileobj(io.BytesIO(body), local_bucket, "big")
    got = local_s3.get_object(Bucket=local_bucket, Key="big")
    assert got["Body"].read() == body
    assert got["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    part = local_s3.get_object(Bucket=local_bucket, Key="big", Range="bytes=1000000-2999999")["Body"].read()
    assert part == body[1_000_000:3_000_000]


def test_metadata_too_large(local_s3, local_bucket):
    with pytest.raises(ClientError) as exc:
        local_s3.put_object(Bucket=local_bucket, Key="m", Body=b"", Metadata={"big": "v" * 2100})
    assert error_of(exc) == ("MetadataTooLarge", 400)
