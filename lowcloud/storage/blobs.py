"""Blob stores: opaque ids -> bytes, on disk or in memory.

Callers choose the ids (lowcloud makes them, never from user input).  On disk a
blob is written to a temp file in the same folder, fsynced, then renamed, so a
reader never sees half a body and an acknowledged body survives a crash.
"""
from __future__ import annotations

import io
import os
import re
import threading
from pathlib import Path
from typing import BinaryIO, Iterable

_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
CHUNK = 1 << 20


def _check(blob_id: str) -> str:
    if not _SAFE_ID.match(blob_id):
        raise ValueError(f"unsafe blob id {blob_id!r}")
    return blob_id


class BlobStore:
    def __init__(self, root: Path, fsync: bool = True):
        self.root = root
        self.fsync = fsync
        root.mkdir(parents=True, exist_ok=True)

    def path(self, blob_id: str) -> Path:
        blob_id = _check(blob_id)
        return self.root / blob_id[:2] / blob_id

    def write(self, blob_id: str, chunks: Iterable[bytes] | bytes) -> int:
        """Store the body atomically; returns its length."""
        final = self.path(blob_id)
        final.parent.mkdir(exist_ok=True)
        tmp = final.with_name(final.name + ".tmp")
        size = 0
        with open(tmp, "wb") as f:
            for chunk in ([chunks] if isinstance(chunks, (bytes, bytearray, memoryview)) else chunks):
                f.write(chunk)
                size += len(chunk)
            if self.fsync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, final)
        return size

    def open(self, blob_id: str) -> BinaryIO:
        return open(self.path(blob_id), "rb")

    def read(self, blob_id: str) -> bytes:
        with self.open(blob_id) as f:
            return f.read()

    def size(self, blob_id: str) -> int:
        return self.path(blob_id).stat().st_size

    def delete(self, blob_id: str) -> None:
        try:
            os.unlink(self.path(blob_id))
        except FileNotFoundError:
            pass

    def exists(self, blob_id: str) -> bool:
        return self.path(blob_id).exists()


class MemoryBlobStore:
    def __init__(self):
        self._data: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def write(self, blob_id: str, chunks: Iterable[bytes] | bytes) -> int:
        body = bytes(chunks) if isinstance(chunks, (bytes, bytearray, memoryview)) else b"".join(chunks)
        with self._lock:
            self._data[_check(blob_id)] = body
        return len(body)

    def open(self, blob_id: str) -> BinaryIO:
        return io.BytesIO(self.read(blob_id))

    def read(self, blob_id: str) -> bytes:
        try:
            return self._data[blob_id]
        except KeyError:
            raise FileNotFoundError(blob_id) from None

    def size(self, blob_id: str) -> int:
        return len(self.read(blob_id))

    def delete(self, blob_id: str) -> None:
        with self._lock:
            self._data.pop(blob_id, None)

    def exists(self, blob_id: str) -> bool:
        return blob_id in self._data
