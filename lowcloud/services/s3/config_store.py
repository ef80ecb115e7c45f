"""Bucket configuration documents and object ACLs in their own SQLite tables.

Configuration (policy, CORS, lifecycle, encryption ...) is one JSON document
per (bucket, kind); object ACLs are keyed by the object row's ``seq`` (never
reused), so an overwritten object version simply stops having one.  DeleteBucket
and object deletion stay unaware of this module: SQLite triggers on the
``buckets`` and ``objects`` tables drop the rows in the deleting transaction.
Each configuration row also remembers the creation time of the bucket it was
written for, and rows of another incarnation read as absent.
Timestamps inside documents are stored as epoch seconds, which the XML writer
renders as it renders datetimes.
"""
from __future__ import annotations

import json
from datetime import datetime

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS bucket_configs(bucket TEXT NOT NULL, created REAL NOT NULL, kind TEXT NOT NULL, "
    "value TEXT NOT NULL, PRIMARY KEY(bucket, kind))",
    "CREATE TABLE IF NOT EXISTS object_acls(seq INTEGER PRIMARY KEY, bucket TEXT NOT NULL, value TEXT NOT NULL)",
    "CREATE TRIGGER IF NOT EXISTS bucket_configs_follow_buckets AFTER DELETE ON buckets BEGIN "
    "DELETE FROM bucket_configs WHERE bucket = OLD.name; DELETE FROM object_acls WHERE bucket = OLD.name; END",
    "CREATE TRIGGER IF NOT EXISTS object_acls_follow_objects AFTER DELETE ON objects BEGIN "
    "DELETE FROM object_acls WHERE seq = OLD.seq; END",
)


def _db(svc):
    """The S3 database, with this module's tables created on first use.

    Statement by statement rather than as a script: a script would commit a
    transaction the caller may have open.  Only creation outside a transaction
    counts as done, since a caller's rollback would undo it.
    """
    store = svc.store
    if not getattr(store, "_config_tables", False):
        for statement in SCHEMA:
            store.db.execute(statement)
        store._config_tables = not store.db.conn.in_transaction
    return store.db


def _encode(value) -> str:
    return json.dumps(value, default=lambda v: v.timestamp() if isinstance(v, datetime) else str(v))


def load(svc, bucket, kind: str, absent=None):
    """The stored document of ``kind`` for this incarnation of ``bucket``, or ``absent``."""
    row = _db(svc).one("SELECT value FROM bucket_configs WHERE bucket = ? AND kind = ? AND created = ?",
                       (bucket.name, kind, bucket.created))
    return json.loads(row[0]) if row else absent


def load_prefixed(svc, bucket, prefix: str) -> list:
    """Documents whose kind starts with ``prefix`` (``metrics:`` + id ...), by kind."""
    rows = _db(svc).all("SELECT value FROM bucket_configs WHERE bucket = ? AND created = ? AND kind >= ? "
                        "AND kind < ? ORDER BY kind", (bucket.name, bucket.created, prefix, prefix + "\uffff"))
    return [json.loads(r[0]) for r in rows]


def save(svc, bucket, kind: str, value) -> None:
    with _db(svc).transaction() as conn:
        conn.execute("DELETE FROM bucket_configs WHERE bucket = ? AND created != ?", (bucket.name, bucket.created))
        conn.execute("INSERT OR REPLACE INTO bucket_configs(bucket, created, kind, value) VALUES (?, ?, ?, ?)",
                     (bucket.name, bucket.created, kind, _encode(value)))


def drop(svc, bucket, kind: str) -> None:
    _db(svc).execute("DELETE FROM bucket_configs WHERE bucket = ? AND kind = ?", (bucket.name, kind))


def object_acl(svc, obj) -> dict | None:
    row = _db(svc).one("SELECT value FROM object_acls WHERE seq = ?", (obj.seq,))
    return json.loads(row[0]) if row else None


def save_object_acl(svc, obj, acl: dict) -> None:
    _db(svc).execute("INSERT OR REPLACE INTO object_acls(seq, bucket, value) VALUES (?, ?, ?)",
                     (obj.seq, obj.bucket, json.dumps(acl)))
