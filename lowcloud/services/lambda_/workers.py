"""Worker processes (one per execution environment) and the warm pool of each function version.

A ``Worker`` is one subprocess of python3/node running lowcloud's bootstrap against
its own ``RuntimeApi``.  Its stdout and stderr share one pipe, read line by line on
a thread: plain lines are the function's output, ``\\x1e{json}`` frames are runtime
log records or the ``done`` marker that says an invocation's output is complete.
``run`` hands one invocation over and waits *in real time* (``time.monotonic``):
the init phase up to 10 s, then the function's Timeout; on timeout the process
group is killed, exactly as Lambda ends a timed-out environment.

A ``Pool`` keeps a version's idle workers (most recently used first) and starts a
new one when all are busy, up to a per-function cap; callers beyond the cap wait.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass

from lowcloud.services.lambda_.runtime_api import Invocation, RuntimeApi
from lowcloud.services.lambda_.runtimes import Launch

INIT_TIMEOUT = 10.0
FLUSH_WAIT = 2.0
FRAME = b"\x1e"
SIGNAL_TEXT = {signal.SIGKILL: "killed", signal.SIGSEGV: "segmentation fault", signal.SIGABRT: "aborted",
               signal.SIGTERM: "terminated", signal.SIGBUS: "bus error"}


@dataclass
class Outcome:
    """How one invocation ended on its worker."""
    status: str  # ok | error | timeout | exit | init_error
    body: bytes = b""
    error_type: str | None = None
    duration_ms: float = 0.0
    elapsed_s: float = 0.0
    exit_text: str = ""


class Worker:
    def __init__(self, launch_for_api, clock, log_stream: str, expires_at: float):
        """``launch_for_api(runtime_api_address) -> Launch`` builds argv/env once the port is known."""
        self.clock = clock
        self.log_stream = log_stream
        self.expires_at = expires_at
        self.wake = threading.Event()
        self.api = RuntimeApi(self.wake)
        self.lines: list[tuple[float, str]] = []
        self._lines_lock = threading.Lock()
        self.current: Invocation | None = None
        self.init_ms: float | None = None
        self.init_reported = False
        self.peak_mb = 0
        self.spawned = time.monotonic()
        self.idle_since = self.spawned
        launch: Launch = launch_for_api(self.api.address)
        self.proc = subprocess.Popen(launch.argv, env=launch.env, cwd=launch.cwd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        self.reader = threading.Thread(target=self._read_output, name="lambda-worker-output", daemon=True)
        self.reader.start()

    # --- output -----------------------------------------------------------------------------
    def _read_output(self) -> None:
        for raw in iter(self.proc.stdout.readline, b""):
            text, _, framed = raw.partition(FRAME)
            if text.strip(b"\n"):
                self._add_line(text.decode("utf-8", "replace").rstrip("\n") + "\n")
            if framed:
                self._frame(framed)
        self.proc.wait()
        self.wake.set()

    def _frame(self, framed: bytes) -> None:
        try:
            record = json.loads(framed)
        except ValueError:
            return self._add_line(framed.decode("utf-8", "replace"))
        if "log" in record:
            text = record["log"]
            self._add_line(text if text.endswith("\n") else text + "\n")
        elif "start" in record:
            self._add_line(None)
        elif "done" in record and self.current is not None and self.current.request_id == record["done"]:
            self.current.output_flushed.set()
            self.wake.set()

    def _add_line(self, text: str | None) -> None:
        """Append an output line; ``None`` marks where an invocation's own output begins."""
        with self._lines_lock:
            self.lines.append((self.clock.now(), text))

    def take_lines(self) -> tuple[list, list, float | None]:
        """(output before the invocation began, the invocation's output, when it began)."""
        with self._lines_lock:
            taken, self.lines = self.lines, []
        marks = [i for i, (_, text) in enumerate(taken) if text is None]
        if not marks:
            return taken, [], None
        cut = marks[-1]
        before = [line for line in taken[:cut] if line[1] is not None]
        return before, taken[cut + 1:], taken[cut][0]

    # --- lifecycle ----------------------------------------------------------------------------
    def alive(self) -> bool:
        return self.proc.poll() is None

    def exit_text(self) -> str:
        code = self.proc.poll()
        if code is None or code >= 0:
            return f"exit status {code}"
        return f"signal: {SIGNAL_TEXT.get(-code, signal.Signals(-code).name.lower())}"

    def memory_mb(self) -> int:
        """Peak resident memory of the worker (VmHWM), in MB; the last reading once it has exited."""
        if not self.alive():
            return self.peak_mb
        try:
            with open(f"/proc/{self.proc.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        self.peak_mb = max(1, -(-int(line.split()[1]) // 1024))
                        return self.peak_mb
        except (OSError, ValueError):
            pass
        return 0

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()

    def close(self) -> None:
        if self.alive():
            self.kill()
        self.api.close()
        if self.proc.stdout:
            self.reader.join(1)
            self.proc.stdout.close()

    # --- one invocation -------------------------------------------------------------------------
    def _wait_for(self, condition, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while not condition():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.wake.wait(left)
            self.wake.clear()
        return True

    def run(self, invocation: Invocation, timeout_s: float) -> Outcome:
        self.current = invocation
        self.api.submit(invocation)
        api = self.api
        started = self._wait_for(lambda: invocation.started.is_set() or api.init_error or not self.alive(),
                                 INIT_TIMEOUT)
        if self.init_ms is None and api.first_next_at is not None:
            self.init_ms = (api.first_next_at - self.spawned) * 1000
        if api.init_error is not None:
            self.peak_mb = self.memory_mb()
            self.kill()
            return Outcome("init_error", api.init_error[0], api.init_error[1])
        if not invocation.started.is_set():
            return self._lost(invocation, started, 0.0)
        begun = invocation.started_at
        finished = self._wait_for(lambda: invocation.done.is_set() or not self.alive(),
                                  timeout_s - (time.monotonic() - begun))
        elapsed = time.monotonic() - begun
        if not invocation.done.is_set():
            return self._lost(invocation, finished, elapsed)
        self._wait_for(lambda: invocation.output_flushed.is_set() or not self.alive(), FLUSH_WAIT)
        duration = ((invocation.finished_at or time.monotonic()) - begun) * 1000
        if invocation.error is not None:
            return Outcome("error", invocation.error, invocation.error_type, duration, elapsed)
        return Outcome("ok", invocation.result or b"", None, duration, elapsed)

    def _lost(self, invocation: Invocation, in_time: bool, elapsed: float) -> Outcome:
        """The process died, or the clock ran out: the environment is over either way."""
        if in_time or not self.alive():
            self.reader.join(1)
            if self.init_ms is None:
                self.init_ms = (time.monotonic() - self.spawned) * 1000
            return Outcome("exit", duration_ms=elapsed * 1000, elapsed_s=elapsed, exit_text=self.exit_text())
        self.memory_mb()
        self.kill()
        return Outcome("timeout", duration_ms=elapsed * 1000, elapsed_s=elapsed)


class Pool:
    """The warm workers of one function version; a fresh one when all are busy."""

    def __init__(self, make_worker, limit: int):
        self.make_worker = make_worker
        self.limit = limit
        self.idle: list[Worker] = []
        self.count = 0
        self.busy = 0
        self.closed = False
        self.cond = threading.Condition()

    def acquire(self, now: float) -> Worker:
        with self.cond:
            while True:
                worker = self._warm(now)
                if worker is not None:
                    self.busy += 1
                    return worker
                if self.count < self.limit:
                    self.count += 1
                    self.busy += 1
                    break
                self.cond.wait()
        return self._spawn()

    def _warm(self, now: float) -> Worker | None:
        while self.idle:
            worker = self.idle.pop()
            if worker.alive() and worker.expires_at > now:
                return worker
            self.count -= 1
            threading.Thread(target=worker.close, daemon=True).start()
        return None

    def _spawn(self) -> Worker:
        try:
            return self.make_worker()
        except BaseException:
            with self.cond:
                self.count -= 1
                self.busy -= 1
                self.cond.notify()
            raise

    def release(self, worker: Worker, reusable: bool) -> None:
        with self.cond:
            self.busy -= 1
            if reusable and not self.closed and worker.alive():
                worker.idle_since = time.monotonic()
                self.idle.append(worker)
                worker = None
            else:
                self.count -= 1
            self.cond.notify()
        if worker is not None:
            worker.close()

    def prewarm(self) -> None:
        """Start one environment ahead of the first invocation, if none exists."""
        with self.cond:
            if self.count or self.closed:
                return
            self.count += 1
            self.busy += 1
        self.release(self._spawn(), True)

    def reap(self, max_idle_s: float) -> None:
        with self.cond:
            cutoff = time.monotonic() - max_idle_s
            stale = [w for w in self.idle if w.idle_since < cutoff]
            self.idle = [w for w in self.idle if w.idle_since >= cutoff]
            self.count -= len(stale)
        for worker in stale:
            worker.close()

    def close(self) -> None:
        with self.cond:
            self.closed = True
            idle, self.idle = self.idle, []
            self.count -= len(idle)
            self.cond.notify_all()
        for worker in idle:
            worker.close()
