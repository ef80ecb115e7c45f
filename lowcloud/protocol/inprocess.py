"""Real boto3 clients that reach a Cloud without sockets.

botocore emits ``before-send`` with the serialized HTTP request just before it
would open a connection; answering that event with a response skips the
network.  The request then takes the same path as one from the gateway, so
in-process and HTTP behaviour cannot drift apart.

Signing a request costs more than lowcloud serving it, and nothing here checks
signatures, so ``before-call`` takes over right after serialization: it applies
the request checksum as botocore would, marks the credential scope (service,
region, access key) the way SigV4 would, and hands the unsigned request to the
endpoint's own response path, so parsing and every botocore customization stay.
"""
from __future__ import annotations

import functools
import io
from urllib.parse import urlsplit

import boto3
import botocore.session
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.config import Config
from botocore.httpchecksum import apply_request_checksum

from lowcloud.protocol.dispatch import Dispatcher
from lowcloud.protocol.http import HttpRequest

IN_PROCESS_ENDPOINT = "http://127.0.0.1:4566"


def dispatcher_of(cloud) -> Dispatcher:
    """The Cloud's one Dispatcher (made on first use, kept on the Cloud)."""
    found = cloud.__dict__.get("_dispatcher")
    if found is None:
        found = cloud.__dict__.setdefault("_dispatcher", Dispatcher(cloud))
    return found


@functools.lru_cache(maxsize=None)
def _shared_session() -> boto3.session.Session:
    """One boto3 session for every Cloud: it holds only loaded models, no Cloud state.

    It is not the session behind ``protocol.model``: creating an S3 client rewrites
    its model's request URIs (the bucket moves to the endpoint), which the server
    side must not see.
    """
    return boto3.session.Session(botocore_session=botocore.session.get_session())



def _client_args(region: str, kwargs: dict) -> dict:
    """boto3 arguments for an in-process client: no retries, path-style S3, dummy credentials."""
    config = Config(retries={"max_attempts": 1, "mode": "standard"}, s3={"addressing_style": "path"})
    user_config = kwargs.pop("config", None)
    args = {"region_name": region, "endpoint_url": IN_PROCESS_ENDPOINT, "aws_access_key_id": "test",
            "aws_secret_access_key": "test", **kwargs}
    args["config"] = config.merge(user_config) if user_config is not None else config
    return args


def make_client(cloud, name: str, region: str, **kwargs):
    client = _shared_session().client(name, **_client_args(region, kwargs))
    bind(client, cloud)
    return client


def make_resource(cloud, name: str, region: str, **kwargs):
    resource = _shared_session().resource(name, **_client_args(region, kwargs))
    bind(resource.meta.client, cloud)
    return resource


def bind(client, cloud) -> None:
    """Route every request of ``client`` into ``cloud`` in-process."""
    client.meta.events.register("before-send", functools.partial(_send, dispatcher_of(cloud)))
    client.meta.events.register("before-call", functools.partial(_call_unsigned, client))
    if client._ruleset_resolver is not None:
        client._ruleset_resolver = _MemoResolver(client._ruleset_resolver)


class _MemoResolver:
    """Endpoint rules evaluated once per (operation, bucket) instead of per call.

    With one fixed endpoint the rules' answer depends only on the operation and,
    for S3, the bucket; botocore's own cache keys on every parameter (object keys
    too), so it misses on almost every S3 call.
    """

    def __init__(self, inner):
        self._inner = inner
        self._cache: dict = {}

    def construct_endpoint(self, operation_model, call_args, request_context):
        key = (operation_model.name, (call_args or {}).get("Bucket"))
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._inner.construct_endpoint(operation_model, call_args, request_context)
        return found

    def __getattr__(self, name):
        return getattr(self._inner, name)


def _call_unsigned(client, model, params, request_signer, context, **_kwargs):
    """Answer a call without signing it: checksum, scope, then botocore's own response path."""
    apply_request_checksum(params)
    headers = dict(params["headers"])
    headers["Authorization"] = _credential_scope(client, request_signer)
    prepared = AWSRequest(method=params["method"], url=params["url"], headers=headers, data=params["body"]).prepare()
    result, exc = client._endpoint._do_get_response(prepared, model, context)
    if exc is not None:
        raise exc
    metadata = result[1].get("ResponseMetadata")
    if metadata is not None:
        metadata["RetryAttempts"] = 0
    return result


def _credential_scope(client, request_signer) -> str:
    creds = getattr(request_signer, "_credentials", None)
    access_key = getattr(creds, "access_key", None) or "test"
    region = client.meta.region_name or "us-east-1"
    return f"AWS4-HMAC-SHA256 Credential={access_key}/20000101/{region}/{request_signer.signing_name}/aws4_request"


def _send(dispatcher: Dispatcher, request, **_kwargs):
    url = urlsplit(request.url)
    headers = {k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()}
    headers.setdefault("host", url.netloc)
    resp = dispatcher.handle(HttpRequest(request.method, url.path or "/", url.query, headers, _body_bytes(request.body)))
    return AWSResponse(request.url, resp.status, resp.headers, _Raw(resp.body))


def _body_bytes(body) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    return body.read()


class _Raw:
    """The raw-response interface botocore reads: ``stream()`` and ``read(n)``."""

    def __init__(self, body):
        self._f = io.BytesIO(body) if isinstance(body, (bytes, bytearray)) else body

    def read(self, amt=None, decode_content=None):
        return self._f.read() if amt is None else self._f.read(amt)

    def stream(self, chunk_size=1 << 16, decode_content=None):
        while True:
            chunk = self._f.read(chunk_size)
            if not chunk:
                return
            yield chunk

    def close(self):
        close = getattr(self._f, "close", None)
        if close:
            close()
