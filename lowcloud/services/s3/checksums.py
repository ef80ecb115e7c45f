"""S3's additional checksums (CRC32, CRC32C, CRC64NVME, SHA1, SHA256, SHA512, MD5).

Shaped around one incremental ``Hasher`` per algorithm so a body is hashed
while it is being written, never read twice.  CRC32 and the SHAs come from
the standard library; CRC32C and CRC64NVME use awscrt when it is installed
(the same native code botocore uses) and a table-driven fallback otherwise.
Values travel as AWS sends them: base64 of the big-endian digest.
"""
from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import zlib

try:  # optional native implementation, as botocore[crt] uses
    from awscrt import checksums as _crt
except ImportError:  # pragma: no cover - depends on the environment
    _crt = None

NATIVE = _crt is not None  # CRC32C / CRC64NVME at native speed

ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256", "SHA512", "MD5")
CRC_ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME")
UNSUPPORTED = ("XXHASH64", "XXHASH3", "XXHASH128")
DIGEST_SIZES = {"CRC32": 4, "CRC32C": 4, "CRC64NVME": 8, "SHA1": 20, "SHA256": 32, "SHA512": 64, "MD5": 16}


def _reflected_table(poly: int) -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC32C_POLY = 0x82F63B78
_CRC64NVME_POLY = 0x9A6C9329AC4BC9B5
_MASK32 = 0xFFFFFFFF
_MASK64 = 0xFFFFFFFFFFFFFFFF


def _table_crc(data, crc: int, poly: int, mask: int) -> int:
    table = _byte_table(poly)
    crc ^= mask
    for byte in bytes(data):
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ mask


@functools.cache
def _byte_table(poly: int) -> tuple[int, ...]:
    return _reflected_table(poly)


def crc32c(data: bytes, crc: int = 0) -> int:
    if _crt is not None:
        return _crt.crc32c(data, crc)
    return _table_crc(data, crc, _CRC32C_POLY, _MASK32)


def crc64nvme(data: bytes, crc: int = 0) -> int:
    if _crt is not None:
        return _crt.crc64nvme(data, crc)
    return _table_crc(data, crc, _CRC64NVME_POLY, _MASK64)


class _Crc:
    def __init__(self, fn, size: int):
        self._fn, self._size, self._value = fn, size, 0

    def update(self, data) -> None:
        self._value = self._fn(data, self._value)

    def digest(self) -> bytes:
        return self._value.to_bytes(self._size, "big")


_HASHLIB = {"SHA1": "sha1", "SHA256": "sha256", "SHA512": "sha512", "MD5": "md5"}


def hasher(algorithm: str):
    """A fresh incremental hasher (``update``/``digest``) for ``algorithm``."""
    if algorithm == "CRC32":
        return _Crc(zlib.crc32, 4)
    if algorithm == "CRC32C":
        return _Crc(crc32c, 4)
    if algorithm == "CRC64NVME":
        return _Crc(crc64nvme, 8)
    return hashlib.new(_HASHLIB[algorithm])


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def compute(algorithm: str, data: bytes) -> str:
    h = hasher(algorithm)
    h.update(data)
    return b64(h.digest())


def decode(algorithm: str, value: str) -> bytes | None:
    """The raw digest in a client-sent value; None when it is not valid base64 of the right size."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == DIGEST_SIZES[algorithm] else None


def composite(algorithm: str, part_values: list[str]) -> str:
    """The COMPOSITE multipart checksum: hash of the parts' raw checksums, then ``-N``."""
    h = hasher(algorithm)
    for value in part_values:
        h.update(base64.b64decode(value))
    return f"{b64(h.digest())}-{len(part_values)}"


def header_name(algorithm: str) -> str:
    return f"x-amz-checksum-{algorithm.lower()}"
