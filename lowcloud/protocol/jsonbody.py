"""JSON documents <-> Python values, walked along a botocore shape.

Used by the json and rest-json protocols.  Only blobs (base64) and timestamps
(epoch seconds) differ between the wire and boto3's values, but decoding walks
every value anyway to reject wrong types before a service sees them; encoding
skips subtrees that hold neither (``needs_walk``), the common case.

Both directions are compiled once per shape into nested closures cached on the
shape (``_lc_dec``, ``_lc_enc``), so a request costs one call per value rather
than a dispatch on the shape's type at every node.  Recursive shapes (DynamoDB's
AttributeValue) reuse the closure being built for a container of the same name:
within one model a name always means the same definition.
"""
from __future__ import annotations

from lowcloud.protocol.values import WireError, b64decode, b64encode, format_time, parse_time

_SCALARS = {"string": str, "boolean": bool, "integer": int, "long": int, "float": (int, float), "double": (int, float)}
_NUMERIC = ("integer", "long", "float", "double")
_CONTAINERS = ("structure", "list", "map")


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


# --- decoding -------------------------------------------------------------------------

def decode(shape, value, strict: bool = True):
    """Wire JSON value -> boto3 value; WireError when the type is wrong."""
    if value is None:
        return None
    found = shape.__dict__.get("_lc_dec")
    if found is None:
        found = shape._lc_dec = _decoder(shape, {})
    return found(value)


def _decoder(shape, building: dict):
    kind = shape.type_name
    if kind in _CONTAINERS and shape.name in building:
        return building[shape.name]
    if kind == "structure":
        return _structure_decoder(shape, building)
    if kind == "list":
        return _list_decoder(shape, building)
    if kind == "map":
        return _map_decoder(shape, building)
    return _scalar_decoder(shape)


def _structure_decoder(shape, building: dict):
    name, steps = shape.name, {}
    document = getattr(shape, "is_document_type", False)

    def decode_structure(value):
        if not isinstance(value, dict):
            raise WireError(f"expected object for {name}")
        if document:
            return value
        out = {}
        for key, item in value.items():
            step = steps.get(key)
            if step is not None and item is not None:
                out[key] = step(item)
        return out
    building[name] = decode_structure
    if not document:
        steps.update({key: _decoder(member, building) for key, member in shape.members.items()})
    return decode_structure


def _list_decoder(shape, building: dict):
    name, element = shape.name, []

    def decode_list(value):
        if not isinstance(value, list):
            raise WireError(f"expected list for {name}")
        step = element[0]
        return [None if v is None else step(v) for v in value]
    building[name] = decode_list
    element.append(_decoder(shape.member, building))
    return decode_list


def _map_decoder(shape, building: dict):
    name, element = shape.name, []

    def decode_map(value):
        if not isinstance(value, dict):
            raise WireError(f"expected map for {name}")
        step = element[0]
        return {k: None if v is None else step(v) for k, v in value.items()}
    building[name] = decode_map
    element.append(_decoder(shape.value, building))
    return decode_map


def _scalar_decoder(shape):
    kind = shape.type_name
    if kind == "blob":
        return b64decode
    if kind == "timestamp":
        return parse_time
    expected = _SCALARS.get(kind)
    if expected is None:
        return _same
    message, numeric = f"expected {kind} for {shape.name}", kind in _NUMERIC

    def check_scalar(value):
        if isinstance(value, expected) and not (numeric and isinstance(value, bool)):
            return value
        raise WireError(message)
    return check_scalar


def _same(value):
    return value


# --- encoding -------------------------------------------------------------------------

def encode(shape, value, time_format: str = "unixTimestamp"):
    """boto3 value -> JSON-ready value, keeping only members the shape knows."""
    if value is None:
        return None
    cache = shape.__dict__.get("_lc_enc")
    if cache is None:
        cache = shape._lc_enc = {}
    found = cache.get(time_format)
    if found is None:
        found = cache[time_format] = _encoder(shape, time_format, {})
    return found(value)


def _encoder(shape, time_format: str, building: dict):
    kind = shape.type_name
    if kind in _CONTAINERS and not needs_walk(shape):
        return _same
    if kind in _CONTAINERS and shape.name in building:
        return building[shape.name]
    if kind == "structure":
        return _structure_encoder(shape, time_format, building)
    if kind in ("list", "map"):
        return _collection_encoder(shape, time_format, building)
    if kind == "blob":
        return b64encode
    if kind == "timestamp":
        fmt = shape.serialization.get("timestampFormat", time_format)
        return lambda value: format_time(value, fmt)
    return _same


def _structure_encoder(shape, time_format: str, building: dict):
    steps = {}

    def encode_structure(value):
        return {k: step(v) for k, v in value.items() if v is not None and (step := steps.get(k)) is not None}
    building[shape.name] = encode_structure
    steps.update({key: _encoder(member, time_format, building) for key, member in shape.members.items()})
    return encode_structure


def _collection_encoder(shape, time_format: str, building: dict):
    element = []

    def encode_list(value):
        step = element[0]
        return [None if v is None else step(v) for v in value]

    def encode_map(value):
        step = element[0]
        return {k: None if v is None else step(v) for k, v in value.items()}
    found = building[shape.name] = encode_list if shape.type_name == "list" else encode_map
    element.append(_encoder(shape.member if shape.type_name == "list" else shape.value, time_format, building))
    return found
