"""Small per-function settings deploy tools read on every plan: runtime management,
recursive-loop detection, and code signing configs with their function bindings.

They are stored and answered only: lowcloud runs the machine's own runtime whatever
``UpdateRuntimeOn`` says, does not detect recursive loops, and does not check code
signatures (a function bound to a config with ``Enforce`` still deploys unsigned
zips).  Each setting is one row of the store's ``settings`` table keyed by function
(and qualifier), so deleting the function drops it; code signing configs are
region-level documents of their own.
"""
from __future__ import annotations

import string

from lowcloud.services.lambda_.names import LATEST, error, function_arn, not_found, timestamp, validation

RUNTIME = "runtime"
RECURSION = "recursion"
SIGNING = "code-signing"
CSC_ID_CHARS = string.ascii_lowercase + string.digits
UNQUALIFIED_RULE = (r"Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}"
                    r"((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)")


class ConfigsApi:
    # --- runtime management -----------------------------------------------------------------------
    def get_runtime_management_config(self, params: dict, req) -> dict:
        name, qualifier = self._split(params["FunctionName"], params.get("Qualifier"))
        self._version_doc(name, qualifier)
        doc = self.store.setting(name, RUNTIME, qualifier or LATEST) or {"UpdateRuntimeOn": "Auto"}
        return {**doc, "FunctionArn": self._runtime_arn(name, qualifier)}

    def put_runtime_management_config(self, params: dict, req) -> dict:
        name, qualifier = self._split(params["FunctionName"], params.get("Qualifier"))
        self._version_doc(name, qualifier)
        doc = {"UpdateRuntimeOn": params["UpdateRuntimeOn"]}
        if params["UpdateRuntimeOn"] == "Manual" and params.get("RuntimeVersionArn"):
            doc["RuntimeVersionArn"] = params["RuntimeVersionArn"]
        self.store.put_setting(name, RUNTIME, doc, qualifier or LATEST)
        return {**doc, "FunctionArn": self._runtime_arn(name, qualifier)}

    def _runtime_arn(self, name: str, qualifier: str | None) -> str:
        """The function's ARN, qualified only for a published version (``$LATEST`` answers unqualified)."""
        return function_arn(self.region, self.account, name, None if qualifier == LATEST else qualifier)

    # --- recursive loop detection -------------------------------------------------------------------
    def get_function_recursion_config(self, params: dict, req) -> dict:
        name = self._unqualified(params["FunctionName"])
        self._latest(name)
        return self.store.setting(name, RECURSION) or {"RecursiveLoop": "Terminate"}

    def put_function_recursion_config(self, params: dict, req) -> dict:
        name = self._unqualified(params["FunctionName"])
        self._latest(name)
        doc = {"RecursiveLoop": params["RecursiveLoop"]}
        self.store.put_setting(name, RECURSION, doc)
        return doc

    def _unqualified(self, ref: str) -> str:
        name, qualifier = self._split(ref)
        if qualifier:
            raise validation(ref, "functionName", UNQUALIFIED_RULE)
        return name

    # --- code signing configs -------------------------------------------------------------------------
    def create_code_signing_config(self, params: dict, req) -> dict:
        csc_id = "csc-" + self.cloud.ids.chars(17, CSC_ID_CHARS)
        arn = f"arn:aws:lambda:{self.region}:{self.account}:code-signing-config:{csc_id}"
        policies = params.get("CodeSigningPolicies") or {}
        doc = {"CodeSigningConfigId": csc_id, "CodeSigningConfigArn": arn, "Description": params.get("Description", ""),
               "AllowedPublishers": params["AllowedPublishers"],
               "CodeSigningPolicies": {"UntrustedArtifactOnDeployment": policies.get("UntrustedArtifactOnDeployment",
                                                                                     "Warn")},
               "LastModified": timestamp(self.clock.now())}
        self.store.put_signing_config(arn, doc)
        if params.get("Tags"):
            self.store.put_tags(arn, dict(params["Tags"]))
        return {"CodeSigningConfig": doc}

    def get_code_signing_config(self, params: dict, req) -> dict:
        return {"CodeSigningConfig": self._signing_config(params["CodeSigningConfigArn"])}

    def update_code_signing_config(self, params: dict, req) -> dict:
        doc = self._signing_config(params["CodeSigningConfigArn"])
        for field in ("Description", "AllowedPublishers"):
            if params.get(field) is not None:
                doc[field] = params[field]
        if (params.get("CodeSigningPolicies") or {}).get("UntrustedArtifactOnDeployment"):
            doc["CodeSigningPolicies"] = {"UntrustedArtifactOnDeployment":
                                          params["CodeSigningPolicies"]["UntrustedArtifactOnDeployment"]}
        doc["LastModified"] = timestamp(self.clock.now())
        self.store.put_signing_config(doc["CodeSigningConfigArn"], doc)
        return {"CodeSigningConfig": doc}

    def delete_code_signing_config(self, params: dict, req) -> dict:
        arn = self._signing_config(params["CodeSigningConfigArn"])["CodeSigningConfigArn"]
        self.store.put_signing_config(arn, None)
        self.store.put_tags(arn, {})
        return {}

    def list_code_signing_configs(self, params: dict, req) -> dict:
        page, marker = self._page(self.store.signing_configs(), params, key=lambda d: d["CodeSigningConfigArn"])
        return {"CodeSigningConfigs": page, **({"NextMarker": marker} if marker else {})}

    def list_functions_by_code_signing_config(self, params: dict, req) -> dict:
        arn = self._signing_config(params["CodeSigningConfigArn"])["CodeSigningConfigArn"]
        arns = [function_arn(self.region, self.account, name) for name, doc in self.store.settings_of_kind(SIGNING)
                if doc["CodeSigningConfigArn"] == arn]
        page, marker = self._page(arns, params, key=lambda a: a)
        return {"FunctionArns": page, **({"NextMarker": marker} if marker else {})}

    def _signing_config(self, arn: str) -> dict:
        doc = self.store.signing_config(arn)
        if doc is None:
            raise not_found(f"The Lambda code signing configuration {arn} can not be found.")
        return doc

    # --- a function's code signing config ------------------------------------------------------------
    def put_function_code_signing_config(self, params: dict, req) -> dict:
        arn = params["CodeSigningConfigArn"]
        self._require_signing_config(arn)
        name = self._unqualified(params["FunctionName"])
        self._latest(name)
        self._bind_signing_config(name, arn)
        return {"CodeSigningConfigArn": arn, "FunctionName": name}

    def _require_signing_config(self, arn: str) -> None:
        if self.store.signing_config(arn) is None:
            raise error("CodeSigningConfigNotFoundException", "The code signing configuration cannot be found. Check "
                                                              f"that the provided configuration is not deleted: {arn}.")

    def _bind_signing_config(self, name: str, arn: str) -> None:
        self.store.put_setting(name, SIGNING, {"CodeSigningConfigArn": arn})

    def get_function_code_signing_config(self, params: dict, req) -> dict:
        """A function without a config answers an empty document (200), as Lambda does."""
        name = self._unqualified(params["FunctionName"])
        self._latest(name)
        doc = self.store.setting(name, SIGNING)
        return {} if doc is None else {"CodeSigningConfigArn": doc["CodeSigningConfigArn"], "FunctionName": name}

    def delete_function_code_signing_config(self, params: dict, req) -> dict:
        name = self._unqualified(params["FunctionName"])
        self._latest(name)
        self.store.put_setting(name, SIGNING, None)
        return {}
