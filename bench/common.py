"""Shared bench helpers: timing loops, a moto peer, and the result table.

A bench measures lowcloud and its peer in the same run on the same machine and
prints the ratio next to the target; it never fails a build on a timing.
"""
from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass

os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


@dataclass
class Result:
    name: str
    ours: float
    peer: float
    unit: str  # "ops/s" (higher is better) or "ms" (lower is better)
    target: float  # the ratio (or limit for "ms") to reach
    peer_name: str = "moto"

    @property
    def ratio(self) -> float:
        if self.unit == "ms":
            return self.peer / self.ours if self.ours else float("inf")
        return self.ours / self.peer if self.peer else float("inf")

    def met(self) -> bool:
        return self.ours <= self.target if self.unit == "ms" and self.peer == 0 else self.ratio >= self.target


def rate(fn, n: int) -> float:
    """Calls of ``fn(i)`` per second over ``n`` calls (best of two runs)."""
    best = 0.0
    for _ in range(2):
        start = time.perf_counter()
        for i in range(n):
            fn(i)
        best = max(best, n / (time.perf_counter() - start))
    return best


@contextlib.contextmanager
def moto_client(service: str, **config):
    import boto3
    from moto import mock_aws
    with mock_aws(config=config or None):
        yield boto3.client(service, region_name="us-east-1")


def lowcloud_cloud(**kw):
    from lowcloud.cloud import Cloud
    from lowcloud.clock import VirtualClock
    return Cloud(clock=VirtualClock(), seed=1, **kw)


def print_results(title: str, results: list[Result]) -> None:
    print(f"\n== {title}")
    print(f"{'workload':44} {'lowcloud':>12} {'peer':>12} {'ratio':>8} {'target':>8}  ok")
    for r in results:
        peer = f"{r.peer:12.1f}" if r.peer else f"{'-':>12}"
        target = f"<{r.target}ms" if r.unit == "ms" and r.peer == 0 else f">={r.target}x"
        ratio = f"{r.ratio:7.2f}x" if r.peer else f"{'-':>8}"
        print(f"{r.name + ' (' + r.unit + ')':44} {r.ours:12.1f} {peer} {ratio} {target:>8}  {'yes' if r.met() else 'NO'}")
