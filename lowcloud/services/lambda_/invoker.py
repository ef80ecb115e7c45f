"""One synchronous invocation: pick a warm worker, run, answer as Invoke does, write the logs.

The Lambda API, async invocations and event source mappings all end here, in the
caller's thread (blocking, real time; callers on the clock's loop wrap it in
``clock.run_blocking``).  Workers are pooled per (function, version, RevisionId):
an update of ``$LATEST`` retires the old pool, so the next call cold-starts the new
code.  Reserved concurrency is counted per function across versions and refuses
with TooManyRequestsException as Lambda does.
"""
from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass
from datetime import datetime

from lowcloud.errors import AwsError
from lowcloud.services.lambda_ import logsink
from lowcloud.services.lambda_.names import error
from lowcloud.services.lambda_.runtime_api import Invocation
from lowcloud.services.lambda_.runtimes import FunctionSetup, family, launch
from lowcloud.services.lambda_.workers import Outcome, Pool, Worker

WORKERS_PER_FUNCTION = 10
IDLE_REAP_SECONDS = 900.0
FALLBACK_CREDENTIALS = {"AccessKeyId": "test", "SecretAccessKey": "test", "SessionToken": ""}


@dataclass
class Target:
    """A resolved function version and the ARN it was invoked by."""
    name: str
    version: str
    config: dict
    invoked_arn: str


@dataclass
class InvokeResult:
    status_code: int
    payload: bytes
    function_error: str | None
    executed_version: str
    request_id: str
    log_tail: str = ""

    def error_type(self) -> str | None:
        if not self.function_error:
            return None
        try:
            return json.loads(self.payload).get("errorType")
        except (ValueError, AttributeError):
            return None


class Invoker:
    def __init__(self, service, code_store):
        self.service = service
        self.code = code_store
        self.sink = logsink.LogSink(service)
        self.pools: dict[tuple, Pool] = {}
        self.inflight: dict[str, int] = {}
        self.lock = threading.Lock()
        self.closed = False

    # --- pools --------------------------------------------------------------------------------
    def pool(self, target: Target) -> Pool:
        key = (target.name, target.version, target.config["RevisionId"])
        with self.lock:
            if self.closed:
                raise error("ServiceException", "The Lambda service is shutting down.")
            pool = self.pools.get(key)
            if pool is None:
                stale = [k for k in self.pools if k[:2] == key[:2]]
                for old in stale:
                    self.pools.pop(old).close()
                pool = self.pools[key] = Pool(lambda: self._new_worker(target), WORKERS_PER_FUNCTION)
            return pool

    def retire(self, name: str, version: str | None = None) -> None:
        """Stop the warm workers of a function (or one version of it)."""
        with self.lock:
            keys = [k for k in self.pools if k[0] == name and (version is None or k[1] == version)]
            pools = [self.pools.pop(k) for k in keys]
        for pool in pools:
            pool.close()

    def reap(self) -> None:
        with self.lock:
            pools = list(self.pools.values())
        for pool in pools:
            pool.reap(IDLE_REAP_SECONDS)

    def close(self) -> None:
        with self.lock:
            self.closed = True
            pools, self.pools = list(self.pools.values()), {}
        for pool in pools:
            pool.close()

    # --- workers ------------------------------------------------------------------------------
    def _new_worker(self, target: Target) -> Worker:
        setup = self._setup(target)
        creds, expires = self._credentials(target)
        stream = self._log_stream_name(target.version)
        endpoint = self.service.cloud.endpoint_url
        return Worker(lambda api: launch(setup, api, stream, creds, endpoint), self.service.clock, stream, expires)

    def _setup(self, target: Target) -> FunctionSetup:
        config = target.config
        layer_ids = [layer["_code_id"] for layer in config.get("_layers", [])]
        return FunctionSetup(
            name=target.name, version=target.version, runtime=config["Runtime"], handler=config["Handler"],
            memory=config["MemorySize"], timeout=config["Timeout"], task_root=self.code.task_root(config["_code_id"]),
            opt_dir=self.code.opt_dir(layer_ids), variables=(config.get("Environment") or {}).get("Variables") or {},
            region=self.service.region, log_group=log_group(config))

    def _log_stream_name(self, version: str) -> str:
        day = self.service.clock.utcnow().strftime("%Y/%m/%d")
        return f"{day}/[{version}]{self.service.cloud.ids.hex(32)}"

    def _credentials(self, target: Target) -> tuple[dict, float]:
        """Temporary credentials of the function's role (STS AssumeRole, session = function name)."""
        session = target.name if len(target.name) >= 2 else target.name + "_"
        try:
            out = self.service.call("sts", "assume_role", {"RoleArn": target.config["Role"],
                                                           "RoleSessionName": session[:64]})
        except AwsError:
            return FALLBACK_CREDENTIALS, float("inf")
        creds = out["Credentials"]
        expiry = creds.get("Expiration")
        return creds, expiry.timestamp() if isinstance(expiry, datetime) else float("inf")

    # --- concurrency ------------------------------------------------------------------------------
    def begin(self, name: str, reserved: int | None) -> None:
        with self.lock:
            running = self.inflight.get(name, 0)
            if reserved is not None and running >= reserved:
                raise AwsError("TooManyRequestsException", "Rate Exceeded.", Type="User",
                               Reason="ReservedFunctionConcurrentInvocationLimitExceeded")
            self.inflight[name] = running + 1

    def end(self, name: str) -> None:
        with self.lock:
            self.inflight[name] = max(0, self.inflight.get(name, 1) - 1)

    # --- one invocation ---------------------------------------------------------------------------
    def invoke(self, target: Target, payload: bytes, client_context: str | None = None,
               request_id: str | None = None) -> InvokeResult:
        runtime = target.config.get("Runtime")
        if family(runtime) is None:
            raise error("ServiceException", f"lowcloud cannot run the {runtime} runtime; it runs python3.x and "
                                            f"nodejs*.x functions")
        pool = self.pool(target)
        worker = pool.acquire(self.service.clock.now())
        request_id = request_id or self.service.cloud.ids.uuid()
        outcome = Outcome("exit", exit_text="not started")
        try:
            outcome = worker.run(self._invocation(target, request_id, payload, client_context), target.config["Timeout"])
        finally:
            pool.release(worker, outcome.status in ("ok", "error"))
        messages = self._log(target, worker, request_id, outcome)
        worker.init_reported = True
        return self._result(target, request_id, outcome, messages)

    def _invocation(self, target: Target, request_id: str, payload: bytes, client_context) -> Invocation:
        trace = f"Root=1-{int(self.service.clock.now()):08x}-{self.service.cloud.ids.hex(24)};Parent=" \
                f"{self.service.cloud.ids.hex(16)};Sampled=0;Lineage=1:{self.service.cloud.ids.hex(8)}:0"
        context = base64.b64decode(client_context).decode("utf-8", "replace") if client_context else None
        return Invocation(request_id, payload, target.config["Timeout"] * 1000, target.invoked_arn, trace, context)

    def _log(self, target: Target, worker: Worker, request_id: str, outcome: Outcome) -> list[str]:
        """Write this invocation's log events; returns the messages from START on (for Tail)."""
        before, during, began = worker.take_lines()
        now = self.service.clock.now()
        began = began if began is not None else now
        init_ms = None if worker.init_reported else worker.init_ms
        events = list(before)
        if outcome.status == "init_error":
            events.append((now, logsink.init_report_line(worker.init_ms or 0.0, outcome.error_type or "Unknown")))
        invocation = [(began, logsink.start_line(request_id, target.version))] + during
        invocation += [(now, line) for line in self._failure_lines(now, request_id, outcome)]
        status, kind = _report_status(outcome)
        invocation += [(now, logsink.end_line(request_id)),
                       (now, logsink.report_line(request_id, outcome.duration_ms, target.config["MemorySize"],
                                                 worker.memory_mb() or 1, init_ms, status, kind))]
        self.sink.write(log_group(target.config), worker.log_stream, events + invocation)
        return [text for _, text in invocation]

    @staticmethod
    def _failure_lines(now: float, request_id: str, outcome: Outcome) -> list[str]:
        if outcome.status == "timeout":
            return [logsink.timeout_line(now, request_id, outcome.elapsed_s)]
        if outcome.status == "exit":
            return [logsink.exit_line(request_id, outcome.exit_text)]
        return []

    def _result(self, target: Target, request_id: str, outcome: Outcome, messages: list[str]) -> InvokeResult:
        tail = logsink.tail(messages)
        if outcome.status == "ok":
            return InvokeResult(200, outcome.body, None, target.version, request_id, tail)
        if outcome.status in ("error", "init_error"):
            return InvokeResult(200, outcome.body, "Unhandled", target.version, request_id, tail)
        if outcome.status == "timeout":
            body = {"errorType": "Sandbox.Timedout",
                    "errorMessage": f"RequestId: {request_id} Error: Task timed out after {outcome.elapsed_s:.2f} seconds"}
        else:
            body = {"errorType": "Runtime.ExitError",
                    "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: {outcome.exit_text}"}
        return InvokeResult(200, json.dumps(body).encode(), "Unhandled", target.version, request_id, tail)


def _report_status(outcome: Outcome) -> tuple[str | None, str | None]:
    if outcome.status == "timeout":
        return "timeout", None
    if outcome.status == "exit":
        return "error", "Runtime.ExitError"
    if outcome.status == "init_error":
        return "error", outcome.error_type
    return None, None


def log_group(config: dict) -> str:
    custom = (config.get("LoggingConfig") or {}).get("LogGroup")
    return custom or f"/aws/lambda/{config['FunctionName']}"
