"""The ``rest-xml`` protocol (S3): REST bindings + XML bodies, streaming payloads.

The model does not name the root element of responses that have no payload
member (``ListObjectsV2`` answers ``<ListBucketResult>``); ``ROOT_ELEMENTS``
holds those names, from the S3 API reference's response syntax sections.
Uploads sent with ``Content-Encoding: aws-chunked`` (boto3's default for
checksummed streaming bodies) are de-chunked here, trailer checksums included.
"""
from __future__ import annotations

from lowcloud.errors import AwsError
from lowcloud.protocol import rest, xmlbody
from lowcloud.protocol.http import HttpRequest, HttpResponse
from lowcloud.protocol.model import error_status
from lowcloud.protocol.values import WireError, parse_time

XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'
S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
# Response root elements the S3 model leaves unnamed (S3 API Reference, "Response Syntax").
ROOT_ELEMENTS = {
    "ListObjects": "ListBucketResult", "ListObjectsV2": "ListBucketResult",
    "ListObjectVersions": "ListVersionsResult", "ListBuckets": "ListAllMyBucketsResult",
    "CreateMultipartUpload": "InitiateMultipartUploadResult",
    "CompleteMultipartUpload": "CompleteMultipartUploadResult",
    "ListMultipartUploads": "ListMultipartUploadsResult", "ListParts": "ListPartsResult",
    "DeleteObjects": "DeleteResult", "GetBucketTagging": "Tagging", "GetObjectTagging": "Tagging",
    "GetBucketVersioning": "VersioningConfiguration", "GetBucketAcl": "AccessControlPolicy",
    "GetObjectAcl": "AccessControlPolicy", "GetBucketCors": "CORSConfiguration",
    "GetBucketNotificationConfiguration": "NotificationConfiguration",
    "GetBucketLifecycleConfiguration": "LifecycleConfiguration",
    "GetBucketWebsite": "WebsiteConfiguration", "GetBucketLogging": "BucketLoggingStatus",
    "GetBucketRequestPayment": "RequestPaymentConfiguration", "GetBucketAccelerateConfiguration": "AccelerateConfiguration",
    "GetObjectAttributes": "GetObjectAttributesOutput",
}


def _read(shape, body: bytes):
    return xmlbody.parse_document(shape, body)


def _int32(raw: str) -> bool:
    digits = raw[1:] if raw.startswith("-") else raw
    return digits.isdigit() and -2**31 <= int(raw) < 2**31


def _check_query_integers(req: HttpRequest, op) -> None:
    """S3 rejects a query integer it cannot read (max-keys=abc) as InvalidArgument, not as bad XML."""
    shape = op.input_shape
    for member in (shape.members.values() if shape is not None else ()):
        wire = member.serialization.get("name", member.name)
        if member.serialization.get("location") != "querystring" or member.type_name not in ("integer", "long"):
            continue
        raw = (req.query_lists.get(wire) or [None])[0]
        if raw is not None and not _int32(raw):
            raise AwsError("InvalidArgument", f"Provided {wire} not an integer or within integer range",
                           status=400, ArgumentName=wire, ArgumentValue=raw)


def _drop_unreadable_dates(req: HttpRequest, op) -> None:
    """S3 ignores a conditional or Expires header whose date it cannot read rather than failing the request."""
    shape = op.input_shape
    for member in (shape.members.values() if shape is not None else ()):
        wire = member.serialization.get("name", member.name).lower()
        if member.serialization.get("location") != "header" or member.type_name != "timestamp":
            continue
        raw = req.headers.get(wire)
        if raw is not None and (wire == "expires" or "-if-" in f"-{wire}"):
            try:
                parse_time(raw)
            except WireError:
                del req.headers[wire]


def parse(req: HttpRequest, op, path_params: dict) -> dict:
    _check_query_integers(req, op)
    _drop_unreadable_dates(req, op)
    try:
        return rest.parse_request(req, op, path_params, _read)
    except WireError as exc:
        raise AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate "
                       "against our published schema", status=400) from exc


def _writer(root: str):
    def write(shape, value) -> bytes:
        parts = [XML_DECL]
        xmlbody.write_element(shape, root, value, parts, attrs=f' xmlns="{S3_NS}"')
        return "".join(parts).encode()
    return write


def serialize(output: dict, op, service: str, request_id: str) -> HttpResponse:
    if op.name == "GetBucketLocation":
        return _bucket_location(output, request_id)
    shape = op.output_shape
    payload = shape.serialization.get("payload") if shape is not None else None
    if payload:
        member = shape.members[payload]
        root = member.serialization.get("name") or member.name
    else:
        root = ROOT_ELEMENTS.get(op.name, op.name + "Result")
    resp = rest.serialize_output(dict(output), op, _writer(root), "application/xml")
    resp.headers.update(_ids(request_id))
    return resp


def _bucket_location(output: dict, request_id: str) -> HttpResponse:
    value = output.get("LocationConstraint") or ""
    body = f'{XML_DECL}<LocationConstraint xmlns="{S3_NS}">{xmlbody.escape(value)}</LocationConstraint>'
    return HttpResponse(200, {"Content-Type": "application/xml", **_ids(request_id)}, body.encode())


def _ids(request_id: str) -> dict:
    return {"x-amz-request-id": request_id[:16].upper().replace("-", ""), "x-amz-id-2": request_id}


def serialize_error(err: AwsError, model, service: str, request_id: str, head: bool = False) -> HttpResponse:
    status, _sender, code = error_status(service, err.code)
    status = err.status or status
    headers = {"Content-Type": "application/xml", **_ids(request_id), **getattr(err, "headers", {})}
    if head:
        return HttpResponse(status, headers, b"")
    extra = "".join(f"<{k}>{xmlbody.escape(str(v))}</{k}>" for k, v in err.fields.items() if v is not None)
    body = (f"{XML_DECL}<Error><Code>{code}</Code><Message>{xmlbody.escape(err.message)}</Message>{extra}"
            f"<RequestId>{_ids(request_id)['x-amz-request-id']}</RequestId><HostId>{request_id}</HostId></Error>")
    return HttpResponse(status, headers, body.encode())


def dechunk(req: HttpRequest) -> None:
    """Decode an aws-chunked body in place; trailer headers join the request headers."""
    if "aws-chunked" not in req.headers.get("content-encoding", "") and "x-amz-decoded-content-length" not in req.headers:
        return
    body, pos, out = req.body, 0, []
    while True:
        eol = body.find(b"\r\n", pos)
        if eol < 0:
            raise AwsError("IncompleteBody", "The request body terminated unexpectedly", status=400)
        try:
            size = int(body[pos:eol].split(b";", 1)[0] or b"0", 16)
        except ValueError:
            raise AwsError("IncompleteBody", "The request body terminated unexpectedly", status=400) from None
        pos = eol + 2
        if size == 0:
            break
        out.append(body[pos:pos + size])
        pos += size + 2
    _trailers(req, body[pos:])
    req.body = b"".join(out)
    encodings = [e.strip() for e in req.headers.get("content-encoding", "").split(",") if e.strip() not in ("aws-chunked", "")]
    if encodings:
        req.headers["content-encoding"] = ",".join(encodings)
    else:
        req.headers.pop("content-encoding", None)


def _trailers(req: HttpRequest, tail: bytes) -> None:
    for line in tail.decode("latin-1").split("\r\n"):
        name, sep, value = line.partition(":")
        if sep and not name.lower().startswith("x-amz-trailer-signature"):
            req.headers[name.strip().lower()] = value.strip()
