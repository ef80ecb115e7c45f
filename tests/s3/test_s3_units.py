"""The S3 service's pure parts: ranges, key successors, copy sources, preconditions, CRCs."""
from __future__ import annotations

import base64
from datetime import datetime, timezone

import pytest

from lowcloud.errors import AwsError
from lowcloud.services.s3 import checksums, conditions, listing, ranges, writes
from lowcloud.services.s3.state import Obj


@pytest.mark.parametrize("header, size, expected", [
    ("bytes=0-0", 5, (0, 0)), ("bytes=2-", 5, (2, 4)), ("bytes=-2", 5, (3, 4)), ("bytes=3-99", 5, (3, 4)),
    ("bytes=-9", 5, (0, 4)), ("bytes=4-2", 5, None), ("bytes=a-b", 5, None), ("bytes=-", 5, None),
    (None, 5, None), ("bytes=0-1,3-4", 5, None),
])
def test_range_resolution(header, size, expected):
    assert ranges.resolve(header, size) == expected


@pytest.mark.parametrize("header, size", [("bytes=5-", 5), ("bytes=9-10", 5), ("bytes=-0", 5), ("bytes=0-", 0)])
def test_unsatisfiable_ranges(header, size):
    with pytest.raises(AwsError) as exc:
        ranges.resolve(header, size)
    assert (exc.value.code, exc.value.status) == ("InvalidRange", 416)
    assert exc.value.fields == {"RangeRequested": header, "ActualObjectSize": str(size)}


def test_copy_source_ranges():
    assert ranges.copy_range("bytes=0-9", 10) == (0, 9)
    assert ranges.copy_range(None, 10) == (0, 9)
    for bad in ("bytes=5-1", "bytes=0-", "0-9", "bytes=0-10"):
        with pytest.raises(AwsError) as exc:
            ranges.copy_range(bad, 10)
        assert exc.value.code == "InvalidArgument"


def test_successor_bounds_every_extension_of_a_prefix():
    assert listing.successor("logs/") == "logs0"
    assert listing.successor("a\U0010FFFF") == "b"
    assert listing.successor("\ud7ff") == "\ue000"
    assert listing.successor("\U0010FFFF") is None
    assert "logs/\U0010FFFF\U0010FFFF" < listing.successor("logs/")


def test_copy_source_parsing():
    assert writes.parse_copy_source("bkt/a%20b/c%3Fd.txt") == ("bkt", "a b/c?d.txt", None)
    assert writes.parse_copy_source("/bkt/key?versionId=abc") == ("bkt", "key", "abc")
    for bad in ("bkt", "/bkt/", "bkt/key?other=1"):
        with pytest.raises(AwsError):
            writes.parse_copy_source(bad)


def _obj(etag="abc", modified=1_700_000_000.5):
    return Obj(1, "b", "k", "null", 1, 0, None, 0, etag, modified, None, "{}", None, None, None, None)


def test_precondition_precedence():
    earlier = datetime(2023, 1, 1, tzinfo=timezone.utc)
    later = datetime(2024, 1, 1, tzinfo=timezone.utc)
    obj = _obj()
    assert conditions.failed_condition(obj, if_match='"abc"', unmodified_since=earlier) is None
    assert conditions.failed_condition(obj, unmodified_since=earlier) == ("412", "If-Unmodified-Since")
    assert conditions.failed_condition(obj, if_none_match='"zzz"', modified_since=later) is None
    assert conditions.failed_condition(obj, modified_since=later) == ("304", "If-Modified-Since")
    assert conditions.failed_condition(obj, if_none_match="*") == ("304", "If-None-Match")
    assert conditions.failed_condition(obj, if_match='"x", "abc"') is None
    assert conditions.failed_condition(obj, modified_since="not a date") is None


def test_crc_check_values_and_chaining():
    assert checksums.crc32c(b"123456789") == 0xE3069283
    assert checksums.crc64nvme(b"123456789") == 0xAE8B14860A799888
    assert checksums.crc64nvme(b"6789", checksums.crc64nvme(b"12345")) == 0xAE8B14860A799888
    value = checksums.compute("CRC32", b"123456789")
    assert base64.b64decode(value) == (0xCBF43926).to_bytes(4, "big")
    assert checksums.decode("CRC32", value) and checksums.decode("CRC32", "AAAA") is None
    assert checksums.composite("CRC32", [value, value]).endswith("-2")
