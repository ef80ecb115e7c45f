"""Layers: PublishLayerVersion and friends, and resolving a function's ``Layers``.

A layer version is a zip in the code store plus its document.  Functions name
layer versions by ARN; the ones in this account and region must exist (their
zips are unpacked, in order, into the function's ``/opt``).  Layers of other
accounts (AWS-published layers such as Powertools) cannot be fetched here: they
are accepted, recorded with CodeSize 0 and add nothing to ``/opt``.
"""
from __future__ import annotations

import json
import logging
import re

from lowcloud.errors import AwsError
from lowcloud.services.lambda_.names import conflict, invalid, not_found, timestamp

log = logging.getLogger("lowcloud.lambda")
_LAYER_VERSION_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):layer:"
                                r"(?P<name>[a-zA-Z0-9_-]+):(?P<version>\d+)$")
MAX_LAYERS = 5


class LayersApi:
    def _layer_name(self, given: str) -> str:
        return given.rsplit(":", 1)[-1] if given.startswith("arn:") else given

    def _layer_arn(self, name: str, version: int | None = None) -> str:
        arn = f"arn:aws:lambda:{self.region}:{self.account}:layer:{name}"
        return arn if version is None else f"{arn}:{version}"

    def publish_layer_version(self, params: dict, req) -> dict:
        self._check("PublishLayerVersion", params)
        name = self._layer_name(params["LayerName"])
        content = params.get("Content") or {}
        blob = self._upload(content, req)
        version = self.store.next_layer_version(name)
        doc = {"Content": {"Location": self._code_location(blob.code_id), "CodeSha256": blob.sha256,
                           "CodeSize": blob.size},
               "LayerArn": self._layer_arn(name), "LayerVersionArn": self._layer_arn(name, version),
               "Description": params.get("Description", ""), "CreatedDate": timestamp(self.clock.now()),
               "Version": version, "CompatibleRuntimes": params.get("CompatibleRuntimes") or [],
               "CompatibleArchitectures": params.get("CompatibleArchitectures") or [], "_code_id": blob.code_id}
        if params.get("LicenseInfo"):
            doc["LicenseInfo"] = params["LicenseInfo"]
        self.store.put_layer_version(name, version, doc)
        return self._layer_view(doc)

    def _layer_view(self, doc: dict) -> dict:
        out = {k: v for k, v in doc.items() if not k.startswith("_")}
        out["Content"] = {**doc["Content"], "Location": self._code_location(doc["_code_id"])}
        for empty in ("CompatibleRuntimes", "CompatibleArchitectures"):
            if not out.get(empty):
                out.pop(empty, None)
        return out

    def _layer_doc(self, name: str, version: int) -> dict:
        doc = self.store.layer_version(name, version)
        if doc is None:
            raise not_found("The resource you requested does not exist.")
        return doc

    def get_layer_version(self, params: dict, req) -> dict:
        return self._layer_view(self._layer_doc(self._layer_name(params["LayerName"]), params["VersionNumber"]))

    def get_layer_version_by_arn(self, params: dict, req) -> dict:
        match = _LAYER_VERSION_ARN.match(params["Arn"])
        if match is None:
            raise invalid(f"Invalid layer version ARN: {params['Arn']}")
        return self._layer_view(self._layer_doc(match["name"], int(match["version"])))

    def delete_layer_version(self, params: dict, req) -> dict:
        self.store.delete_layer_version(self._layer_name(params["LayerName"]), params["VersionNumber"])
        return {}

    def list_layer_versions(self, params: dict, req) -> dict:
        docs = [d for d in reversed(self.store.layer_versions(self._layer_name(params["LayerName"])))
                if _compatible(d, params)]
        page, marker = self._page(docs, params, key=lambda d: str(d["Version"]))
        return {"LayerVersions": [_summary(self._layer_view(d)) for d in page], **({"NextMarker": marker} if marker else {})}

    def list_layers(self, params: dict, req) -> dict:
        newest: dict[str, dict] = {}
        for doc in self.store.layer_versions():
            if _compatible(doc, params):
                newest[doc["LayerArn"]] = doc
        docs = sorted(newest.values(), key=lambda d: d["LayerArn"])
        page, marker = self._page(docs, params, key=lambda d: d["LayerArn"])
        layers = [{"LayerName": d["LayerArn"].rsplit(":", 1)[-1], "LayerArn": d["LayerArn"],
                   "LatestMatchingVersion": _summary(self._layer_view(d))} for d in page]
        return {"Layers": layers, **({"NextMarker": marker} if marker else {})}

    # --- layer permissions ----------------------------------------------------------------------
    def add_layer_version_permission(self, params: dict, req) -> dict:
        name = self._layer_name(params["LayerName"])
        doc = self._layer_doc(name, params["VersionNumber"])
        statements = doc.setdefault("_policy", [])
        if any(s["Sid"] == params["StatementId"] for s in statements):
            raise conflict(f"The statement id ({params['StatementId']}) provided already exists. Please provide a new "
                           "statement id, or remove the existing statement.")
        principal = "*" if params["Principal"] == "*" else {"AWS": f"arn:aws:iam::{params['Principal']}:root"}
        statement = {"Sid": params["StatementId"], "Effect": "Allow", "Principal": principal,
                     "Action": params["Action"], "Resource": doc["LayerVersionArn"]}
        if params.get("OrganizationId"):
            statement["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": params["OrganizationId"]}}
        statements.append(statement)
        self.store.put_layer_version(name, doc["Version"], doc)
        return {"Statement": json.dumps(statement, separators=(",", ":")), "RevisionId": self.cloud.ids.uuid()}

    def get_layer_version_policy(self, params: dict, req) -> dict:
        doc = self._layer_doc(self._layer_name(params["LayerName"]), params["VersionNumber"])
        if not doc.get("_policy"):
            raise not_found("No policy is associated with the given resource.")
        policy = {"Version": "2012-10-17", "Id": "default", "Statement": doc["_policy"]}
        return {"Policy": json.dumps(policy, separators=(",", ":")), "RevisionId": self.cloud.ids.uuid()}

    def remove_layer_version_permission(self, params: dict, req) -> dict:
        name = self._layer_name(params["LayerName"])
        doc = self._layer_doc(name, params["VersionNumber"])
        kept = [s for s in doc.get("_policy", []) if s["Sid"] != params["StatementId"]]
        if len(kept) == len(doc.get("_policy", [])):
            raise not_found(f"Statement {params['StatementId']} is not found in resource policy.")
        doc["_policy"] = kept
        self.store.put_layer_version(name, doc["Version"], doc)
        return {}

    # --- a function's Layers ------------------------------------------------------------------------
    def _resolve_layers(self, arns: list[str]) -> tuple[list[dict], list[dict]]:
        """(public ``Layers`` entries, internal entries with code ids) for a function's layer list."""
        if len(arns) > MAX_LAYERS:
            raise invalid(f"Cannot reference more than {MAX_LAYERS} layers.")
        public, internal = [], []
        for arn in arns:
            match = _LAYER_VERSION_ARN.match(arn)
            if match is None:
                raise AwsError("ValidationException", f"1 validation error detected: Value '[{arn}]' at 'layers' "
                               "failed to satisfy constraint: Member must satisfy constraint: [Member must have length "
                               "less than or equal to 140, Member must have length greater than or equal to 1, Member "
                               "must satisfy regular expression pattern: arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:"
                               "layer:[a-zA-Z0-9-_]+:[0-9]+, Member must not be null]")
            public_entry, code_id = self._layer_entry(arn, match)
            public.append(public_entry)
            if code_id:
                internal.append({"Arn": arn, "_code_id": code_id})
        return public, internal

    def _layer_entry(self, arn: str, match) -> tuple[dict, str | None]:
        if match["account"] != self.account or match["region"] != self.region:
            log.warning("layer %s belongs to another account or region; lowcloud cannot fetch its content", arn)
            return {"Arn": arn, "CodeSize": 0}, None
        doc = self.store.layer_version(match["name"], int(match["version"]))
        if doc is None:
            raise invalid(f"Layer version {arn} does not exist.")
        return {"Arn": arn, "CodeSize": doc["Content"]["CodeSize"]}, doc["_code_id"]


def _compatible(doc: dict, params: dict) -> bool:
    runtime, arch = params.get("CompatibleRuntime"), params.get("CompatibleArchitecture")
    return ((not runtime or runtime in doc.get("CompatibleRuntimes", []))
            and (not arch or arch in doc.get("CompatibleArchitectures", [])))


def _summary(view: dict) -> dict:
    return {k: v for k, v in view.items() if k not in ("Content", "LayerArn")}
