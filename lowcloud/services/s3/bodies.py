"""Object bodies in and out of the blob store, hashed on the way in.

A request body (bytes or a readable) is streamed into the blob store in 1 MiB
chunks while its MD5 (the ETag) and any requested checksums are computed, so a
large body is never held whole in memory nor read twice.  Reads hand back a
bounded file handle for large bodies and plain bytes for small ones.
"""
from __future__ import annotations

import hashlib
import queue
import threading
from typing import BinaryIO

from lowcloud.services.s3 import checksums

CHUNK = 1 << 20
INLINE_LIMIT = 256 * 1024  # bodies up to this size are returned as bytes


class Digests:
    """MD5 plus the requested additional checksums of everything fed to ``update``.

    Large bodies are hashed on helper threads, one per hash, while the caller
    writes them (hashlib and zlib release the GIL), so the hashes and disk I/O
    overlap; ``finish`` waits for them.
    """

    def __init__(self, algorithms=(), background: bool = False):
        self.md5 = hashlib.md5()
        self.hashers = {a: checksums.hasher(a) for a in algorithms}
        self.size = 0
        self._lanes = [_Lane(h) for h in (self.md5, *self.hashers.values())] if background else []

    def update(self, chunk) -> None:
        self.size += len(chunk)
        if self._lanes:
            for lane in self._lanes:
                lane.queue.put(chunk)
            return
        self.md5.update(chunk)
        for h in self.hashers.values():
            h.update(chunk)

    def finish(self) -> "Digests":
        for lane in self._lanes:
            lane.close()
        self._lanes = []
        return self

    def checksum(self, algorithm: str) -> str:
        return checksums.b64(self.hashers[algorithm].digest())


class _Lane:
    """One hash fed from a bounded queue on its own thread."""

    def __init__(self, hasher):
        self.hasher = hasher
        self.queue = queue.Queue(maxsize=8)
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        while (chunk := self.queue.get()) is not None:
            self.hasher.update(chunk)

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()


def _as_bytes(body):
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    return body


def store(blobs, blob_id: str, body, algorithms=()) -> Digests:
    """Write ``body`` atomically as ``blob_id``; returns what was hashed on the way."""
    body = _as_bytes(body)
    if isinstance(body, (bytes, bytearray, memoryview)) and len(body) <= CHUNK:
        digests = Digests(algorithms)
        digests.update(body)
        blobs.write(blob_id, bytes(body))
        return digests
    digests = Digests(algorithms, background=True)
    try:
        blobs.write(blob_id, _hashed_chunks(_reader(body), digests))
    finally:
        digests.finish()
    return digests


def _reader(body):
    if isinstance(body, (bytes, bytearray, memoryview)):
        return _SliceReader(memoryview(body))
    return body


class _SliceReader:
    """``read(n)`` over an in-memory body as zero-copy memoryview slices."""

    def __init__(self, view: memoryview):
        self._view, self._at = view, 0

    def read(self, n: int) -> memoryview:
        chunk = self._view[self._at:self._at + n]
        self._at += len(chunk)
        return chunk


def _hashed_chunks(stream, digests: Digests):
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            return
        digests.update(chunk)
        yield chunk


class RangeReader:
    """``length`` bytes of an open blob from ``start``; closes the handle at the end."""

    def __init__(self, handle: BinaryIO, start: int, length: int):
        handle.seek(start)
        self._handle = handle
        self._left = length

    def read(self, n: int = -1) -> bytes:
        if self._left <= 0:
            self.close()
            return b""
        n = self._left if n is None or n < 0 else min(n, self._left)
        data = self._handle.read(n)
        self._left -= len(data)
        if not data:
            self._left = 0
        return data

    def __iter__(self):
        while chunk := self.read(CHUNK):
            yield chunk

    def close(self) -> None:
        self._handle.close()


def open_range(blobs, blob_id: str | None, start: int, length: int):
    """Bytes for a small range, a ``RangeReader`` for a large one."""
    if length == 0 or blob_id is None:
        return b""
    handle = blobs.open(blob_id)
    reader = RangeReader(handle, start, length)
    if length <= INLINE_LIMIT:
        data = reader.read()
        reader.close()
        return data
    return reader


def copy_into(blobs, source_blob: str | None, start: int, length: int, blob_id: str, algorithms=()) -> Digests:
    """Copy a byte range of one blob into a new blob, hashing it like an upload."""
    if source_blob is None or length == 0:
        return store(blobs, blob_id, b"", algorithms)
    reader = RangeReader(blobs.open(source_blob), start, length)
    try:
        return store(blobs, blob_id, reader, algorithms)
    finally:
        reader.close()
