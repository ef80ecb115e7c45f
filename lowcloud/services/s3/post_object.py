"""POST Object: a browser form upload (``POST /<bucket>``, multipart/form-data).

The form is not an operation of the botocore model, so the HTTP front end
(``browser_http``) hands it here.  The form is split by hand on its boundary
(exact for binary files, and no dependency); fields after ``file`` are
ignored as S3 ignores them; field names are case-insensitive.  The policy
document is checked (``post_policy``) but its signature is not, since lowcloud
keeps no secret keys.  The upload itself is PutObject with the form's fields
as its parameters; the answer is S3's: 204 by default, 200, 201 with a
PostResponse document, or a 303 to ``success_action_redirect``.
"""
from __future__ import annotations

from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urlencode, urlparse

from lowcloud.errors import AwsError
from lowcloud.protocol import rest_xml, xmlbody
from lowcloud.protocol.http import HttpRequest, HttpResponse
from lowcloud.protocol.model import operation, service_model
from lowcloud.services.base import Request
from lowcloud.services.s3 import errors, post_policy, writes

FIELD_PARAMS = {"content-type": "ContentType", "cache-control": "CacheControl", "acl": "ACL",
                "content-disposition": "ContentDisposition", "content-encoding": "ContentEncoding",
                "content-language": "ContentLanguage", "x-amz-storage-class": "StorageClass",
                "x-amz-server-side-encryption": "ServerSideEncryption",
                "x-amz-server-side-encryption-aws-kms-key-id": "SSEKMSKeyId",
                "x-amz-website-redirect-location": "WebsiteRedirectLocation"}
META_PREFIX = "x-amz-meta-"


def is_form(req: HttpRequest) -> bool:
    return req.method == "POST" and req.headers.get("content-type", "").lower().startswith("multipart/form-data")


def malformed() -> AwsError:
    return AwsError("MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.",
                    status=400)


# --- the form ------------------------------------------------------------------------
def parse_form(content_type: str, body: bytes) -> tuple[dict, tuple[str, bytes] | None]:
    """(fields by lower-cased name, (filename, bytes) of the file or None); fields after the file are ignored."""
    boundary = _header(f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")).get_boundary()
    if not boundary:
        raise malformed()
    fields: dict = {}
    for head, value in _parts(body, boundary.encode("latin-1")):
        name = (head.get_param("name", header="content-disposition") or "").lower()
        if name == "file":
            return fields, (head.get_filename() or "", value)
        if name:
            fields.setdefault(name, value.decode("utf-8", "replace"))
    return fields, None


def _header(raw: bytes):
    return BytesHeaderParser().parsebytes(raw)


def _parts(body: bytes, boundary: bytes):
    """(headers, content) of each part; the CRLF before a delimiter belongs to the delimiter."""
    pieces = (b"\r\n" + body).split(b"\r\n--" + boundary)
    if len(pieces) < 3 or not pieces[-1].startswith(b"--"):
        raise malformed()  # no part, or no closing delimiter: the body was cut short
    for piece in pieces[1:]:
        if piece.startswith(b"--"):
            return
        head, sep, content = piece.partition(b"\r\n\r\n")
        if not sep:
            raise malformed()
        yield _header(head.split(b"\r\n", 1)[-1] + b"\r\n\r\n"), content


# --- the upload ----------------------------------------------------------------------
def handle(svc, req: HttpRequest, bucket: str) -> HttpResponse:
    fields, file = parse_form(req.headers["content-type"], req.body)
    if svc.store.bucket(bucket) is None:
        raise errors.no_such_bucket(bucket)
    key = fields["key"] = _key(fields, file)  # the policy judges the key ${filename} became
    if "policy" in fields:
        post_policy.require_signature_fields(fields)
        post_policy.check(fields["policy"], fields, bucket, len(file[1]), svc.clock.now())
    params = {"Bucket": bucket, "Key": key, "Body": file[1], "ContentLength": len(file[1]), **_params_of(fields)}
    ctx = Request("s3", "PutObject", svc.cloud.region, svc.account, svc.cloud.ids.uuid(),
                  headers={"content-length": str(len(file[1]))}, host=req.host, extra={"source_ip": req.client_ip})
    out = writes.put_object(svc, params, ctx, event="ObjectCreated:Post")
    return _answer(svc, req, fields, bucket, key, out, ctx.request_id)


def _key(fields: dict, file) -> str:
    if "key" not in fields:
        raise errors.invalid_argument("Bucket POST must contain a field named 'key'.  If it is specified, please "
                                      "check the order of the fields.", "key", "")
    if file is None:
        raise errors.invalid_argument("POST requires exactly one file upload per request.", "file", "0")
    return fields["key"].replace("${filename}", file[0].replace("\\", "/").rsplit("/", 1)[-1])


def _params_of(fields: dict) -> dict:
    """PutObject parameters from the form fields."""
    params = {param: fields[name] for name, param in FIELD_PARAMS.items() if name in fields}
    metadata = {name[len(META_PREFIX):]: value for name, value in fields.items() if name.startswith(META_PREFIX)}
    if metadata:
        params["Metadata"] = metadata
    if "expires" in fields:
        params["Expires"] = _http_date(fields["expires"])
    if "tagging" in fields:
        params["Tagging"] = _tagging(fields["tagging"])
    return params


def _http_date(text: str):
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None  # S3 ignores an Expires that is not a date


def _tagging(document: str) -> str:
    """The form's Tagging XML document as PutObject's ``x-amz-tagging`` query string."""
    try:
        doc = xmlbody.parse_document(service_model("s3").shape_for("Tagging"), document.encode())
    except Exception:
        raise errors.malformed_xml() from None
    return urlencode([(t.get("Key", ""), t.get("Value", "")) for t in doc.get("TagSet") or []])


# --- the answer ----------------------------------------------------------------------
def _answer(svc, req: HttpRequest, fields: dict, bucket: str, key: str, out: dict, request_id: str) -> HttpResponse:
    resp = rest_xml.serialize(out, operation("s3", "PutObject"), "s3", request_id)
    location = _location(req, bucket, key)
    resp.headers["Location"] = location
    redirect = fields.get("success_action_redirect") or fields.get("redirect")
    if redirect and urlparse(redirect).scheme in ("http", "https"):
        resp.status = 303
        resp.headers["Location"] = _redirect_url(redirect, bucket, key, out["ETag"])
        return resp
    status = fields.get("success_action_status")
    resp.status = int(status) if status in ("200", "201") else 204
    if resp.status == 201:
        resp.headers["Content-Type"] = "application/xml"
        resp.body = _post_response(location, bucket, key, out["ETag"])
    return resp


def _location(req: HttpRequest, bucket: str, key: str) -> str:
    """The new object's URL, addressed the way the form was (path-style or virtual host)."""
    base = f"http://{req.host}" if req.host else "http://s3.amazonaws.com"
    if req.path.lstrip("/").split("/", 1)[0] == bucket:
        return f"{base}/{quote(bucket)}/{quote(key)}"
    return f"{base}/{quote(key)}"


def _redirect_url(target: str, bucket: str, key: str, etag: str) -> str:
    joiner = "&" if urlparse(target).query else "?"
    return target + joiner + urlencode({"bucket": bucket, "key": key, "etag": etag})


def _post_response(location: str, bucket: str, key: str, etag: str) -> bytes:
    esc = xmlbody.escape
    return (f"{rest_xml.XML_DECL}<PostResponse><Location>{esc(location)}</Location><Bucket>{esc(bucket)}</Bucket>"
            f"<Key>{esc(key)}</Key><ETag>{esc(etag)}</ETag></PostResponse>").encode()
