"""Object writes: PutObject, CopyObject, DeleteObject, DeleteObjects.

Every write follows one order: body into a fresh blob (hashed while written),
then one SQLite transaction that re-checks the bucket, applies the bucket's
versioning rule and inserts the version row, then the replaced bodies are
removed and the fact is published.  A crash between the blob and the commit
leaves only an orphan blob; an answered request is always committed.
"""
from __future__ import annotations

import json
from urllib.parse import unquote

from lowcloud.services.s3 import acl, bodies, checksums, conditions, errors, notifications, objects
from lowcloud.services.s3.state import Obj

SMALL_BODY = 256 * 1024  # without a native CRC64NVME, the default checksum is kept for bodies up to this size
MAX_UPLOAD_BYTES = 5 << 30  # one PUT (object or part) carries at most 5 GiB


def new_blob_id(svc) -> str:
    return svc.cloud.ids.uuid().replace("-", "")


def commit(svc, req, obj: Obj, event: str, check=None, within=None) -> tuple[Obj, object]:
    """Store ``obj`` as the key's new current version; returns (obj with its version id, bucket).

    ``check(current)`` may refuse the write; ``within(conn)`` runs in the same transaction."""
    store = svc.store
    with store.db.lock:
        try:
            with store.db.transaction() as conn:
                bucket = bucket_in(store, conn, obj.bucket)
                if check is not None:
                    check(store.latest(obj.bucket, obj.key, conn))
                if within is not None:
                    within(conn)
                obj.version_id, replaced = make_room(svc, conn, bucket, obj.key)
                store.insert(conn, obj)
                sequencer = store.next_counter(conn, "sequencer")
        except BaseException:
            store.delete_blobs([obj.blob])  # never committed: the new body is an orphan
            raise
        store.delete_blobs(replaced)
    publish(svc, req, bucket, obj, event, sequencer)
    return obj, bucket


def bucket_in(store, conn, name: str):
    bucket = store.bucket(name, conn)
    if bucket is None:
        raise errors.no_such_bucket(name)
    return bucket


def make_room(svc, conn, bucket, key: str) -> tuple[str, list]:
    """Apply the versioning rule for a new current version: (its version id, blobs to delete)."""
    store = svc.store
    if bucket.versioning == "Enabled":
        store.demote(conn, bucket.name, key)
        return objects.new_version_id(svc.cloud.ids), []
    replaced = store.null_versions(conn, bucket.name, key)
    for old in replaced:
        conn.execute("DELETE FROM objects WHERE seq = ?", (old.seq,))
    store.demote(conn, bucket.name, key)
    return "null", [old.blob for old in replaced]


def publish(svc, req, bucket, obj: Obj, event: str, sequencer: int) -> None:
    """Publish the ``s3.object`` fact for a committed create or removal (skipped when nobody listens)."""
    if not svc.cloud.fabric.has_subscribers(notifications.TOPIC):
        return
    created = event.startswith("ObjectCreated")
    svc.cloud.fabric.publish(notifications.TOPIC, notifications.fact(
        bucket=bucket, key=obj.key, event=event, account=svc.account, req=req, time=obj.modified,
        sequencer=format(sequencer, "018X"), size=obj.size if created else None,
        etag=obj.etag if created else None, version_id=obj.version_id if bucket.versioned else None))


def new_object(svc, bucket: str, key: str, blob: str | None, digests, attrs: dict, storage_class: str,
               checksum: tuple = (None, None, None), etag: str | None = None, parts: str | None = None) -> Obj:
    return Obj(None, bucket, key, "", 1, 0, blob, digests.size if digests else 0,
               etag or digests.md5.hexdigest(), svc.clock.now(), storage_class, json.dumps(attrs),
               checksum[0], checksum[1], checksum[2], parts)


def store_body(svc, params: dict, expected_md5, algorithm, sent) -> tuple[str, object]:
    """Store ``Body`` as a new blob and verify its digests; a blob that fails verification is removed."""
    blob = new_blob_id(svc)
    digests = bodies.store(svc.store.blobs, blob, params.get("Body"), [algorithm] if algorithm else [])
    try:
        objects.verify_digests(params, expected_md5, digests, algorithm, sent)
    except Exception:
        svc.store.blobs.delete(blob)
        raise
    return blob, digests


def default_algorithm(size: int | None) -> str | None:
    """S3 adds a CRC64NVME to objects written without a checksum; without a native CRC64
    lowcloud only affords it for bodies of known size up to SMALL_BODY."""
    if checksums.NATIVE or (size is not None and size <= SMALL_BODY):
        return "CRC64NVME"
    return None


def _body_size(params: dict) -> int | None:
    body = params.get("Body")
    if body is None or isinstance(body, (bytes, bytearray, memoryview, str)):
        return len(body or b"")
    return params.get("ContentLength")


def write_condition(params: dict, key: str):
    """The If-Match / If-None-Match check of a conditional write, or None for a plain write."""
    if params.get("IfMatch") is None and params.get("IfNoneMatch") is None:
        return None
    return lambda current: conditions.check_write(current, params, key)


def require_length(req) -> None:
    """A body sent with neither a length nor a transfer coding is refused, as S3 does, with 411; one
    declared over 5 GiB is refused before a byte of it is read."""
    headers = getattr(req, "headers", None) or {}
    framed = ("content-length", "transfer-encoding", "x-amz-decoded-content-length")
    if headers and not any(name in headers for name in framed):
        raise errors.missing_content_length()
    declared = headers.get("x-amz-decoded-content-length") or headers.get("content-length") or ""
    if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
        raise errors.entity_too_large(int(declared), MAX_UPLOAD_BYTES)


def put_object(svc, params: dict, req, event: str = "ObjectCreated:Put") -> dict:
    """PutObject; a browser form upload (``post_object``) is the same write, published as ``ObjectCreated:Post``."""
    key = params["Key"]
    objects.check_key(key)
    require_length(req)
    bucket = svc.store.bucket(params["Bucket"])
    if bucket is None:
        raise errors.no_such_bucket(params["Bucket"])
    grants = acl.for_new_object(svc, bucket, params)
    attrs, storage_class = objects.attrs_from(params), objects.storage_class(params)
    expected_md5 = objects.content_md5(params)
    algorithm, sent = objects.requested_checksum(params)
    algorithm = algorithm or default_algorithm(_body_size(params))
    blob, digests = store_body(svc, params, expected_md5, algorithm, sent)
    checksum = (algorithm, digests.checksum(algorithm), "FULL_OBJECT") if algorithm else (None, None, None)
    obj = new_object(svc, bucket.name, key, blob, digests, attrs, storage_class, checksum)
    obj, bucket = commit(svc, req, obj, event, write_condition(params, key))
    acl.store_new_object_acl(svc, obj, grants)
    return write_result(obj, bucket, attrs, sent is not None or params.get("ChecksumAlgorithm"))


def write_result(obj: Obj, bucket, attrs: dict, with_checksum) -> dict:
    out = {"ETag": objects.quoted(obj.etag), "ServerSideEncryption": attrs.get("ServerSideEncryption", "AES256")}
    if bucket.reports_new_versions:
        out["VersionId"] = obj.version_id
    if with_checksum:
        out.update(objects.checksum_fields(obj))
    return out


def parse_copy_source(source: str) -> tuple[str, str, str | None]:
    """(bucket, key, version id) from x-amz-copy-source ("/bucket/key?versionId=..", URL-encoded)."""
    path, _, query = source.partition("?")
    version_id = None
    if query:
        name, _, value = query.partition("=")
        if name != "versionId":
            raise _bad_copy_source(source)
        version_id = unquote(value)
    bucket, _, key = unquote(path).lstrip("/").partition("/")
    if not bucket or not key:
        raise _bad_copy_source(source)
    return bucket, key, version_id


def _bad_copy_source(source: str):
    return errors.invalid_argument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
                                   "x-amz-copy-source", source)


def source_object(svc, bucket_name: str, key: str, version_id: str | None) -> tuple[Obj, object]:
    bucket = svc.store.bucket(bucket_name)
    if bucket is None:
        raise errors.no_such_bucket(bucket_name)
    if version_id is None:
        obj = svc.store.latest(bucket_name, key)
        if obj is None or obj.delete_marker:
            raise errors.no_such_key(key)
        return obj, bucket
    obj = svc.store.version(bucket_name, key, version_id)
    if obj is None:
        raise missing_version(key, version_id)
    if obj.delete_marker:
        raise errors.invalid_request("The source of a copy request may not specifically refer to a delete "
                                     "marker by version id.")
    return obj, bucket


def missing_version(key: str, version_id: str):
    if version_id != "null" and not looks_like_version(version_id):
        return errors.invalid_argument("Invalid version id specified", "versionId", version_id)
    return errors.no_such_version(key, version_id)


def looks_like_version(version_id: str) -> bool:
    return len(version_id) == 32 and all(c in objects.VERSION_ALPHABET for c in version_id)


def copy_object(svc, params: dict, req) -> dict:
    objects.check_key(params["Key"])
    src_bucket, src_key, src_version = parse_copy_source(params["CopySource"])
    target = svc.store.bucket(params["Bucket"])
    if target is None:
        raise errors.no_such_bucket(params["Bucket"])
    grants = acl.for_new_object(svc, target, params)
    source, source_bucket = source_object(svc, src_bucket, src_key, src_version)
    conditions.check_copy_source(source, params)
    attrs = _copied_attrs(source, params)
    _refuse_copy_onto_itself(params, src_bucket, src_key)
    obj = _copied_object(svc, source, params, attrs)
    obj, bucket = commit(svc, req, obj, "ObjectCreated:Copy", write_condition(params, params["Key"]))
    acl.store_new_object_acl(svc, obj, grants)
    out = {"CopyObjectResult": {"ETag": objects.quoted(obj.etag), "LastModified": objects.to_datetime(obj.modified),
                                **objects.checksum_fields(obj)},
           "ServerSideEncryption": attrs.get("ServerSideEncryption", "AES256")}
    if bucket.reports_new_versions:
        out["VersionId"] = obj.version_id
    if source_bucket.versioned:
        out["CopySourceVersionId"] = source.version_id
    return out


def _copied_object(svc, source: Obj, params: dict, attrs: dict) -> Obj:
    """The new version: the source's bytes in a fresh blob, re-hashed (a copy is one part)."""
    algorithm = objects.checksum_algorithm(params.get("ChecksumAlgorithm")) or source.checksum_algorithm \
        or default_algorithm(source.size)
    blob = new_blob_id(svc)
    digests = bodies.copy_into(svc.store.blobs, source.blob, 0, source.size, blob, [algorithm] if algorithm else [])
    checksum = (algorithm, digests.checksum(algorithm), "FULL_OBJECT") if algorithm else (None, None, None)
    return new_object(svc, params["Bucket"], params["Key"], blob, digests, attrs, objects.storage_class(params),
                      checksum)


def _copied_attrs(source: Obj, params: dict) -> dict:
    directive = params.get("MetadataDirective") or "COPY"
    tagging_directive = params.get("TaggingDirective") or "COPY"
    if directive not in ("COPY", "REPLACE"):
        raise errors.invalid_argument("Unknown metadata directive.", "x-amz-metadata-directive", directive)
    if tagging_directive not in ("COPY", "REPLACE"):
        raise errors.invalid_argument("Unknown tagging directive.", "x-amz-tagging-directive", tagging_directive)
    source_attrs = source.attributes()
    attrs = objects.attrs_from(params) if directive == "REPLACE" else dict(source_attrs)
    attrs.pop("Tags", None)
    tags = objects.attrs_from({"Tagging": params.get("Tagging")}).get("Tags") if tagging_directive == "REPLACE" \
        else source_attrs.get("Tags")
    if tags:
        attrs["Tags"] = tags
    if params.get("ServerSideEncryption"):
        attrs["ServerSideEncryption"] = params["ServerSideEncryption"]
    return attrs


def _refuse_copy_onto_itself(params: dict, src_bucket: str, src_key: str) -> None:
    changes = ("StorageClass", "WebsiteRedirectLocation", "ServerSideEncryption", "SSEKMSKeyId", "ChecksumAlgorithm")
    same = src_bucket == params["Bucket"] and src_key == params["Key"]
    if same and (params.get("MetadataDirective") or "COPY") == "COPY" and not any(params.get(c) for c in changes):
        raise errors.invalid_request("This copy request is illegal because it is trying to copy an object to "
                                     "itself without changing the object's metadata, storage class, website "
                                     "redirect location or encryption attributes.")
