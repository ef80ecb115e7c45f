"""What S3 answers browsers at the HTTP level: CORS and POST form uploads.

A preflight ``OPTIONS`` carries no signature and a form upload is not an
operation of the botocore model, so neither can be routed the way other
requests are; the gateway hands every request here first (one hook, in its
worker thread).  A request counts as S3's when its path-style path (after
moving a virtual-host bucket into it, as the dispatcher does) names an
existing bucket and it is not signed for another service.  Only buckets that
HAVE a CORS configuration get S3's exact CORS answers (no ``Access-Control-*``
header without an ``Origin``, and only the matching rule's with one); every
other request keeps the gateway's permissive CORS headers, so browser tools
pointed at lowcloud keep working.  The second value returned says which
applies.  Finding the bucket's rules costs two indexed lookups per request.
"""
from __future__ import annotations

import logging
from urllib.parse import unquote

from lowcloud.errors import AwsError
from lowcloud.protocol import rest_xml
from lowcloud.protocol.dispatch import credential_scope, s3_path
from lowcloud.protocol.http import HttpRequest, HttpResponse
from lowcloud.protocol.model import service_model
from lowcloud.services.s3 import cors, post_object

log = logging.getLogger("lowcloud.s3.browser")
PERMISSIVE = True  # the gateway adds its blanket Access-Control-* headers
OWN = False  # the answer carries S3's own CORS headers (or none)


def answer(cloud, req: HttpRequest, dispatch) -> tuple[HttpResponse, bool]:
    """(response, whether the gateway's permissive CORS headers apply) for one request."""
    name = _addressed_bucket(cloud, req)
    if name is None:
        return _usual(req, dispatch), PERMISSIVE
    svc = cloud.service("s3")
    rules = cors.bucket_rules(svc, name)  # None also when the bucket does not exist
    if post_object.is_form(req):
        return _with_cors(_safely(svc, req, lambda: post_object.handle(svc, req, name)), req, rules)
    if rules is None:
        return _usual(req, dispatch), PERMISSIVE
    if req.method == "OPTIONS":
        return _safely(svc, req, lambda: _preflight(req, rules)), OWN
    return _with_cors(dispatch(req), req, rules)


def _usual(req: HttpRequest, dispatch) -> HttpResponse:
    """What the gateway answers without S3's help: any preflight is allowed, the rest is dispatched."""
    return HttpResponse(200, {}, b"") if req.method == "OPTIONS" else dispatch(req)


def _addressed_bucket(cloud, req: HttpRequest) -> str | None:
    """The bucket name a request addresses path-style or by virtual host; None when it is not S3's."""
    if "x-amz-target" in req.headers or credential_scope(req, cloud.region)[2] not in (None, "s3"):
        return None
    return unquote(s3_path(req).lstrip("/").split("/", 1)[0]) or None


def _preflight(req: HttpRequest, rules: list) -> HttpResponse:
    headers = cors.preflight(rules, req.headers.get("origin"), req.headers.get("access-control-request-method"),
                             req.headers.get("access-control-request-headers"))
    return HttpResponse(200, headers, b"")


def _with_cors(resp: HttpResponse, req: HttpRequest, rules: list | None) -> tuple[HttpResponse, bool]:
    if rules is None:
        return resp, PERMISSIVE
    method = req.headers.get("access-control-request-method") or req.method  # S3 honours it on any request
    resp.headers.update(cors.response_headers(rules, req.headers.get("origin"), method))
    return resp, OWN


def _safely(svc, req: HttpRequest, compute) -> HttpResponse:
    """``compute()``, or its error as S3's XML error document (a bug answers 500 InternalError)."""
    try:
        return compute()
    except AwsError as err:
        return _error(svc, req, err)
    except Exception:
        log.exception("internal error handling %s %s", req.method, req.path)
        return _error(svc, req, AwsError("InternalError", "We encountered an internal error. Please try again.",
                                         status=500))


def _error(svc, req: HttpRequest, err: AwsError) -> HttpResponse:
    return rest_xml.serialize_error(err, service_model("s3"), "s3", svc.cloud.ids.uuid(), head=req.method == "HEAD")
