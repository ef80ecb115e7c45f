"""What every service looks like to the protocol layer.

A service is a class with one method per operation, named as botocore's
``xform_name`` names the operation (``PutItem`` -> ``put_item``).  The method
takes the request's parameters exactly as boto3 would have been given them
(dicts, lists, str, int, float/Decimal-free numbers as int/float, bytes for
blobs, datetime for timestamps, a readable body for streaming payloads) and a
``Request``; it returns a dict shaped like the operation's output shape, or
raises ``AwsError``.  Nothing in a service knows about HTTP or wire formats.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lowcloud.cloud import Cloud


@dataclass
class Request:
    """Who is calling, where, and the raw HTTP facts a few operations need."""

    service: str
    operation: str
    region: str
    account: str
    request_id: str
    access_key: str = "test"
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    host: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class Service:
    """Base for services: ``cloud``, ``region`` and helpers shared by all."""

    name = ""  # botocore service name, e.g. "dynamodb"
    global_service = False  # one instance for all regions (s3, iam)

    def __init__(self, cloud: "Cloud", region: str):
        self.cloud = cloud
        self.region = region

    @property
    def account(self) -> str:
        return self.cloud.account

    @property
    def clock(self):
        return self.cloud.clock

    def arn(self, resource: str, service: str | None = None, region: str | None = None) -> str:
        region = "" if self.global_service and region is None else (region or self.region)
        return f"arn:aws:{service or self.name}:{region}:{self.account}:{resource}"

    def db_name(self) -> str:
        """This service's SQLite/blob name: one per service and region."""
        return self.name if self.global_service else f"{self.name}-{self.region}"

    def call(self, service: str, operation: str, params: dict | None = None, region: str | None = None) -> dict:
        """Call another service's operation in-process (snake_case name), as lowcloud itself.

        Services talk to each other through their APIs, never their state; this
        skips boto3 for speed but runs the same operation code.
        """
        target = self.cloud.service(service, region or self.region)
        req = Request(service=service, operation=operation, region=target.region, account=self.account,
                      request_id=self.cloud.ids.uuid(), extra={"internal": True})
        output = getattr(target, operation)(dict(params or {}), req) or {}
        output.pop("__status__", None)
        return output

    def close(self) -> None:
        """Release resources (worker processes, timers) when the Cloud closes."""
