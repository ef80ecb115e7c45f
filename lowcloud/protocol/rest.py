"""What rest-json and rest-xml share: members bound to the URI, query string,
headers and status code, and the payload member.

A protocol module supplies only how a body document is read and written
(JSON or XML); this module places every other member where the model says.
"""
from __future__ import annotations

import json
from typing import Callable
from urllib.parse import unquote

from lowcloud.protocol.http import HttpRequest, HttpResponse
from lowcloud.protocol.values import (WireError, b64decode, b64encode, format_time, parse_bool, parse_number,
                                      parse_time)


def parse_request(req: HttpRequest, op, path_params: dict, read_body: Callable) -> dict:
    """Input params from URI, query, headers and body; ``read_body(shape, bytes)`` parses documents."""
    shape = op.input_shape
    if shape is None:
        return {}
    params: dict = {}
    located, body_members = _split_members(shape)
    for name, member in located:
        value = _located_value(req, member, path_params)
        if value is not None:
            params[name] = value
    params.update(_body_params(req, shape, body_members, read_body))
    return params


def _split_members(shape) -> tuple[list, dict]:
    """(members bound to URI/query/headers, members in the body), computed once per shape."""
    split = getattr(shape, "_lc_split", None)
    if split is None:
        located = [(n, m) for n, m in shape.members.items() if m.serialization.get("location")]
        body = {n: m for n, m in shape.members.items() if not m.serialization.get("location")}
        split = shape._lc_split = (located, body)
    return split


def _located_value(req: HttpRequest, member, path_params: dict):
    loc = member.serialization.get("location")
    wire = member.serialization.get("name", member.name)
    if loc == "uri":
        raw = path_params.get(wire)
        return None if raw is None else _scalar(member, unquote(raw), "iso8601")
    if loc == "querystring":
        return _query_value(req, member, wire)
    if loc == "header":
        raw = req.headers.get(wire.lower())
        return None if raw is None else _header_value(member, raw)
    if loc == "headers":
        prefix = wire.lower()
        found = {k[len(prefix):]: v for k, v in req.headers.items() if k.startswith(prefix)}
        return found or None
    return None


def _query_value(req: HttpRequest, member, wire: str):
    if member.type_name == "map":
        return dict(req.query) or None
    values = req.query_lists.get(wire)
    if values is None:
        return None
    if member.type_name == "list":
        return [_scalar(member.member, v, "iso8601") for v in values]
    return _scalar(member, values[0], "iso8601")


def _header_value(member, raw: str):
    if member.type_name == "list":
        return [_scalar(member.member, v.strip(), "rfc822") for v in raw.split(",")]
    if member.type_name == "string" and member.serialization.get("jsonvalue"):
        return json.loads(b64decode(raw))
    return _scalar(member, raw, "rfc822")


def _scalar(shape, text: str, time_default: str):
    kind = shape.type_name
    if kind == "string":
        return text
    if kind in ("integer", "long", "float", "double"):
        return parse_number(text, kind)
    if kind == "boolean":
        return parse_bool(text)
    if kind == "timestamp":
        return parse_time(text)
    if kind == "blob":
        return b64decode(text)
    raise WireError(f"unsupported location type {kind}")


def _body_params(req: HttpRequest, shape, body_members: dict, read_body: Callable) -> dict:
    payload = shape.serialization.get("payload")
    if payload:
        member = shape.members[payload]
        if member.type_name == "blob" and req.stream is not None:
            return {payload: req.stream}
        if member.type_name in ("blob", "string"):
            data = req.body
            return {payload: _text(data) if member.type_name == "string" else data} if data else {}
        if not req.body.strip():
            return {}
        return {payload: _document(read_body(member, req.body))}
    if not body_members or not req.body.strip():
        return {}
    doc = _document(read_body(shape, req.body))
    return {k: v for k, v in doc.items() if k in body_members}


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WireError("the request body is not UTF-8 text") from exc


def _document(doc) -> dict:
    if not isinstance(doc, dict):
        raise WireError("Could not parse request body into json")
    return doc


def serialize_output(output: dict, op, write_body: Callable, content_type: str) -> HttpResponse:
    """Headers, status and body for a REST operation; ``write_body(shape, value)`` -> bytes."""
    shape = op.output_shape
    status = output.pop("__status__", None) or op.http.get("responseCode", 200)
    resp = HttpResponse(status, {})
    if shape is None:
        return resp
    body_doc = {}
    for name, value in output.items():
        member = shape.members.get(name)
        if member is None or value is None:
            continue
        if not _place(resp, member, value):
            body_doc[name] = value
    _set_body(resp, shape, output, body_doc, write_body, content_type)
    return resp


def _place(resp: HttpResponse, member, value) -> bool:
    loc = member.serialization.get("location")
    wire = member.serialization.get("name", member.name)
    if loc == "statusCode":
        resp.status = int(value)
    elif loc == "header":
        resp.headers[wire] = _header_text(member, value)
    elif loc == "headers":
        for k, v in value.items():
            resp.headers[wire + k] = str(v)
    else:
        return False
    return True


def _header_text(member, value) -> str:
    kind = member.type_name
    if kind == "timestamp":
        return str(format_time(value, member.serialization.get("timestampFormat", "rfc822")))
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "list":
        return ",".join(str(v) for v in value)
    if kind == "string" and member.serialization.get("jsonvalue"):
        return b64encode(json.dumps(value, separators=(",", ":")))
    if kind == "blob":
        return b64encode(value)
    return str(value)


def _set_body(resp, shape, output, body_doc, write_body, content_type) -> None:
    payload = shape.serialization.get("payload")
    if payload:
        value = output.get(payload)
        member = shape.members[payload]
        if value is None:
            return
        if member.type_name in ("blob", "string"):
            resp.body = value.encode() if isinstance(value, str) else value
            return
        resp.body = write_body(member, value)
    elif body_doc:
        resp.body = write_body(shape, {k: v for k, v in body_doc.items()})
    else:
        return
    resp.headers.setdefault("Content-Type", content_type)
