"""One SQLite database shared by a service's threads, serialized by a lock.

WAL mode with synchronous=NORMAL: a committed transaction is in the WAL before
the call returns, which survives the process being killed (the OS keeps the
pages).  In-memory databases use a private ``:memory:`` connection.
"""
from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator


class Database:
    def __init__(self, path: Path | None):
        self.path = path
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(":memory:" if path is None else str(path),
                                    check_same_thread=False, isolation_level=None)
        if path is not None:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")

    def execute(self, sql: str, args: tuple | dict = ()) -> sqlite3.Cursor:
        with self.lock:
            return self.conn.execute(sql, args)

    def executemany(self, sql: str, rows) -> None:
        with self.lock:
            self.conn.executemany(sql, rows)

    def script(self, sql: str) -> None:
        with self.lock:
            self.conn.executescript(sql)

    def one(self, sql: str, args: tuple | dict = ()) -> Any:
        with self.lock:
            return self.conn.execute(sql, args).fetchone()

    def all(self, sql: str, args: tuple | dict = ()) -> list:
        with self.lock:
            return self.conn.execute(sql, args).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error), holding the lock throughout."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def close(self) -> None:
        with self.lock:
            self.conn.close()
