"""Fixtures for the change log: a Cloud with the fake core and fake S3 installed."""
from __future__ import annotations

import pytest

from lowcloud import services as registry
from lowcloud.cloud import Cloud
from lowcloud.clock import VirtualClock

from ddbstreams_fakes import FakeDynamo, FakeS3, install

START = 1_700_000_000


@pytest.fixture(autouse=True)
def fakes_resolvable(monkeypatch):
    """Let ``cloud.service`` resolve dynamodb/s3 even while their real modules are absent."""
    original = registry.service_class

    def resolve(name):
        try:
            found = original(name)
        except ImportError:  # a real module that is mid-edit must not stop the contract tests
            found = None
        return found or {"dynamodb": FakeDynamo, "s3": FakeS3}.get(name)
    monkeypatch.setattr(registry, "service_class", resolve)


@pytest.fixture
def env():
    """(cloud, fake dynamodb, fake s3, dynamodbstreams service) on a virtual clock that moves only when told."""
    cloud = Cloud(clock=VirtualClock(start=START, auto=False), seed=7)
    ddb, s3 = install(cloud)
    yield cloud, ddb, s3, cloud.service("dynamodbstreams")
    cloud.close()
