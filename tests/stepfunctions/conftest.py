"""Step Functions fixtures: a boto3 client bound in-process, and ``run`` for one-shot machines."""
from __future__ import annotations

import pytest

from sfn_helpers import Runner


@pytest.fixture
def sfn(cloud):
    return cloud.client("stepfunctions")


@pytest.fixture
def run(cloud, sfn):
    return Runner(cloud, sfn)


@pytest.fixture(scope="module")
def table_run():
    """One Cloud per module for table-driven cases (a boto3 client per case would dominate run time)."""
    from lowcloud.cloud import Cloud
    from lowcloud.clock import VirtualClock
    c = Cloud(clock=VirtualClock(start=1_700_000_000), seed=1234)
    yield Runner(c, c.client("stepfunctions"))
    c.close()


@pytest.fixture
def manual():
    """A Runner on a VirtualClock that only moves on ``clock.advance``: for tests that act on a running
    execution from outside (workers, heartbeats), whose pauses would otherwise let time jump."""
    from lowcloud.cloud import Cloud
    from lowcloud.clock import VirtualClock
    c = Cloud(clock=VirtualClock(start=1_700_000_000, auto=False), seed=1234)
    yield Runner(c, c.client("stepfunctions"))
    c.close()
