"""The HTTP request and response every protocol module reads and writes.

The gateway builds an ``HttpRequest`` from ASGI, the in-process binding from
botocore's prepared request; both hand back an ``HttpResponse``.  Bodies are
bytes on the way in; on the way out either bytes or a readable stream (large
S3 objects) with a known length.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl


@dataclass
class HttpRequest:
    method: str
    path: str  # percent-encoded, as sent
    query_string: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    body: bytes = b""
    client_ip: str = "127.0.0.1"
    stream: Any = None  # a large upload still arriving: read(n) blocks for data, b"" at the end

    def drain(self) -> None:
        """Turn a still-arriving body into ``body`` bytes (operations that parse their body)."""
        if self.stream is not None:
            self.body, self.stream = self.stream.read(), None

    @cached_property
    def query(self) -> dict[str, str]:
        """First value of each query key (blank values kept)."""
        out: dict[str, str] = {}
        for k, v in parse_qsl(self.query_string, keep_blank_values=True):
            out.setdefault(k, v)
        return out

    @cached_property
    def query_lists(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for k, v in parse_qsl(self.query_string, keep_blank_values=True):
            out.setdefault(k, []).append(v)
        return out

    @property
    def host(self) -> str:
        return self.headers.get("host", "")


@dataclass
class HttpResponse:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = b""  # bytes, or an object with read(n) (then content-length is set)

    def body_bytes(self) -> bytes:
        if isinstance(self.body, (bytes, bytearray)):
            return bytes(self.body)
        data = self.body.read()
        close = getattr(self.body, "close", None)
        if close:
            close()
        return data
