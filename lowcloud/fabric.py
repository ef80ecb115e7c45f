"""The event fabric: services publish facts, other services subscribe.

A service never reaches into another's state.  S3 publishes object events,
DynamoDB its stream records, Step Functions execution status changes; EventBridge,
event source mappings and CloudWatch subscribe.  Subscribers run on the clock's
loop, after the publishing request has been answered, in publish order.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any, Callable

log = logging.getLogger("lowcloud.fabric")


class Fabric:
    def __init__(self, clock):
        self._clock = clock
        self._subscribers: dict[str, list[Callable[[dict], Any]]] = defaultdict(list)

    def subscribe(self, topic: str, fn: Callable[[dict], Any]) -> Callable[[], None]:
        """Call ``fn(fact)`` for each fact published on ``topic``; returns an unsubscribe."""
        self._subscribers[topic].append(fn)
        return lambda: self._subscribers[topic].remove(fn) if fn in self._subscribers[topic] else None

    def has_subscribers(self, topic: str) -> bool:
        """Whether anything listens on ``topic`` (publishers may skip building facts)."""
        return bool(self._subscribers.get(topic))

    def publish(self, topic: str, fact: dict) -> None:
        """Hand ``fact`` to every subscriber of ``topic`` on the clock's loop."""
        for fn in list(self._subscribers.get(topic, ())):
            self._clock.call_soon(_deliver, fn, topic, fact)


def _deliver(fn: Callable, topic: str, fact: dict) -> None:
    try:
        fn(fact)
    except Exception:  # a broken subscriber must not stop the loop
        log.exception("fabric subscriber for %s failed", topic)
