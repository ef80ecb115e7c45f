"""ListObjectsV2, ListObjects, ListObjectVersions: prefix, delimiter, markers, pages.

One walker serves every listing: it pulls rows in key order (SQLite compares
TEXT as UTF-8 bytes, which is S3's order) after a cursor, folds keys into
CommonPrefixes at the delimiter, and jumps the cursor past a folded prefix
instead of scanning its keys.  A page ends after ``limit`` entries (keys and
prefixes alike); continuation tokens are the last entry, opaquely encoded.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from urllib.parse import quote_plus

from lowcloud.services.s3 import buckets, errors, objects
from lowcloud.services.s3.state import OBJECT_COLUMNS, Obj

TOKEN_TAG = b"lc1:"


@dataclass
class Cursor:
    key: str
    inclusive: bool = False
    tiebreak: int | None = None  # position inside one key (version seq, upload rowid)


@dataclass
class Page:
    rows: list = field(default_factory=list)
    prefixes: list = field(default_factory=list)
    truncated: bool = False
    last: object = None  # the last entry: a row or a common prefix string
    skip_upto: str = ""  # common prefixes up to this one were already listed

    @property
    def count(self) -> int:
        return len(self.rows) + len(self.prefixes)


def successor(text: str) -> str | None:
    """The smallest string after every string that starts with ``text`` (None: no such bound)."""
    while text:
        code = ord(text[-1]) + 1
        code = 0xE000 if code == 0xD800 else code
        if code <= 0x10FFFF:
            return text[:-1] + chr(code)
        text = text[:-1]
    return None


def walk(fetch, prefix: str, delimiter: str, start: Cursor, limit: int, skip_upto: str = "",
         tiebreak: bool = False) -> Page:
    """Up to ``limit`` rows and common prefixes after ``start``.

    ``fetch(cursor, upper, n)`` returns up to n rows (with ``.key``, and ``.seq`` ordering rows of one
    key when ``tiebreak``) after the cursor and below ``upper``.
    """
    page = Page(skip_upto=skip_upto)
    upper = successor(prefix) if prefix else None
    cursor, want = start, min(limit + 1, 1001)
    while cursor is not None and limit > 0:
        batch = fetch(cursor, upper, want)
        cursor, jumped = _consume(page, batch, prefix, delimiter, limit, tiebreak)
        if not jumped and len(batch) < want:
            break
    return page


def _consume(page: Page, batch: list, prefix: str, delimiter: str, limit: int, tiebreak: bool):
    """Add a batch's entries to the page: (where to read next, whether the cursor jumped)."""
    for row in batch:
        folded = _folded(row.key, prefix, delimiter)
        if folded is not None and folded <= page.skip_upto:
            return _past(folded), True
        if page.count == limit:
            page.truncated = True
            return None, True
        if folded is not None:
            page.prefixes.append(folded)
            page.last = page.skip_upto = folded
            return _past(folded), True
        page.rows.append(row)
        page.last = row
    last = batch[-1] if batch else None
    return (Cursor(last.key, False, last.seq if tiebreak else None) if last else None), False


def _past(folded: str) -> Cursor | None:
    after = successor(folded)
    return Cursor(after, True) if after is not None else None


def _folded(key: str, prefix: str, delimiter: str) -> str | None:
    if not delimiter:
        return None
    at = key.find(delimiter, len(prefix))
    return None if at < 0 else key[:at + len(delimiter)]


def current_rows(store, bucket: str):
    """A fetch function over the bucket's current (non-delete-marker) versions."""
    def fetch(cursor: Cursor, upper: str | None, n: int) -> list[Obj]:
        sql = (f"SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket = ? AND latest = 1 AND delete_marker = 0 "
               f"AND key {'>=' if cursor.inclusive else '>'} ?")
        args = [bucket, cursor.key]
        if upper is not None:
            sql += " AND key < ?"
            args.append(upper)
        return [Obj(*r) for r in store.db.all(sql + " ORDER BY key LIMIT ?", (*args, n))]
    return fetch


def version_rows(store, bucket: str):
    """A fetch function over every version and delete marker, newest first within a key."""
    def fetch(cursor: Cursor, upper: str | None, n: int) -> list[Obj]:
        where, args = key_range(cursor, upper, "seq <")
        sql = f"SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket = ? AND {where}"
        rows = store.db.all(sql + " ORDER BY key, seq DESC LIMIT ?", (bucket, *args, n))
        return [Obj(*r) for r in rows]
    return fetch


def key_range(cursor: Cursor, upper: str | None, tiebreak: str) -> tuple[str, list]:
    """SQL condition and args for keys from ``cursor`` (rows past its ``tiebreak`` within its key) below ``upper``."""
    if cursor.tiebreak is not None:
        where, args = f"(key > ? OR (key = ? AND {tiebreak} ?))", [cursor.key, cursor.key, cursor.tiebreak]
    else:
        where, args = f"key {'>=' if cursor.inclusive else '>'} ?", [cursor.key]
    if upper is not None:
        where += " AND key < ?"
        args.append(upper)
    return where, args


def encode_token(marker: str) -> str:
    return base64.b64encode(TOKEN_TAG + marker.encode("utf-8")).decode("ascii")


def decode_token(token: str) -> str:
    try:
        raw = base64.b64decode(token.encode("ascii"), validate=True)
        if raw.startswith(TOKEN_TAG):
            return raw[len(TOKEN_TAG):].decode("utf-8")
    except (binascii.Error, ValueError, UnicodeError):
        pass
    raise errors.invalid_argument("The continuation token provided is incorrect", "continuation-token", token)


def encoder(params: dict):
    """The function applied to keys and prefixes in the response (URL-encoding when asked)."""
    kind = params.get("EncodingType")
    if kind is None:
        return lambda text: text
    if kind != "url":
        raise errors.invalid_argument("Invalid Encoding Method specified in Request", "encoding-type", kind)
    return lambda text: quote_plus(text, safe="/")


def max_keys(params: dict, name: str = "MaxKeys") -> int:
    value = params.get(name)
    if value is None:
        return 1000
    if value < 0:
        raise errors.invalid_argument("max-keys cannot be negative", "maxKeys", str(value))
    return min(value, 1000)


def entry(obj: Obj, enc, owner: dict | None) -> dict:
    item = {"Key": enc(obj.key), "LastModified": objects.to_datetime(obj.modified), "ETag": objects.quoted(obj.etag),
            "Size": obj.size, "StorageClass": obj.storage_class or "STANDARD"}
    if obj.checksum_algorithm:
        item.update(ChecksumAlgorithm=[obj.checksum_algorithm], ChecksumType=obj.checksum_type)
    if owner is not None:
        item["Owner"] = owner
    return item


def _common(page: Page, bucket: str, params: dict, enc, limit_echo: int) -> dict:
    out = {"IsTruncated": page.truncated, "Name": bucket, "Prefix": enc(params.get("Prefix") or ""),
           "MaxKeys": limit_echo}
    if params.get("Delimiter"):
        out["Delimiter"] = enc(params["Delimiter"])
    if page.prefixes:
        out["CommonPrefixes"] = [{"Prefix": enc(p)} for p in page.prefixes]
    if params.get("EncodingType"):
        out["EncodingType"] = params["EncodingType"]
    return out


def _last_marker(page: Page) -> str:
    return page.last if isinstance(page.last, str) else page.last.key


def list_objects_v2(svc, params: dict, req) -> dict:
    bucket = buckets.require(svc, params["Bucket"]).name
    enc, limit = encoder(params), max_keys(params)
    token = params.get("ContinuationToken")
    marker = decode_token(token) if token else params.get("StartAfter") or ""
    page = _page(svc, bucket, params, marker, limit)
    out = _common(page, bucket, params, enc, params.get("MaxKeys", 1000))
    out["KeyCount"] = len(page.rows) + len(page.prefixes)
    owner = buckets.owner(svc.account) if params.get("FetchOwner") else None
    if page.rows:
        out["Contents"] = [entry(o, enc, owner) for o in page.rows]
    if token is not None:
        out["ContinuationToken"] = token
    if page.truncated:
        out["NextContinuationToken"] = encode_token(_last_marker(page))
    if params.get("StartAfter"):
        out["StartAfter"] = enc(params["StartAfter"])
    return out


def list_objects(svc, params: dict, req) -> dict:
    bucket = buckets.require(svc, params["Bucket"]).name
    enc, limit = encoder(params), max_keys(params)
    marker = params.get("Marker") or ""
    page = _page(svc, bucket, params, marker, limit)
    out = _common(page, bucket, params, enc, params.get("MaxKeys", 1000))
    out["Marker"] = enc(marker)
    owner = buckets.owner(svc.account)
    if page.rows:
        out["Contents"] = [entry(o, enc, owner) for o in page.rows]
    if page.truncated and params.get("Delimiter"):
        out["NextMarker"] = enc(_last_marker(page))
    return out


def _page(svc, bucket: str, params: dict, marker: str, limit: int) -> Page:
    prefix, delimiter = params.get("Prefix") or "", params.get("Delimiter") or ""
    start = Cursor(marker) if marker >= prefix else Cursor(prefix, True)
    return walk(current_rows(svc.store, bucket), prefix, delimiter, start, limit, skip_upto=marker)


def list_object_versions(svc, params: dict, req) -> dict:
    bucket = buckets.require(svc, params["Bucket"]).name
    enc, limit = encoder(params), max_keys(params)
    prefix, delimiter = params.get("Prefix") or "", params.get("Delimiter") or ""
    page = walk(version_rows(svc.store, bucket), prefix, delimiter, _version_start(svc, bucket, params), limit,
                skip_upto=params.get("KeyMarker") or "", tiebreak=True)
    out = _common(page, bucket, params, enc, params.get("MaxKeys", 1000))
    out.update(KeyMarker=enc(params.get("KeyMarker") or ""), VersionIdMarker=params.get("VersionIdMarker") or "")
    owner = buckets.owner(svc.account)
    versions = [_version_entry(o, enc, owner) for o in page.rows if not o.delete_marker]
    markers = [_marker_entry(o, enc, owner) for o in page.rows if o.delete_marker]
    if versions:
        out["Versions"] = versions
    if markers:
        out["DeleteMarkers"] = markers
    if page.truncated:
        out["NextKeyMarker"] = enc(_last_marker(page))
        if not isinstance(page.last, str):
            out["NextVersionIdMarker"] = page.last.version_id
    return out


def _version_start(svc, bucket: str, params: dict) -> Cursor:
    prefix, key_marker = params.get("Prefix") or "", params.get("KeyMarker") or ""
    version_marker = params.get("VersionIdMarker")
    if version_marker and not key_marker:
        raise errors.invalid_argument("A version-id marker cannot be specified without a key marker.",
                                      "version-id-marker", version_marker)
    if key_marker and version_marker:
        row = svc.store.version(bucket, key_marker, version_marker)
        if row is None:
            raise errors.invalid_argument("Invalid version id specified", "version-id-marker", version_marker)
        return Cursor(key_marker, False, row.seq)
    return Cursor(key_marker) if key_marker >= prefix else Cursor(prefix, True)


def _version_entry(obj: Obj, enc, owner: dict) -> dict:
    item = entry(obj, enc, owner)
    item.update(VersionId=obj.version_id, IsLatest=bool(obj.latest))
    return item


def _marker_entry(obj: Obj, enc, owner: dict) -> dict:
    return {"Owner": owner, "Key": enc(obj.key), "VersionId": obj.version_id, "IsLatest": bool(obj.latest),
            "LastModified": objects.to_datetime(obj.modified)}
