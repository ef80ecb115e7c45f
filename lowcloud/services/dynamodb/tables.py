"""Table catalog: CreateTable, DescribeTable, DeleteTable, ListTables and the lifecycle.

The stored table description (JSON in the ``tables`` row) is the single source
of truth; ``Catalog`` keeps one ``schema.Table`` per name in memory, rebuilt
whenever a description changes, so item operations never read it from SQLite.
Fields starting with "_" (index numbers, TTL, tags) are private and never
shown.  A new table is CREATING until a short clock timer flips it to ACTIVE;
CreateTable waits for that flip (a few real milliseconds on the system clock,
none on an auto-advancing VirtualClock), so its answer says CREATING while the
next request — a boto3 waiter's first DescribeTable — already sees ACTIVE.
While a table is CREATING, item operations get "Requested resource not found"
as on AWS.  Status changes are persisted, and timers are re-armed on restart.
"""
from __future__ import annotations

import copy
import json
import re
import threading
from datetime import datetime, timezone

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb.schema import Table
from lowcloud.services.dynamodb.types import INVALID

NOT_FOUND = "Requested resource not found"
_NAME = re.compile(r"^[a-zA-Z0-9_.-]+$")
# DeleteTable's TableDescription leaves out the schema and the creation time.
_NOT_IN_DELETE_OUTPUT = ("KeySchema", "AttributeDefinitions", "CreationDateTime", "GlobalSecondaryIndexes",
                         "LocalSecondaryIndexes")
_TIMESTAMP_FIELDS = ("CreationDateTime", "LastUpdateToPayPerRequestDateTime", "LastIncreaseDateTime",
                     "LastDecreaseDateTime")


def invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def not_found(name: str | None = None) -> AwsError:
    return AwsError("ResourceNotFoundException", NOT_FOUND if name is None else f"{NOT_FOUND}: Table: {name} not found")


def check_table_name(name, minimum: int = 1, field: str = "tableName") -> str:
    """Table name (or the name inside a table ARN); AWS's constraint messages when invalid."""
    if isinstance(name, str) and name.startswith("arn:"):
        name = name.rpartition(":table/")[2].split("/")[0]
    errors = []
    if not isinstance(name, str) or len(name) < minimum:
        errors.append(f"Value '{name}' at '{field}' failed to satisfy constraint: "
                      f"Member must have length greater than or equal to {minimum}")
    elif len(name) > 255:
        errors.append(f"Value '{name}' at '{field}' failed to satisfy constraint: "
                      "Member must have length less than or equal to 255")
    if isinstance(name, str) and name and not _NAME.match(name):
        errors.append(f"Value '{name}' at '{field}' failed to satisfy constraint: "
                      "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
    if errors:
        count = f"{len(errors)} validation error{'s' if len(errors) > 1 else ''} detected: "
        raise invalid(count + "; ".join(errors))
    return name


def public_desc(desc: dict) -> dict:
    """The description as the API shows it: private fields dropped, epoch floats as datetimes."""
    out = {}
    for key, value in desc.items():
        if key.startswith("_"):
            continue
        if isinstance(value, dict):
            value = public_desc(value)
        elif isinstance(value, list):
            value = [public_desc(v) if isinstance(v, dict) else v for v in value]
        elif key in _TIMESTAMP_FIELDS and isinstance(value, (int, float)):
            value = datetime.fromtimestamp(value, timezone.utc)
        out[key] = value
    return out


class Catalog:
    """Name -> Table cache over the ``tables`` rows, plus the status timers."""

    def __init__(self, svc):
        self.svc = svc
        self.db = svc.db
        self.by_name: dict[str, Table] = {}
        for name, tid, text in self.db.all("SELECT name, tid, desc FROM tables"):
            self._cache(tid, json.loads(text))
        for table in list(self.by_name.values()):
            if table.desc["TableStatus"] != "ACTIVE" or _pending_indexes(table.desc):
                self.arm(table)

    def _cache(self, tid: int, desc: dict) -> Table:
        table = Table(tid, desc)
        table.public = public_desc(desc)
        self.by_name[table.name] = table
        return table

    def get(self, name) -> Table:
        """The table for an item operation; 'Requested resource not found' if absent or still CREATING."""
        table = self.by_name.get(name)
        if table is None:
            table = self.by_name.get(check_table_name(name))
        if table is None or table.desc["TableStatus"] == "CREATING":
            raise not_found()
        return table

    def get_named(self, name) -> Table:
        """The table for a control-plane operation (message names the table)."""
        name = check_table_name(name)
        table = self.by_name.get(name)
        if table is None:
            raise not_found(name)
        return table

    def insert(self, desc: dict) -> Table:
        with self.db.lock:
            tid = (self.db.one("SELECT MAX(tid) FROM tables")[0] or 0) + 1
            self.db.execute("INSERT INTO tables(name, tid, desc) VALUES (?,?,?)",
                            (desc["TableName"], tid, json.dumps(desc)))
            return self._cache(tid, desc)

    def save(self, table: Table, desc: dict) -> Table:
        """Persist a changed description (a copy made with ``editable``) and refresh the cache."""
        with self.db.lock:
            self.db.execute("UPDATE tables SET desc=? WHERE tid=?", (json.dumps(desc), table.tid))
            return self._cache(table.tid, desc)

    def remove(self, table: Table) -> None:
        with self.db.transaction():
            self.db.execute("DELETE FROM tables WHERE tid=?", (table.tid,))
            self.svc.store.drop_table(table.tid)
        self.by_name.pop(table.name, None)

    @staticmethod
    def editable(table: Table) -> dict:
        return copy.deepcopy(table.desc)

    # --- lifecycle ---------------------------------------------------------------
    def arm(self, table: Table) -> None:
        """Schedule the status change, and wait until it happened (system or auto-advancing clock).

        Waiting (a few real milliseconds, or none in virtual time) means the next request (a boto3
        waiter's first DescribeTable, whose next poll would be 20 real seconds later) already sees
        ACTIVE, while the response being built still says CREATING/UPDATING as AWS's does.  Never
        waits on the clock's own thread, and gives up after a real second (busy clock): the table
        then settles later.
        """
        done = threading.Event()
        self.svc.clock.call_later(self.svc.status_delay, self._settle, table.name, table.desc["TableId"], done)
        if self._may_wait_for_settle():
            done.wait(1.0)

    def _may_wait_for_settle(self) -> bool:
        """System clock: the delay is real and tiny; auto VirtualClock: it passes at once, unless a
        blocking job (this very call, made from a Step Functions task or a Lambda) holds virtual time."""
        clock = self.svc.clock
        if clock.in_loop():
            return False
        return not clock.virtual or (getattr(clock, "auto", False) and not clock.busy())

    def _settle(self, name: str, table_id: str, done: threading.Event) -> None:
        """Timer: CREATING/UPDATING -> ACTIVE, indexes CREATING/UPDATING -> ACTIVE."""
        table = self.by_name.get(name)
        if table is None or table.desc["TableId"] != table_id:
            done.set()
            return
        desc = self.editable(table)
        desc["TableStatus"] = "ACTIVE"
        for index in desc.get("GlobalSecondaryIndexes", ()):
            index["IndexStatus"] = "ACTIVE"
            index.pop("Backfilling", None)
        self.save(table, desc)
        done.set()

    def describe(self, table: Table) -> dict:
        """DescribeTable's Table: the description with live item counts and sizes."""
        out = public_desc(table.desc)
        out["ItemCount"], out["TableSizeBytes"] = self.svc.store.stats(table.tid)
        for field in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            for index in out.get(field, ()):
                ix = table.desc["_ix"][index["IndexName"]]
                index["ItemCount"], index["IndexSizeBytes"] = self.svc.store.index_stats(table.tid, ix)
        return out


def _pending_indexes(desc: dict) -> bool:
    return any(i.get("IndexStatus") != "ACTIVE" for i in desc.get("GlobalSecondaryIndexes", ()))


# --- operations -----------------------------------------------------------------------

def describe_table(svc, params: dict) -> dict:
    return {"Table": svc.catalog.describe(svc.catalog.get_named(params.get("TableName")))}


def delete_table(svc, params: dict) -> dict:
    table = svc.catalog.get_named(params.get("TableName"))
    if table.desc.get("DeletionProtectionEnabled"):
        raise invalid("Resource cannot be deleted as it is currently protected against deletion. "
                      "Disable deletion protection first.")
    out = {k: v for k, v in svc.catalog.describe(table).items() if k not in _NOT_IN_DELETE_OUTPUT}
    out["TableStatus"] = "DELETING"
    svc.catalog.remove(table)
    svc.ttl.forget(table)
    svc.changes.on_table_deleted(table.public)
    return {"TableDescription": out}


def list_tables(svc, params: dict) -> dict:
    limit = params.get("Limit", 100)
    if not 1 <= limit <= 100:
        raise invalid(f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: "
                      f"Member must have value {'less' if limit > 100 else 'greater'} than or equal to "
                      f"{100 if limit > 100 else 1}")
    names = sorted(svc.catalog.by_name)
    start = params.get("ExclusiveStartTableName")
    if start is not None:
        names = [n for n in names if n > start]
    out = {"TableNames": names[:limit]}
    if len(names) > limit:
        out["LastEvaluatedTableName"] = names[limit - 1]
    return out


def stream_fields(svc, table_arn: str, spec: dict | None, existing: dict | None = None) -> dict:
    """StreamSpecification/LatestStream* for a description (a new stream gets a new label)."""
    if not spec or not spec.get("StreamEnabled"):
        return {}
    view = spec.get("StreamViewType")
    if view not in ("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"):
        raise invalid(f"1 validation error detected: Value '{view}' at 'streamSpecification.streamViewType' "
                      "failed to satisfy constraint: Member must satisfy enum value set: "
                      "[NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]")
    label = svc.clock.utcnow().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    return {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": view},
            "LatestStreamLabel": label, "LatestStreamArn": f"{table_arn}/stream/{label}"}


def check_stream_spec(spec: dict | None, creating: bool) -> None:
    """A StreamViewType exactly when the stream is (being) enabled; AWS words it per operation."""
    if not spec:
        return
    enabled, view = spec.get("StreamEnabled"), spec.get("StreamViewType")
    if enabled and view is None:
        raise invalid(INVALID + ("Table is being created with a stream enabled, UpdateViewType is required"
                                 if creating else "If stream is being enabled then UpdateViewType is required"))
    if not enabled and view is not None:
        raise invalid(INVALID + ("Table is being created with a stream disabled, UpdateViewType should not be "
                                 "specified" if creating else
                                 "If stream is being disabled, then UpdateViewType must not be specified"))
