"""Hostile and unusual keys are only keys: stored, listed and read back, never a path."""
from __future__ import annotations

import os
import re

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of

from lowcloud.cloud import Cloud
from lowcloud.clock import VirtualClock

HOSTILE_KEYS = ["../../etc/passwd", "a/../../b", "%2e%2e/x", "..", "../", "./x", "/leading/slash", "a//b",
                "..\\..\\windows\\system32", "k" * 1024, "é" * 512, "日本語/ファイル.txt", "emoji/\U0001F680",
                "null\u0001byte", "trailing/", "?query=1&x", "#fragment", "semi;colon", "sp ace/plus+sign"]


@pytest.fixture
def disk_cloud(tmp_path):
    cloud = Cloud(data_dir=tmp_path / "data", clock=VirtualClock(start=1_700_000_000), seed=7)
    yield cloud
    cloud.close()


def _files_under(root):
    return {os.path.relpath(os.path.join(d, f), root) for d, _, files in os.walk(root) for f in files}


@pytest.mark.parametrize("transport", ["inprocess", "http"])
def test_hostile_keys_round_trip_and_stay_inside_the_data_dir(tmp_path, disk_cloud, transport):
    if transport == "inprocess":
        s3 = disk_cloud.client("s3")
    else:
        from lowcloud.protocol.gateway import ServerThread
        import boto3
        server = ServerThread(disk_cloud, port=0).start()
        s3 = boto3.client("s3", endpoint_url=server.url, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    before = _files_under(tmp_path)
    s3.create_bucket(Bucket="keys-bucket")
    for i, key in enumerate(HOSTILE_KEYS):
        s3.put_object(Bucket="keys-bucket", Key=key, Body=f"body {i}".encode())
    for i, key in enumerate(HOSTILE_KEYS):
        assert s3.get_object(Bucket="keys-bucket", Key=key)["Body"].read() == f"body {i}".encode()
    listed = [o["Key"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket="keys-bucket")
              for o in p.get("Contents", [])]
    assert sorted(listed) == sorted(HOSTILE_KEYS)
    created = _files_under(tmp_path) - before
    assert all(path.startswith("data" + os.sep) for path in created)
    blob_files = [p for p in created if p.startswith(os.path.join("data", "blobs"))]
    assert len(blob_files) == len(HOSTILE_KEYS)
    assert all(re.fullmatch(r"[0-9a-f]{32}", os.path.basename(p)) for p in blob_files)
    assert not (tmp_path / "etc").exists() and not (tmp_path.parent / "b").exists()
    if transport == "http":
        server.stop()


def test_key_longer_than_1024_bytes_is_key_too_long(local_s3, local_bucket):
    for key in ("k" * 1025, "é" * 513):
        with pytest.raises(ClientError) as exc:
            local_s3.put_object(Bucket=local_bucket, Key=key, Body=b"x")
        assert error_of(exc) == ("KeyTooLongError", 400)
        assert exc.value.response["Error"]["MaxSizeAllowed"] == "1024"
    with pytest.raises(ClientError) as exc:
        local_s3.create_multipart_upload(Bucket=local_bucket, Key="k" * 1025)
    assert error_of(exc) == ("KeyTooLongError", 400)
