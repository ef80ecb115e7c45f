"""S3 object/bucket core behaviours checked against what AWS answers.

Each test pins one wire detail found while probing the core against an external
conformance suite: repeated multipart completion, schema errors, query integers,
continuation tokens, Suspended versioning on a fresh bucket, delete-marker
headers and bucket-name punctuation.
"""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.s3.s3_helpers import error_of


def _one_part_upload(s3, bucket: str, key: str) -> tuple[str, list]:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=b"tiny-part")["ETag"]
    return upload_id, [{"ETag": etag, "PartNumber": 1}]


def test_completing_an_upload_twice_returns_the_first_answer(s3, bucket):
    upload_id, parts = _one_part_upload(s3, bucket, "twice.bin")
    first = s3.complete_multipart_upload(Bucket=bucket, Key="twice.bin", UploadId=upload_id,
                                         MultipartUpload={"Parts": parts})
    again = s3.complete_multipart_upload(Bucket=bucket, Key="twice.bin", UploadId=upload_id,
                                         MultipartUpload={"Parts": parts})
    assert again["ETag"] == first["ETag"] == s3.head_object(Bucket=bucket, Key="twice.bin")["ETag"]
    assert again["Key"] == "twice.bin"


def test_completing_an_unknown_upload_is_still_no_such_upload(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="never", UploadId="not-an-upload",
                                     MultipartUpload={"Parts": [{"ETag": '"abc"', "PartNumber": 1}]})
    assert error_of(exc) == ("NoSuchUpload", 404)


def test_complete_without_a_body_is_malformed_xml(s3, bucket):
    upload_id, _ = _one_part_upload(s3, bucket, "nobody.bin")
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="nobody.bin", UploadId=upload_id)
    assert error_of(exc) == ("MalformedXML", 400)
    assert s3.list_parts(Bucket=bucket, Key="nobody.bin", UploadId=upload_id)["Parts"][0]["PartNumber"] == 1


def test_non_numeric_max_keys_is_invalid_argument(s3, bucket):
    def garble(params, **kwargs):
        params["url"] += "&max-keys=lots"
    s3.meta.events.register("before-call.s3.ListObjects", garble)
    with pytest.raises(ClientError) as exc:
        s3.list_objects(Bucket=bucket)
    assert error_of(exc) == ("InvalidArgument", 400)
    assert exc.value.response["Error"]["ArgumentName"] == "max-keys"
    assert exc.value.response["Error"]["ArgumentValue"] == "lots"


def test_empty_continuation_token_lists_from_the_start(s3, bucket):
    for key in ("kiwi", "apple", "mango"):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    out = s3.list_objects_v2(Bucket=bucket, ContinuationToken="")
    assert out["ContinuationToken"] == ""
    assert [o["Key"] for o in out["Contents"]] == ["apple", "kiwi", "mango"]
    assert out["IsTruncated"] is False


def test_suspending_a_never_versioned_bucket_reports_suspended(s3, bucket):
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


def test_delete_in_a_suspended_bucket_leaves_a_null_delete_marker(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket=bucket, Key="gone.txt", Body=b"soon gone")
    out = s3.delete_object(Bucket=bucket, Key="gone.txt")
    assert out["DeleteMarker"] is True and out["VersionId"] == "null"
    listed = s3.list_object_versions(Bucket=bucket)
    assert [(m["Key"], m["VersionId"]) for m in listed["DeleteMarkers"]] == [("gone.txt", "null")]
    assert "Versions" not in listed


def test_reads_that_hit_a_delete_marker_carry_its_headers(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="doc", Body=b"v1")
    marker = s3.delete_object(Bucket=bucket, Key="doc")["VersionId"]
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="doc")
    headers = exc.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert error_of(exc)[1] == 404
    assert headers["x-amz-delete-marker"] == "true" and headers["x-amz-version-id"] == marker
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="doc", VersionId=marker)
    assert error_of(exc) == ("MethodNotAllowed", 405)
    assert exc.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"


def test_plain_missing_key_has_no_delete_marker_header(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="absent")
    assert error_of(exc) == ("NoSuchKey", 404)
    assert "x-amz-delete-marker" not in exc.value.response["ResponseMetadata"]["HTTPHeaders"]


@pytest.mark.parametrize("name", ["dots.-dash", "dash-.dots"])
def test_bucket_names_with_dot_next_to_dash_are_invalid(s3, name):
    def rename(params, **kwargs):
        params["url"] = params["url"].replace("placeholder-name", name)
    s3.meta.events.register("before-call.s3.CreateBucket", rename)
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket="placeholder-name")
    assert error_of(exc) == ("InvalidBucketName", 400)


def _raw_put(gateway_url: str, path: str, headers: dict) -> tuple[int, bytes]:
    import http.client
    from urllib.parse import urlparse
    where = urlparse(gateway_url)
    conn = http.client.HTTPConnection(where.hostname, where.port, timeout=10)
    conn.putrequest("PUT", path, skip_accept_encoding=True)
    for name, value in headers.items():
        conn.putheader(name, value)
    conn.endheaders()
    resp = conn.getresponse()
    out = resp.status, resp.read()
    conn.close()
    return out


_SIGNED = {"Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, "
                            "SignedHeaders=host, Signature=00", "x-amz-content-sha256": "UNSIGNED-PAYLOAD"}


def test_put_object_without_content_length_is_411(http_client, gateway_url):
    http_client("s3").create_bucket(Bucket="raw-bucket")
    status, body = _raw_put(gateway_url, "/raw-bucket/unframed", dict(_SIGNED))
    assert status == 411
    assert b"<Code>MissingContentLength</Code>" in body
    status, _ = _raw_put(gateway_url, "/raw-bucket/framed", {**_SIGNED, "Content-Length": "0"})
    assert status == 200
    assert http_client("s3").head_object(Bucket="raw-bucket", Key="framed")["ContentLength"] == 0


def test_create_bucket_without_content_length_succeeds(http_client, gateway_url):
    status, _ = _raw_put(gateway_url, "/raw-bucket-two", dict(_SIGNED))
    assert status == 200
    assert http_client("s3").head_bucket(Bucket="raw-bucket-two")["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_writes_to_a_suspended_bucket_do_not_name_a_version(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert "VersionId" not in s3.put_object(Bucket=bucket, Key="plain", Body=b"p")
    copied = s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "plain"})
    assert "VersionId" not in copied
    upload_id, parts = _one_part_upload(s3, bucket, "multi")
    done = s3.complete_multipart_upload(Bucket=bucket, Key="multi", UploadId=upload_id,
                                        MultipartUpload={"Parts": parts})
    assert "VersionId" not in done
    assert s3.get_object(Bucket=bucket, Key="plain")["VersionId"] == "null"
    assert {v["VersionId"] for v in s3.list_object_versions(Bucket=bucket)["Versions"]} == {"null"}


def test_writes_to_an_enabled_bucket_name_their_version(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    put = s3.put_object(Bucket=bucket, Key="plain", Body=b"p")["VersionId"]
    copied = s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "plain"})
    assert put != "null" and copied["VersionId"] not in ("null", put)
    assert copied["CopySourceVersionId"] == put


def _with_headers(s3, event: str, headers: dict):
    s3.meta.events.register(f"before-call.s3.{event}", lambda params, **kw: params["headers"].update(headers))


def test_unreadable_condition_dates_are_ignored(s3, bucket):
    s3.put_object(Bucket=bucket, Key="dated", Body=b"still here")
    _with_headers(s3, "GetObject", {"If-Modified-Since": "someday", "If-Unmodified-Since": "never"})
    assert s3.get_object(Bucket=bucket, Key="dated")["Body"].read() == b"still here"
    _with_headers(s3, "CopyObject", {"x-amz-copy-source-if-unmodified-since": "last tuesday-ish"})
    s3.copy_object(Bucket=bucket, Key="dated-copy", CopySource={"Bucket": bucket, "Key": "dated"})
    assert s3.head_object(Bucket=bucket, Key="dated-copy")["ContentLength"] == len(b"still here")


def test_readable_condition_dates_still_apply(s3, bucket):
    s3.put_object(Bucket=bucket, Key="dated", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="dated", IfUnmodifiedSince="Mon, 01 Jan 1990 00:00:00 GMT")
    assert error_of(exc) == ("PreconditionFailed", 412)


def test_put_with_an_unreadable_expires_is_accepted(s3, bucket):
    _with_headers(s3, "PutObject", {"Expires": "when the cows come home"})
    assert s3.put_object(Bucket=bucket, Key="expiring", Body=b"moo")["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert s3.get_object(Bucket=bucket, Key="expiring")["Body"].read() == b"moo"


def test_website_redirect_needs_a_url_or_a_path(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="page", Body=b"", WebsiteRedirectLocation="elsewhere.html")
    assert error_of(exc) == ("InvalidArgument", 400)
    assert exc.value.response["Error"]["ArgumentName"] == "x-amz-website-redirect-location"
    s3.put_object(Bucket=bucket, Key="page", Body=b"", WebsiteRedirectLocation="/elsewhere.html")
    assert s3.head_object(Bucket=bucket, Key="page")["WebsiteRedirectLocation"] == "/elsewhere.html"


def test_max_keys_beyond_int32_is_invalid_argument(s3, bucket):
    s3.meta.events.register("before-call.s3.ListObjectsV2",
                            lambda params, **kw: params.update(url=params["url"] + "&max-keys=4294967296"))
    with pytest.raises(ClientError) as exc:
        s3.list_objects_v2(Bucket=bucket)
    assert error_of(exc) == ("InvalidArgument", 400)


def test_delete_objects_honours_each_entry_etag(s3, bucket):
    kept = s3.put_object(Bucket=bucket, Key="kept", Body=b"k")["ETag"]
    doomed = s3.put_object(Bucket=bucket, Key="doomed", Body=b"d")["ETag"]
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": "kept", "ETag": '"00000000000000000000000000000000"'}, {"Key": "doomed", "ETag": doomed}]})
    assert out["Deleted"] == [{"Key": "doomed"}]
    assert [(e["Key"], e["Code"]) for e in out["Errors"]] == [("kept", "PreconditionFailed")]
    assert s3.head_object(Bucket=bucket, Key="kept")["ETag"] == kept
