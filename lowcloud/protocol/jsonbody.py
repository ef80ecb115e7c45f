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

A value that needs no change comes back as the very same object: a request or
response is copied only along the paths to a blob, a timestamp, a null or an
unknown member, so a typical DynamoDB item is checked without being rebuilt.
"""
from __future__ import annotations

from lowcloud.protocol.values import WireError, b64decode, b64encode, format_time, parse_time

_SCALARS = {"string": str, "boolean": bool, "integer": int, "long": int, "float": (int, float), "double": (int, float)}
_NUMERIC = ("integer", "long", "float", "double")
_CONTAINERS = ("structure", "list", "map")
_EXACT = {"string": str, "boolean": bool, "integer": int, "long": int}  # what check_scalar accepts as is
_DROP = object()  # a member the decoded/encoded value leaves out (unknown to the shape, or null)


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
    return decoder(shape)(value)


def decoder(shape):
    """The compiled ``decode`` of ``shape`` (made once, kept on the shape)."""
    found = shape.__dict__.get("_lc_dec")
    if found is None:
        found = shape._lc_dec = _decoder(shape, {})
    return found


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
    name, steps, exact = shape.name, {}, {}
    document = getattr(shape, "is_document_type", False)

    def decode_structure(value):
        if not isinstance(value, dict):
            raise WireError(f"expected object for {name}")
        if document:
            return value
        out = None
        for key, item in value.items():
            if type(item) is exact.get(key):
                if out is not None:
                    out[key] = item
                continue
            step = steps.get(key)
            decoded = step(item) if step is not None and item is not None else _DROP
            if out is None:
                if decoded is item:
                    continue
                out = _leading(value, key)
            if decoded is not _DROP:
                out[key] = decoded
        return value if out is None else out
    decode_structure.exact = exact
    building[name] = decode_structure
    if not document:
        steps.update({key: _decoder(member, building) for key, member in shape.members.items()})
        exact.update({key: _exact_member(member) for key, member in shape.members.items() if _exact_member(member)})
    return decode_structure


def _list_decoder(shape, building: dict):
    name, element = shape.name, []

    def decode_list(value):
        if not isinstance(value, list):
            raise WireError(f"expected list for {name}")
        step, exact, single, out = element[0], element[1], element[2], None
        for i, item in enumerate(value):
            decoded = item
            if item is not None and type(item) is not exact:
                if single is not None and type(item) is dict and len(item) == 1:
                    for member, inner in item.items():  # a one-member object (see _element_decoder), inline
                        want = single.get(member)
                        if type(inner) is not want and (type(want) is not frozenset or type(inner) is not list
                                                        or not {*map(type, inner)} <= want):
                            decoded = step(item)
                else:
                    decoded = step(item)
            if out is not None:
                out.append(decoded)
            elif decoded is not item:
                out = value[:i]
                out.append(decoded)
        return value if out is None else out
    building[name] = decode_list
    element.extend(_element_decoder(shape.member, building))
    return decode_list


def _map_decoder(shape, building: dict):
    name, element = shape.name, []

    def decode_map(value):
        if not isinstance(value, dict):
            raise WireError(f"expected map for {name}")
        step, exact, single, out = element[0], element[1], element[2], None
        for key, item in value.items():
            decoded = item
            if item is not None and type(item) is not exact:
                if single is not None and type(item) is dict and len(item) == 1:
                    for member, inner in item.items():  # as in decode_list
                        want = single.get(member)
                        if type(inner) is not want and (type(want) is not frozenset or type(inner) is not list
                                                        or not {*map(type, inner)} <= want):
                            decoded = step(item)
                else:
                    decoded = step(item)
            if out is not None:
                out[key] = decoded
            elif decoded is not item:
                out = _leading(value, key)
                out[key] = decoded
        return value if out is None else out
    building[name] = decode_map
    element.extend(_element_decoder(shape.value, building))
    return decode_map


def _element_decoder(shape, building: dict) -> tuple:
    """(decoder, exact scalar type or None, exact member types of a structure or None) for a list/map element.

    A one-member object whose value has its exact type, or is a list of such values (DynamoDB
    AttributeValues such as {"S": "x"} or {"SS": ["a"]}), is what its structure decoder would return
    unchanged, so the containers keep it without a call."""
    step = _decoder(shape, building)
    return step, _exact_type(shape), getattr(step, "exact", None) or None  # (empty while still being built)


def _exact_member(shape):
    """``_exact_type``, or for a list of such scalars the element types it keeps as they are (nulls too)."""
    if shape.type_name == "list" and _exact_type(shape.member):
        return frozenset((_exact_type(shape.member), type(None)))
    return _exact_type(shape)


def _exact_type(shape):
    """The one Python type a scalar member's wire value may have to be taken as it is, or None."""
    return _EXACT.get(shape.type_name)


def _leading(value: dict, stop) -> dict:
    """A copy of ``value``'s entries before key ``stop`` (kept unchanged so far)."""
    out = {}
    for key, item in value.items():
        if key == stop:
            return out
        out[key] = item
    return out


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
    steps, plain = {}, set()

    def encode_structure(value):
        out = None
        for key, item in value.items():
            if key in plain and item is not None:
                if out is not None:
                    out[key] = item
                continue
            step = steps.get(key)
            encoded = step(item) if step is not None and item is not None else _DROP
            if out is None:
                if encoded is item:
                    continue
                out = _leading(value, key)
            if encoded is not _DROP:
                out[key] = encoded
        return value if out is None else out
    encode_structure.plain = plain
    building[shape.name] = encode_structure
    steps.update({key: _encoder(member, time_format, building) for key, member in shape.members.items()})
    plain.update(key for key, step in steps.items() if step is _same)
    return encode_structure


def _collection_encoder(shape, time_format: str, building: dict):
    element = []

    def encode_list(value):
        step, out = element[0], None
        if type(value) is not list and type(value) is not tuple:
            return [None if v is None else step(v) for v in value]
        for i, item in enumerate(value):
            encoded = item if item is None else step(item)
            if out is not None:
                out.append(encoded)
            elif encoded is not item:
                out = list(value[:i])
                out.append(encoded)
        return value if out is None else out

    def encode_map(value):
        step, plain, out = element[0], element[1], None
        for key, item in value.items():
            encoded = item
            if item is not None:
                if plain is not None and type(item) is dict and len(item) == 1:
                    for member, inner in item.items():  # a one-member object of plain values stays as it is
                        if member not in plain or inner is None:
                            encoded = step(item)
                else:
                    encoded = step(item)
            if out is not None:
                out[key] = encoded
            elif encoded is not item:
                out = _leading(value, key)
                out[key] = encoded
        return value if out is None else out
    found = building[shape.name] = encode_list if shape.type_name == "list" else encode_map
    step = _encoder(shape.member if shape.type_name == "list" else shape.value, time_format, building)
    element.extend((step, getattr(step, "plain", None)))
    return found
