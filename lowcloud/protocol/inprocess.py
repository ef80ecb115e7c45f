"""Real boto3 clients that reach a Cloud without sockets.

botocore emits ``before-send`` with the fully signed, serialized HTTP request
just before it would open a connection; answering that event with a response
skips the network and nothing else.  The request then takes the same path as
one from the gateway, so in-process and HTTP behaviour cannot drift apart.
"""
from __future__ import annotations

import functools
import io
from urllib.parse import urlsplit

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from lowcloud.protocol.dispatch import Dispatcher
from lowcloud.protocol.http import HttpRequest

IN_PROCESS_ENDPOINT = "http://127.0.0.1:4566"


def dispatcher_of(cloud) -> Dispatcher:
    """The Cloud's one Dispatcher (made on first use, kept on the Cloud)."""
    found = cloud.__dict__.get("_dispatcher")
    if found is None:
        found = cloud.__dict__.setdefault("_dispatcher", Dispatcher(cloud))
    return found


def _session(cloud) -> boto3.session.Session:
    found = cloud.__dict__.get("_boto_session")
    if found is None:
        found = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test",
                                      region_name=cloud.region)
        cloud.__dict__["_boto_session"] = found
    return found


def make_client(cloud, name: str, region: str, **kwargs):
    config = Config(retries={"max_attempts": 1, "mode": "standard"}, s3={"addressing_style": "path"})
    if kwargs.get("config") is not None:
        config = config.merge(kwargs.pop("config"))
    client = _session(cloud).client(name, region_name=region, endpoint_url=kwargs.pop("endpoint_url", IN_PROCESS_ENDPOINT),
                                    config=config, **kwargs)
    bind(client, cloud)
    return client


def make_resource(cloud, name: str, region: str, **kwargs):
    resource = _session(cloud).resource(name, region_name=region, endpoint_url=IN_PROCESS_ENDPOINT, **kwargs)
    bind(resource.meta.client, cloud)
    return resource


def bind(client, cloud) -> None:
    """Route every request of ``client`` into ``cloud`` in-process."""
    client.meta.events.register("before-send", functools.partial(_send, dispatcher_of(cloud)))


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
