"""The ``query`` protocol (STS, IAM, SNS, CloudFormation): form-encoded in, XML out.

Input keys are flattened paths (``Tags.member.1.Key``, ``Attributes.entry.1.key``)
which this module folds back into the input shape.  Output is
``<OpResponse><OpResult>...</OpResult><ResponseMetadata/></OpResponse>`` with
the model's ``resultWrapper``; errors are ``<ErrorResponse><Error>`` documents.
"""
from __future__ import annotations

from urllib.parse import parse_qsl

from lowcloud.errors import AwsError
from lowcloud.protocol import xmlbody
from lowcloud.protocol.http import HttpRequest, HttpResponse
from lowcloud.protocol.model import error_status
from lowcloud.protocol.values import WireError

XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'
# Services whose query answers carry whole-second timestamps (IAM: "2019-06-07T08:32:46Z").
WHOLE_SECONDS = {"iam", "sts"}


def form_of(req: HttpRequest) -> dict[str, str]:
    """The request's parameters: the form body, else the query string."""
    if req.body and "x-www-form-urlencoded" in req.headers.get("content-type", "x-www-form-urlencoded"):
        pairs = parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True)
    else:
        pairs = parse_qsl(req.query_string, keep_blank_values=True)
    return dict(pairs)


def parse(req: HttpRequest, op, form: dict[str, str]) -> dict:
    if op.input_shape is None:
        return {}
    try:
        return _structure(op.input_shape, form, "")
    except WireError as exc:
        raise AwsError("InvalidParameterValue", str(exc)) from exc


def _structure(shape, form, prefix) -> dict:
    out = {}
    for name, member in shape.members.items():
        key = prefix + member.serialization.get("name", name)
        value = _value(member, form, key)
        if value is not None:
            out[name] = value
    return out


def _value(shape, form, key):
    kind = shape.type_name
    if kind == "structure":
        if not any(k.startswith(key + ".") for k in form):
            return None
        return _structure(shape, form, key + ".")
    if kind == "list":
        return _list(shape, form, key)
    if kind == "map":
        return _map(shape, form, key)
    return None if key not in form else xmlbody.read_scalar(shape, form[key])


def _list(shape, form, key):
    base = key if shape.serialization.get("flattened") else f"{key}.{shape.member.serialization.get('name', 'member')}"
    if key in form and form[key] == "":
        return []
    items, i = [], 1
    while True:
        item = _value(shape.member, form, f"{base}.{i}")
        if item is None:
            return items or None
        items.append(item)
        i += 1


def _map(shape, form, key):
    base = key if shape.serialization.get("flattened") else f"{key}.entry"
    kname, vname = shape.key.serialization.get("name", "key"), shape.value.serialization.get("name", "value")
    out, i = {}, 1
    while f"{base}.{i}.{kname}" in form:
        value = _value(shape.value, form, f"{base}.{i}.{vname}")
        out[form[f"{base}.{i}.{kname}"]] = value
        i += 1
    return out or None


def _namespace(model) -> str:
    ns = model.metadata.get("xmlNamespace")
    return f' xmlns="{ns}"' if ns else ""


def serialize(output: dict, op, service: str, request_id: str) -> HttpResponse:
    name, model = op.name, op.service_model
    parts = [XML_DECL, f"<{name}Response{_namespace(model)}>"]
    shape = op.output_shape
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper", f"{name}Result")
        parts.append(f"<{wrapper}>")
        xmlbody.write_members(shape, output, parts, "iso8601-seconds" if service in WHOLE_SECONDS else "iso8601")
        parts.append(f"</{wrapper}>")
    parts.append(f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{name}Response>")
    return HttpResponse(200, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, "".join(parts).encode())


def serialize_error(err: AwsError, model, service: str, request_id: str) -> HttpResponse:
    status, sender, code = error_status(service, err.code)
    fault = "Sender" if (sender and err.sender) else "Receiver"
    extra = "".join(f"<{k}>{xmlbody.escape(str(v))}</{k}>" for k, v in err.fields.items() if v is not None)
    body = (f"{XML_DECL}<ErrorResponse{_namespace(model)}><Error><Type>{fault}</Type><Code>{code}</Code>"
            f"<Message>{xmlbody.escape(err.message)}</Message>{extra}</Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>")
    return HttpResponse(err.status or status, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, body.encode())
