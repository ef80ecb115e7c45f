"""S3 fixtures: the same boto3 calls in-process and over HTTP against the gateway."""
from __future__ import annotations

import pytest

from lowcloud.services.base import Request


@pytest.fixture(params=["inprocess", "http"])
def s3(request, cloud):
    """A boto3 S3 client bound to the `cloud` fixture, in-process or through the HTTP gateway."""
    if request.param == "inprocess":
        return cloud.client("s3")
    return request.getfixturevalue("http_client")("s3")


@pytest.fixture
def local_s3(cloud):
    """The in-process client only, for tests that do not depend on the transport."""
    return cloud.client("s3")


@pytest.fixture
def bucket(s3):
    s3.create_bucket(Bucket="test-bucket")
    return "test-bucket"


@pytest.fixture
def local_bucket(local_s3):
    local_s3.create_bucket(Bucket="local-bucket")
    return "local-bucket"


@pytest.fixture
def service(cloud):
    """The S3 service object, for calling operations directly."""
    return cloud.service("s3")


@pytest.fixture
def req():
    return Request(service="s3", operation="test", region="us-east-1", account="000000000000",
                   request_id="REQUEST0000000001")
