"""XML documents <-> Python values along a botocore shape (query and rest-xml).

Element names come from the model (``locationName``), lists are wrapped in
``<member>`` items unless the model marks them flattened, maps are
``<entry><key/><value/></entry>``.  Writing builds text directly (escaped),
which is both faster and more exact than an element tree; reading uses the
standard library's expat parser, which resolves no external entities.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from lowcloud.protocol.values import WireError, b64decode, b64encode, format_time, parse_bool, parse_number, parse_time


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def wire_name(shape, default: str) -> str:
    return shape.serialization.get("name", default)


# --- reading ------------------------------------------------------------------
def parse_document(shape, body: bytes):
    """Parse an XML body whose root element is ``shape``'s value."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise WireError("malformed XML") from exc
    return read_node(shape, root)


def read_node(shape, node):
    kind = shape.type_name
    if kind == "structure":
        return _read_structure(shape, node)
    if kind == "list":
        item_name = wire_name(shape.member, "member")
        return [read_node(shape.member, c) for c in node if _local(c.tag) == item_name]
    if kind == "map":
        return _read_map(shape, list(node))
    return read_scalar(shape, node.text or "")


def _read_structure(shape, node) -> dict:
    out = {}
    children = list(node)
    for name, member in shape.members.items():
        if member.serialization.get("location"):
            continue
        wire = wire_name(member, name)
        if member.serialization.get("xmlAttribute"):
            local = wire.split(":")[-1]  # "xsi:type" arrives as "{namespace uri}type"
            value = next((v for k, v in node.attrib.items() if _local(k) == local), None)
            if value is not None:
                out[name] = value
            continue
        matches = [c for c in children if _local(c.tag) == wire]
        if not matches:
            continue
        if member.type_name == "list" and member.serialization.get("flattened"):
            out[name] = [read_node(member.member, c) for c in matches]
        elif member.type_name == "map" and member.serialization.get("flattened"):
            out[name] = _read_map(member, matches)
        else:
            out[name] = read_node(member, matches[0])
    return out


def _read_map(shape, entries) -> dict:
    key_name, value_name = wire_name(shape.key, "key"), wire_name(shape.value, "value")
    out = {}
    for entry in entries:
        key = next((c for c in entry if _local(c.tag) == key_name), None)
        value = next((c for c in entry if _local(c.tag) == value_name), None)
        if key is not None and value is not None:
            out[key.text or ""] = read_node(shape.value, value)
    return out


def read_scalar(shape, text: str):
    kind = shape.type_name
    if kind in ("integer", "long", "float", "double"):
        return parse_number(text.strip(), kind)
    if kind == "boolean":
        return parse_bool(text.strip())
    if kind == "timestamp":
        return parse_time(text.strip())
    if kind == "blob":
        return b64decode(text.strip())
    return text


# --- writing ------------------------------------------------------------------
def write_element(shape, name: str, value, parts: list, attrs: str = "", tf: str = "iso8601") -> None:
    """Append ``<name>value</name>`` for ``value`` of ``shape`` to ``parts``."""
    kind = shape.type_name
    if kind == "structure":
        parts.append(f"<{name}{attrs}{_attributes(shape, value)}>")
        write_members(shape, value, parts, tf)
        parts.append(f"</{name}>")
    elif kind == "list":
        parts.append(f"<{name}{attrs}>")
        _write_items(shape, wire_name(shape.member, "member"), value, parts, tf)
        parts.append(f"</{name}>")
    elif kind == "map":
        parts.append(f"<{name}{attrs}>")
        _write_entries(shape, value, parts, "entry", tf)
        parts.append(f"</{name}>")
    else:
        parts.append(f"<{name}{attrs}>{scalar_text(shape, value, tf)}</{name}>")


def write_members(shape, value: dict, parts: list, tf: str = "iso8601") -> None:
    for name, member in shape.members.items():
        item = value.get(name)
        if item is None or member.serialization.get("location") or member.serialization.get("xmlAttribute"):
            continue
        wire = wire_name(member, name)
        if member.type_name == "list" and member.serialization.get("flattened"):
            _write_items(member, wire, item, parts, tf)
        elif member.type_name == "map" and member.serialization.get("flattened"):
            _write_entries(member, item, parts, wire, tf)
        else:
            write_element(member, wire, item, parts, tf=tf)


def _write_items(shape, item_name: str, items, parts: list, tf: str) -> None:
    for item in items:
        write_element(shape.member, item_name, item, parts, tf=tf)


def _write_entries(shape, value: dict, parts: list, entry: str, tf: str) -> None:
    key_name, value_name = wire_name(shape.key, "key"), wire_name(shape.value, "value")
    for k, v in value.items():
        parts.append(f"<{entry}>")
        write_element(shape.key, key_name, k, parts, tf=tf)
        write_element(shape.value, value_name, v, parts, tf=tf)
        parts.append(f"</{entry}>")


def _attributes(shape, value: dict) -> str:
    """The element's XML attributes, each namespace prefix declared once (Grantee's ``xsi:type``
    takes its namespace from the Grantee shape, not from the member)."""
    declared: set = set()
    out = ""
    for name, member in shape.members.items():
        if member.serialization.get("xmlAttribute") and value.get(name) is not None:
            ns = member.serialization.get("xmlNamespace") or shape.serialization.get("xmlNamespace") or {}
            if ns.get("prefix") and ns["prefix"] not in declared:
                declared.add(ns["prefix"])
                out += f' xmlns:{ns["prefix"]}="{ns["uri"]}"'
            out += f' {wire_name(member, name)}="{escape(str(value[name]), {chr(34): "&quot;"})}"'
    return out


def scalar_text(shape, value, tf: str = "iso8601") -> str:
    """Text of a scalar; ``tf`` is the protocol's default timestamp format."""
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        return escape(str(format_time(value, shape.serialization.get("timestampFormat", tf))))
    if kind == "blob":
        return b64encode(value)
    if kind in ("float", "double") and isinstance(value, float) and value.is_integer():
        return str(value)
    return escape(str(value))
