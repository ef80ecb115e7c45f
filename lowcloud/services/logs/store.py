"""CloudWatch Logs state in one SQLite database per region.

Five tables: groups, streams, events, tags, and ``docs``: JSON documents of
the configuration kinds (metric and subscription filters per group, resource
policies, query definitions, Insights queries) keyed by (kind, group, name);
a group's documents go with it.  Events are rows ordered by (timestamp, id);
``id`` is AUTOINCREMENT so positions handed out in tokens are never reused
after deletes.  Group and stream counters (stored bytes, first /
last event, batch count) are kept on the rows and updated in the same
transaction as the insert, so Describe* never scans events.  Retention is
applied lazily: reads skip events older than the group's cutoff and
``expire`` deletes them (and gives their bytes back) when a group is touched.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from lowcloud.storage.sqlite import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS groups (
  name TEXT PRIMARY KEY, created INTEGER NOT NULL, retention INTEGER, kms TEXT,
  class TEXT NOT NULL DEFAULT 'STANDARD', stored INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS streams (
  grp TEXT NOT NULL, name TEXT NOT NULL, created INTEGER NOT NULL,
  first_ts INTEGER, last_ts INTEGER, last_ingest INTEGER, batches INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (grp, name));
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, grp TEXT NOT NULL, stream TEXT NOT NULL,
  ts INTEGER NOT NULL, ingest INTEGER NOT NULL, size INTEGER NOT NULL, message TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_stream ON events (grp, stream, ts, id);
CREATE INDEX IF NOT EXISTS events_by_group ON events (grp, ts, id);
CREATE TABLE IF NOT EXISTS tags (
  grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (grp, key));
CREATE TABLE IF NOT EXISTS docs (
  kind TEXT NOT NULL, grp TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL, seq INTEGER NOT NULL,
  PRIMARY KEY (kind, grp, name));
"""

DAY_MS = 86_400_000


@dataclass
class Group:
    name: str
    created: int
    retention: int | None
    kms: str | None
    log_class: str
    stored: int

    def cutoff(self, now_ms: int) -> int:
        """Events older than this (ms) have expired under the retention policy."""
        return now_ms - self.retention * DAY_MS if self.retention else 0


@dataclass
class Stream:
    group: str
    name: str
    created: int
    first_ts: int | None
    last_ts: int | None
    last_ingest: int | None
    batches: int


class LogStore:
    def __init__(self, db: Database):
        self.db = db
        db.script(SCHEMA)

    # --- groups ---------------------------------------------------------
    def group(self, name: str) -> Group | None:
        row = self.db.one("SELECT name, created, retention, kms, class, stored FROM groups WHERE name=?", (name,))
        return Group(*row) if row else None

    def add_group(self, name: str, created: int, kms: str | None, log_class: str, tags: dict) -> bool:
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM groups WHERE name=?", (name,)).fetchone():
                return False
            conn.execute("INSERT INTO groups (name, created, kms, class) VALUES (?,?,?,?)",
                         (name, created, kms, log_class))
            conn.executemany("INSERT INTO tags VALUES (?,?,?)", [(name, k, v) for k, v in tags.items()])
        return True

    def drop_group(self, name: str) -> bool:
        with self.db.transaction() as conn:
            if not conn.execute("DELETE FROM groups WHERE name=?", (name,)).rowcount:
                return False
            for table in ("streams", "events", "tags", "docs"):  # a group's filters go with it
                conn.execute(f"DELETE FROM {table} WHERE grp=?", (name,))
        return True

    def groups_after(self, after: str, limit: int, prefix: str | None, where: str = "", args: tuple = ()) -> list[Group]:
        sql = "SELECT name, created, retention, kms, class, stored FROM groups WHERE name > ?"
        params: list = [after]
        if prefix:
            sql += " AND substr(name, 1, ?) = ?"
            params += [len(prefix), prefix]
        rows = self.db.all(f"{sql} {where} ORDER BY name LIMIT ?", (*params, *args, limit))
        return [Group(*row) for row in rows]

    def set_retention(self, name: str, days: int | None) -> None:
        self.db.execute("UPDATE groups SET retention=? WHERE name=?", (days, name))

    def expire(self, group: Group, now_ms: int) -> None:
        """Delete events that fell out of the retention window; give back their bytes."""
        cutoff = group.cutoff(now_ms)
        if not cutoff:
            return
        with self.db.transaction() as conn:
            freed = conn.execute("SELECT COALESCE(SUM(size), 0) FROM events WHERE grp=? AND ts < ?",
                                 (group.name, cutoff)).fetchone()[0]
            if freed:
                conn.execute("DELETE FROM events WHERE grp=? AND ts < ?", (group.name, cutoff))
                conn.execute("UPDATE groups SET stored = stored - ? WHERE name=?", (freed, group.name))
                group.stored -= freed

    # --- streams --------------------------------------------------------
    def stream(self, group: str, name: str) -> Stream | None:
        row = self.db.one("SELECT grp, name, created, first_ts, last_ts, last_ingest, batches FROM streams "
                          "WHERE grp=? AND name=?", (group, name))
        return Stream(*row) if row else None

    def add_stream(self, group: str, name: str, created: int) -> bool:
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM streams WHERE grp=? AND name=?", (group, name)).fetchone():
                return False
            conn.execute("INSERT INTO streams (grp, name, created) VALUES (?,?,?)", (group, name, created))
        return True

    def drop_stream(self, group: str, name: str) -> bool:
        with self.db.transaction() as conn:
            if not conn.execute("DELETE FROM streams WHERE grp=? AND name=?", (group, name)).rowcount:
                return False
            freed = conn.execute("SELECT COALESCE(SUM(size), 0) FROM events WHERE grp=? AND stream=?",
                                 (group, name)).fetchone()[0]
            conn.execute("DELETE FROM events WHERE grp=? AND stream=?", (group, name))
            conn.execute("UPDATE groups SET stored = stored - ? WHERE name=?", (freed, group))
        return True

    def streams(self, group: str, order_sql: str, after_sql: str, args: tuple, limit: int) -> list[Stream]:
        rows = self.db.all("SELECT grp, name, created, first_ts, last_ts, last_ingest, batches FROM streams "
                           f"WHERE grp=? {after_sql} ORDER BY {order_sql} LIMIT ?", (group, *args, limit))
        return [Stream(*row) for row in rows]

    def stream_names(self, group: str, prefix: str | None) -> list[str]:
        rows = self.db.all("SELECT name FROM streams WHERE grp=? AND substr(name, 1, ?) = ?",
                           (group, len(prefix or ""), prefix or ""))
        return [r[0] for r in rows]

    # --- events ---------------------------------------------------------
    def append(self, group: str, stream: str, events: list[tuple[int, str]], ingest: int) -> tuple[int, int]:
        """Store ``events`` [(timestamp, message)]; (the stream's batch count, first event's row id).

        Row ids of one batch are consecutive: the insert runs under the
        database lock inside one transaction.
        """
        rows = [(group, stream, ts, ingest, len(msg.encode("utf-8")), msg) for ts, msg in events]
        size = sum(r[4] for r in rows)
        with self.db.transaction() as conn:
            conn.executemany("INSERT INTO events (grp, stream, ts, ingest, size, message) VALUES (?,?,?,?,?,?)", rows)
            conn.execute("UPDATE groups SET stored = stored + ? WHERE name=?", (size, group))
            conn.execute(
                "UPDATE streams SET batches = batches + 1, last_ingest = ?, "
                "first_ts = MIN(COALESCE(first_ts, ?), ?), last_ts = MAX(COALESCE(last_ts, ?), ?) "
                "WHERE grp=? AND name=?",
                (ingest, events[0][0], events[0][0], events[-1][0], events[-1][0], group, stream))
            last_id = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
            batches = conn.execute("SELECT batches FROM streams WHERE grp=? AND name=?", (group, stream)).fetchone()[0]
        return batches, last_id - len(rows) + 1

    def read(self, where: str, args: tuple, descending: bool, limit: int) -> list[tuple]:
        """Event rows (id, stream, ts, ingest, size, message) in position order (or reversed)."""
        order = "ts DESC, id DESC" if descending else "ts, id"
        return self.db.all(f"SELECT id, stream, ts, ingest, size, message FROM events WHERE {where} "
                           f"ORDER BY {order} LIMIT ?", (*args, limit))

    # --- tags -----------------------------------------------------------
    def tags(self, group: str) -> dict[str, str]:
        return dict(self.db.all("SELECT key, value FROM tags WHERE grp=? ORDER BY key", (group,)))

    def tag(self, group: str, tags: dict[str, str]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO tags VALUES (?,?,?)", [(group, k, v) for k, v in tags.items()])

    def untag(self, group: str, keys: list[str]) -> None:
        self.db.executemany("DELETE FROM tags WHERE grp=? AND key=?", [(group, k) for k in keys])

    # --- configuration documents ----------------------------------------
    def put_doc(self, kind: str, group: str, name: str, body: dict) -> None:
        """Insert or replace; a replaced document keeps its place in creation order."""
        with self.db.transaction() as conn:
            row = conn.execute("SELECT seq FROM docs WHERE kind=? AND grp=? AND name=?", (kind, group, name)).fetchone()
            seq = row[0] if row else conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM docs").fetchone()[0]
            conn.execute("INSERT OR REPLACE INTO docs VALUES (?,?,?,?,?)", (kind, group, name, json.dumps(body), seq))

    def doc(self, kind: str, group: str, name: str) -> dict | None:
        row = self.db.one("SELECT body FROM docs WHERE kind=? AND grp=? AND name=?", (kind, group, name))
        return json.loads(row[0]) if row else None

    def docs(self, kind: str, group: str | None = None, order: str = "name") -> list[dict]:
        """Documents of ``kind`` (in one group, or all), by name or by creation (``order="seq"``)."""
        where, args = ("kind=? AND grp=?", (kind, group)) if group is not None else ("kind=?", (kind,))
        rows = self.db.all(f"SELECT body FROM docs WHERE {where} ORDER BY {order}", args)
        return [json.loads(r[0]) for r in rows]

    def count_docs(self, kind: str, group: str) -> int:
        return self.db.one("SELECT COUNT(*) FROM docs WHERE kind=? AND grp=?", (kind, group))[0]

    def drop_doc(self, kind: str, group: str, name: str) -> bool:
        return bool(self.db.execute("DELETE FROM docs WHERE kind=? AND grp=? AND name=?", (kind, group, name)).rowcount)
