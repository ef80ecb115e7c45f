"""DeleteObject and DeleteObjects under each versioning state.

Unversioned buckets drop the key's only version; versioning-enabled buckets
add a delete marker; suspended buckets replace the ``null`` version with a
``null`` delete marker.  Naming a VersionId always removes exactly that
version, and the newest remaining one becomes current.  A missing key is
still a success (204), as on AWS.
"""
from __future__ import annotations

import dataclasses

from lowcloud.errors import AwsError
from lowcloud.services.s3 import conditions, errors, objects, writes
from lowcloud.services.s3.state import Obj


def delete_object(svc, params: dict, req) -> dict:
    return remove(svc, req, params["Bucket"], params["Key"], params.get("VersionId"), params)


def remove(svc, req, bucket_name: str, key: str, version_id: str | None, params: dict | None = None) -> dict:
    """Delete one key or version; returns DeleteObject's output fields."""
    store = svc.store
    with store.db.lock:
        with store.db.transaction() as conn:
            bucket = writes.bucket_in(store, conn, bucket_name)
            if version_id is None:
                out, gone, event = _remove_current(svc, conn, bucket, key, params or {})
            else:
                out, gone, event = _remove_version(svc, conn, bucket, key, version_id)
            sequencer = store.next_counter(conn, "sequencer") if event else None
        if gone is not None and not gone.delete_marker:
            store.delete_blobs([gone.blob])
    if event:
        writes.publish(svc, req, bucket, _event_object(svc, gone, out, key), event, sequencer)
    return out


def _event_object(svc, gone: Obj | None, out: dict, key: str) -> Obj:
    version_id = out.get("VersionId") or (gone.version_id if gone else "null")
    base = gone if gone is not None else Obj(None, "", key, version_id, 0, 1, None, 0, None, 0, None, "{}",
                                             None, None, None, None)
    return dataclasses.replace(base, version_id=version_id, modified=svc.clock.now())


def _remove_current(svc, conn, bucket, key: str, params: dict):
    store = svc.store
    current = store.latest(bucket.name, key, conn)
    if params.get("IfMatch") is not None:
        conditions.check_write(current, {"IfMatch": params["IfMatch"]}, key)
    if bucket.versioning is None:
        if current is None:
            return {}, None, None
        store.remove(conn, current)
        return {}, current, "ObjectRemoved:Delete"
    marker_id, replaced = writes.make_room(svc, conn, bucket, key)
    store.insert(conn, Obj(None, bucket.name, key, marker_id, 1, 1, None, 0, None, svc.clock.now(), None, "{}",
                           None, None, None, None))
    store.delete_blobs([blob for blob in replaced if blob])
    return {"DeleteMarker": True, "VersionId": marker_id}, None, "ObjectRemoved:DeleteMarkerCreated"


def _remove_version(svc, conn, bucket, key: str, version_id: str):
    obj = svc.store.version(bucket.name, key, version_id, conn)
    if obj is None:
        if version_id != "null" and not writes.looks_like_version(version_id):
            raise errors.invalid_argument("Invalid version id specified", "versionId", version_id)
        return {"VersionId": version_id}, None, None
    svc.store.remove(conn, obj)
    out = {"VersionId": version_id}
    if obj.delete_marker:
        out["DeleteMarker"] = True
    return out, obj, "ObjectRemoved:Delete"


def delete_objects(svc, params: dict, req) -> dict:
    spec = params.get("Delete") or {}
    items = spec.get("Objects") or []
    if not items or len(items) > 1000:
        raise errors.malformed_xml()
    if svc.store.bucket(params["Bucket"]) is None:
        raise errors.no_such_bucket(params["Bucket"])
    deleted, failed = [], []
    for item in items:
        try:
            objects.check_key(item["Key"])
            out = remove(svc, req, params["Bucket"], item["Key"], item.get("VersionId"), _item_conditions(item))
        except AwsError as exc:
            failed.append(_error_entry(item, exc))
            continue
        deleted.append(_deleted_entry(item, out))
    result: dict = {}
    if deleted and not spec.get("Quiet"):
        result["Deleted"] = deleted
    if failed:
        result["Errors"] = failed
    return result


def _item_conditions(item: dict) -> dict:
    """An entry's ETag makes its delete conditional, as If-Match does for DeleteObject."""
    return {"IfMatch": item["ETag"]} if item.get("ETag") else {}


def _deleted_entry(item: dict, out: dict) -> dict:
    entry = {"Key": item["Key"]}
    if item.get("VersionId"):
        entry["VersionId"] = item["VersionId"]
    if out.get("DeleteMarker"):
        entry["DeleteMarker"] = True
        entry["DeleteMarkerVersionId"] = out["VersionId"]
    return entry


def _error_entry(item: dict, exc: AwsError) -> dict:
    entry = {"Key": item["Key"], "Code": exc.code, "Message": exc.message}
    if item.get("VersionId"):
        entry["VersionId"] = item["VersionId"]
    return entry
