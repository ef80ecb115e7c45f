"""Storage under one data dir: SQLite (WAL) for metadata, files for bodies.

``Storage(None)`` keeps everything in memory for tests.  ``database(name)`` and
``blobs(name)`` hand each service its own SQLite file and blob folder; names
are lowcloud's own identifiers, never user input, so nothing a user sends can
become a path.  A write that was acknowledged survives ``kill -9``: SQLite
commits before the answer is sent, blobs are written temp-file + fsync + rename.
"""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from lowcloud.storage.blobs import BlobStore, MemoryBlobStore
from lowcloud.storage.sqlite import Database

_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


class Storage:
    def __init__(self, data_dir: str | os.PathLike | None):
        self.data_dir = Path(data_dir).resolve() if data_dir is not None else None
        self._lock = threading.Lock()
        self._dbs: dict[str, Database] = {}
        self._blobs: dict[str, BlobStore | MemoryBlobStore] = {}
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)

    @property
    def in_memory(self) -> bool:
        return self.data_dir is None

    def database(self, name: str) -> Database:
        """The SQLite database called ``name`` (one per service and region)."""
        _check_name(name)
        with self._lock:
            if name not in self._dbs:
                path = None if self.data_dir is None else self.data_dir / f"{name}.sqlite"
                self._dbs[name] = Database(path)
            return self._dbs[name]

    def blobs(self, name: str) -> BlobStore | MemoryBlobStore:
        """The blob store called ``name`` (object bodies, code packages)."""
        _check_name(name)
        with self._lock:
            if name not in self._blobs:
                self._blobs[name] = (MemoryBlobStore() if self.data_dir is None
                                     else BlobStore(self.data_dir / "blobs" / name))
            return self._blobs[name]

    def close(self) -> None:
        with self._lock:
            for db in self._dbs.values():
                db.close()
            self._dbs.clear()


def _check_name(name: str) -> None:
    if not _SAFE_NAME.match(name) or name in (".", ".."):
        raise ValueError(f"unsafe storage name {name!r}")
