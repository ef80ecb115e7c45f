"""S3's metadata in SQLite: buckets, object versions, multipart uploads and parts.

Every version of every object is one row of ``objects``; ``latest`` marks the
current one (a partial unique index keeps listings on an index walk), and an
unversioned bucket simply keeps a single version called ``null``.  Bodies live
in the blob store under ids lowcloud makes; a row only names its blob, so a
key never becomes a path.  Writers commit the row after the blob is in place,
which is what makes an acknowledged PUT survive ``kill -9``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE IF NOT EXISTS buckets(
  name TEXT PRIMARY KEY, region TEXT NOT NULL, location TEXT, created REAL NOT NULL,
  versioning TEXT, tags TEXT, notification TEXT);
CREATE TABLE IF NOT EXISTS objects(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, bucket TEXT NOT NULL, key TEXT NOT NULL,
  version_id TEXT NOT NULL, latest INTEGER NOT NULL, delete_marker INTEGER NOT NULL,
  blob TEXT, size INTEGER NOT NULL, etag TEXT, modified REAL NOT NULL, storage_class TEXT,
  attrs TEXT NOT NULL, checksum_algorithm TEXT, checksum_value TEXT, checksum_type TEXT, parts TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS objects_latest ON objects(bucket, key) WHERE latest = 1;
CREATE INDEX IF NOT EXISTS objects_versions ON objects(bucket, key, seq);
CREATE TABLE IF NOT EXISTS uploads(
  upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL, initiated REAL NOT NULL,
  storage_class TEXT, attrs TEXT NOT NULL, checksum_algorithm TEXT, checksum_type TEXT);
CREATE INDEX IF NOT EXISTS uploads_by_key ON uploads(bucket, key, initiated);
CREATE TABLE IF NOT EXISTS parts(
  upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, blob TEXT NOT NULL, size INTEGER NOT NULL,
  etag TEXT NOT NULL, modified REAL NOT NULL, checksum_value TEXT, PRIMARY KEY(upload_id, part_number));
CREATE TABLE IF NOT EXISTS completed_uploads(
  upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL, result TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

OBJECT_COLUMNS = ("seq, bucket, key, version_id, latest, delete_marker, blob, size, etag, modified, "
                  "storage_class, attrs, checksum_algorithm, checksum_value, checksum_type, parts")
BUCKET_COLUMNS = "name, region, location, created, versioning, tags, notification"


@dataclass(slots=True)
class Bucket:
    name: str
    region: str
    location: str | None
    created: float
    versioning: str | None  # None (never set), "Enabled" or "Suspended"
    tags: str | None
    notification: str | None

    @property
    def versioned(self) -> bool:
        return self.versioning is not None

    @property
    def reports_new_versions(self) -> bool:
        """Only an Enabled bucket names the version a write created; a Suspended one writes "null" silently."""
        return self.versioning == "Enabled"


@dataclass(slots=True)
class Obj:
    seq: int | None
    bucket: str
    key: str
    version_id: str
    latest: int
    delete_marker: int
    blob: str | None
    size: int
    etag: str | None  # hex, without quotes; multipart: "<hex>-<n>"
    modified: float
    storage_class: str | None
    attrs: str  # JSON: content headers, Metadata, Tagging, Expires ...
    checksum_algorithm: str | None
    checksum_value: str | None
    checksum_type: str | None
    parts: str | None  # JSON list of part sizes for multipart objects

    def attributes(self) -> dict:
        return json.loads(self.attrs)

    def part_sizes(self) -> list[int]:
        return json.loads(self.parts) if self.parts else []

    def values(self) -> tuple:
        return (self.bucket, self.key, self.version_id, self.latest, self.delete_marker, self.blob, self.size,
                self.etag, self.modified, self.storage_class, self.attrs, self.checksum_algorithm,
                self.checksum_value, self.checksum_type, self.parts)


_INSERT = (f"INSERT INTO objects({OBJECT_COLUMNS.removeprefix('seq, ')}) "
           "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")


class Store:
    """Row access for one S3 database; writers pass the open transaction's connection."""

    def __init__(self, db, blobs):
        self.db = db
        self.blobs = blobs
        db.script(SCHEMA)

    def _one(self, conn, sql: str, args: tuple):
        """One row, inside the caller's transaction when given one, else under the database lock."""
        return conn.execute(sql, args).fetchone() if conn is not None else self.db.one(sql, args)

    def bucket(self, name: str, conn=None) -> Bucket | None:
        row = self._one(conn, f"SELECT {BUCKET_COLUMNS} FROM buckets WHERE name = ?", (name,))
        return Bucket(*row) if row else None

    def buckets(self) -> list[Bucket]:
        return [Bucket(*r) for r in self.db.all(f"SELECT {BUCKET_COLUMNS} FROM buckets ORDER BY name")]

    def latest(self, bucket: str, key: str, conn=None) -> Obj | None:
        sql = f"SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket = ? AND key = ? AND latest = 1"
        row = self._one(conn, sql, (bucket, key))
        return Obj(*row) if row else None

    def version(self, bucket: str, key: str, version_id: str, conn=None) -> Obj | None:
        sql = f"SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket = ? AND key = ? AND version_id = ?"
        row = self._one(conn, sql, (bucket, key, version_id))
        return Obj(*row) if row else None

    def insert(self, conn, obj: Obj) -> None:
        """Insert the version row; ``obj.seq`` becomes its row id (object ACLs are keyed by it)."""
        obj.seq = conn.execute(_INSERT, obj.values()).lastrowid

    def set_attrs(self, conn, obj: Obj, attrs: dict) -> None:
        conn.execute("UPDATE objects SET attrs = ? WHERE seq = ?", (json.dumps(attrs), obj.seq))

    def remove(self, conn, obj: Obj) -> None:
        """Delete one version row; when it was current, the newest remaining version becomes current."""
        conn.execute("DELETE FROM objects WHERE seq = ?", (obj.seq,))
        if obj.latest:
            conn.execute("UPDATE objects SET latest = 1 WHERE seq = (SELECT max(seq) FROM objects "
                         "WHERE bucket = ? AND key = ?)", (obj.bucket, obj.key))

    def demote(self, conn, bucket: str, key: str) -> None:
        conn.execute("UPDATE objects SET latest = 0 WHERE bucket = ? AND key = ? AND latest = 1", (bucket, key))

    def null_versions(self, conn, bucket: str, key: str) -> list[Obj]:
        sql = f"SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket = ? AND key = ? AND version_id = 'null'"
        return [Obj(*r) for r in conn.execute(sql, (bucket, key)).fetchall()]

    def next_counter(self, conn, name: str) -> int:
        return conn.execute("INSERT INTO counters(name, value) VALUES (?, 1) "
                            "ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value", (name,)).fetchone()[0]

    def delete_blobs(self, blob_ids) -> None:
        for blob_id in blob_ids:
            if blob_id:
                self.blobs.delete(blob_id)
