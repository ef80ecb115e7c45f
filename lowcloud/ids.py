"""Ids and randomness for one Cloud, from one seeded generator.

Services and the engine never call ``uuid4`` or ``random``: a test that seeds
the Cloud gets the same ids on every run.
"""
from __future__ import annotations

import os
import random
import threading
import uuid


class Ids:
    def __init__(self, seed: int | None = None):
        self._rng = random.Random(seed if seed is not None else int.from_bytes(os.urandom(8), "big"))
        self._lock = threading.Lock()

    def uuid(self) -> str:
        """A version-4 UUID string."""
        with self._lock:
            return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def hex(self, n: int) -> str:
        with self._lock:
            return f"{self._rng.getrandbits(4 * n):0{n}x}" if n else ""

    def chars(self, n: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") -> str:
        with self._lock:
            return "".join(self._rng.choice(alphabet) for _ in range(n))

    def random(self) -> float:
        with self._lock:
            return self._rng.random()

    def randint(self, lo: int, hi: int) -> int:
        with self._lock:
            return self._rng.randint(lo, hi)

    def bytes(self, n: int) -> bytes:
        with self._lock:
            return self._rng.getrandbits(8 * n).to_bytes(n, "big") if n else b""
