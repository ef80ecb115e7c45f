"""Execution history events, numbered and chained the way GetExecutionHistory shows them.

Each event is a plain dict already shaped like the stepfunctions model's
``HistoryEvent`` (``id``, ``previousEventId``, ``type``, one ``*EventDetails``)
with ``timestamp`` kept as an epoch float until the API turns it into a datetime.
``previousEventId`` follows the thread the event belongs to (the execution, a
Parallel branch or a Map iteration), so each ``Frame`` remembers its last event.

Express executions keep no events (AWS has no history API for them) but still
number them: runtime error causes quote "entered at the event id #N".  New
events are handed to ``on_event`` so the service can persist them in batches,
and to ``log`` when the state machine logs to CloudWatch Logs.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable


def details_key(event_type: str) -> str:
    """The HistoryEvent member holding an event type's details."""
    if event_type.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if event_type.endswith("StateExited"):
        return "stateExitedEventDetails"
    return event_type[0].lower() + event_type[1:] + "EventDetails"


class History:
    """The event list of one execution (or just its counter, for Express)."""

    __slots__ = ("clock", "keep", "events", "count", "on_event", "log")

    def __init__(self, clock, keep: bool = True, events: list | None = None,
                 on_event: Callable[[dict], None] | None = None, log: Callable[[dict], None] | None = None):
        self.clock = clock
        self.keep = keep
        self.events = events if events is not None else []
        self.count = len(self.events)
        self.on_event = on_event
        self.log = log  # CloudWatch Logs delivery, kept or not (Express logs are their only history)

    @property
    def detailed(self) -> bool:
        """Whether events are looked at (kept or logged), so callers build their details."""
        return self.keep or self.log is not None

    def add(self, event_type: str, prev: int, details: dict | None = None) -> int:
        self.count += 1
        if not self.detailed:
            return self.count
        event = {"timestamp": self.clock.now(), "type": event_type, "id": self.count, "previousEventId": prev}
        if details is not None:
            event[details_key(event_type)] = details
        if self.keep:
            self.events.append(event)
            if self.on_event is not None:
                self.on_event(event)
        if self.log is not None:
            self.log(event)
        return self.count

    def truncate(self, count: int) -> None:
        """Forget events after ``count`` (resuming re-enters a state)."""
        del self.events[count:]
        self.count = count


def data(key: str, text: str) -> dict:
    """``{"input": ..., "inputDetails": {"truncated": false}}`` style payload details."""
    return {key: text, key + "Details": {"truncated": False}}


def entered(name: str, text: str) -> dict:
    return {"name": name, **data("input", text)}


def exited(name: str, text: str, assigned: dict | None = None) -> dict:
    out = {"name": name, **data("output", text)}
    if assigned:
        out["assignedVariables"] = assigned
        out["assignedVariablesDetails"] = {"truncated": False}
    return out


def failure(error: str | None, cause: str | None, **extra) -> dict:
    out = dict(extra)
    if error is not None:
        out["error"] = error
    if cause is not None:
        out["cause"] = cause
    return out


_DATA_FIELDS = ("input", "output", "parameters")


def to_api(event: dict, include_data: bool = True) -> dict:
    """The event as GetExecutionHistory returns it (timestamps as datetimes)."""
    out = dict(event)
    out["timestamp"] = datetime.fromtimestamp(event["timestamp"], timezone.utc)
    if not include_data:
        key = details_key(event["type"])
        if key in out:
            out[key] = {k: v for k, v in out[key].items() if k not in _DATA_FIELDS}
    return out
