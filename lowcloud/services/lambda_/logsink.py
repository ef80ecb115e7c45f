"""The platform's log lines for an invocation, and their delivery to CloudWatch Logs.

Lambda writes ``START`` / the function's output / ``END`` / ``REPORT`` to the log
group ``/aws/lambda/<name>``, one stream per execution environment, creating group
and stream when missing.  Delivery goes through the Logs API (``self.call("logs",
...)``) so Logs' own rules apply; when Logs is not served the lines still make the
``LogType: Tail`` result.  Formats are AWS's text format (see the spec on Lambda logs).
"""
from __future__ import annotations

import logging
import math

from lowcloud.errors import AwsError
from lowcloud.services.lambda_.names import iso_z

log = logging.getLogger("lowcloud.lambda")
TAIL_BYTES = 4096
BATCH_EVENTS = 10_000


def start_line(request_id: str, version: str) -> str:
    return f"START RequestId: {request_id} Version: {version}\n"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}\n"


def report_line(request_id: str, duration_ms: float, memory: int, used_mb: int, init_ms: float | None,
                status: str | None = None, error_type: str | None = None) -> str:
    """``REPORT`` with Billed Duration = ceil(duration [+ init, billed since 2025-08-01])."""
    billed = math.ceil(duration_ms + (init_ms or 0.0))
    text = (f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {memory} MB\tMax Memory Used: {used_mb} MB\t")
    if init_ms is not None:
        text += f"Init Duration: {init_ms:.2f} ms\t"
    if status:
        text += f"Status: {status}\t"
    if error_type:
        text += f"Error Type: {error_type}\t"
    return text + "\n"


def init_report_line(init_ms: float, error_type: str) -> str:
    return f"INIT_REPORT Init Duration: {init_ms:.2f} ms\tPhase: init\tStatus: error\tError Type: {error_type}\n"


def timeout_line(now: float, request_id: str, elapsed_s: float) -> str:
    return f"{iso_z(now)} {request_id} Task timed out after {elapsed_s:.2f} seconds\n"


def exit_line(request_id: str, exit_text: str) -> str:
    return f"RequestId: {request_id} Error: Runtime exited with error: {exit_text}\nRuntime.ExitError\n"


def tail(messages: list[str]) -> str:
    """The last 4 KB of an invocation's log text (LogType: Tail, before base64)."""
    data = "".join(messages).encode()
    return data[-TAIL_BYTES:].decode("utf-8", "ignore")


class LogSink:
    """Puts events into /aws/lambda/<name>, creating the group and stream on first use."""

    def __init__(self, service):
        self.service = service
        self.ready: set[tuple[str, str]] = set()

    def write(self, group: str, stream: str, events: list[tuple[float, str]]) -> None:
        if not events:
            return
        batch = [{"timestamp": int(ts * 1000), "message": text} for ts, text in sorted(events, key=lambda e: e[0])]
        try:
            self._ensure(group, stream)
            for i in range(0, len(batch), BATCH_EVENTS):
                self._put(group, stream, batch[i:i + BATCH_EVENTS])
        except AwsError as exc:
            log.warning("Lambda could not write to %s/%s: %s %s", group, stream, exc.code, exc.message)

    def _put(self, group: str, stream: str, events: list[dict]) -> None:
        params = {"logGroupName": group, "logStreamName": stream, "logEvents": events}
        try:
            self.service.call("logs", "put_log_events", params)
        except AwsError as exc:
            if exc.code != "ResourceNotFoundException":
                raise
            self.ready.discard((group, stream))
            self._ensure(group, stream)
            self.service.call("logs", "put_log_events", params)

    def _ensure(self, group: str, stream: str) -> None:
        if (group, stream) in self.ready:
            return
        for operation, params in (("create_log_group", {"logGroupName": group}),
                                  ("create_log_stream", {"logGroupName": group, "logStreamName": stream})):
            try:
                self.service.call("logs", operation, params)
            except AwsError as exc:
                if exc.code != "ResourceAlreadyExistsException":
                    raise
        self.ready.add((group, stream))
