"""The DynamoDB service: one method per operation, each delegating to its module.

The service object owns the shared pieces — the SQLite database and ``Store``,
the table ``Catalog``, the TTL sweeper, and ``changes``, the change log the
Streams/export side provides (``streams.ChangeLog``; a no-op when that module
is absent).  ``writing()`` is the one way to change items: a transaction under
the database lock whose queued change records are handed to ``changes.record``
right after COMMIT, still under the lock, so records are in write order.
PITR and export operations belong to ``backups.Backups``.
"""
from __future__ import annotations

import importlib
from typing import Iterator

from lowcloud.errors import AwsError
from lowcloud.services.base import Service
from lowcloud.services.dynamodb import admin, batch, create, items, partiql, query, tables, transactions
from lowcloud.services.dynamodb.evaluate import av_equal
from lowcloud.services.dynamodb.store import Store, expiry, loads
from lowcloud.services.dynamodb.tables import Catalog
from lowcloud.services.dynamodb.ttl import TtlSweeper


class NoChangeLog:
    """Stand-in for streams.ChangeLog when the Streams module is not installed."""

    def record(self, table, event_name, keys, old_image, new_image, user_identity=None) -> None:
        pass

    def wants(self, table_desc) -> bool:
        return False

    def on_table_updated(self, table_desc) -> None:
        pass

    def on_table_deleted(self, table_desc) -> None:
        pass


def _optional(module: str, attr: str, svc):
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return None
    return getattr(found, attr)(svc)


class WriteLog:
    """One write under the database lock, and the change records it queued.

    A plain context manager (no generator): ``single`` writes are one
    autocommitted statement, the others run in ``db.transaction()``.  Queued
    records go to ``changes.record`` after COMMIT, still under the lock.
    """

    def __init__(self, svc, single: bool = False):
        self.svc = svc
        self.pending: list[tuple] = []
        self.single = single
        self.transaction = None

    def __enter__(self) -> "WriteLog":
        self.svc.db.lock.acquire()
        if not self.single:
            self.transaction = self.svc.db.transaction()
            self.transaction.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        try:
            if self.transaction is not None:
                self.transaction.__exit__(exc_type, exc, tb)
            if exc_type is None:
                for table, event, keys, old, new, identity in self.pending:
                    self.svc.changes.record(table, event, keys, old, new, user_identity=identity)
        finally:
            self.svc.db.lock.release()
        return False

    def change(self, table, old: dict | None, new: dict | None, identity: dict | None = None) -> None:
        if old is not None and new is not None and av_equal({"M": old}, {"M": new}):
            return
        event = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
        self.pending.append((table.public, event, table.key_attributes(new or old), old, new, identity))
        if new is not None and table.ttl_attribute is not None:
            self.svc.ttl.noticed(expiry(table, new))

    def blind(self, table) -> bool:
        return items.blind(self.svc, table)



class DynamoDB(Service):
    name = "dynamodb"

    def __init__(self, cloud, region: str):
        super().__init__(cloud, region)
        self.status_delay = 0.1 if cloud.clock.virtual else 0.05
        self.item_collection_limit = 10 * 1024 ** 3
        self.db = cloud.storage.database(self.db_name())
        self.store = Store(self.db)
        self.catalog = Catalog(self)
        self.ttl = TtlSweeper(self)
        self.changes = _optional("lowcloud.services.dynamodb.streams", "ChangeLog", self) or NoChangeLog()
        self.backups = _optional("lowcloud.services.dynamodb.backups", "Backups", self)

    def writing(self, single: bool = False) -> WriteLog:
        """Hold the database for one write; ``single``: it is one statement, so autocommit suffices."""
        return WriteLog(self, single)

    # --- for the Streams/export side ----------------------------------------------------
    def describe(self, table_name: str) -> dict:
        """The TableDescription of ``table_name`` (ResourceNotFoundException if absent)."""
        return self.catalog.describe(self.catalog.get_named(table_name))

    def scan_all(self, table_name: str) -> Iterator[dict]:
        """Every current item of the table, in Scan order (partition hash, then sort key)."""
        table = self.catalog.get_named(table_name)
        position = (-1, b"", b"")
        while True:
            with self.db.lock:
                rows = self.db.conn.execute(
                    "SELECT h, pk, sk, item FROM items WHERE t=? AND (h, pk, sk) > (?,?,?) ORDER BY h, pk, sk "
                    "LIMIT 1000", (table.tid, *position)).fetchall()
            for row in rows:
                yield loads(row[3])
            if len(rows) < 1000:
                return
            position = rows[-1][:3]

    def close(self) -> None:
        self.ttl.close()

    # --- tables ---------------------------------------------------------------------------
    def create_table(self, params, req=None):
        return create.create_table(self, params)

    def describe_table(self, params, req=None):
        return tables.describe_table(self, params)

    def update_table(self, params, req=None):
        return admin.update_table(self, params)

    def delete_table(self, params, req=None):
        return tables.delete_table(self, params)

    def list_tables(self, params, req=None):
        return tables.list_tables(self, params)

    def update_time_to_live(self, params, req=None):
        return admin.update_time_to_live(self, params)

    def describe_time_to_live(self, params, req=None):
        return admin.describe_time_to_live(self, params)

    def tag_resource(self, params, req=None):
        return admin.tag_resource(self, params)

    def untag_resource(self, params, req=None):
        return admin.untag_resource(self, params)

    def list_tags_of_resource(self, params, req=None):
        return admin.list_tags_of_resource(self, params)

    def describe_limits(self, params, req=None):
        return admin.describe_limits(self, params)

    def describe_endpoints(self, params, req=None):
        return admin.describe_endpoints(self, params)

    # --- items ------------------------------------------------------------------------------
    # The two hottest operations are the module functions themselves, bound as methods (svc = self):
    # a delegating method would cost every call one more frame.
    put_item = items.put_item
    get_item = items.get_item

    def update_item(self, params, req=None):
        return items.update_item(self, params)

    def delete_item(self, params, req=None):
        return items.delete_item(self, params)

    def query(self, params, req=None):
        return query.query(self, params)

    def scan(self, params, req=None):
        return query.scan(self, params)

    def batch_get_item(self, params, req=None):
        return batch.batch_get_item(self, params)

    def batch_write_item(self, params, req=None):
        return batch.batch_write_item(self, params)

    def transact_write_items(self, params, req=None):
        return transactions.transact_write_items(self, params)

    def transact_get_items(self, params, req=None):
        return transactions.transact_get_items(self, params)

    def execute_statement(self, params, req=None):
        return partiql.execute_statement(self, params)

    def batch_execute_statement(self, params, req=None):
        return partiql.batch_execute_statement(self, params)

    def execute_transaction(self, params, req=None):
        return partiql.execute_transaction(self, params)

    # --- PITR and exports (the backups module) ------------------------------------------------
    def _backups(self, operation: str, params, req):
        if self.backups is None:
            raise AwsError("UnknownOperationException", f"lowcloud does not serve DynamoDB {operation} yet")
        return getattr(self.backups, operation)(params, req)

    def update_continuous_backups(self, params, req=None):
        return self._backups("update_continuous_backups", params, req)

    def describe_continuous_backups(self, params, req=None):
        return self._backups("describe_continuous_backups", params, req)

    def export_table_to_point_in_time(self, params, req=None):
        return self._backups("export_table_to_point_in_time", params, req)

    def describe_export(self, params, req=None):
        return self._backups("describe_export", params, req)

    def list_exports(self, params, req=None):
        return self._backups("list_exports", params, req)
