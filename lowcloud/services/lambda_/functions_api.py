"""Function operations: create, read, update code/configuration, delete, list, concurrency.

The ``$LATEST`` configuration is one document (see ``state``).  Its ``State`` and
``LastUpdateStatus`` are derived from clock times stored with it (``_active_at``,
``_update_done_at``), so Pending -> Active and InProgress -> Successful happen on
the Cloud's clock without a timer per function.  Code arrives as ``ZipFile`` bytes,
an S3 object (read through the S3 API) or, for lowcloud's deploy layer only, an
internal ``Code={"Directory": path}`` that is zipped here.
"""
from __future__ import annotations

import json

from lowcloud.errors import AwsError
from lowcloud.services.lambda_ import code as codemod
from lowcloud.services.lambda_.names import (LATEST, conflict, error, function_arn, invalid, timestamp,
                                             validation)
from lowcloud.services.lambda_.runtimes import RESERVED
from lowcloud.services.lambda_.state import public
from lowcloud.services import constraints

PENDING_SECONDS = 0.0
UPDATE_SECONDS = 0.0
ACCOUNT_CONCURRENCY = 1000
MIN_UNRESERVED = 100
ENV_LIMIT = 4096
MAX_TIMEOUT = 900
MAX_MEMORY = 10240
STATE_FIELDS = ("State", "StateReason", "StateReasonCode", "LastUpdateStatus", "LastUpdateStatusReason",
                "LastUpdateStatusReasonCode")
CONFIG_FIELDS = ("Role", "Handler", "Description", "Timeout", "MemorySize", "Runtime", "KMSKeyArn",
                 "DeadLetterConfig", "FileSystemConfigs", "ImageConfig")


class FunctionsApi:
    # --- CreateFunction ------------------------------------------------------------------------
    def create_function(self, params: dict, req) -> dict:
        self._check("CreateFunction", params)
        name = self._plain_name(params["FunctionName"])
        if self.store.function(name):
            raise conflict(f"Function already exist: {name}")
        self._check_config(params, creating=True)
        if params.get("CodeSigningConfigArn"):
            self._require_signing_config(params["CodeSigningConfigArn"])
        blob = self._upload(params.get("Code") or {}, req)
        doc = self._new_config(name, params, blob)
        self.store.put_function(doc)
        if params.get("Tags"):
            self.store.put_tags(doc["FunctionArn"], dict(params["Tags"]))
        if params.get("CodeSigningConfigArn"):
            self._bind_signing_config(name, params["CodeSigningConfigArn"])
        if params.get("Publish"):
            return self._publish(name, "")
        return self._view(doc, just="created")

    def _new_config(self, name: str, params: dict, blob) -> dict:
        now = self.clock.now()
        doc = {"FunctionName": name, "FunctionArn": function_arn(self.region, self.account, name),
               "Runtime": params.get("Runtime"), "Role": params["Role"], "Handler": params.get("Handler"),
               "CodeSize": blob.size, "Description": params.get("Description", ""), "Timeout": params.get("Timeout", 3),
               "MemorySize": params.get("MemorySize", 128), "LastModified": timestamp(now),
               "CodeSha256": blob.sha256, "Version": LATEST,
               "TracingConfig": {"Mode": (params.get("TracingConfig") or {}).get("Mode", "PassThrough")},
               "RevisionId": self.cloud.ids.uuid(), "PackageType": "Zip",
               "Architectures": params.get("Architectures") or ["x86_64"],
               "EphemeralStorage": params.get("EphemeralStorage") or {"Size": 512},
               "SnapStart": {"ApplyOn": (params.get("SnapStart") or {}).get("ApplyOn", "None"),
                             "OptimizationStatus": "Off"},
               "LoggingConfig": self._logging_config(name, params.get("LoggingConfig")),
               "_code_id": blob.code_id, "_active_at": now + PENDING_SECONDS, "_update_done_at": now,
               "_next_version": 1}
        self._apply_optional(doc, params)
        return doc

    def _apply_optional(self, doc: dict, params: dict) -> None:
        for field in ("KMSKeyArn", "DeadLetterConfig", "FileSystemConfigs", "ImageConfig"):
            if params.get(field):
                doc[field] = params[field]
        if "VpcConfig" in params:
            vpc = params["VpcConfig"] or {}
            doc["VpcConfig"] = {"SubnetIds": vpc.get("SubnetIds", []), "SecurityGroupIds": vpc.get("SecurityGroupIds", []),
                                "Ipv6AllowedForDualStack": vpc.get("Ipv6AllowedForDualStack", False), "VpcId": ""}
        if "Environment" in params:
            variables = (params["Environment"] or {}).get("Variables") or {}
            doc["Environment"] = {"Variables": dict(variables)}
        if "Layers" in params:
            doc["Layers"], doc["_layers"] = self._resolve_layers(params["Layers"] or [])
            if not doc["Layers"]:
                doc.pop("Layers")

    @staticmethod
    def _logging_config(name: str, given: dict | None) -> dict:
        config = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}
        config.update({k: v for k, v in (given or {}).items() if v})
        return config

    # --- checks -----------------------------------------------------------------------------------
    def _check(self, operation: str, params: dict) -> None:
        constraints.check("lambda", operation, params, "ValidationException")

    def _check_config(self, params: dict, creating: bool = False) -> None:
        if creating and (params.get("PackageType") or "Zip") == "Zip":
            if not params.get("Runtime") or not params.get("Handler"):
                raise invalid("Runtime and Handler are mandatory parameters for functions created with deployment "
                              "packages.")
        if params.get("Timeout") is not None and params["Timeout"] > MAX_TIMEOUT:
            raise validation(params["Timeout"], "timeout", f"Member must have value less than or equal to {MAX_TIMEOUT}")
        if params.get("MemorySize") is not None and params["MemorySize"] > MAX_MEMORY:
            raise invalid(f"'MemorySize' value failed to satisfy constraint: Member must have value less than or "
                          f"equal to {MAX_MEMORY}")
        self._check_environment(((params.get("Environment") or {}).get("Variables")) or {})
        self._check_role(params.get("Role"))

    @staticmethod
    def _check_environment(variables: dict) -> None:
        reserved = [key for key in variables if key in RESERVED]
        if reserved:
            raise invalid("Lambda was unable to configure your environment variables because the environment variables "
                          "you have provided contains reserved keys that are currently not supported for modification. "
                          f"Reserved keys used in this request: {', '.join(reserved)}")
        measured = json.dumps(variables, separators=(",", ":"))
        if len(measured.encode()) > ENV_LIMIT:
            raise invalid("Lambda was unable to configure your environment variables because the environment variables "
                          f"you have provided exceeded the 4KB limit. String measured: {measured}")

    def _check_role(self, role: str | None) -> None:
        """Lambda must be able to assume the role: when IAM is served, the role has to exist."""
        if not role:
            return
        try:
            self.call("iam", "get_role", {"RoleName": role.rsplit("/", 1)[-1]})
        except AwsError as exc:
            if exc.code in ("NoSuchEntity", "NoSuchEntityException"):
                raise invalid("The role defined for the function cannot be assumed by Lambda.") from None

    # --- code -----------------------------------------------------------------------------------
    def _upload(self, code: dict, req) -> codemod.CodeBlob:
        if code.get("ZipFile") is not None:
            return self.code.put(bytes(code["ZipFile"]))
        if code.get("S3Bucket") and code.get("S3Key"):
            return self.code.put(self._s3_code(code))
        if code.get("Directory") and req.extra.get("internal"):
            return self.code.put(codemod.zip_directory(code["Directory"]))
        if code.get("ImageUri"):
            raise invalid("lowcloud runs Zip packages only; container images (ImageUri) are not supported")
        raise invalid("Please provide a source for function code.")

    def _s3_code(self, code: dict) -> bytes:
        params = {"Bucket": code["S3Bucket"], "Key": code["S3Key"]}
        if code.get("S3ObjectVersion"):
            params["VersionId"] = code["S3ObjectVersion"]
        try:
            body = self.call("s3", "get_object", params)["Body"]
        except AwsError as exc:
            raise invalid(f"Error occurred while GetObject. S3 Error Code: {exc.code}. S3 Error Message: "
                          f"{exc.message}") from None
        return _read_body(body)

    # --- reading ----------------------------------------------------------------------------------
    def _view(self, doc: dict, just: str | None = None) -> dict:
        """The configuration as the API shows it: State and LastUpdateStatus from the clock, or - right
        after a create (``just="created"``) or an update (``just="updated"``) - as that call answers."""
        out = public(doc)
        now = self.clock.now()
        if just == "created" or doc.get("_active_at", 0) > now:
            out.update(State="Pending", StateReason="The function is being created.", StateReasonCode="Creating")
            return out
        out["State"] = "Active"
        if just == "updated" or doc.get("_update_done_at", 0) > now:
            out.update(LastUpdateStatus="InProgress", LastUpdateStatusReason="The function is being created.",
                       LastUpdateStatusReasonCode="Creating")
        else:
            out["LastUpdateStatus"] = "Successful"
        return out

    def _listed(self, doc: dict) -> dict:
        """List operations return the configuration without the state fields (AWS: use GetFunction)."""
        return {k: v for k, v in public(doc).items() if k not in STATE_FIELDS}

    def get_function_configuration(self, params: dict, req) -> dict:
        return self._view(self._version_doc(params["FunctionName"], params.get("Qualifier")))

    def get_function(self, params: dict, req) -> dict:
        doc = self._version_doc(params["FunctionName"], params.get("Qualifier"))
        latest = self.store.function(doc["FunctionName"])
        out = {"Configuration": self._view(doc),
               "Code": {"RepositoryType": "S3", "Location": self._code_location(doc["_code_id"])}}
        tags = self.store.tags(latest["FunctionArn"])
        out["Tags"] = tags
        if latest.get("_concurrency") is not None:
            out["Concurrency"] = {"ReservedConcurrentExecutions": latest["_concurrency"]}
        return out

    def _code_location(self, code_id: str) -> str:
        base = self.cloud.endpoint_url or "http://127.0.0.1:4566"
        return f"{base}/_lowcloud/lambda/{self.region}/code/{code_id}"

    def code_zip(self, code_id: str) -> bytes:
        """The stored zip behind GetFunction's Code.Location (served by the gateway)."""
        return self.code.read(code_id)

    def list_functions(self, params: dict, req) -> dict:
        docs = []
        for latest in self.store.functions():
            docs.append(latest)
            if params.get("FunctionVersion") == "ALL":
                docs += self.store.versions(latest["FunctionName"])
        page, marker = self._page(docs, params, key=lambda d: f"{d['FunctionName']}:{d['Version']}", cap=50)
        out = {"Functions": [self._listed(d) for d in page]}
        if marker:
            out["NextMarker"] = marker
        return out

    # --- updates ----------------------------------------------------------------------------------
    def update_function_code(self, params: dict, req) -> dict:
        self._check("UpdateFunctionCode", params)
        doc = self._latest_for_update(params)
        blob = self._upload(params, req)
        if params.get("DryRun"):
            return self._view({**doc, "CodeSha256": blob.sha256, "CodeSize": blob.size})
        doc.update(CodeSha256=blob.sha256, CodeSize=blob.size, _code_id=blob.code_id)
        if params.get("Architectures"):
            doc["Architectures"] = params["Architectures"]
        self._save_update(doc)
        if params.get("Publish"):
            return self._publish(doc["FunctionName"], "")
        return self._view(doc, just="updated")

    def update_function_configuration(self, params: dict, req) -> dict:
        self._check("UpdateFunctionConfiguration", params)
        doc = self._latest_for_update(params)
        self._check_config(params)
        for field in CONFIG_FIELDS:
            if field in params:
                doc[field] = params[field]
        if "TracingConfig" in params:
            doc["TracingConfig"] = {"Mode": (params["TracingConfig"] or {}).get("Mode", "PassThrough")}
        if "LoggingConfig" in params:
            doc["LoggingConfig"] = {**doc["LoggingConfig"], **{k: v for k, v in params["LoggingConfig"].items() if v}}
        if params.get("EphemeralStorage"):
            doc["EphemeralStorage"] = params["EphemeralStorage"]
        self._apply_optional(doc, {k: v for k, v in params.items() if k in ("VpcConfig", "Environment", "Layers")})
        self._save_update(doc)
        return self._view(doc, just="updated")

    def _latest_for_update(self, params: dict) -> dict:
        name = self._plain_name(params["FunctionName"])
        doc = self._latest(name)
        self._check_revision(doc, params.get("RevisionId"))
        now = self.clock.now()
        if doc.get("_update_done_at", 0) > now:
            raise conflict(f"The operation cannot be performed at this time. An update is in progress for resource: "
                           f"{doc['FunctionArn']}")
        return doc

    def _save_update(self, doc: dict) -> None:
        now = self.clock.now()
        doc.update(LastModified=timestamp(now), RevisionId=self.cloud.ids.uuid(), _update_done_at=now + UPDATE_SECONDS)
        self.store.put_function(doc)
        self.invoker.retire(doc["FunctionName"], LATEST)

    @staticmethod
    def _check_revision(doc: dict, revision: str | None) -> None:
        if revision and revision != doc["RevisionId"]:
            raise error("PreconditionFailedException", "The Revision Id provided does not match the latest Revision "
                                                        "Id. Call the GetFunction/GetAlias API to retrieve the latest "
                                                        "Revision Id")

    # --- delete -----------------------------------------------------------------------------------
    def delete_function(self, params: dict, req) -> dict:
        name, qualifier = self._split(params["FunctionName"], params.get("Qualifier"))
        latest = self._latest(name)
        if qualifier and qualifier != LATEST:
            return self._delete_version(latest, qualifier)
        if qualifier == LATEST and params.get("Qualifier"):
            raise invalid("$LATEST version cannot be deleted without deleting the function.")
        self.store.delete_function(name)
        self.store.put_tags(latest["FunctionArn"], {})
        self.invoker.retire(name)
        return {"StatusCode": 204}

    def _delete_version(self, latest: dict, version: str) -> dict:
        name = latest["FunctionName"]
        if not version.isdigit() or self.store.version(name, version) is None:
            if not version.isdigit():
                raise invalid(f"Deletion of aliases is not supported with this API: {version}. Use DeleteAlias.")
            return {"StatusCode": 204}
        users = [a["Name"] for a in self.store.aliases(name) if _alias_uses(a, version)]
        if users:
            raise conflict(f"Unable to delete version because the following aliases reference it: {users}")
        self.store.delete_version(name, version)
        self.invoker.retire(name, version)
        return {"StatusCode": 204}

    # --- concurrency and account --------------------------------------------------------------------
    def put_function_concurrency(self, params: dict, req) -> dict:
        self._check("PutFunctionConcurrency", params)
        doc = self._latest(self._plain_name(params["FunctionName"]))
        wanted = params["ReservedConcurrentExecutions"]
        others = sum(d.get("_concurrency") or 0 for d in self.store.functions() if d["FunctionName"] != doc["FunctionName"])
        if ACCOUNT_CONCURRENCY - others - wanted < MIN_UNRESERVED:
            raise invalid("Specified ReservedConcurrentExecutions for function decreases account's "
                          f"UnreservedConcurrentExecution below its minimum value of [{MIN_UNRESERVED}].")
        doc["_concurrency"] = wanted
        self.store.put_function(doc)
        return {"ReservedConcurrentExecutions": wanted}

    def get_function_concurrency(self, params: dict, req) -> dict:
        doc = self._latest(self._plain_name(params["FunctionName"]))
        return {} if doc.get("_concurrency") is None else {"ReservedConcurrentExecutions": doc["_concurrency"]}

    def delete_function_concurrency(self, params: dict, req) -> dict:
        doc = self._latest(self._plain_name(params["FunctionName"]))
        doc.pop("_concurrency", None)
        self.store.put_function(doc)
        return {}

    def get_account_settings(self, params: dict, req) -> dict:
        functions = self.store.functions()
        reserved = sum(d.get("_concurrency") or 0 for d in functions)
        total = sum(d["CodeSize"] for d in functions) + sum(v["CodeSize"] for d in functions
                                                              for v in self.store.versions(d["FunctionName"]))
        return {"AccountLimit": {"TotalCodeSize": 80530636800, "CodeSizeUnzipped": codemod.UNZIPPED_LIMIT,
                                 "CodeSizeZipped": 52428800, "ConcurrentExecutions": ACCOUNT_CONCURRENCY,
                                 "UnreservedConcurrentExecutions": ACCOUNT_CONCURRENCY - reserved},
                "AccountUsage": {"TotalCodeSize": total, "FunctionCount": len(functions)}}


def _alias_uses(alias: dict, version: str) -> bool:
    weights = ((alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights")) or {}
    return alias["FunctionVersion"] == version or version in weights


def _read_body(body) -> bytes:
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if hasattr(body, "read"):
        return body.read()
    return b"".join(body)
