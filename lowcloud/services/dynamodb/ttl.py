"""Time to Live: expired items are deleted by a daemon clock timer.

The timer is armed at the earliest expiry among items of TTL-enabled tables
(the ``exp`` column), so with a VirtualClock deletions happen exactly when
time passes that point and never pull time forward by themselves.  Each
deletion is a REMOVE change with the DynamoDB service as the user identity, as
AWS streams show TTL deletions.  AWS leaves items whose expiry is more than
five years in the past alone; so do we.
"""
from __future__ import annotations

import threading

from lowcloud.services.dynamodb.store import expiry, loads

FIVE_YEARS = 5 * 365 * 24 * 3600
SERVICE_IDENTITY = {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}


class TtlSweeper:
    def __init__(self, svc):
        self.svc = svc
        self.lock = threading.Lock()
        self.timer = None
        self.when = None
        self.reschedule()

    def noticed(self, expiry: float | None) -> None:
        """A write stored an item expiring at ``expiry``: make sure the timer fires by then."""
        if expiry is not None and (self.when is None or expiry < self.when) \
                and expiry > self.svc.clock.now() - FIVE_YEARS:
            self._arm(expiry)

    def forget(self, table) -> None:
        self.reschedule()

    def reschedule(self) -> None:
        floor = self.svc.clock.now() - FIVE_YEARS
        row = self.svc.db.one("SELECT MIN(exp) FROM items WHERE exp IS NOT NULL AND exp > ?", (floor,))
        self._arm(row[0] if row else None)

    def _arm(self, when: float | None) -> None:
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
            self.timer, self.when = None, when
            if when is not None:
                self.timer = self.svc.clock.call_at(max(when, self.svc.clock.now()), self.sweep, daemon=True)

    def sweep(self) -> None:
        now = self.svc.clock.now()
        tables = {t.tid: t for t in self.svc.catalog.by_name.values()}
        rows = self.svc.db.all("SELECT t, h, pk, sk FROM items WHERE exp IS NOT NULL AND exp <= ? AND exp > ?",
                               (now, now - FIVE_YEARS))
        for tid, h, pk, sk in rows:
            table = tables.get(tid)
            if table is not None and table.ttl_attribute is not None:
                self._expire(table, (h, pk, sk), now)
        self.reschedule()

    def _expire(self, table, key, now: float) -> None:
        with self.svc.writing() as log:
            row = self.svc.store.get(table, key)
            old = loads(row[0]) if row else None
            when = expiry(table, old) if old is not None else None
            if when is not None and now - FIVE_YEARS < when <= now:
                self.svc.store.delete(table, key, old)
                log.change(table, old, None, SERVICE_IDENTITY)

    def close(self) -> None:
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
            self.timer = None
