"""The HTTP gateway: one ASGI app, served by uvicorn on 127.0.0.1:4566 by default.

The handlers, in order: lowcloud's own ``/_lowcloud/health``; Lambda code
downloads (GetFunction's ``Code.Location``); CORS preflight; then every AWS request goes to the Dispatcher in a worker thread (service code
may block, e.g. a Lambda invoke), and its response is streamed back.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import socket
import threading

import uvicorn

from lowcloud import __version__, services
from lowcloud.errors import AwsError
from lowcloud.protocol.http import HttpRequest, HttpResponse
from lowcloud.protocol.inprocess import dispatcher_of

CHUNK = 1 << 20
LAMBDA_CODE = "/_lowcloud/lambda/"
CORS = [(b"access-control-allow-origin", b"*"), (b"access-control-allow-methods", b"GET, PUT, POST, DELETE, HEAD, OPTIONS"),
        (b"access-control-allow-headers", b"*"), (b"access-control-expose-headers", b"*")]


class Gateway:
    """ASGI application serving one Cloud."""

    def __init__(self, cloud, workers: int = 64):
        self.cloud = cloud
        self.dispatcher = dispatcher_of(cloud)
        self.pool = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="lowcloud-http")

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await _lifespan(receive, send)
        if scope["type"] != "http":
            return
        req = await _read_request(scope, receive)
        if req.path == "/_lowcloud/health":
            resp = HttpResponse(200, {"Content-Type": "application/json"}, self.health())
        elif req.path.startswith(LAMBDA_CODE):
            resp = await asyncio.to_thread(self.lambda_code, req.path[len(LAMBDA_CODE):])
        elif req.method == "OPTIONS":
            resp = HttpResponse(200, {}, b"")
        else:
            loop = asyncio.get_running_loop()
            resp = await loop.run_in_executor(self.pool, self.dispatcher.handle, req)
        await _send_response(send, resp, head=req.method == "HEAD")

    def lambda_code(self, rest: str) -> HttpResponse:
        """``<region>/code/<id>``: a function's deployment package, as S3 would serve it to AWS users."""
        region, _, code_id = rest.partition("/code/")
        try:
            body = self.cloud.service("lambda", region).code_zip(code_id)
        except (OSError, ValueError, KeyError, AwsError):
            return HttpResponse(404, {"Content-Type": "text/plain"}, b"NoSuchKey")
        return HttpResponse(200, {"Content-Type": "application/zip"}, body)

    def health(self) -> bytes:
        doc = {"version": __version__, "services": {name: "available" for name in services.served()}}
        return json.dumps(doc).encode()


async def _lifespan(receive, send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _read_request(scope, receive) -> HttpRequest:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    raw_path = scope.get("raw_path") or scope["path"].encode()
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    client = scope.get("client") or ("127.0.0.1", 0)
    return HttpRequest(scope["method"], raw_path.decode("latin-1"), scope.get("query_string", b"").decode("latin-1"),
                       headers, b"".join(chunks), client[0])


async def _send_response(send, resp: HttpResponse, head: bool) -> None:
    body = resp.body
    stream = not isinstance(body, (bytes, bytearray))
    headers = [(k.encode("latin-1"), str(v).encode("latin-1")) for k, v in resp.headers.items()] + CORS
    if not any(k.lower() == b"content-length" for k, _ in headers):
        headers.append((b"content-length", str(len(body) if not stream else _stream_length(body)).encode()))
    await send({"type": "http.response.start", "status": resp.status, "headers": headers})
    if head or not stream:
        await send({"type": "http.response.body", "body": b"" if head else bytes(body)})
        if stream:
            body.close()
        return
    try:
        while chunk := await asyncio.to_thread(body.read, CHUNK):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    finally:
        body.close()
    await send({"type": "http.response.body", "body": b""})


def _stream_length(body) -> int:
    pos = body.tell()
    end = body.seek(0, 2)
    body.seek(pos)
    return end - pos


class ServerThread:
    """uvicorn serving a Cloud in a background thread (tests, ``lowcloud up``, the demo)."""

    def __init__(self, cloud, host: str = "127.0.0.1", port: int = 4566):
        self.port = port or free_port(host)
        self.host = host
        config = uvicorn.Config(Gateway(cloud), host=host, port=self.port, log_level="warning",
                                lifespan="on", access_log=False, http="httptools")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="lowcloud-gateway", daemon=True)
        cloud.endpoint_url = self.url

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (``lowcloud up``)."""
        self.server.run()

    def start(self) -> "ServerThread":
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError(f"gateway failed to start on {self.url}")
            self.thread.join(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
