"""DynamoDB attribute values in the two text forms AWS writes them: DynamoDB JSON and Ion.

Items reach this module as boto3 passes them to a service (``{"B": b"..."}``);
stream records, the PITR change log and export files all need them as text.
DynamoDB JSON is the wire form (``B`` as base64), so one codec serves the
stream store and DYNAMODB_JSON export lines alike.  Ion follows the type
mapping of AWS's export docs (N -> decimal, B -> blob, sets -> lists annotated
``$dynamodb_SS|NS|BS``) and is written and read with ``amazon.ion.simpleion``.
Item sizes follow DynamoDB's item-size rules (names + values) and feed stream
``SizeBytes`` and export ``BilledSizeBytes``.
"""
from __future__ import annotations

import base64
import gzip
import json
from decimal import Decimal

import amazon.ion.simpleion as ion
from amazon.ion.core import IonType
from amazon.ion.simple_types import IonPyList

SET_ANNOTATIONS = {"SS": "$dynamodb_SS", "NS": "$dynamodb_NS", "BS": "$dynamodb_BS"}
ANNOTATION_SETS = {v: k for k, v in SET_ANNOTATIONS.items()}
DATA_NAME_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # base32, lower-case, as in AWS's file names


# --- DynamoDB JSON (wire form) ------------------------------------------------------
def _b64(value) -> str:
    return value if isinstance(value, str) else base64.b64encode(bytes(value)).decode("ascii")


def value_to_wire(value: dict) -> dict:
    """One AttributeValue with bytes -> one with base64 text (already-text blobs pass through)."""
    (kind, inner), = value.items()
    if kind == "B":
        return {"B": _b64(inner)}
    if kind == "BS":
        return {"BS": [_b64(b) for b in inner]}
    if kind == "L":
        return {"L": [value_to_wire(v) for v in inner]}
    if kind == "M":
        return {"M": item_to_wire(inner)}
    return {kind: inner}


def value_from_wire(value: dict) -> dict:
    """The inverse of ``value_to_wire``: base64 text back to bytes."""
    (kind, inner), = value.items()
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(b) for b in inner]}
    if kind == "L":
        return {"L": [value_from_wire(v) for v in inner]}
    if kind == "M":
        return {"M": item_from_wire(inner)}
    return {kind: inner}


def item_to_wire(item: dict | None) -> dict | None:
    return None if item is None else {name: value_to_wire(v) for name, v in item.items()}


def item_from_wire(item: dict | None) -> dict | None:
    return None if item is None else {name: value_from_wire(v) for name, v in item.items()}


def _blob_text(value):
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def compact_json(value) -> str:
    """Compact JSON; bytes anywhere inside become base64 text, so an item in boto3 form
    serializes straight to its DynamoDB JSON (wire) form."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_blob_text)


def key_string(item: dict, key_names: list[str]) -> str:
    """A canonical text for an item's primary key (same for wire and bytes forms)."""
    return compact_json([item[name] for name in key_names])


# --- item size (DynamoDB's rules) ----------------------------------------------------
def _number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").lower().split("e")[0].strip("0") or "0"
    return (len(digits) + 1) // 2 + 1


def value_size(value: dict) -> int:
    (kind, inner), = value.items()
    if kind == "S":
        return len(inner.encode("utf-8"))
    if kind == "N":
        return _number_size(inner)
    if kind == "B":
        return len(inner) if isinstance(inner, (bytes, bytearray)) else len(base64.b64decode(inner))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: v}) for v in inner)
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in inner)
    return 3 + sum(len(k.encode("utf-8")) + value_size(v) + 1 for k, v in inner.items())


def item_size(item: dict | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode("utf-8")) + value_size(v) for name, v in item.items())


# --- Ion -------------------------------------------------------------------------
def value_to_ion(value: dict):
    """One AttributeValue -> the Python value simpleion writes as AWS's Ion mapping."""
    (kind, inner), = value.items()
    if kind == "S":
        return inner
    if kind == "N":
        return Decimal(inner)
    if kind == "B":
        return inner if isinstance(inner, bytes) else base64.b64decode(inner)
    if kind == "BOOL":
        return bool(inner)
    if kind == "NULL":
        return None
    if kind == "L":
        return [value_to_ion(v) for v in inner]
    if kind == "M":
        return item_to_ion(inner)
    members = [value_to_ion({kind[0]: v}) for v in inner]
    return IonPyList.from_value(IonType.LIST, members, annotations=(SET_ANNOTATIONS[kind],))


def item_to_ion(item: dict) -> dict:
    return {name: value_to_ion(v) for name, v in item.items()}


def value_from_ion(value) -> dict:
    """A value read by simpleion -> AttributeValue (bytes for blobs)."""
    kind = getattr(value, "ion_type", None)
    if kind is IonType.STRING or kind is IonType.SYMBOL:
        return {"S": str(value)}
    if kind is IonType.DECIMAL or kind is IonType.INT or kind is IonType.FLOAT:
        return {"N": str(value)}
    if kind is IonType.STRUCT:
        return {"M": item_from_ion(value)}
    if kind is IonType.LIST or kind is IonType.SEXP:
        return _list_from_ion(value)
    if kind is IonType.BOOL:
        return {"BOOL": bool(value)}
    if kind is IonType.BLOB or kind is IonType.CLOB:
        return {"B": bytes(value)}
    return {"NULL": True}


def _list_from_ion(value) -> dict:
    for annotation in getattr(value, "ion_annotations", ()) or ():
        set_kind = ANNOTATION_SETS.get(getattr(annotation, "text", annotation))
        if set_kind:
            return {set_kind: [next(iter(value_from_ion(v).values())) for v in value]}
    return {"L": [value_from_ion(v) for v in value]}


def item_from_ion(struct) -> dict:
    return {str(name): value_from_ion(v) for name, v in struct.items()}


# --- export data lines -------------------------------------------------------------
def json_line(record: dict) -> str:
    """One DYNAMODB_JSON export line; ``record`` holds wire-form maps (Item / Keys / images)."""
    return compact_json(record) + "\n"


def ion_line(record: dict) -> str:
    """One ION export line: ``$ion_1_0 {Item:{...}}``; ``record`` holds wire-form maps."""
    body = {}
    for field, value in record.items():
        if field == "Metadata":
            body[field] = {k: Decimal(v["N"]) for k, v in value.items()}
        else:
            body[field] = item_to_ion(value)
    return ion.dumps(body, binary=False) + "\n"


def encode_lines(records, export_format: str) -> tuple[bytes, int]:
    """Gzip the export lines of ``records``; returns (object body, record count)."""
    writer = ion_line if export_format == "ION" else json_line
    text = "".join(writer(r) for r in records)
    count = text.count("\n")
    return gzip.compress(text.encode("utf-8"), mtime=0), count


def decode_lines(body: bytes, export_format: str) -> list[dict]:
    """Read an export data file back into records of AttributeValue maps (bytes for blobs)."""
    text = gzip.decompress(body).decode("utf-8")
    if export_format == "ION":
        return [_ion_record(ion.loads(line)) for line in text.splitlines() if line.strip()]
    return [_json_record(json.loads(line)) for line in text.splitlines() if line.strip()]


def _json_record(record: dict) -> dict:
    return {field: (value if field == "Metadata" else item_from_wire(value)) for field, value in record.items()}


def _ion_record(record) -> dict:
    out = {}
    for field, value in record.items():
        if str(field) == "Metadata":
            out["Metadata"] = {str(k): {"N": str(v)} for k, v in value.items()}
        else:
            out[str(field)] = item_from_ion(value)
    return out
