"""Shared fixtures: an in-memory Cloud on a VirtualClock, and a live HTTP gateway."""
from __future__ import annotations

import os

import pytest

from lowcloud.cloud import Cloud
from lowcloud.clock import VirtualClock

os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture
def cloud():
    """A fresh in-memory Cloud whose clock jumps over every wait."""
    c = Cloud(clock=VirtualClock(start=1_700_000_000), seed=1234)
    yield c
    c.close()


@pytest.fixture
def gateway(cloud):
    """The `cloud` fixture served over HTTP on a free loopback port."""
    from lowcloud.protocol.gateway import ServerThread
    server = ServerThread(cloud, port=0).start()
    yield server
    server.stop()


@pytest.fixture
def gateway_url(gateway):
    return gateway.url


@pytest.fixture
def http_client(gateway_url):
    """``http_client("s3")``: a plain boto3 client talking to the gateway over HTTP."""
    import boto3
    from botocore.config import Config

    def make(name, **kwargs):
        kwargs.setdefault("config", Config(retries={"max_attempts": 1}))
        return boto3.client(name, endpoint_url=gateway_url, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test", **kwargs)
    return make


@pytest.fixture
def aws_cli(gateway_url, tmp_path):
    """``aws_cli("s3", "ls")``: run the real AWS CLI against the gateway; returns CompletedProcess."""
    import subprocess
    import sys

    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "AWS_ENDPOINT_URL": gateway_url,
           "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_PAGER": ""}

    def run(*args, check=True, input=None):
        cmd = [sys.executable, "-m", "awscli", *args]
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, input=input, cwd=tmp_path, timeout=120)
        if check and result.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        return result
    return run
