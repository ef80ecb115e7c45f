"""HTTP preconditions on S3 objects (If-Match, If-None-Match, If-Modified-Since,
If-Unmodified-Since) as S3 evaluates them, for reads, copies and conditional writes.

S3 follows RFC 7232's precedence: a true If-Match overrides a false
If-Unmodified-Since, and a false If-None-Match overrides a true
If-Modified-Since.  Times compare at whole seconds, the precision of
Last-Modified.
"""
from __future__ import annotations

from lowcloud.services.s3 import errors
from lowcloud.services.s3.objects import to_epoch, unquoted


def etag_matches(header: str, etag: str) -> bool:
    candidates = [unquoted(c) for c in header.split(",")]
    return "*" in candidates or etag in candidates


def failed_condition(obj, if_match=None, if_none_match=None, modified_since=None, unmodified_since=None):
    """None when the request may proceed, else ("412"|"304", the header that decided)."""
    modified = int(obj.modified)
    modified_since, unmodified_since = to_epoch(modified_since), to_epoch(unmodified_since)
    if if_match is not None and not etag_matches(if_match, obj.etag):
        return "412", "If-Match"
    if if_match is None and unmodified_since is not None and modified > int(unmodified_since):
        return "412", "If-Unmodified-Since"
    if if_none_match is not None and etag_matches(if_none_match, obj.etag):
        return "304", "If-None-Match"
    if if_none_match is None and modified_since is not None and modified <= int(modified_since):
        return "304", "If-Modified-Since"
    return None


def check_read(obj, params: dict) -> None:
    """GetObject/HeadObject: 412 PreconditionFailed or 304 NotModified."""
    failed = failed_condition(obj, params.get("IfMatch"), params.get("IfNoneMatch"),
                              params.get("IfModifiedSince"), params.get("IfUnmodifiedSince"))
    if failed is None:
        return
    if failed[0] == "304":
        raise errors.not_modified()
    raise errors.precondition_failed(failed[1])


def check_copy_source(obj, params: dict) -> None:
    """CopyObject/UploadPartCopy's x-amz-copy-source-if-* conditions: every failure is a 412."""
    failed = failed_condition(obj, params.get("CopySourceIfMatch"), params.get("CopySourceIfNoneMatch"),
                              params.get("CopySourceIfModifiedSince"), params.get("CopySourceIfUnmodifiedSince"))
    if failed is not None:
        raise errors.precondition_failed(f"x-amz-copy-source-{failed[1]}")


def check_write(current, params: dict, key: str) -> None:
    """Conditional writes (PutObject, CompleteMultipartUpload, CopyObject): If-None-Match "*" and If-Match."""
    if_none_match, if_match = params.get("IfNoneMatch"), params.get("IfMatch")
    exists = current is not None and not current.delete_marker
    if if_none_match is not None:
        if if_none_match.strip() != "*":
            raise errors.not_implemented("If-None-Match")
        if exists:
            raise errors.precondition_failed("If-None-Match")
    if if_match is not None:
        if not exists:
            raise errors.no_such_key(key)
        if not etag_matches(if_match, current.etag):
            raise errors.precondition_failed("If-Match")
