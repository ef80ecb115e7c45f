"""Multipart uploads: create, upload part (and part copy), complete, abort, list.

Parts are blobs of their own; completion streams them into one new blob (so a
completed object reads like any other) and records the part sizes for
GetObject's PartNumber.  The ETag is the MD5 of the parts' binary MD5s plus
``-N``; the checksum is COMPOSITE (checksum of the part checksums, ``-N``) or
FULL_OBJECT (a CRC over the whole body, computed while concatenating).
A completed upload's answer is kept, since S3 answers a repeated Complete of
the same upload (a client retry) with that answer rather than NoSuchUpload.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from urllib.parse import quote

from lowcloud.services.s3 import (acl, bodies, buckets, checksums, conditions, errors, listing, objects, ranges,
                                  writes)
from lowcloud.services.s3.state import Obj

MIN_PART_SIZE = 5 * 1024 * 1024
UPLOAD_GRANTS = "Grants"  # the ACL CreateMultipartUpload asked for, kept in the upload's attrs until Complete
UPLOAD_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"


@dataclass(slots=True)
class Upload:
    seq: int
    upload_id: str
    bucket: str
    key: str
    initiated: float
    storage_class: str | None
    attrs: str
    checksum_algorithm: str | None
    checksum_type: str | None


@dataclass(slots=True)
class Part:
    part_number: int
    blob: str
    size: int
    etag: str
    modified: float
    checksum_value: str | None


UPLOAD_COLUMNS = "rowid, upload_id, bucket, key, initiated, storage_class, attrs, checksum_algorithm, checksum_type"
PART_COLUMNS = "part_number, blob, size, etag, modified, checksum_value"


_ALLOWED_TYPES = {"CRC64NVME": ("FULL_OBJECT",), "CRC32": ("FULL_OBJECT", "COMPOSITE"),
                  "CRC32C": ("FULL_OBJECT", "COMPOSITE")}


def _checksum_type(algorithm: str | None, requested: str | None) -> str | None:
    if requested and not algorithm:
        raise errors.invalid_request("The x-amz-checksum-type header can only be used with the "
                                     "x-amz-checksum-algorithm header.")
    if not algorithm:
        return None
    allowed = _ALLOWED_TYPES.get(algorithm, ("COMPOSITE",))
    kind = requested or allowed[-1]
    if kind not in allowed:
        raise errors.invalid_request(f"The {kind} checksum type cannot be used with the {algorithm.lower()} "
                                     "checksum algorithm.")
    return kind


def create_multipart_upload(svc, params: dict, req) -> dict:
    objects.check_key(params["Key"])
    bucket = buckets.require(svc, params["Bucket"])
    grants = acl.for_new_object(svc, bucket, params)
    attrs, storage_class = objects.attrs_from(params), objects.storage_class(params)
    algorithm = objects.checksum_algorithm(params.get("ChecksumAlgorithm"))
    kind = _checksum_type(algorithm, params.get("ChecksumType"))
    upload_id = svc.cloud.ids.chars(64, UPLOAD_ID_ALPHABET)
    svc.store.db.execute(f"INSERT INTO uploads({UPLOAD_COLUMNS.removeprefix('rowid, ')}) VALUES (?,?,?,?,?,?,?,?)",
                         (upload_id, bucket.name, params["Key"], svc.clock.now(), storage_class,
                          json.dumps({**attrs, UPLOAD_GRANTS: grants} if grants is not None else attrs),
                          algorithm, kind))
    out = {"Bucket": bucket.name, "Key": params["Key"], "UploadId": upload_id,
           "ServerSideEncryption": attrs["ServerSideEncryption"]}
    if algorithm:
        out.update(ChecksumAlgorithm=algorithm, ChecksumType=kind)
    return out


def find_upload(svc, params: dict, conn=None) -> Upload:
    buckets.require(svc, params["Bucket"])
    sql = f"SELECT {UPLOAD_COLUMNS} FROM uploads WHERE upload_id = ? AND bucket = ? AND key = ?"
    args = (params["UploadId"], params["Bucket"], params["Key"])
    row = conn.execute(sql, args).fetchone() if conn is not None else svc.store.db.one(sql, args)
    if row is None:
        raise errors.no_such_upload(params["UploadId"])
    return Upload(*row)


def _part_number(params: dict) -> int:
    number = params["PartNumber"]
    if not 1 <= number <= 10000:
        raise errors.invalid_argument("Part number must be an integer between 1 and 10000, inclusive",
                                      "partNumber", str(number))
    return number


def _part_algorithm(upload: Upload, params: dict) -> tuple[str | None, str | None]:
    algorithm, sent = objects.requested_checksum(params)
    if upload.checksum_algorithm and algorithm and algorithm != upload.checksum_algorithm:
        raise errors.invalid_request(f"Checksum Type mismatch occurred, expected checksum Type: "
                                     f"{upload.checksum_algorithm.lower()}, actual checksum Type: "
                                     f"{algorithm.lower()}")
    return upload.checksum_algorithm or algorithm, sent


def upload_part(svc, params: dict, req) -> dict:
    writes.require_length(req)
    upload = find_upload(svc, params)
    number = _part_number(params)
    expected_md5 = objects.content_md5(params)
    algorithm, sent = _part_algorithm(upload, params)
    blob, digests = writes.store_body(svc, params, expected_md5, algorithm, sent)
    value = digests.checksum(algorithm) if algorithm else None
    _save_part(svc, params, Part(number, blob, digests.size, digests.md5.hexdigest(), svc.clock.now(), value))
    out = {"ETag": objects.quoted(digests.md5.hexdigest()),
           "ServerSideEncryption": json.loads(upload.attrs)["ServerSideEncryption"]}
    if value and (sent or upload.checksum_algorithm or params.get("ChecksumAlgorithm")):
        out[f"Checksum{algorithm}"] = value
    return out


def _save_part(svc, params: dict, part: Part) -> None:
    store = svc.store
    with store.db.lock:
        try:
            with store.db.transaction() as conn:
                find_upload(svc, params, conn)
                old = conn.execute("SELECT blob FROM parts WHERE upload_id = ? AND part_number = ?",
                                   (params["UploadId"], part.part_number)).fetchone()
                conn.execute(f"INSERT OR REPLACE INTO parts(upload_id, {PART_COLUMNS}) VALUES (?,?,?,?,?,?,?)",
                             (params["UploadId"], part.part_number, part.blob, part.size, part.etag,
                              part.modified, part.checksum_value))
        except BaseException:
            store.blobs.delete(part.blob)
            raise
        store.delete_blobs([old[0]] if old else [])


def upload_part_copy(svc, params: dict, req) -> dict:
    upload = find_upload(svc, params)
    number = _part_number(params)
    src_bucket, src_key, src_version = writes.parse_copy_source(params["CopySource"])
    source, source_bucket = writes.source_object(svc, src_bucket, src_key, src_version)
    conditions.check_copy_source(source, params)
    first, last = ranges.copy_range(params.get("CopySourceRange"), source.size) if source.size else (0, -1)
    algorithm = upload.checksum_algorithm
    blob = writes.new_blob_id(svc)
    digests = bodies.copy_into(svc.store.blobs, source.blob, first, last - first + 1, blob,
                               [algorithm] if algorithm else [])
    value = digests.checksum(algorithm) if algorithm else None
    part = Part(number, blob, digests.size, digests.md5.hexdigest(), svc.clock.now(), value)
    _save_part(svc, params, part)
    result = {"ETag": objects.quoted(part.etag), "LastModified": objects.to_datetime(part.modified)}
    if value:
        result[f"Checksum{algorithm}"] = value
    out = {"CopyPartResult": result}
    if source_bucket.versioned:
        out["CopySourceVersionId"] = source.version_id
    return out


def parts_of(svc, upload_id: str, after: int = 0, limit: int = 10001) -> list[Part]:
    rows = svc.store.db.all(f"SELECT {PART_COLUMNS} FROM parts WHERE upload_id = ? AND part_number > ? "
                            "ORDER BY part_number LIMIT ?", (upload_id, after, limit))
    return [Part(*r) for r in rows]


def _chosen_parts(svc, upload: Upload, requested: list) -> list[Part]:
    """The stored parts the Complete request names, checked as S3 checks them."""
    if not requested:
        raise errors.invalid_request("You must specify at least one part")
    numbers = [p.get("PartNumber") or 0 for p in requested]
    if any(b <= a for a, b in zip(numbers, numbers[1:])):
        raise errors.invalid_part_order()
    stored = {p.part_number: p for p in parts_of(svc, upload.upload_id)}
    chosen = []
    for spec, number in zip(requested, numbers):
        part = stored.get(number)
        if part is None or objects.unquoted(spec.get("ETag") or "") != part.etag:
            raise errors.invalid_part(number, spec.get("ETag") or "")
        _check_part_checksum(upload, spec, part)
        chosen.append(part)
    for part in chosen[:-1]:
        if part.size < MIN_PART_SIZE:
            raise errors.entity_too_small(part.size, part.part_number, objects.quoted(part.etag))
    return chosen


def _check_part_checksum(upload: Upload, spec: dict, part: Part) -> None:
    if upload.checksum_type != "COMPOSITE":
        return
    sent = spec.get(f"Checksum{upload.checksum_algorithm}")
    if sent is None:
        raise errors.invalid_request(f"The upload was created using a {upload.checksum_algorithm.lower()} "
                                     "checksum. The complete request must include the checksum for each part. "
                                     f"It was missing for part {part.part_number} in the request.")
    if sent != part.checksum_value:
        raise errors.invalid_part(part.part_number, spec.get("ETag") or "")


def _concatenate(svc, parts: list[Part], blob: str, algorithm: str | None) -> str | None:
    """Write the parts as one blob; returns the FULL_OBJECT checksum when ``algorithm`` is given."""
    hasher = checksums.hasher(algorithm) if algorithm else None

    def chunks():
        for part in parts:
            reader = bodies.RangeReader(svc.store.blobs.open(part.blob), 0, part.size)
            try:
                for chunk in reader:
                    if hasher is not None:
                        hasher.update(chunk)
                    yield chunk
            finally:
                reader.close()
    svc.store.blobs.write(blob, chunks())
    return checksums.b64(hasher.digest()) if hasher is not None else None


def _final_checksum(svc, upload: Upload, parts: list[Part], size: int):
    """(algorithm, type, algorithm to compute while concatenating) for the completed object."""
    if upload.checksum_type == "COMPOSITE":
        return upload.checksum_algorithm, "COMPOSITE", None
    algorithm = upload.checksum_algorithm or writes.default_algorithm(size)
    return algorithm, "FULL_OBJECT" if algorithm else None, algorithm


def complete_multipart_upload(svc, params: dict, req) -> dict:
    if params.get("MultipartUpload") is None:
        buckets.require(svc, params["Bucket"])
        raise errors.malformed_xml()
    replay = _completed_before(svc, params)
    if replay is not None:
        return replay
    upload = find_upload(svc, params)
    parts = _chosen_parts(svc, upload, params["MultipartUpload"].get("Parts") or [])
    size = sum(p.size for p in parts)
    if params.get("MpuObjectSize") is not None and params["MpuObjectSize"] != size:
        raise errors.invalid_request(f"The provided 'x-amz-mp-object-size' header value {params['MpuObjectSize']} "
                                     f"does not match what was computed: {size}")
    algorithm, kind, compute = _final_checksum(svc, upload, parts, size)
    blob = writes.new_blob_id(svc)
    full = _concatenate(svc, parts, blob, compute)
    value = checksums.composite(algorithm, [p.checksum_value for p in parts]) if kind == "COMPOSITE" else full
    _verify_final(svc, params, algorithm, value, blob)
    etag = hashlib.md5(b"".join(bytes.fromhex(p.etag) for p in parts)).hexdigest() + f"-{len(parts)}"
    attrs = json.loads(upload.attrs)
    grants = attrs.pop(UPLOAD_GRANTS, None)
    obj = Obj(None, upload.bucket, upload.key, "", 1, 0, blob, size, etag, svc.clock.now(), upload.storage_class,
              json.dumps(attrs), algorithm, value, kind, json.dumps([p.size for p in parts]))
    all_parts = parts_of(svc, upload.upload_id)
    obj, bucket = writes.commit(svc, req, obj, "ObjectCreated:CompleteMultipartUpload",
                                writes.write_condition(params, upload.key),
                                lambda conn: _forget_upload(svc, params, conn))
    acl.store_new_object_acl(svc, obj, grants)
    svc.store.delete_blobs(p.blob for p in all_parts)
    return _remember_completion(svc, params, _completed(svc, obj, bucket, upload))


def _completed_before(svc, params: dict) -> dict | None:
    """S3 answers a repeated Complete of an upload it already completed with the first answer."""
    row = svc.store.db.one("SELECT result FROM completed_uploads WHERE upload_id = ? AND bucket = ? AND key = ?",
                           (params["UploadId"], params["Bucket"], params["Key"]))
    return json.loads(row[0]) if row else None


def _remember_completion(svc, params: dict, out: dict) -> dict:
    svc.store.db.execute("INSERT OR REPLACE INTO completed_uploads(upload_id, bucket, key, result) VALUES (?,?,?,?)",
                         (params["UploadId"], params["Bucket"], params["Key"], json.dumps(out)))
    return out


def _verify_final(svc, params: dict, algorithm, value, blob: str) -> None:
    sent = params.get(f"Checksum{algorithm}") if algorithm else None
    if sent is not None and sent.split("-")[0] != (value or "").split("-")[0]:
        svc.store.blobs.delete(blob)
        raise errors.bad_checksum(algorithm)


def _forget_upload(svc, params: dict, conn) -> None:
    find_upload(svc, params, conn)
    conn.execute("DELETE FROM parts WHERE upload_id = ?", (params["UploadId"],))
    conn.execute("DELETE FROM uploads WHERE upload_id = ?", (params["UploadId"],))


def _completed(svc, obj: Obj, bucket, upload: Upload) -> dict:
    base = svc.cloud.endpoint_url.rstrip("/") if svc.cloud.endpoint_url else \
        f"https://{obj.bucket}.s3.{bucket.region}.amazonaws.com"
    location = f"{base}/{obj.bucket}/{quote(obj.key)}" if svc.cloud.endpoint_url else f"{base}/{quote(obj.key)}"
    out = {"Location": location, "Bucket": obj.bucket, "Key": obj.key, "ETag": objects.quoted(obj.etag),
           "ServerSideEncryption": json.loads(upload.attrs)["ServerSideEncryption"]}
    if upload.checksum_algorithm:
        out.update(objects.checksum_fields(obj))
    if bucket.reports_new_versions:
        out["VersionId"] = obj.version_id
    return out


def abort_multipart_upload(svc, params: dict, req) -> dict:
    store = svc.store
    with store.db.lock:
        with store.db.transaction() as conn:
            find_upload(svc, params, conn)
            blobs = [r[0] for r in conn.execute("SELECT blob FROM parts WHERE upload_id = ?", (params["UploadId"],))]
            _forget_upload(svc, params, conn)
        store.delete_blobs(blobs)
    return {}  # 204 No Content: the model's responseCode


def list_parts(svc, params: dict, req) -> dict:
    upload = find_upload(svc, params)
    limit = listing.max_keys(params, "MaxParts")
    after = params.get("PartNumberMarker") or 0
    found = parts_of(svc, upload.upload_id, after, limit + 1)
    page = found[:limit]
    owner = buckets.owner(svc.account)
    out = {"Bucket": upload.bucket, "Key": upload.key, "UploadId": upload.upload_id, "PartNumberMarker": after,
           "MaxParts": params.get("MaxParts", 1000), "IsTruncated": len(found) > limit,
           "Initiator": owner, "Owner": owner, "StorageClass": upload.storage_class or "STANDARD",
           "Parts": [_listed_part(p, upload) for p in page]}
    if page:
        out["NextPartNumberMarker"] = page[-1].part_number
    if upload.checksum_algorithm:
        out.update(ChecksumAlgorithm=upload.checksum_algorithm, ChecksumType=upload.checksum_type)
    return out


def _listed_part(part: Part, upload: Upload) -> dict:
    item = {"PartNumber": part.part_number, "LastModified": objects.to_datetime(part.modified),
            "ETag": objects.quoted(part.etag), "Size": part.size}
    if upload.checksum_algorithm and part.checksum_value:
        item[f"Checksum{upload.checksum_algorithm}"] = part.checksum_value
    return item


def list_multipart_uploads(svc, params: dict, req) -> dict:
    bucket = buckets.require(svc, params["Bucket"]).name
    enc, limit = listing.encoder(params), listing.max_keys(params, "MaxUploads")
    prefix, delimiter = params.get("Prefix") or "", params.get("Delimiter") or ""
    key_marker = params.get("KeyMarker") or ""
    page = listing.walk(_upload_rows(svc, bucket), prefix, delimiter, _uploads_start(svc, bucket, params), limit,
                        skip_upto=key_marker, tiebreak=True)
    owner = buckets.owner(svc.account)
    out = {"Bucket": bucket, "KeyMarker": enc(key_marker), "UploadIdMarker": params.get("UploadIdMarker") or "",
           "Prefix": enc(prefix), "MaxUploads": params.get("MaxUploads", 1000), "IsTruncated": page.truncated,
           "Uploads": [_listed_upload(u, enc, owner) for u in page.rows]}
    if delimiter:
        out["Delimiter"] = enc(delimiter)
    if page.prefixes:
        out["CommonPrefixes"] = [{"Prefix": enc(p)} for p in page.prefixes]
    if params.get("EncodingType"):
        out["EncodingType"] = params["EncodingType"]
    if page.truncated:
        last = page.last
        out["NextKeyMarker"] = enc(last if isinstance(last, str) else last.key)
        out["NextUploadIdMarker"] = "" if isinstance(last, str) else last.upload_id
    return out


def _uploads_start(svc, bucket: str, params: dict) -> listing.Cursor:
    prefix, key_marker = params.get("Prefix") or "", params.get("KeyMarker") or ""
    if key_marker and params.get("UploadIdMarker"):
        row = svc.store.db.one("SELECT rowid FROM uploads WHERE bucket = ? AND key = ? AND upload_id = ?",
                               (bucket, key_marker, params["UploadIdMarker"]))
        if row is not None:
            return listing.Cursor(key_marker, False, row[0])
    return listing.Cursor(key_marker) if key_marker >= prefix else listing.Cursor(prefix, True)


def _upload_rows(svc, bucket: str):
    def fetch(cursor: listing.Cursor, upper: str | None, n: int) -> list[Upload]:
        where, args = listing.key_range(cursor, upper, "rowid >")
        sql = f"SELECT {UPLOAD_COLUMNS} FROM uploads WHERE bucket = ? AND {where}"
        return [Upload(*r) for r in svc.store.db.all(sql + " ORDER BY key, rowid LIMIT ?", (bucket, *args, n))]
    return fetch


def _listed_upload(upload: Upload, enc, owner: dict) -> dict:
    item = {"UploadId": upload.upload_id, "Key": enc(upload.key), "Initiated": objects.to_datetime(upload.initiated),
            "StorageClass": upload.storage_class or "STANDARD", "Owner": owner, "Initiator": owner}
    if upload.checksum_algorithm:
        item.update(ChecksumAlgorithm=upload.checksum_algorithm, ChecksumType=upload.checksum_type)
    return item
