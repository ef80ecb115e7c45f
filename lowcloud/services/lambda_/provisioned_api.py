"""Provisioned concurrency: Put/Get/Delete/ListProvisionedConcurrencyConfigs.

A config sits on a published version or an alias, never ``$LATEST``.  Allocation
takes time on AWS: Put answers ``IN_PROGRESS`` with nothing allocated, and the
config turns ``READY`` (all requested environments allocated and available) once
``ALLOCATION_SECONDS`` have passed on the Cloud's clock - derived from the stored
ready time when read, so no timer is needed and a restart keeps the schedule.
lowcloud does not pre-warm workers for it; invocations run as they always do.
"""
from __future__ import annotations

from datetime import datetime, timezone

from lowcloud.services.lambda_.names import (LATEST, conflict, error, function_arn, function_not_found, invalid,
                                             is_version, not_found)

ALLOCATION_SECONDS = 1.0
UNPUBLISHED = "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
NOT_PUBLISHED = "The function resource provided must be an alias or a published version."


def provisioned_time(epoch: float) -> str:
    """``2024-06-10T06:13:20+0000``, as provisioned-concurrency configs show LastModified."""
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")


class ProvisionedApi:
    def put_provisioned_concurrency_config(self, params: dict, req) -> dict:
        if params["Qualifier"] == LATEST:
            raise invalid(UNPUBLISHED)
        name, qualifier = self._provisioned_target(params)
        self._check_provisioned_overlap(name, qualifier)
        now = self.clock.now()
        doc = {"RequestedProvisionedConcurrentExecutions": params["ProvisionedConcurrentExecutions"],
               "LastModified": provisioned_time(now), "_ready_at": now + ALLOCATION_SECONDS}
        self.store.put_provisioned(name, qualifier, doc)
        return self._provisioned_view(doc)

    def _check_provisioned_overlap(self, name: str, qualifier: str) -> None:
        """A version and an alias pointing at it cannot both carry a config."""
        if is_version(qualifier):
            users = [a for a in self.store.aliases(name)
                     if a["FunctionVersion"] == qualifier and self.store.provisioned(name, a["Name"])]
            if users:
                raise conflict("Version is pointed by a Provisioned Concurrency alias")
            return
        version = self.store.alias(name, qualifier)["FunctionVersion"]
        if self.store.provisioned(name, version):
            raise conflict("Alias can't be used for Provisioned Concurrency configuration on an already "
                           "Provisioned version")

    def get_provisioned_concurrency_config(self, params: dict, req) -> dict:
        if params["Qualifier"] == LATEST:
            raise invalid(NOT_PUBLISHED)
        name, qualifier = self._provisioned_target(params)
        doc = self.store.provisioned(name, qualifier)
        if doc is None:
            raise error("ProvisionedConcurrencyConfigNotFoundException",
                        "No Provisioned Concurrency Config found for this function")
        return self._provisioned_view(doc)

    def delete_provisioned_concurrency_config(self, params: dict, req) -> dict:
        if params["Qualifier"] == LATEST:
            raise invalid(NOT_PUBLISHED)
        name, qualifier = self._provisioned_target(params)
        self.store.put_provisioned(name, qualifier, None)
        return {}

    def list_provisioned_concurrency_configs(self, params: dict, req) -> dict:
        name = self._plain_name(params["FunctionName"])
        self._latest(name)
        docs = [{"FunctionArn": function_arn(self.region, self.account, name, q), **doc}
                for q, doc in self.store.provisioned_all(name)]
        page, marker = self._page(docs, params, key=lambda d: d["FunctionArn"])
        out = {"ProvisionedConcurrencyConfigs": [self._provisioned_view(d) for d in page]}
        if marker:
            out["NextMarker"] = marker
        return out

    # --- helpers ------------------------------------------------------------------------------------
    def _provisioned_target(self, params: dict) -> tuple[str, str]:
        """(name, qualifier) of an existing version or alias, with AWS's not-found wording for each."""
        name, qualifier = self._split(params["FunctionName"], params.get("Qualifier"))
        self._latest(name)
        arn = function_arn(self.region, self.account, name, qualifier)
        if is_version(qualifier):
            if self.store.version(name, qualifier) is None:
                raise function_not_found(arn)
        elif self.store.alias(name, qualifier) is None:
            raise not_found(f"Cannot find alias arn: {arn}")
        return name, qualifier

    def _provisioned_view(self, doc: dict) -> dict:
        requested = doc["RequestedProvisionedConcurrentExecutions"]
        ready = self.clock.now() >= doc["_ready_at"]
        out = {k: v for k, v in doc.items() if not k.startswith("_")}
        out.update(AvailableProvisionedConcurrentExecutions=requested if ready else 0,
                   AllocatedProvisionedConcurrentExecutions=requested if ready else 0,
                   Status="READY" if ready else "IN_PROGRESS")
        return out
