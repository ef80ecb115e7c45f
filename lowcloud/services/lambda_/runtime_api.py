"""AWS's Lambda Runtime API, served to one worker process on its own loopback port.

The paths and headers are AWS's (``/2018-06-01/runtime/invocation/next``,
``/invocation/{id}/response``, ``/invocation/{id}/error``, ``/init/error``;
``Lambda-Runtime-Aws-Request-Id``, ``-Deadline-Ms``, ``-Invoked-Function-Arn``,
``-Trace-Id``, ``-Client-Context``), so AWS's own runtime interface clients could
run against it.  One server per worker keeps the protocol exact: the API has no
room for a worker id, and AWS gives each execution environment its own endpoint.
``next`` long-polls a queue the worker's invoker fills; a response or error
completes the ``Invocation`` the invoker waits on.  Plain threads, not the
Cloud's clock: Lambda code runs in real time even when the Cloud's time is virtual.
"""
from __future__ import annotations

import json
import queue
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime"
_RESULT_PATH = re.compile(rf"^{PREFIX}/invocation/(?P<id>[^/]+)/(?P<kind>response|error)$")
MAX_RESPONSE = 6 * 1024 * 1024


@dataclass
class Invocation:
    """One request handed to a worker and, once finished, its outcome."""
    request_id: str
    payload: bytes
    timeout_ms: int
    function_arn: str
    trace_id: str
    client_context: str | None = None
    deadline_ms: int = 0
    started_at: float = 0.0
    finished_at: float | None = None
    done: threading.Event = field(default_factory=threading.Event)
    output_flushed: threading.Event = field(default_factory=threading.Event)
    started: threading.Event = field(default_factory=threading.Event)
    result: bytes | None = None
    error: bytes | None = None
    error_type: str | None = None


class RuntimeApi:
    """The per-worker endpoint: ``submit`` an Invocation, the worker pulls it over HTTP."""

    def __init__(self, wake: threading.Event):
        self.wake = wake
        self.first_next_at: float | None = None
        self.pending: queue.Queue[Invocation | None] = queue.Queue()
        self.current: Invocation | None = None
        self.first_next = threading.Event()
        self.init_error: tuple[bytes, str | None] | None = None
        self.init_error_posted = threading.Event()
        self.server = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.1,), name="lambda-runtime-api",
                                       daemon=True)
        self.thread.start()

    @property
    def address(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{host}:{port}"

    def submit(self, invocation: Invocation) -> None:
        self.pending.put(invocation)

    def close(self) -> None:
        """Stop serving without waiting for the serve loop (it notices within 0.1 s)."""
        self.pending.put(None)
        threading.Thread(target=self._shutdown, name="lambda-runtime-api-close", daemon=True).start()

    def _shutdown(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- called from request threads ----------------------------------------------------------
    def next_invocation(self) -> Invocation | None:
        if not self.first_next.is_set():
            self.first_next_at = time.monotonic()
            self.first_next.set()
        invocation = self.pending.get()
        self.current = invocation
        if invocation is not None:
            invocation.started_at = time.monotonic()
            invocation.deadline_ms = wall_ms() + invocation.timeout_ms
            invocation.started.set()
            self.wake.set()
        return invocation

    def finish(self, request_id: str, kind: str, body: bytes, error_type: str | None) -> bool:
        invocation = self.current
        if invocation is None or invocation.request_id != request_id or invocation.done.is_set():
            return False
        if kind == "response":
            invocation.result = body
        else:
            invocation.error, invocation.error_type = body, error_type
        invocation.finished_at = time.monotonic()
        invocation.done.set()
        self.wake.set()
        return True

    def fail_init(self, body: bytes, error_type: str | None) -> None:
        self.first_next_at = time.monotonic()
        self.init_error = (body, error_type)
        self.init_error_posted.set()
        self.wake.set()


def wall_ms() -> int:
    """Epoch milliseconds on the machine's wall clock: the time frame of the worker process,
    whose ``Date.now()`` / ``time.time()`` read ``Lambda-Runtime-Deadline-Ms`` against it."""
    return int(time.time() * 1000)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A worker killed mid-request (timeout, shutdown) is expected, not an error to print."""


class _Handler(BaseHTTPRequestHandler):
    """The Runtime API paths; ``api`` is set on a subclass per worker endpoint."""

    api: RuntimeApi
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once: no 40 ms delayed-ACK stalls

    def log_message(self, *args):  # the runtime's traffic is not lowcloud's log
        pass

    def do_GET(self):
        if self.path != f"{PREFIX}/invocation/next":
            return self._reply(404, {"errorMessage": "Not found", "errorType": "NotFound"})
        invocation = self.api.next_invocation()
        if invocation is None:
            return self._reply(500, {"errorMessage": "State error", "errorType": "Runtime.ExitError"})
        headers = {"Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                   "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
                   "Lambda-Runtime-Invoked-Function-Arn": invocation.function_arn,
                   "Lambda-Runtime-Trace-Id": invocation.trace_id}
        if invocation.client_context:
            headers["Lambda-Runtime-Client-Context"] = invocation.client_context
        self._send(200, invocation.payload, headers)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        error_type = self.headers.get("Lambda-Runtime-Function-Error-Type")
        if self.path == f"{PREFIX}/init/error":
            self.api.fail_init(body, error_type)
            return self._reply(202, {"status": "OK"})
        match = _RESULT_PATH.match(self.path)
        if match is None:
            return self._reply(404, {"errorMessage": "Not found", "errorType": "NotFound"})
        if match["kind"] == "response" and len(body) > MAX_RESPONSE:
            return self._too_large(match["id"], body)
        if not self.api.finish(match["id"], match["kind"], body, error_type):
            return self._reply(400, {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"})
        self._reply(202, {"status": "OK"})

    def _too_large(self, request_id: str, body: bytes):
        message = (f"Response payload size ({len(body)} bytes) exceeded maximum allowed payload size "
                   f"({MAX_RESPONSE} bytes).")
        error = json.dumps({"errorMessage": message, "errorType": "Function.ResponseSizeTooLarge"}).encode()
        self.api.finish(request_id, "error", error, "Function.ResponseSizeTooLarge")
        self._reply(413, {"errorMessage": message, "errorType": "RequestEntityTooLarge"})

    def _reply(self, status: int, obj: dict):
        self._send(status, json.dumps(obj).encode(), {})

    def _send(self, status: int, body: bytes, headers: dict):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def _handler_for(api: RuntimeApi) -> type:
    return type("RuntimeApiHandler", (_Handler,), {"api": api})
