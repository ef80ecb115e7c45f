"""GetObject and HeadObject: version lookup, preconditions, one byte range or
one part, response-header overrides and checksums.

The blob is opened while the database lock is held, so a concurrent overwrite
(which unlinks the old body only after its commit, under the same lock) can
never pull a body away between finding the row and opening it.
"""
from __future__ import annotations

from lowcloud.services.s3 import bodies, conditions, errors, objects, ranges, writes

OVERRIDES = {"ResponseContentType": "ContentType", "ResponseContentLanguage": "ContentLanguage",
             "ResponseContentDisposition": "ContentDisposition", "ResponseContentEncoding": "ContentEncoding",
             "ResponseCacheControl": "CacheControl", "ResponseExpires": "Expires"}


def get_object(svc, params: dict, req) -> dict:
    return _read(svc, params, "GET", with_body=True)


def head_object(svc, params: dict, req) -> dict:
    return _read(svc, params, "HEAD", with_body=False)


def _read(svc, params: dict, method: str, with_body: bool) -> dict:
    store = svc.store
    with store.db.lock:
        obj, bucket = readable(svc, params, method)
        conditions.check_read(obj, params)
        span = _span(obj, params)
        whole = span is None
        out = objects.describe(obj, bucket.versioned, whole and params.get("ChecksumMode") == "ENABLED")
        first, last = (0, obj.size - 1) if whole else span
        if not whole:
            out.update(ContentRange=ranges.content_range(first, last, obj.size), __status__=206)
        out["ContentLength"] = last - first + 1
        if with_body:
            out["Body"] = bodies.open_range(store.blobs, obj.blob, first, last - first + 1)
    if params.get("PartNumber") is not None and obj.parts:
        out["PartsCount"] = len(obj.part_sizes())
    out.update({field: params[name] for name, field in OVERRIDES.items() if params.get(name) is not None})
    return out


def readable(svc, params: dict, method: str):
    """(object version, bucket) a read names; NoSuchBucket/NoSuchKey/NoSuchVersion/405 as S3."""
    bucket = svc.store.bucket(params["Bucket"])
    if bucket is None:
        raise errors.no_such_bucket(params["Bucket"])
    key, version_id = params["Key"], params.get("VersionId")
    if version_id is None:
        obj = svc.store.latest(bucket.name, key)
        if obj is None:
            raise errors.no_such_key(key)
        if obj.delete_marker:
            raise errors.delete_marker_headers(errors.no_such_key(key), obj)
        return obj, bucket
    obj = svc.store.version(bucket.name, key, version_id)
    if obj is None:
        raise writes.missing_version(key, version_id)
    if obj.delete_marker:
        raise errors.delete_marker_headers(errors.method_not_allowed(method, "DeleteMarker"), obj)
    return obj, bucket


def _span(obj, params: dict) -> tuple[int, int] | None:
    """The (first, last) bytes a Range or PartNumber selects; None for the whole object."""
    part_number = params.get("PartNumber")
    if part_number is None:
        return ranges.resolve(params.get("Range"), obj.size)
    if params.get("Range"):
        raise errors.invalid_request("Cannot specify both Range header and partNumber query parameter")
    if not 1 <= part_number <= 10000:
        raise errors.invalid_argument("Part number must be an integer between 1 and 10000, inclusive",
                                      "partNumber", str(part_number))
    sizes = obj.part_sizes() or [obj.size]
    if part_number > len(sizes):
        raise errors.invalid_part_number(part_number, len(sizes))
    first = sum(sizes[:part_number - 1])
    if sizes[part_number - 1] == 0:
        return None
    return first, first + sizes[part_number - 1] - 1

