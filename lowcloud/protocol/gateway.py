"""The HTTP gateway: one ASGI app, served by uvicorn on 127.0.0.1:4566 by default.

The handlers, in order: large plain PUT bodies are streamed into their
operation while they still arrive (S3 hashes and writes as the bytes come);
lowcloud's own ``/_lowcloud/health``; Lambda code downloads (GetFunction's
``Code.Location``); Lambda function URLs (by host or ``/_lowcloud/lambda-url/``,
answered without the gateway's own CORS headers); then, in a worker thread
(service code may block, e.g. a Lambda invoke), S3's browser front
(``s3.browser_http``: CORS of buckets that have a configuration, POST form
uploads) or else the Dispatcher answers, and the response is streamed back.
Every other answer carries permissive CORS headers and every other preflight
is allowed, so browser tools work against lowcloud.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import queue
import socket
import threading

import uvicorn

from lowcloud import __version__, services
from lowcloud.errors import AwsError
from lowcloud.protocol.http import HttpRequest, HttpResponse
from lowcloud.protocol.inprocess import dispatcher_of
from lowcloud.services.lambda_ import urls_http
from lowcloud.services.s3 import browser_http

CHUNK = 1 << 20
STREAM_MIN = 8 << 20
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
        if _streams(scope):
            head = _request(scope, b"")
            if not urls_http.addressed(head):  # function URLs take their <= 6 MB body whole
                return await _send_response(send, await self._streamed(head, receive), head=False)
        req = await _read_request(scope, receive)
        if req is None:
            return
        if req.path == "/_lowcloud/health":
            resp = HttpResponse(200, {"Content-Type": "application/json"}, self.health())
        elif req.path.startswith(LAMBDA_CODE):
            resp = await asyncio.to_thread(self.lambda_code, req.path[len(LAMBDA_CODE):])
        elif urls_http.addressed(req):
            resp = await asyncio.get_running_loop().run_in_executor(self.pool, urls_http.serve, self.cloud, req)
            return await _send_response(send, resp, head=req.method == "HEAD", cors=False)
        else:  # S3's own browser answers (CORS, POST forms) or the Dispatcher; any other preflight is allowed
            resp, cors = await asyncio.get_running_loop().run_in_executor(
                self.pool, browser_http.answer, self.cloud, req, self.dispatcher.handle)
            return await _send_response(send, resp, head=req.method == "HEAD", cors=cors)
        await _send_response(send, resp, head=req.method == "HEAD")

    async def _streamed(self, req: HttpRequest, receive) -> HttpResponse:
        """A large upload: the operation starts at once and reads the body while it still arrives."""
        pipe = BodyPipe()
        req.stream = pipe
        answer = asyncio.get_running_loop().run_in_executor(self.pool, self.dispatcher.handle, req)
        feeding = asyncio.ensure_future(_feed(pipe, receive))
        try:
            resp = await answer  # an early answer (an error) need not wait for a body that may never come
        finally:
            feeding.cancel()
        if not feeding.done():  # the unread rest of the body must not be taken for the next request
            resp.headers["Connection"] = "close"
        return resp

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


async def _feed(pipe: "BodyPipe", receive) -> None:
    """Copy the request body into the pipe as it arrives; an empty chunk marks its end.  A body cut
    short (the client left, or the answer came first) is aborted: no reader takes a part as whole."""
    ended = False
    try:
        while not ended:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            pipe.feed(message.get("body", b""))
            ended = not message.get("more_body")
    finally:
        if ended:
            pipe.feed(b"")
        else:
            pipe.abort()


async def _lifespan(receive, send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _streams(scope) -> bool:
    """PUTs of plain (not aws-chunked) bodies over STREAM_MIN bytes are streamed into the operation."""
    if scope["type"] != "http" or scope["method"] != "PUT":
        return False
    headers = dict(scope["headers"])
    if b"aws-chunked" in headers.get(b"content-encoding", b"") or b"x-amz-decoded-content-length" in headers:
        return False
    length = headers.get(b"content-length", b"0")
    return length.isdigit() and int(length) >= STREAM_MIN


async def _read_request(scope, receive) -> HttpRequest:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None  # the client left mid-body: nothing to answer, and nothing partial to store
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return _request(scope, b"".join(chunks))


def _request(scope, body: bytes) -> HttpRequest:
    raw_path = scope.get("raw_path") or scope["path"].encode()
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    client = scope.get("client") or ("127.0.0.1", 0)
    return HttpRequest(scope["method"], raw_path.decode("latin-1"), scope.get("query_string", b"").decode("latin-1"),
                       headers, body, client[0])


class BodyPipe:
    """Body chunks handed from the server's loop to the operation's thread; ``read`` blocks for data."""

    def __init__(self):
        self._chunks: queue.SimpleQueue = queue.SimpleQueue()
        self._buffer = b""
        self._ended = False

    def feed(self, chunk: bytes) -> None:
        """Add a chunk; an empty chunk ends the body."""
        self._chunks.put(bytes(chunk))

    def abort(self) -> None:
        """The body will never be complete (the client left); a reader waiting for more gets an error."""
        self._chunks.put(None)

    def read(self, n: int = -1) -> bytes:
        while not self._ended and (n < 0 or len(self._buffer) < n):
            chunk = self._chunks.get()
            if chunk is None:
                raise AwsError("IncompleteBody", "You did not provide the number of bytes specified by the "
                                                 "Content-Length HTTP header.", status=400)
            self._ended = not chunk
            self._buffer += chunk
        cut = len(self._buffer) if n < 0 else n
        out, self._buffer = self._buffer[:cut], self._buffer[cut:]
        return out


async def _send_response(send, resp: HttpResponse, head: bool, cors: bool = True) -> None:
    """Send ``resp``; a header whose value is a list is sent once per item (Set-Cookie)."""
    body = resp.body
    stream = not isinstance(body, (bytes, bytearray))
    headers = [(k.encode("latin-1"), str(item).encode("latin-1")) for k, v in resp.headers.items()
               for item in (v if isinstance(v, list) else [v])] + (CORS if cors else [])
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
