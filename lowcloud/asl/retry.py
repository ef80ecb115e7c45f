"""Retry and Catch: which retrier or catcher an error selects, and how long to back off.

Matching follows the Amazon States Language error-handling rules: names match
exactly; ``States.ALL`` matches every error except ``States.Runtime`` and
``States.DataLimitExceeded``; ``States.TaskFailed`` matches the same set minus
``States.Timeout``; ``States.Runtime`` is never retried nor caught, even by
name.  A heartbeat timeout is ``States.Timeout`` that also answers to
``States.HeartbeatTimeout``.  Each retrier counts its own attempts for the
life of the state, so a state keeps a ``RetryBudget``.
"""
from __future__ import annotations

from lowcloud.asl.errors import StatesError

UNCATCHABLE_BY_WILDCARD = frozenset({"States.Runtime", "States.DataLimitExceeded"})


def names_of(err: StatesError) -> tuple:
    """The error's name plus any alias it also answers to."""
    return (err.error,) + tuple(getattr(err, "aliases", ()))


def matches(error_equals, err: StatesError) -> bool:
    names = names_of(err)
    if err.error == "States.Runtime":
        return False
    for want in error_equals:
        if want in names:
            return True
        if want == "States.ALL" and err.error not in UNCATCHABLE_BY_WILDCARD:
            return True
        if want == "States.TaskFailed" and err.error not in UNCATCHABLE_BY_WILDCARD \
                and err.error != "States.Timeout":
            return True
    return False


class RetryBudget:
    """Attempts used per retrier of one state; picks the retrier and the delay."""

    __slots__ = ("retriers", "used", "total")

    def __init__(self, retriers):
        self.retriers = retriers
        self.used = [0] * len(retriers)
        self.total = 0

    def next_delay(self, err: StatesError, random) -> float | None:
        """Seconds to wait before the next attempt, or None when no retry applies."""
        for i, r in enumerate(self.retriers):
            if not matches(r.error_equals, err):
                continue
            if self.used[i] >= r.max_attempts:
                return None
            delay = backoff(r, self.used[i], random)
            self.used[i] += 1
            self.total += 1
            return delay
        return None


def backoff(r, attempt: int, random) -> float:
    """IntervalSeconds * BackoffRate**attempt, capped by MaxDelaySeconds, with FULL jitter."""
    delay = r.interval * (r.backoff_rate ** attempt)
    if r.max_delay is not None:
        delay = min(delay, float(r.max_delay))
    if r.jitter == "FULL":
        delay = delay * random()
    return delay


def find_catcher(catchers, err: StatesError):
    for c in catchers:
        if matches(c.error_equals, err):
            return c
    return None
