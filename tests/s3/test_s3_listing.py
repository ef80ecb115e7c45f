"""ListObjectsV2 / ListObjects / ListObjectVersions: prefixes, delimiters, pages, encoding, order."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of

KEYS = ["a.txt", "photos/2024/jan.jpg", "photos/2024/feb.jpg", "photos/2025/mar.jpg", "photos/cover.jpg",
        "videos/clip.mp4", "z.txt"]


@pytest.fixture
def filled(s3, bucket):
    for key in KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    return bucket


def test_v2_lists_everything_in_key_order(s3, filled):
    out = s3.list_objects_v2(Bucket=filled)
    assert [o["Key"] for o in out["Contents"]] == sorted(KEYS)
    assert out["KeyCount"] == len(KEYS) and out["IsTruncated"] is False and out["Name"] == filled
    first = out["Contents"][0]
    assert first["Size"] == len(b"a.txt") and first["StorageClass"] == "STANDARD" and first["ETag"].startswith('"')
    assert "Owner" not in first
    assert "Owner" in s3.list_objects_v2(Bucket=filled, FetchOwner=True)["Contents"][0]


def test_v2_prefix_and_delimiter(s3, filled):
    out = s3.list_objects_v2(Bucket=filled, Delimiter="/")
    assert [o["Key"] for o in out["Contents"]] == ["a.txt", "z.txt"]
    assert [p["Prefix"] for p in out["CommonPrefixes"]] == ["photos/", "videos/"]
    out = s3.list_objects_v2(Bucket=filled, Prefix="photos/", Delimiter="/")
    assert [o["Key"] for o in out["Contents"]] == ["photos/cover.jpg"]
    assert [p["Prefix"] for p in out["CommonPrefixes"]] == ["photos/2024/", "photos/2025/"]
    assert out["Prefix"] == "photos/" and out["Delimiter"] == "/"
    assert s3.list_objects_v2(Bucket=filled, Prefix="nothing/")["KeyCount"] == 0


def test_v2_pages_with_continuation_tokens(s3, filled):
    keys, prefixes, tokens = [], [], 0
    kwargs = {"Bucket": filled, "MaxKeys": 2, "Delimiter": "/"}
    while True:
        page = s3.list_objects_v2(**kwargs)
        assert page["KeyCount"] <= 2
        keys += [o["Key"] for o in page.get("Contents", [])]
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        if not page["IsTruncated"]:
            break
        tokens += 1
        kwargs["ContinuationToken"] = page["NextContinuationToken"]
    assert keys == ["a.txt", "z.txt"] and prefixes == ["photos/", "videos/"] and tokens == 1
    paginator = s3.get_paginator("list_objects_v2")
    listed = [o["Key"] for page in paginator.paginate(Bucket=filled, PaginationConfig={"PageSize": 3})
              for o in page.get("Contents", [])]
    assert listed == sorted(KEYS)


def test_v2_start_after_max_keys_zero_and_bad_token(s3, filled):
    out = s3.list_objects_v2(Bucket=filled, StartAfter="photos/cover.jpg")
    assert [o["Key"] for o in out["Contents"]] == ["videos/clip.mp4", "z.txt"]
    assert out["StartAfter"] == "photos/cover.jpg"
    empty = s3.list_objects_v2(Bucket=filled, MaxKeys=0)
    assert empty["KeyCount"] == 0 and "Contents" not in empty
    with pytest.raises(ClientError) as exc:
        s3.list_objects_v2(Bucket=filled, ContinuationToken="garbage!!")
    assert error_of(exc) == ("InvalidArgument", 400)


def test_v1_marker_and_next_marker(s3, filled):
    page = s3.list_objects(Bucket=filled, MaxKeys=3)
    assert [o["Key"] for o in page["Contents"]] == sorted(KEYS)[:3]
    assert page["IsTruncated"] is True and "NextMarker" not in page and page["Marker"] == ""
    rest = s3.list_objects(Bucket=filled, Marker=page["Contents"][-1]["Key"])
    assert [o["Key"] for o in rest["Contents"]] == sorted(KEYS)[3:]
    grouped = s3.list_objects(Bucket=filled, Delimiter="/", MaxKeys=2)
    assert grouped["NextMarker"] == "photos/"
    after = s3.list_objects(Bucket=filled, Delimiter="/", Marker=grouped["NextMarker"])
    assert [p["Prefix"] for p in after["CommonPrefixes"]] == ["videos/"]
    assert [o["Key"] for o in after["Contents"]] == ["z.txt"]
    listed = [o["Key"] for p in s3.get_paginator("list_objects").paginate(Bucket=filled, PaginationConfig={
        "PageSize": 2}) for o in p.get("Contents", [])]
    assert listed == sorted(KEYS)


def test_keys_needing_url_encoding_round_trip_and_sort_by_utf8(s3, bucket):
    keys = ["space key", "plus+key", "percent%2Fkey", "amp&key", "ünïcödé", "日本/語", "\U0001F600",
            "tab\tkey", "e\u0301", "\uff01"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert listed == sorted(keys, key=lambda k: k.encode("utf-8"))
    assert [o["Key"] for o in s3.list_objects(Bucket=bucket)["Contents"]] == listed
    grouped = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in grouped["CommonPrefixes"]] == ["日本/"]


def test_url_encoding_type_is_applied_by_the_service(service, req, local_bucket):
    service.put_object({"Bucket": local_bucket, "Key": "a b/c+d", "Body": b"x"}, req)
    out = service.list_objects_v2({"Bucket": local_bucket, "EncodingType": "url", "Delimiter": "/"}, req)
    assert out["CommonPrefixes"] == [{"Prefix": "a+b/"}] and out["EncodingType"] == "url"
    out = service.list_objects_v2({"Bucket": local_bucket, "EncodingType": "url"}, req)
    assert out["Contents"][0]["Key"] == "a+b/c%2Bd"
    plain = service.list_objects_v2({"Bucket": local_bucket}, req)
    assert plain["Contents"][0]["Key"] == "a b/c+d"
    with pytest.raises(Exception) as exc:
        service.list_objects_v2({"Bucket": local_bucket, "EncodingType": "base64"}, req)
    assert exc.value.code == "InvalidArgument"


def test_listing_a_missing_bucket(s3):
    with pytest.raises(ClientError) as exc:
        s3.list_objects_v2(Bucket="missing-bucket")
    assert error_of(exc) == ("NoSuchBucket", 404)


def test_many_keys_page_through_large_groups(local_s3, local_bucket, service, req):
    for i in range(1500):
        service.put_object({"Bucket": local_bucket, "Key": f"logs/{i:05d}", "Body": b""}, req)
    service.put_object({"Bucket": local_bucket, "Key": "readme", "Body": b""}, req)
    out = local_s3.list_objects_v2(Bucket=local_bucket, Delimiter="/")
    assert [p["Prefix"] for p in out["CommonPrefixes"]] == ["logs/"] and out["KeyCount"] == 2
    pages = list(local_s3.get_paginator("list_objects_v2").paginate(Bucket=local_bucket, Prefix="logs/"))
    assert [len(p["Contents"]) for p in pages] == [1000, 500]
