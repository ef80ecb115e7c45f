"""SQLite layout for tables, items and secondary-index entries.

One ``items`` table holds every DynamoDB table's items, keyed by
``(t, h, pk, sk)``: the table number, a 16-bit hash bucket of the partition key
(Scan order and the space parallel-scan segments divide), and the key bytes
from ``types.key_bytes`` whose memcmp order is DynamoDB's key order — so Query
is an index range scan with ORDER BY sk.  Index entries live in ``entries``
keyed by the index key then the base key, holding the projected item.  Items
are pickled AttributeValue dicts (a fast, private format; unpickling also
gives callers a fresh copy they may change).  ``exp`` carries the TTL expiry
for tables with TTL enabled, behind a partial index the sweeper reads.
"""
from __future__ import annotations

import pickle

SCHEMA = """
CREATE TABLE IF NOT EXISTS tables(name TEXT PRIMARY KEY, tid INTEGER NOT NULL UNIQUE, desc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items(t INTEGER NOT NULL, h INTEGER NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL,
    item BLOB NOT NULL, size INTEGER NOT NULL, exp REAL, PRIMARY KEY (t, h, pk, sk)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_exp ON items(exp) WHERE exp IS NOT NULL;
CREATE TABLE IF NOT EXISTS entries(t INTEGER NOT NULL, ix INTEGER NOT NULL, h INTEGER NOT NULL,
    pk BLOB NOT NULL, sk BLOB NOT NULL, bpk BLOB NOT NULL, bsk BLOB NOT NULL, item BLOB NOT NULL,
    size INTEGER NOT NULL, PRIMARY KEY (t, ix, h, pk, sk, bpk, bsk)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tokens(token TEXT PRIMARY KEY, digest TEXT NOT NULL, at REAL NOT NULL,
    response BLOB NOT NULL);
"""

GET = "SELECT item, size FROM items WHERE t=? AND h=? AND pk=? AND sk=?"
PUT = "INSERT OR REPLACE INTO items(t, h, pk, sk, item, size, exp) VALUES (?,?,?,?,?,?,?)"
DELETE = "DELETE FROM items WHERE t=? AND h=? AND pk=? AND sk=?"
PUT_ENTRY = "INSERT OR REPLACE INTO entries(t, ix, h, pk, sk, bpk, bsk, item, size) VALUES (?,?,?,?,?,?,?,?,?)"
DELETE_ENTRY = "DELETE FROM entries WHERE t=? AND ix=? AND h=? AND pk=? AND sk=? AND bpk=? AND bsk=?"

dumps = pickle.dumps
loads = pickle.loads


def encode(item: dict) -> bytes:
    return dumps(item, 5)


class Store:
    """Item and index-entry writes for one service's database (caller holds the transaction)."""

    def __init__(self, db):
        self.db = db
        db.script(SCHEMA)
        self.conn = db.conn

    def get(self, table, key):
        """(blob, size) of the stored item at ``key``, or None."""
        with self.db.lock:
            return self.conn.execute(GET, (table.tid,) + key).fetchone()

    def put(self, table, key, item: dict, size: int, old: dict | None, blob: bytes | None = None) -> None:
        blob = blob or dumps(item, 5)
        exp = None if table.ttl_attribute is None else expiry(table, item)
        self.conn.execute(PUT, (table.tid, key[0], key[1], key[2], blob, size, exp))
        if table.index_list:
            self._reindex(table, key, old, item, blob, size)

    def put_unindexed(self, table, writes: list) -> None:
        """Store ``(key, item, size)`` writes of a table without indexes in one statement call."""
        tid = table.tid
        self.conn.executemany(PUT, [(tid,) + key + (encode(item), size, expiry(table, item)) for key, item, size in writes])

    def delete(self, table, key, old: dict) -> None:
        self.conn.execute(DELETE, (table.tid,) + key)
        if table.index_list:
            self._reindex(table, key, old, None, None, 0)

    def _reindex(self, table, key, old, new, blob, size) -> None:
        base = (key[1], key[2])
        for index in table.index_list:
            before = index.entry_key(old) if old is not None else None
            after = index.entry_key(new) if new is not None else None
            if before is not None and before != after:
                self.conn.execute(DELETE_ENTRY, (table.tid, index.ix) + before + base)
            if after is not None:
                data = blob if index.projection_type == "ALL" else encode(index.project(new))
                self.conn.execute(PUT_ENTRY, (table.tid, index.ix) + after + base + (data, size))

    def backfill(self, table, index) -> None:
        """Index every existing item of ``table`` in a newly created GSI."""
        rows = self.conn.execute("SELECT pk, sk, item, size FROM items WHERE t=?", (table.tid,)).fetchall()
        for pk, sk, blob, size in rows:
            item = loads(blob)
            entry = index.entry_key(item)
            if entry is not None:
                data = blob if index.projection_type == "ALL" else encode(index.project(item))
                self.conn.execute(PUT_ENTRY, (table.tid, index.ix) + entry + (pk, sk, data, size))

    def drop_index(self, table, ix: int) -> None:
        self.conn.execute("DELETE FROM entries WHERE t=? AND ix=?", (table.tid, ix))

    def drop_table(self, tid: int) -> None:
        self.conn.execute("DELETE FROM items WHERE t=?", (tid,))
        self.conn.execute("DELETE FROM entries WHERE t=?", (tid,))

    def stats(self, tid: int) -> tuple[int, int]:
        count, size = self.db.one("SELECT COUNT(*), TOTAL(size) FROM items WHERE t=?", (tid,))
        return count, int(size)

    def index_stats(self, tid: int, ix: int) -> tuple[int, int]:
        count, size = self.db.one("SELECT COUNT(*), TOTAL(size) FROM entries WHERE t=? AND ix=?", (tid, ix))
        return count, int(size)

    def collection_size(self, table, key) -> int:
        """Bytes in the item collection of ``key``'s partition (items + LSI entries)."""
        base = self.conn.execute("SELECT TOTAL(size) FROM items WHERE t=? AND h=? AND pk=?",
                                 (table.tid, key[0], key[1])).fetchone()[0]
        lsis = [i.ix for i in table.index_list if i.kind == "LSI"]
        extra = sum(self.conn.execute("SELECT TOTAL(size) FROM entries WHERE t=? AND ix=? AND h=? AND pk=?",
                                      (table.tid, ix, key[0], key[1])).fetchone()[0] for ix in lsis)
        return int(base + extra)

    def set_expiry_column(self, table) -> None:
        """Recompute ``exp`` for every item after TTL was enabled, changed or disabled."""
        rows = self.conn.execute("SELECT h, pk, sk, item FROM items WHERE t=?", (table.tid,)).fetchall()
        self.conn.executemany("UPDATE items SET exp=? WHERE t=? AND h=? AND pk=? AND sk=?",
                              [(expiry(table, loads(blob)), table.tid, h, pk, sk) for h, pk, sk, blob in rows])


def expiry(table, item: dict):
    """Epoch seconds at which TTL may delete ``item``, or None."""
    name = table.ttl_attribute
    if name is None:
        return None
    av = item.get(name)
    if av is None or "N" not in av:
        return None
    try:
        return float(av["N"])
    except (ValueError, OverflowError):
        return None
