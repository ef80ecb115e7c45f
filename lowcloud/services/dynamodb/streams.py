"""DynamoDB's change log: stream records and the point-in-time history, in one SQLite file.

Every committed item change passes through ``ChangeLog.record`` (the core calls
it after each commit, in write order).  Two consumers need that history:
DynamoDB Streams (records per the stream's view type, one shard per stream,
24 h retention) and point-in-time recovery (full old/new images with their
time, so an export at a past ``ExportTime`` or an incremental window is exact).
Both live in ``<dynamodb db>-streams`` so one transaction writes both, and the
``dynamodbstreams`` service reads the same file without touching the core's
state.  A record's sequence number is its row id plus ``SEQ_BASE`` (21+
decimal digits, increasing, as AWS's are), so it is never stored twice and
never reused after trimming.  Retention is applied lazily: the write path
trims at most once a minute of clock time, every read trims first, and no
timer is ever armed per record.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb.export_formats import (
    compact_json, item_from_wire, item_size, item_to_wire, key_string)

SEQ_BASE = 10 ** 20
RETENTION_SECONDS = 24 * 3600
TRIM_EVERY_SECONDS = 60
STREAM_TOPIC = "dynamodb.stream"
VIEWS_WITH_NEW = ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")
VIEWS_WITH_OLD = ("OLD_IMAGE", "NEW_AND_OLD_IMAGES")

SCHEMA = """
CREATE TABLE IF NOT EXISTS streams(arn TEXT PRIMARY KEY, table_name TEXT NOT NULL, table_arn TEXT,
  label TEXT, view_type TEXT, key_schema TEXT, created REAL, status TEXT, closed_at REAL);
CREATE INDEX IF NOT EXISTS streams_by_table ON streams(table_name, status);
CREATE TABLE IF NOT EXISTS shards(shard_id TEXT PRIMARY KEY, stream_arn TEXT, parent_shard_id TEXT,
  start_seq INTEGER, end_seq INTEGER, trimmed_upto INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS shards_by_stream ON shards(stream_arn);
CREATE TABLE IF NOT EXISTS records(seq INTEGER PRIMARY KEY AUTOINCREMENT, shard_id TEXT, created REAL, body TEXT);
CREATE INDEX IF NOT EXISTS records_by_shard ON records(shard_id);
CREATE INDEX IF NOT EXISTS records_by_time ON records(created);
CREATE TABLE IF NOT EXISTS pitr(table_name TEXT PRIMARY KEY, enabled INTEGER, period_days INTEGER, enabled_at REAL);
CREATE TABLE IF NOT EXISTS pitr_log(id INTEGER PRIMARY KEY AUTOINCREMENT, table_name TEXT, ts REAL,
  key TEXT, old TEXT, new TEXT);
CREATE INDEX IF NOT EXISTS pitr_log_by_table ON pitr_log(table_name, ts);
CREATE TABLE IF NOT EXISTS exports(export_id TEXT PRIMARY KEY, arn TEXT UNIQUE, table_arn TEXT,
  client_token TEXT, status TEXT, due REAL, created REAL, request TEXT, description TEXT, job TEXT);
"""


def store_name(region: str) -> str:
    """The SQLite name shared by the DynamoDB core's ChangeLog and the Streams API."""
    return f"dynamodb-{region}-streams"


def open_store(cloud, region: str):
    db = cloud.storage.database(store_name(region))
    db.script(SCHEMA)
    return db


# --- small shared helpers ------------------------------------------------------------
def sequence_number(seq: int) -> str:
    return str(SEQ_BASE + seq)


def parse_sequence_number(text: str) -> int:
    """Row id of an AWS-shaped sequence number; ValueError when it is not one of ours."""
    if not isinstance(text, str) or not text.isdigit() or len(text) < 21:
        raise ValueError(text)
    return int(text) - SEQ_BASE


def stream_label(epoch: float) -> str:
    """``YYYY-MM-DDThh:mm:ss.sss`` in UTC, no zone suffix: AWS's StreamLabel."""
    moment = datetime.fromtimestamp(epoch, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def to_datetime(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, timezone.utc)


def constraint_error(value, path: str, rule: str) -> AwsError:
    """AWS's request-validator wording for one broken constraint."""
    return AwsError("ValidationException", f"1 validation error detected: Value '{value}' at '{path}' "
                                           f"failed to satisfy constraint: {rule}")


def last_sequence(conn) -> int:
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name='records'").fetchone()
    return row[0] if row else 0


# --- records: stored body <-> GetRecords shape <-> Lambda event shape ---------------------
def decode_record(seq: int, body: str) -> dict:
    """A stored record as GetRecords returns it (datetime, bytes, model-cased userIdentity)."""
    raw = json.loads(body)
    data = raw["dynamodb"]
    dynamodb = {"ApproximateCreationDateTime": to_datetime(data["ApproximateCreationDateTime"]),
                "Keys": item_from_wire(data["Keys"])}
    for image in ("NewImage", "OldImage"):
        if image in data:
            dynamodb[image] = item_from_wire(data[image])
    dynamodb.update(SequenceNumber=sequence_number(seq), SizeBytes=data["SizeBytes"],
                    StreamViewType=data["StreamViewType"])
    raw["dynamodb"] = dynamodb
    return raw


def lambda_event_record(record: dict, stream_arn: str) -> dict:
    """A GetRecords record -> one entry of a Lambda event's ``Records`` (JSON-ready).

    Lambda adds ``eventSourceARN``, writes the time as epoch seconds and blobs
    as base64, and uses the doc casing ``type``/``principalId`` in userIdentity.
    """
    data = dict(record["dynamodb"])
    moment = data["ApproximateCreationDateTime"]
    seconds = moment.timestamp() if isinstance(moment, datetime) else moment
    data["ApproximateCreationDateTime"] = float(int(seconds))  # Lambda events carry e.g. 1559906926.0
    for image in ("Keys", "NewImage", "OldImage"):
        if image in data:
            data[image] = item_to_wire(data[image])
    out = {k: v for k, v in record.items() if k not in ("dynamodb", "userIdentity")}
    out["dynamodb"] = data
    if record.get("userIdentity"):
        who = record["userIdentity"]
        out["userIdentity"] = {"type": who.get("Type", who.get("type")),
                               "principalId": who.get("PrincipalId", who.get("principalId"))}
    out["eventSourceARN"] = stream_arn
    return out


def _identity(user_identity: dict | None) -> dict | None:
    if not user_identity:
        return None
    return {"PrincipalId": user_identity.get("PrincipalId", user_identity.get("principalId")),
            "Type": user_identity.get("Type", user_identity.get("type"))}


def trim_expired(db, now: float) -> None:
    """Drop records older than 24 h (remembering how far each shard was trimmed) and
    streams disabled more than 24 h ago."""
    cutoff = now - RETENTION_SECONDS
    if not (db.one("SELECT 1 FROM records WHERE created < ? LIMIT 1", (cutoff,))
            or db.one("SELECT 1 FROM streams WHERE status='DISABLED' AND closed_at < ? LIMIT 1", (cutoff,))):
        return
    with db.transaction() as conn:
        tops = conn.execute("SELECT shard_id, MAX(seq) FROM records WHERE created < ? GROUP BY shard_id",
                            (cutoff,)).fetchall()
        conn.executemany("UPDATE shards SET trimmed_upto=MAX(trimmed_upto, ?) WHERE shard_id=?",
                         [(top, shard) for shard, top in tops])
        conn.execute("DELETE FROM records WHERE created < ?", (cutoff,))
        for (arn,) in conn.execute("SELECT arn FROM streams WHERE status='DISABLED' AND closed_at < ?",
                                   (cutoff,)).fetchall():
            _drop_stream(conn, arn)


def _drop_stream(conn, arn: str) -> None:
    conn.execute("DELETE FROM records WHERE shard_id IN (SELECT shard_id FROM shards WHERE stream_arn=?)", (arn,))
    conn.execute("DELETE FROM shards WHERE stream_arn=?", (arn,))
    conn.execute("DELETE FROM streams WHERE arn=?", (arn,))


class ChangeLog:
    """The core's one hook for item changes and table stream settings."""

    def __init__(self, service):
        self.service = service
        self.db = open_store(service.cloud, service.region)
        self._open: dict[str, tuple | None] = {}  # table name -> (arn, shard, view) of its ENABLED stream
        self._last_trim = float("-inf")
        self._pitr_seen: dict[str, bool] = {}  # valid while the store's total_changes stays at _pitr_version
        self._pitr_version = -1

    # --- item changes -----------------------------------------------------------------
    def record(self, table_desc: dict, event_name: str, keys: dict, old_image: dict | None,
               new_image: dict | None, user_identity: dict | None = None) -> None:
        """Log one committed change: a stream record (if a stream is on) and a PITR entry (if PITR is on)."""
        now = self.service.clock.now()
        stream, pitr = self._stream_for(table_desc), self._pitr_enabled(table_desc["TableName"])
        if stream is None and not pitr:
            return
        body = stream and self._record_body(stream[2], event_name, keys, old_image, new_image, user_identity, now)
        with self.db.transaction() as conn:
            seq = stream and self._insert_record(conn, stream[1], body, now)
            if pitr:
                self._insert_history(conn, table_desc, keys, old_image, new_image, now)
        if stream:
            self._publish(stream, table_desc["TableName"], seq, body)
        self._maybe_trim(now)

    def wants(self, table_desc: dict) -> bool:
        """Whether ``record`` would log changes of this table (stream or PITR on); no side effects."""
        spec = table_desc.get("StreamSpecification") or {}
        return bool(spec.get("StreamEnabled")) or self._pitr_enabled(table_desc["TableName"])

    def _record_body(self, view: str, event_name: str, keys, old, new, identity, now: float) -> str:
        data = {"ApproximateCreationDateTime": int(now), "Keys": keys}
        if view in VIEWS_WITH_NEW and new is not None:
            data["NewImage"] = new
        if view in VIEWS_WITH_OLD and old is not None:
            data["OldImage"] = old
        size = sum(item_size(data[part]) for part in ("Keys", "NewImage", "OldImage") if part in data)
        data.update(SizeBytes=max(1, size), StreamViewType=view)
        record = {"eventID": self.service.cloud.ids.uuid().replace("-", ""), "eventName": event_name,
                  "eventVersion": "1.1", "eventSource": "aws:dynamodb", "awsRegion": self.service.region,
                  "dynamodb": data}
        if _identity(identity):
            record["userIdentity"] = _identity(identity)
        return compact_json(record)

    @staticmethod
    def _insert_record(conn, shard_id: str, body: str, now: float) -> int:
        cur = conn.execute("INSERT INTO records(shard_id, created, body) VALUES (?,?,?)", (shard_id, now, body))
        return cur.lastrowid

    @staticmethod
    def _insert_history(conn, table_desc: dict, keys, old, new, now: float) -> None:
        names = [k["AttributeName"] for k in table_desc["KeySchema"]]
        conn.execute("INSERT INTO pitr_log(table_name, ts, key, old, new) VALUES (?,?,?,?,?)",
                     (table_desc["TableName"], now, key_string(keys, names),
                      None if old is None else compact_json(old), None if new is None else compact_json(new)))

    def _publish(self, stream: tuple, table_name: str, seq: int, body: str) -> None:
        fact = {"StreamArn": stream[0], "ShardId": stream[1], "TableName": table_name,
                "SequenceNumber": sequence_number(seq), "Record": decode_record(seq, body)}
        self.service.cloud.fabric.publish(STREAM_TOPIC, fact)

    def _pitr_enabled(self, table_name: str) -> bool:
        """PITR status, re-read only after something wrote to this store (no write, no change)."""
        version = self.db.conn.total_changes
        if version != self._pitr_version:
            self._pitr_seen.clear()
            self._pitr_version = version
        found = self._pitr_seen.get(table_name)
        if found is None:
            row = self.db.one("SELECT enabled FROM pitr WHERE table_name=?", (table_name,))
            found = self._pitr_seen[table_name] = bool(row and row[0])
        return found

    def _maybe_trim(self, now: float) -> None:
        if now - self._last_trim < TRIM_EVERY_SECONDS:
            return
        self._last_trim = now
        trim_expired(self.db, now)
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM pitr_log WHERE ts < ? - 86400 * (SELECT p.period_days FROM pitr p "
                         "WHERE p.table_name = pitr_log.table_name)", (now,))

    # --- table settings -----------------------------------------------------------------
    def on_table_updated(self, table_desc: dict) -> None:
        """A table was created or its StreamSpecification may have changed."""
        self._open.clear()
        spec = table_desc.get("StreamSpecification") or {}
        current = self._enabled_stream(table_desc["TableName"])
        if not spec.get("StreamEnabled"):
            if current:
                self._close(current[0])
            return
        wanted = table_desc.get("LatestStreamArn")
        if current and (wanted is None or wanted == current[0]):
            return
        if current:
            self._close(current[0])
        self._create(table_desc, spec.get("StreamViewType", "NEW_AND_OLD_IMAGES"))

    def on_table_deleted(self, table_desc: dict) -> None:
        """The table is gone: its stream turns DISABLED (readable 24 h), its PITR history goes."""
        self._open.clear()
        name = table_desc["TableName"]
        current = self._enabled_stream(name)
        if current:
            self._close(current[0])
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM pitr WHERE table_name=?", (name,))
            conn.execute("DELETE FROM pitr_log WHERE table_name=?", (name,))

    def _stream_for(self, table_desc: dict) -> tuple | None:
        spec = table_desc.get("StreamSpecification") or {}
        if not spec.get("StreamEnabled"):
            return None
        name = table_desc["TableName"]
        if name not in self._open:
            found = self._enabled_stream(name)
            if found is None:
                self._create(table_desc, spec.get("StreamViewType", "NEW_AND_OLD_IMAGES"))
                found = self._enabled_stream(name)
            self._open[name] = found
        return self._open[name]

    def _enabled_stream(self, table_name: str) -> tuple | None:
        row = self.db.one("SELECT s.arn, h.shard_id, s.view_type FROM streams s JOIN shards h ON h.stream_arn = s.arn "
                          "WHERE s.table_name=? AND s.status='ENABLED' AND h.end_seq IS NULL", (table_name,))
        return tuple(row) if row else None

    def _create(self, table_desc: dict, view_type: str) -> None:
        now = self.service.clock.now()
        arn, label = self._new_identity(table_desc, now)
        shard_id = f"shardId-{int(now * 1000):020d}-{self.service.cloud.ids.hex(8)}"
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO streams(arn, table_name, table_arn, label, view_type, key_schema, created, "
                         "status) VALUES (?,?,?,?,?,?,?,'ENABLED')",
                         (arn, table_desc["TableName"], table_desc.get("TableArn"), label, view_type,
                          json.dumps(table_desc.get("KeySchema", [])), now))
            conn.execute("INSERT INTO shards(shard_id, stream_arn, start_seq) VALUES (?,?,?)",
                         (shard_id, arn, last_sequence(conn) + 1))

    def _new_identity(self, table_desc: dict, now: float) -> tuple[str, str]:
        """(ARN, label) from the table description, or fresh from the clock when absent or taken."""
        table_arn = table_desc.get("TableArn") or self.service.arn(f"table/{table_desc['TableName']}")
        arn, label = table_desc.get("LatestStreamArn"), table_desc.get("LatestStreamLabel")
        if arn and not label:
            label = arn.rsplit("/stream/", 1)[-1]
        moment = now
        while not arn or self.db.one("SELECT 1 FROM streams WHERE arn=?", (arn,)):
            label = stream_label(moment)
            arn, moment = f"{table_arn}/stream/{label}", moment + 0.001
        return arn, label

    def _close(self, arn: str) -> None:
        now = self.service.clock.now()
        with self.db.transaction() as conn:
            conn.execute("UPDATE streams SET status='DISABLED', closed_at=? WHERE arn=?", (now, arn))
            for shard_id, start in conn.execute("SELECT shard_id, start_seq FROM shards WHERE stream_arn=? "
                                                "AND end_seq IS NULL", (arn,)).fetchall():
                top = conn.execute("SELECT MAX(seq) FROM records WHERE shard_id=?", (shard_id,)).fetchone()[0]
                conn.execute("UPDATE shards SET end_seq=? WHERE shard_id=?", (max(start, top or 0), shard_id))
