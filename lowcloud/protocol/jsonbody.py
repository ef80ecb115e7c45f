"""JSON documents <-> Python values, walked along a botocore shape.

Used by the json and rest-json protocols.  Only blobs (base64) and timestamps
(epoch seconds) differ between the wire and boto3's values, but decoding walks
every value anyway to reject wrong types before a service sees them; encoding
skips subtrees that hold neither (``needs_walk``), the common case.
"""
from __future__ import annotations

from lowcloud.protocol.values import WireError, b64decode, b64encode, format_time, parse_time

_SCALARS = {"string": str, "boolean": bool, "integer": int, "long": int, "float": (int, float), "double": (int, float)}


def needs_walk(shape, _seen=None) -> bool:
    """True when blobs or timestamps occur anywhere under ``shape`` (cached on it)."""
    cached = getattr(shape, "_lc_walk", None)
    if cached is not None:
        return cached
    seen = _seen if _seen is not None else set()
    if shape.name in seen:
        return False
    seen.add(shape.name)
    result = _walk_needed(shape, seen)
    if _seen is None or result:
        shape._lc_walk = result
    return result


def _walk_needed(shape, seen) -> bool:
    kind = shape.type_name
    if kind in ("blob", "timestamp"):
        return True
    if kind == "structure":
        return any(needs_walk(m, seen) for m in shape.members.values())
    if kind == "list":
        return needs_walk(shape.member, seen)
    if kind == "map":
        return needs_walk(shape.value, seen)
    return False


def decode(shape, value, strict: bool = True):
    """Wire JSON value -> boto3 value; WireError when the type is wrong."""
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        return _decode_structure(shape, value)
    if kind == "list":
        if not isinstance(value, list):
            raise WireError(f"expected list for {shape.name}")
        return [decode(shape.member, v) for v in value]
    if kind == "map":
        if not isinstance(value, dict):
            raise WireError(f"expected map for {shape.name}")
        return {k: decode(shape.value, v) for k, v in value.items()}
    return _decode_scalar(shape, value)


def _decode_structure(shape, value):
    if not isinstance(value, dict):
        raise WireError(f"expected object for {shape.name}")
    if getattr(shape, "is_document_type", False):
        return value
    members = shape.members
    out = {}
    for key, item in value.items():
        member = members.get(key)
        if member is not None and item is not None:
            out[key] = decode(member, item)
    return out


def _plain_ok(shape, value) -> bool:
    expected = _SCALARS.get(shape.type_name)
    if expected is None:
        return True
    if shape.type_name in ("integer", "long", "float", "double") and isinstance(value, bool):
        return False
    return isinstance(value, expected)


def _decode_scalar(shape, value):
    kind = shape.type_name
    if kind == "blob":
        return b64decode(value)
    if kind == "timestamp":
        return parse_time(value)
    if not _plain_ok(shape, value):
        raise WireError(f"expected {kind} for {shape.name}")
    return value


def encode(shape, value, time_format: str = "unixTimestamp"):
    """boto3 value -> JSON-ready value, keeping only members the shape knows."""
    if value is None:
        return None
    kind = shape.type_name
    if kind in ("structure", "list", "map") and not needs_walk(shape):
        return value
    if kind == "structure":
        members = shape.members
        return {k: encode(members[k], v, time_format) for k, v in value.items() if k in members and v is not None}
    if kind == "list":
        return [encode(shape.member, v, time_format) for v in value]
    if kind == "map":
        return {k: encode(shape.value, v, time_format) for k, v in value.items()}
    if kind == "blob":
        return b64encode(value)
    if kind == "timestamp":
        return format_time(value, shape.serialization.get("timestampFormat", time_format))
    return value
