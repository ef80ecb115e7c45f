"""Step Functions' durable state: one SQLite database per region.

State machines, versions, aliases, activities, tags, executions and their
history events.  Executions carry the definition they ran (DescribeStateMachine-
ForExecution, resuming after a restart) and a checkpoint: the top-level state
being run with its input and variables, written together with the events that
led to it, so a restarted Cloud re-enters exactly that state.  Rows are plain
dicts; JSON columns are decoded by the callers that need them.  History events are
stored in chunks (one JSON array per flush): one encode and one row per flush keeps a
1,000-item Map's few thousand events cheap to persist.
"""
from __future__ import annotations

import json

from lowcloud.errors import AwsError

SCHEMA = """
CREATE TABLE IF NOT EXISTS machines (
  arn TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, definition TEXT NOT NULL,
  role_arn TEXT, created REAL, updated REAL, revision_id TEXT, description TEXT,
  logging TEXT, tracing TEXT, encryption TEXT, next_version INTEGER DEFAULT 1);
CREATE TABLE IF NOT EXISTS versions (
  arn TEXT PRIMARY KEY, machine_arn TEXT NOT NULL, version INTEGER, definition TEXT, role_arn TEXT,
  created REAL, revision_id TEXT, description TEXT, type TEXT, logging TEXT, tracing TEXT);
CREATE TABLE IF NOT EXISTS aliases (
  arn TEXT PRIMARY KEY, machine_arn TEXT NOT NULL, name TEXT, description TEXT, routing TEXT,
  created REAL, updated REAL);
CREATE TABLE IF NOT EXISTS activities (arn TEXT PRIMARY KEY, name TEXT, created REAL);
CREATE TABLE IF NOT EXISTS tags (arn TEXT, key TEXT, value TEXT, PRIMARY KEY (arn, key));
CREATE TABLE IF NOT EXISTS executions (
  arn TEXT PRIMARY KEY, machine_arn TEXT NOT NULL, name TEXT, status TEXT, input TEXT, output TEXT,
  error TEXT, cause TEXT, start REAL, stop REAL, version_arn TEXT, alias_arn TEXT, definition TEXT,
  role_arn TEXT, machine_name TEXT, checkpoint TEXT, map_run_arn TEXT, seq INTEGER,
  redrive_count INTEGER DEFAULT 0, redrive_date REAL);
CREATE INDEX IF NOT EXISTS executions_by_machine ON executions (machine_arn, seq);
CREATE INDEX IF NOT EXISTS executions_by_status ON executions (status);
CREATE TABLE IF NOT EXISTS events (
  execution_arn TEXT, first_id INTEGER, last_id INTEGER, body TEXT, PRIMARY KEY (execution_arn, first_id));
CREATE TABLE IF NOT EXISTS map_runs (
  arn TEXT PRIMARY KEY, execution_arn TEXT, status TEXT, start REAL, stop REAL, max_concurrency INTEGER,
  tolerated_percentage REAL, tolerated_count INTEGER, succeeded INTEGER, failed INTEGER, total INTEGER,
  seq INTEGER);
"""

class Store:
    def __init__(self, db):
        self.db = db
        db.script(SCHEMA)
        row = db.one("SELECT MAX(seq) FROM executions")
        self.seq = (row[0] or 0) if row else 0

    # --- generic helpers -----------------------------------------------------------
    def row(self, table: str, arn: str) -> dict | None:
        cur = self.db.execute(f"SELECT * FROM {table} WHERE arn = ?", (arn,))
        found = cur.fetchone()
        if found is None:
            return None
        return dict(zip([d[0] for d in cur.description], found))

    def existing(self, table: str, arn: str, missing: tuple, shown: str | None = None, **extra) -> dict:
        """The row for ``arn``, or the not-found AwsError ``missing`` = (code, what): "<what>: '<arn>'"."""
        row = self.row(table, arn)
        if row is None:
            code, what = missing
            raise AwsError(code, f"{what}: '{shown or arn}'", **extra)
        return row

    def rows(self, sql: str, args: tuple = ()) -> list[dict]:
        with self.db.lock:
            cur = self.db.conn.execute(sql, args)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]

    def insert(self, table: str, values: dict) -> None:
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        self.db.execute(f"INSERT OR REPLACE INTO {table} ({cols}) VALUES ({marks})", tuple(values.values()))

    def update(self, table: str, arn: str, values: dict) -> None:
        sets = ", ".join(f"{k} = ?" for k in values)
        self.db.execute(f"UPDATE {table} SET {sets} WHERE arn = ?", (*values.values(), arn))

    def delete(self, table: str, arn: str) -> None:
        self.db.execute(f"DELETE FROM {table} WHERE arn = ?", (arn,))

    # --- executions ---------------------------------------------------------------------
    def next_seq(self) -> int:
        with self.db.lock:
            self.seq += 1
            return self.seq

    def start_execution(self, row: dict, events: list) -> None:
        with self.db.transaction() as conn:
            cols = ", ".join(row)
            conn.execute(f"INSERT INTO executions ({cols}) VALUES ({', '.join('?' for _ in row)})",
                         tuple(row.values()))
            _write_events(conn, row["arn"], events)

    def save_progress(self, arn: str, events: list, checkpoint: str | None, final: dict | None = None) -> None:
        """New events, the checkpoint and (at the end) the final status, in one transaction."""
        with self.db.transaction() as conn:
            _write_events(conn, arn, events)
            values = dict(final or {})
            values["checkpoint"] = checkpoint
            sets = ", ".join(f"{k} = ?" for k in values)
            conn.execute(f"UPDATE executions SET {sets} WHERE arn = ?", (*values.values(), arn))

    def events(self, arn: str) -> list[dict]:
        rows = self.db.all("SELECT body FROM events WHERE execution_arn = ? ORDER BY first_id", (arn,))
        return [e for r in rows for e in json.loads(r[0])]

    def truncate_events(self, arn: str, count: int) -> None:
        """Forget events after ``count``: whole chunks go, a straddling chunk is cut."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM events WHERE execution_arn = ? AND first_id > ?", (arn, count))
            cut = conn.execute("SELECT first_id, body FROM events WHERE execution_arn = ? AND last_id > ?",
                               (arn, count)).fetchall()
            for first, body in cut:
                kept = [e for e in json.loads(body) if e["id"] <= count]
                conn.execute("UPDATE events SET last_id = ?, body = ? WHERE execution_arn = ? AND first_id = ?",
                             (count, json.dumps(kept, separators=(",", ":")), arn, first))

    def running(self) -> list[dict]:
        return self.rows("SELECT * FROM executions WHERE status = 'RUNNING'")

    def delete_machine(self, arn: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM machines WHERE arn = ?", (arn,))
            conn.execute("DELETE FROM versions WHERE machine_arn = ?", (arn,))
            conn.execute("DELETE FROM aliases WHERE machine_arn = ?", (arn,))
            conn.execute("DELETE FROM tags WHERE arn = ?", (arn,))

    # --- tags --------------------------------------------------------------------------------
    def tags(self, arn: str) -> list[dict]:
        return [{"key": k, "value": v} for k, v in
                self.db.all("SELECT key, value FROM tags WHERE arn = ? ORDER BY key", (arn,))]

    def set_tags(self, arn: str, tags: list) -> None:
        self.db.executemany("INSERT OR REPLACE INTO tags VALUES (?, ?, ?)",
                            [(arn, t["key"], t.get("value", "")) for t in tags])

    def remove_tags(self, arn: str, keys: list) -> None:
        self.db.executemany("DELETE FROM tags WHERE arn = ? AND key = ?", [(arn, k) for k in keys])


def _write_events(conn, arn: str, events: list) -> None:
    if events:
        conn.execute("INSERT OR REPLACE INTO events VALUES (?, ?, ?, ?)",
                     (arn, events[0]["id"], events[-1]["id"], json.dumps(events, separators=(",", ":"))))
