"""Versions, aliases and asynchronous-invocation settings (event invoke configs).

PublishVersion freezes ``$LATEST`` into version N (numbers are never reused) and,
as Lambda does, returns the newest version instead of publishing again when
neither code nor configuration changed since.  Aliases point at one version and
may route a weight to a second one (``RoutingConfig``); invoking an alias picks
by weight with the Cloud's seeded randomness.
"""
from __future__ import annotations

import hashlib
import json

from lowcloud.services.lambda_.names import (LATEST, check_alias_name, conflict, error, function_arn, invalid,
                                             not_found, timestamp, to_datetime)
from lowcloud.services.lambda_.state import public

VOLATILE = ("LastModified", "RevisionId", "Version", "FunctionArn", "State", "StateReason", "StateReasonCode",
            "LastUpdateStatus", "LastUpdateStatusReason", "LastUpdateStatusReasonCode", "Description")
MAX_RETRIES_DEFAULT = 2
MAX_AGE_DEFAULT = 21600


def config_digest(doc: dict) -> str:
    """What makes two configurations the same version (code + settings, not times or ids)."""
    kept = {k: v for k, v in doc.items() if k not in VOLATILE and not k.startswith("_")}
    kept["_layers"] = doc.get("_layers")
    return hashlib.sha256(json.dumps(kept, sort_keys=True).encode()).hexdigest()


class AliasesApi:
    # --- versions -----------------------------------------------------------------------------
    def publish_version(self, params: dict, req) -> dict:
        self._check("PublishVersion", params)
        name = self._plain_name(params["FunctionName"])
        latest = self._latest(name)
        self._check_revision(latest, params.get("RevisionId"))
        if params.get("CodeSha256") and params["CodeSha256"] != latest["CodeSha256"]:
            raise invalid(f"CodeSHA256 ({params['CodeSha256']}) is different from current CodeSHA256 in $LATEST "
                          f"({latest['CodeSha256']}). Please try again with the CodeSHA256 in $LATEST.")
        return self._publish(name, params.get("Description"))

    def _publish(self, name: str, description: str | None) -> dict:
        latest = self._latest(name)
        digest = config_digest(latest)
        newest = (self.store.versions(name) or [None])[-1]
        if newest is not None and newest.get("_digest") == digest:
            return self._view(newest)
        number = str(latest["_next_version"])
        version = {**latest, "Version": number, "FunctionArn": function_arn(self.region, self.account, name, number),
                   "RevisionId": self.cloud.ids.uuid(), "LastModified": timestamp(self.clock.now()),
                   "_digest": digest, "_active_at": 0, "_update_done_at": 0}
        if description is not None and description != "":
            version["Description"] = description
        for internal in ("_next_version", "_concurrency"):
            version.pop(internal, None)
        self.store.put_version(version)
        latest["_next_version"] += 1
        self.store.put_function(latest)
        return self._view(version)

    def list_versions_by_function(self, params: dict, req) -> dict:
        name = self._plain_name(params["FunctionName"])
        docs = [self._latest(name)] + self.store.versions(name)
        page, marker = self._page(docs, params, key=lambda d: d["Version"])
        out = {"Versions": [self._view(d) for d in page]}
        if marker:
            out["NextMarker"] = marker
        return out

    # --- aliases --------------------------------------------------------------------------------
    def create_alias(self, params: dict, req) -> dict:
        self._check("CreateAlias", params)
        name = self._plain_name(params["FunctionName"])
        self._latest(name)
        check_alias_name(params["Name"])
        if self.store.alias(name, params["Name"]):
            raise conflict(f"Alias already exists: {function_arn(self.region, self.account, name, params['Name'])}")
        self._check_alias_target(name, params["FunctionVersion"], params.get("RoutingConfig"))
        doc = {"AliasArn": function_arn(self.region, self.account, name, params["Name"]), "Name": params["Name"],
               "FunctionVersion": params["FunctionVersion"], "Description": params.get("Description", ""),
               "RevisionId": self.cloud.ids.uuid()}
        if params.get("RoutingConfig"):
            doc["RoutingConfig"] = params["RoutingConfig"]
        self.store.put_alias(name, doc)
        return doc

    def _check_alias_target(self, name: str, version: str, routing: dict | None) -> None:
        if version != LATEST and (not version.isdigit() or self.store.version(name, version) is None):
            raise not_found(f"Function not found: {function_arn(self.region, self.account, name, version)}")
        weights = (routing or {}).get("AdditionalVersionWeights") or {}
        for extra, weight in weights.items():
            if extra == LATEST or version == LATEST:
                raise invalid("$LATEST is not supported for an alias pointing to more than 1 version")
            if self.store.version(name, extra) is None:
                raise not_found(f"Function not found: {function_arn(self.region, self.account, name, extra)}")
            if not 0.0 <= weight <= 1.0:
                raise invalid(f"Invalid weight {weight} for version {extra}; must be between 0.0 and 1.0")
        if len(weights) > 1:
            raise invalid("Number of items in AdditionalVersionWeights cannot be greater than 1")

    def _alias(self, name: str, alias: str) -> dict:
        doc = self.store.alias(name, alias)
        if doc is None:
            raise not_found(f"Cannot find alias arn: {function_arn(self.region, self.account, name, alias)}")
        return doc

    def get_alias(self, params: dict, req) -> dict:
        name = self._plain_name(params["FunctionName"])
        self._latest(name)
        return self._alias(name, params["Name"])

    def update_alias(self, params: dict, req) -> dict:
        self._check("UpdateAlias", params)
        name = self._plain_name(params["FunctionName"])
        doc = self._alias(name, params["Name"])
        if params.get("RevisionId") and params["RevisionId"] != doc["RevisionId"]:
            raise error("PreconditionFailedException", "The Revision Id provided does not match the latest Revision "
                                                        "Id. Call the GetFunction/GetAlias API to retrieve the latest "
                                                        "Revision Id")
        version = params.get("FunctionVersion", doc["FunctionVersion"])
        routing = params["RoutingConfig"] if "RoutingConfig" in params else doc.get("RoutingConfig")
        self._check_alias_target(name, version, routing)
        doc.update(FunctionVersion=version, RevisionId=self.cloud.ids.uuid())
        if "Description" in params:
            doc["Description"] = params["Description"]
        if routing and (routing.get("AdditionalVersionWeights") or {}):
            doc["RoutingConfig"] = routing
        else:
            doc.pop("RoutingConfig", None)
        self.store.put_alias(name, doc)
        return doc

    def delete_alias(self, params: dict, req) -> dict:
        name = self._plain_name(params["FunctionName"])
        self._latest(name)
        self.store.delete_alias(name, params["Name"])
        return {}

    def list_aliases(self, params: dict, req) -> dict:
        name = self._plain_name(params["FunctionName"])
        self._latest(name)
        docs = self.store.aliases(name)
        if params.get("FunctionVersion"):
            docs = [d for d in docs if d["FunctionVersion"] == params["FunctionVersion"]]
        page, marker = self._page(docs, params, key=lambda d: d["Name"])
        return {"Aliases": page, **({"NextMarker": marker} if marker else {})}

    # --- event invoke configs ----------------------------------------------------------------------
    def put_function_event_invoke_config(self, params: dict, req) -> dict:
        return self._save_invoke_config(params, replace=True)

    def update_function_event_invoke_config(self, params: dict, req) -> dict:
        return self._save_invoke_config(params, replace=False)

    def _save_invoke_config(self, params: dict, replace: bool) -> dict:
        self._check("PutFunctionEventInvokeConfig", params)
        name, qualifier, arn = self._config_target(params)
        current = None if replace else self.store.invoke_config(name, qualifier)
        doc = dict(current or {"MaximumRetryAttempts": MAX_RETRIES_DEFAULT, "MaximumEventAgeInSeconds": MAX_AGE_DEFAULT,
                               "DestinationConfig": {"OnSuccess": {}, "OnFailure": {}}})
        for field in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds"):
            if field in params:
                doc[field] = params[field]
        if "DestinationConfig" in params:
            given = params["DestinationConfig"] or {}
            doc["DestinationConfig"] = {"OnSuccess": given.get("OnSuccess") or {}, "OnFailure": given.get("OnFailure") or {}}
        doc.update(FunctionArn=arn, LastModified=self.clock.now())
        self.store.put_invoke_config(name, qualifier, doc)
        return _invoke_config_view(doc)

    def _config_target(self, params: dict) -> tuple[str, str, str]:
        name, qualifier = self._split(params["FunctionName"], params.get("Qualifier"))
        self._version_doc(name, qualifier)
        qualifier = qualifier or LATEST
        return name, qualifier, function_arn(self.region, self.account, name, qualifier)

    def get_function_event_invoke_config(self, params: dict, req) -> dict:
        name, qualifier, arn = self._config_target(params)
        doc = self.store.invoke_config(name, qualifier)
        if doc is None:
            raise not_found(f"The function {arn} doesn't have an EventInvokeConfig")
        return _invoke_config_view(doc)

    def delete_function_event_invoke_config(self, params: dict, req) -> dict:
        name, qualifier, arn = self._config_target(params)
        if self.store.invoke_config(name, qualifier) is None:
            raise not_found(f"The function {arn} doesn't have an EventInvokeConfig")
        self.store.put_invoke_config(name, qualifier, None)
        return {}

    def list_function_event_invoke_configs(self, params: dict, req) -> dict:
        name = self._plain_name(params["FunctionName"])
        self._latest(name)
        docs = self.store.invoke_configs(name)
        page, marker = self._page(docs, params, key=lambda d: d["FunctionArn"])
        return {"FunctionEventInvokeConfigs": [_invoke_config_view(d) for d in page],
                **({"NextMarker": marker} if marker else {})}


def _invoke_config_view(doc: dict) -> dict:
    out = public(doc)
    out["LastModified"] = to_datetime(doc["LastModified"])
    return out
