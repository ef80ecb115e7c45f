"""Small helpers shared by the S3 tests."""
from __future__ import annotations


def error_of(excinfo) -> tuple[str, int]:
    """(code, HTTP status) of a botocore ClientError."""
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def facts(cloud, topic: str = "s3.object") -> list:
    """Subscribe to ``topic``; the returned list fills as facts are delivered."""
    seen: list = []
    cloud.fabric.subscribe(topic, seen.append)
    return seen
