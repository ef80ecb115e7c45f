"""Tag sets of buckets and objects: the x-amz-tagging header and TagSet lists.

Tags are stored as a plain ``{key: value}`` dict (insertion ordered) and
validated with S3's limits and messages before anything is written.
"""
from __future__ import annotations

from urllib.parse import parse_qsl

from lowcloud.errors import AwsError
from lowcloud.services.s3 import errors

MAX_OBJECT_TAGS = 10
MAX_BUCKET_TAGS = 50


def from_header(header: str) -> dict:
    """Tags from PutObject's URL-encoded ``Tagging`` ("k1=v1&k2=v2")."""
    pairs = parse_qsl(header, keep_blank_values=True)
    tags = dict(pairs)
    if len(tags) != len(pairs):
        raise errors.invalid_argument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded "
                                      "URL query parameters without tag name duplicates.", "x-amz-tagging",
                                      header)
    _check(tags, MAX_OBJECT_TAGS, "Object tags cannot be greater than 10")
    return tags


def from_tag_set(tag_set: list, limit: int = MAX_OBJECT_TAGS) -> dict:
    tags: dict = {}
    for tag in tag_set or []:
        if tag["Key"] in tags:
            raise AwsError("InvalidTag", "Cannot provide multiple Tags with the same key", status=400,
                           TagKey=tag["Key"])
        tags[tag["Key"]] = tag.get("Value", "")
    message = "Object tags cannot be greater than 10" if limit == MAX_OBJECT_TAGS else \
        "Bucket tag count cannot be greater than 50"
    _check(tags, limit, message)
    return tags


def to_tag_set(tags: dict) -> list:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _check(tags: dict, limit: int, too_many: str) -> None:
    if len(tags) > limit:
        raise AwsError("BadRequest", too_many, status=400)
    for key, value in tags.items():
        if not key or len(key) > 128:
            raise AwsError("InvalidTag", "The TagKey you have provided is too long, max 128", status=400,
                           TagKey=key)
        if len(value) > 256:
            raise AwsError("InvalidTag", "The TagValue you have provided is too long, max 256", status=400,
                           TagKey=key, TagValue=value)
        if key.lower().startswith("aws:"):
            raise AwsError("InvalidTag", "Your TagKey cannot be prefixed with aws:", status=400, TagKey=key)
