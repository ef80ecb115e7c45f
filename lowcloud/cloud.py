"""The one runtime object: account, region, data dir, clock, fabric, services.

No module-level state anywhere: two Clouds in one process never see each other.
Services are created lazily, one instance per (service, region) or one for a
global service, and each keeps its own SQLite file under the data dir.
"""
from __future__ import annotations

import os
import re
import threading
from typing import Any

from lowcloud import services as registry
from lowcloud.clock import Clock, SystemClock, VirtualClock
from lowcloud.errors import AwsError
from lowcloud.fabric import Fabric
from lowcloud.ids import Ids
from lowcloud.storage import Storage

_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d+")
DEFAULT_ACCOUNT = "000000000000"
DEFAULT_REGION = "us-east-1"


class Cloud:
    def __init__(self, data_dir: str | os.PathLike | None = None, clock: Clock | None = None,
                 account: str = DEFAULT_ACCOUNT, region: str = DEFAULT_REGION, seed: int | None = None,
                 endpoint_url: str | None = None):
        self.account = account
        self.region = region
        self.clock = clock if clock is not None else VirtualClock()
        self.ids = Ids(seed)
        self.storage = Storage(data_dir)
        self.fabric = Fabric(self.clock)
        self.endpoint_url = endpoint_url  # set by the gateway when it serves HTTP
        self._services: dict[tuple[str, str], Any] = {}
        self._lock = threading.RLock()

    @classmethod
    def virtual(cls, **kw) -> "Cloud":
        return cls(clock=VirtualClock(), **kw)

    @classmethod
    def system(cls, **kw) -> "Cloud":
        return cls(clock=SystemClock(), **kw)

    def service(self, name: str, region: str | None = None):
        """The service instance for ``name`` in ``region``; AwsError if not served."""
        cls = registry.service_class(name)
        if cls is None:
            raise AwsError("UnrecognizedClientException", f"lowcloud does not serve {name} yet", status=400)
        key = (name, "" if cls.global_service else (region or self.region))
        with self._lock:
            if key not in self._services:
                self._services[key] = cls(self, key[1] or self.region)
            return self._services[key]

    def client(self, name: str, region_name: str | None = None, **kwargs):
        """A real boto3 client whose requests reach this Cloud without sockets."""
        from lowcloud.protocol.inprocess import make_client
        return make_client(self, name, region_name or self.region, **kwargs)

    def resource(self, name: str, region_name: str | None = None, **kwargs):
        """A boto3 resource (e.g. ``dynamodb``) bound in-process."""
        from lowcloud.protocol.inprocess import make_resource
        return make_resource(self, name, region_name or self.region, **kwargs)

    def restore_services(self) -> list:
        """Start every service that has state in the data dir, so timers, in-flight
        executions, queued invocations and stream mappings resume without waiting
        for a first API call."""
        if self.storage.data_dir is None:
            return []
        for path in sorted(self.storage.data_dir.glob("*.sqlite")):
            name, _, rest = path.stem.partition("-")
            region = _REGION.match(rest)
            if registry.service_class(name) is not None:
                self.service(name, region.group(0) if region else None)
        return self.started_services()

    def started_services(self) -> list:
        with self._lock:
            return list(self._services.values())

    def close(self) -> None:
        for svc in self.started_services():
            svc.close()
        self.clock.close()
        self.storage.close()

    def __enter__(self) -> "Cloud":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
