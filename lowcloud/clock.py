"""The Cloud's one clock: an asyncio loop in a thread, on real or virtual time.

Every wait in lowcloud (a Step Functions ``Wait``, a retry backoff, a task timeout,
a table going ACTIVE) is a timer on this loop.  Coroutines simply ``await
clock.sleep(s)``; other threads use ``call_later`` / ``spawn``.

``SystemClock`` runs on wall time.  ``VirtualClock`` runs the same loop on a
virtual time line: the loop's selector is wrapped so that, instead of blocking
until the next timer, it jumps virtual time to that timer when nothing is
runnable (no ready callback, no blocking job in flight).  Daemon timers
(schedules, TTL sweeps) never pull time forward by themselves; they fire when
time passes for another reason or when a test calls ``advance``.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import heapq
import itertools
import selectors
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable

INF = float("inf")


class _WrappedSelector(selectors.BaseSelector):
    """Delegates to a real selector but lets the clock decide how long to block."""

    def __init__(self, clock: "Clock"):
        self._inner = selectors.DefaultSelector()
        self._clock = clock

    def register(self, fileobj, events, data=None):
        return self._inner.register(fileobj, events, data)

    def unregister(self, fileobj):
        return self._inner.unregister(fileobj)

    def modify(self, fileobj, events, data=None):
        return self._inner.modify(fileobj, events, data)

    def select(self, timeout=None):
        return self._clock._select(self._inner, timeout)

    def get_map(self):
        return self._inner.get_map()

    def close(self):
        self._inner.close()


class _ClockLoop(asyncio.SelectorEventLoop):
    """An event loop whose time() is the clock's monotonic time."""

    def __init__(self, clock: "Clock"):
        self._lc_clock = clock
        super().__init__(_WrappedSelector(clock))

    def time(self) -> float:
        return self._lc_clock._mono()


class Clock:
    """Base: owns the loop thread, blocking-job accounting and idle detection."""

    virtual = False

    def __init__(self, workers: int = 32):
        self._busy = 0
        self._idle = threading.Condition()
        self._asked = 0  # idleness requests posted by run_until_idle (guarded by _idle)
        self._seen = 0  # the newest request the loop has reached (loop thread only)
        self._answered = 0  # the newest request the loop found idle after reaching it
        self._daemons: list = []  # heap of (when_mono, seq, handle)
        self._seq = itertools.count()
        self._executor = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="lowcloud-job")
        self.loop = _ClockLoop(self)
        self._thread = threading.Thread(target=self._run, name="lowcloud-clock", daemon=True)
        self._thread.start()

    # --- time -------------------------------------------------------------
    def _mono(self) -> float:
        raise NotImplementedError

    def now(self) -> float:
        """Seconds since the epoch, on this clock."""
        raise NotImplementedError

    def utcnow(self) -> datetime:
        return datetime.fromtimestamp(self.now(), timezone.utc)

    # --- scheduling (thread-safe) ----------------------------------------
    def call_later(self, delay: float, fn: Callable, *args, daemon: bool = False) -> "Timer":
        return self.call_at(self.now() + max(0.0, delay), fn, *args, daemon=daemon)

    def call_at(self, epoch: float, fn: Callable, *args, daemon: bool = False) -> "Timer":
        timer = Timer(fn, args)
        when = self._mono() + (epoch - self.now())
        self.loop.call_soon_threadsafe(self._arm, timer, when, daemon)
        return timer

    def _arm(self, timer: "Timer", when: float, daemon: bool) -> None:
        if timer.cancelled:
            return
        if daemon:
            heapq.heappush(self._daemons, (when, next(self._seq), timer))
        else:
            timer.handle = self.loop.call_at(when, timer.fire)

    def spawn(self, coro) -> concurrent.futures.Future:
        """Run a coroutine on the clock's loop from any thread."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def call_soon(self, fn: Callable, *args) -> None:
        self.loop.call_soon_threadsafe(fn, *args)

    def in_loop(self) -> bool:
        return threading.current_thread() is self._thread

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    async def sleep_until(self, epoch: float) -> None:
        await asyncio.sleep(max(0.0, epoch - self.now()))

    async def run_blocking(self, fn: Callable, *args) -> Any:
        """Run blocking work in a thread; virtual time stands still meanwhile."""
        self._busy += 1
        try:
            return await self.loop.run_in_executor(self._executor, fn, *args)
        finally:
            self._busy -= 1

    def busy(self) -> bool:
        """Whether a blocking job is in flight (virtual time stands still meanwhile)."""
        return self._busy > 0

    def run(self, coro, timeout: float | None = None) -> Any:
        """Run a coroutine on the loop and wait for its result (not from the loop)."""
        self._not_in_loop("run")
        return self.spawn(coro).result(timeout)

    def _not_in_loop(self, what: str) -> None:
        if self.in_loop():
            raise RuntimeError(f"clock.{what}() waits for the clock's own loop; it cannot be called from it")

    # --- idleness -----------------------------------------------------------
    def run_until_idle(self, timeout: float = 60.0) -> None:
        """Block until the loop has nothing ready, no job in flight and no timer."""
        self._not_in_loop("run_until_idle")
        with self._idle:
            self._asked += 1
            asked = self._asked
        self.loop.call_soon_threadsafe(self._reach_request, asked)
        with self._idle:
            if not self._idle.wait_for(lambda: self._answered >= asked, timeout):
                raise TimeoutError("lowcloud clock did not become idle")

    def _reach_request(self, asked: int) -> None:
        """Runs after everything posted before the request, so idleness seen later is fresh."""
        self._seen = max(self._seen, asked)

    def _report_idle(self) -> None:
        """The loop is idle now: answer every request it has reached."""
        if self._answered < self._seen:
            with self._idle:
                self._answered = self._seen
                self._idle.notify_all()

    def _fire_due_daemons(self) -> None:
        now = self._mono()
        while self._daemons and self._daemons[0][0] <= now:
            _, _, timer = heapq.heappop(self._daemons)
            if not timer.cancelled:
                self.loop.call_soon(timer.fire)

    def _select(self, inner: selectors.BaseSelector, timeout):
        raise NotImplementedError

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def close(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self._executor.shutdown(wait=False, cancel_futures=True)


class SystemClock(Clock):
    """Wall-clock time: a Wait of 30 days takes 30 days."""

    def _mono(self) -> float:
        return time.monotonic()

    def now(self) -> float:
        return time.time()

    def _select(self, inner, timeout):
        self._fire_due_daemons()
        if self.loop._ready:
            return inner.select(0)
        if self._daemons:
            gap = max(0.0, self._daemons[0][0] - self._mono())
            timeout = gap if timeout is None else min(timeout, gap)
        if timeout is None and self._busy == 0 and not self.loop._ready and not self._daemons:
            self._report_idle()
        return inner.select(timeout)


class VirtualClock(Clock):
    """Virtual time that jumps to the next timer whenever nothing is runnable.

    ``auto=True`` (the default) jumps freely to the next non-daemon timer;
    ``advance(seconds)`` additionally lets time run to a horizon, firing daemon
    timers on the way.
    """

    virtual = True

    def __init__(self, start: float | datetime | None = None, auto: bool = True, workers: int = 32):
        if isinstance(start, datetime):
            start = start.timestamp()
        self._epoch0 = float(start if start is not None else _default_start())
        self._vmono = 0.0
        self._horizon = 0.0
        self.auto = auto
        super().__init__(workers)

    def _mono(self) -> float:
        return self._vmono

    def now(self) -> float:
        return self._epoch0 + self._vmono

    def advance(self, seconds: float, timeout: float = 60.0) -> None:
        """Let virtual time run ``seconds`` further, firing every timer due on the way."""
        self._not_in_loop("advance")
        done = threading.Event()

        def start():
            self._horizon = max(self._horizon, self._vmono + max(0.0, seconds))
            self._target_event = done

        self.loop.call_soon_threadsafe(start)
        if not done.wait(timeout):
            raise TimeoutError("lowcloud clock did not reach the horizon")

    def _next_daemon(self) -> float:
        while self._daemons and self._daemons[0][2].cancelled:
            heapq.heappop(self._daemons)
        return self._daemons[0][0] if self._daemons else INF

    def _select(self, inner, timeout):
        self._fire_due_daemons()
        if self.loop._ready or timeout == 0:
            return inner.select(0)
        events = inner.select(0)
        if events or self._busy:
            return events or inner.select(None)
        target = self._jump_target(timeout)
        if target is None:
            self._reach_horizon()
            self._report_idle()
            return inner.select(None)
        self._vmono = max(self._vmono, target)
        self._fire_due_daemons()
        return []

    def _jump_target(self, timeout) -> float | None:
        """Where idle virtual time may jump: next timer, bounded by auto/horizon rules."""
        next_timer = INF if timeout is None else self._vmono + timeout
        next_daemon = self._next_daemon()
        limit = self._horizon
        if self.auto and next_timer < INF:
            limit = max(limit, next_timer)
        target = min(next_timer, next_daemon)
        if target <= limit:
            return target
        if self._horizon > self._vmono:
            return self._horizon
        return None

    def _reach_horizon(self) -> None:
        event = getattr(self, "_target_event", None)
        if event is not None and self._vmono >= self._horizon:
            self._target_event = None
            event.set()


class Timer:
    """A cancellable callback scheduled on a Clock."""

    __slots__ = ("fn", "args", "cancelled", "handle")

    def __init__(self, fn: Callable, args: tuple):
        self.fn, self.args, self.cancelled, self.handle = fn, args, False, None

    def fire(self) -> None:
        if not self.cancelled:
            self.fn(*self.args)

    def cancel(self) -> None:
        self.cancelled = True
        if self.handle is not None:
            self.handle.cancel()


def _default_start() -> float:
    """Virtual time starts at the real present so ids and dates look familiar."""
    return float(int(time.time()))
