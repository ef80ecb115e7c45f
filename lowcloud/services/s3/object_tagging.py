"""Put/Get/DeleteObjectTagging: the tag set stored with one object version."""
from __future__ import annotations

from lowcloud.services.s3 import reads, tagging


def _tagged(svc, params: dict, method: str):
    obj, bucket = reads.readable(svc, params, method)
    return obj, bucket, obj.attributes()


def _version_field(obj, bucket) -> dict:
    return {"VersionId": obj.version_id} if bucket.versioned else {}


def put_object_tagging(svc, params: dict, req) -> dict:
    tags = tagging.from_tag_set((params.get("Tagging") or {}).get("TagSet"))
    with svc.store.db.transaction() as conn:
        obj, bucket, attrs = _tagged(svc, params, "PUT")
        attrs["Tags"] = tags
        svc.store.set_attrs(conn, obj, attrs)
    return _version_field(obj, bucket)


def get_object_tagging(svc, params: dict, req) -> dict:
    obj, bucket, attrs = _tagged(svc, params, "GET")
    return {"TagSet": tagging.to_tag_set(attrs.get("Tags") or {}), **_version_field(obj, bucket)}


def delete_object_tagging(svc, params: dict, req) -> dict:
    with svc.store.db.transaction() as conn:
        obj, bucket, attrs = _tagged(svc, params, "DELETE")
        attrs.pop("Tags", None)
        svc.store.set_attrs(conn, obj, attrs)
    return _version_field(obj, bucket)  # 204 No Content: the model's responseCode
