"""GetObjectAttributes: HeadObject's facts and ListParts' summary in one answer.

Only the attributes named in ``x-amz-object-attributes`` are returned.  The
ETag comes without quotes, and a COMPOSITE multipart checksum without its
``-N`` suffix, as S3 answers them here.  Multipart objects report their part
count; the part list (PartNumber and Size) only when the object carries an
additional checksum computed per part, as S3 does.  The parts' own checksums
are not kept after CompleteMultipartUpload, so the list carries sizes only.
"""
from __future__ import annotations

from lowcloud.services.s3 import errors, objects, reads

ATTRIBUTES = ("ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize")
DEFAULT_MAX_PARTS = 1000


def get_object_attributes(svc, params: dict, req) -> dict:
    wanted = _wanted(params.get("ObjectAttributes"))
    obj, bucket = reads.readable(svc, params, "GET")
    out = {"LastModified": objects.to_datetime(obj.modified)}
    if bucket.versioned:
        out["VersionId"] = obj.version_id
    fields = {"ETag": lambda: obj.etag, "Checksum": lambda: _checksum(obj), "ObjectSize": lambda: obj.size,
              "StorageClass": lambda: obj.storage_class or "STANDARD", "ObjectParts": lambda: _parts(obj, params)}
    for name in wanted:
        value = fields[name]()
        if value is not None:
            out[name] = value
    return out


def _wanted(names: list | None) -> list:
    names = [n.strip() for n in names or [] if n.strip()]
    if not names:
        raise errors.invalid_argument("Empty Attribute Name", "x-amz-object-attributes")
    for name in names:
        if name not in ATTRIBUTES:
            raise errors.invalid_argument("Invalid attribute name specified.", "x-amz-object-attributes", name)
    return names


def _checksum(obj) -> dict | None:
    if not obj.checksum_value:
        return None
    value = obj.checksum_value.split("-", 1)[0] if obj.checksum_type == "COMPOSITE" else obj.checksum_value
    return {f"Checksum{obj.checksum_algorithm}": value, "ChecksumType": obj.checksum_type}


def _parts(obj, params: dict) -> dict | None:
    sizes = obj.part_sizes()
    if not sizes:
        return None
    out = {"TotalPartsCount": len(sizes)}
    if obj.checksum_type != "COMPOSITE":
        return out
    marker = int(params.get("PartNumberMarker") or 0)
    limit = params.get("MaxParts") if params.get("MaxParts") is not None else DEFAULT_MAX_PARTS
    numbers = list(range(marker + 1, len(sizes) + 1))
    page = numbers[:limit]
    out.update(PartNumberMarker=marker, MaxParts=limit, IsTruncated=len(numbers) > len(page),
               Parts=[{"PartNumber": n, "Size": sizes[n - 1]} for n in page])
    if page:
        out["NextPartNumberMarker"] = page[-1]
    return out
