"""Task tokens and activities: tasks that wait for someone else to answer.

A ``.waitForTaskToken`` task or an activity task opens a ``Waiter`` (an asyncio
future on the clock's loop) under a fresh task token.  SendTaskSuccess /
SendTaskFailure / SendTaskHeartbeat resolve or refresh it; GetActivityTask
long-polls an activity's queue for the next waiter.  Everything that touches a
waiter runs on the loop, so API threads go through ``clock.run`` (the API
methods in services/stepfunctions do that).  A token that was never issued is
``InvalidToken``; one whose task already ended is ``TaskTimedOut`` /
``TaskDoesNotExist``, as AWS distinguishes them.
"""
from __future__ import annotations

import asyncio
from collections import OrderedDict, deque

from lowcloud.errors import AwsError

TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
POLL_SECONDS = 60.0
ENDED_KEPT = 10000  # how many finished tokens still answer TaskTimedOut/TaskDoesNotExist


class Waiter:
    __slots__ = ("token", "future", "last_beat", "input", "on_start", "activity", "started")

    def __init__(self, token: str, loop, now: float, input_text: str = "", on_start=None, activity=None):
        self.token = token
        self.future = loop.create_future()
        self.last_beat = now
        self.input = input_text
        self.on_start = on_start
        self.activity = activity
        self.started = loop.create_future()  # an activity's heartbeat clock starts when a worker takes it
        if activity is None:
            self.started.set_result(True)


class Callbacks:
    """Open task tokens and activity queues of one Step Functions service."""

    def __init__(self, clock, ids):
        self.clock, self.ids = clock, ids
        self.open: dict[str, Waiter] = {}
        self.ended: OrderedDict[str, str] = OrderedDict()  # token -> "timeout" | "done"
        self.queues: dict[str, deque] = {}  # activity arn -> waiters not yet handed out
        self.pollers: dict[str, deque] = {}  # activity arn -> futures of GetActivityTask calls

    def new_token(self) -> str:
        return "AQ" + self.ids.chars(254, TOKEN_ALPHABET)

    def wait(self, token: str, input_text: str = "", on_start=None, activity: str | None = None) -> Waiter:
        """Open a waiter (on the loop); activity tasks are queued for GetActivityTask."""
        waiter = Waiter(token, self.clock.loop, self.clock.now(), input_text, on_start, activity)
        self.open[token] = waiter
        if activity is not None:
            self._offer(activity, waiter)
        return waiter

    def end(self, token: str, reason: str = "done") -> None:
        waiter = self.open.pop(token, None)
        if waiter is not None and waiter.activity is not None:
            queue = self.queues.get(waiter.activity)
            if queue is not None and waiter in queue:
                queue.remove(waiter)
        self.ended[token] = reason
        if len(self.ended) > ENDED_KEPT:
            self.ended.popitem(last=False)

    # --- API side (run on the loop) ----------------------------------------------
    def resolve(self, token: str, outcome: tuple) -> None:
        """Deliver ("success", output) / ("failure", error, cause) / ("heartbeat",) for a token."""
        waiter = self._lookup(token)
        if outcome[0] == "heartbeat":
            waiter.last_beat = self.clock.now()
            return
        if not waiter.future.done():
            waiter.future.set_result(outcome)
        self.end(token)

    def _lookup(self, token: str) -> Waiter:
        waiter = self.open.get(token)
        if waiter is not None:
            return waiter
        reason = self.ended.get(token)
        if reason == "timeout":
            raise AwsError("TaskTimedOut", f"Task Timed Out: '{token}'")
        if reason is not None:
            raise AwsError("TaskDoesNotExist", f"Task Does Not Exist: '{token}'")
        raise AwsError("InvalidToken", "Invalid Token: 'Invalid token'")

    async def poll(self, activity: str, worker: str | None) -> Waiter | None:
        """GetActivityTask: the next queued task, waiting up to 60 seconds for one."""
        queue = self.queues.get(activity)
        if queue:
            return self._hand_out(queue.popleft(), worker)
        fut = self.clock.loop.create_future()
        self.pollers.setdefault(activity, deque()).append(fut)
        try:
            waiter = await asyncio.wait_for(fut, POLL_SECONDS)
        except asyncio.TimeoutError:
            return None
        finally:
            pollers = self.pollers.get(activity)
            if pollers and fut in pollers:
                pollers.remove(fut)
        return self._hand_out(waiter, worker)

    def _offer(self, activity: str, waiter: Waiter) -> None:
        pollers = self.pollers.get(activity)
        while pollers:
            fut = pollers.popleft()
            if not fut.done():
                fut.set_result(waiter)
                return
        self.queues.setdefault(activity, deque()).append(waiter)

    def _hand_out(self, waiter: Waiter, worker: str | None) -> Waiter:
        waiter.last_beat = self.clock.now()
        if not waiter.started.done():
            waiter.started.set_result(True)
        if waiter.on_start is not None:
            waiter.on_start(worker)
        return waiter
