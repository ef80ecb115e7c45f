"""Resource-based policies (AddPermission / GetPolicy / RemovePermission) and tags.

A function's (or version's, or alias's) policy is kept as the JSON document
GetPolicy returns, built statement by statement the way Lambda writes them:
service principals as ``{"Service": ...}``, account ids as the account's root ARN,
SourceAccount / SourceArn as ``StringEquals`` / ``ArnLike`` conditions.  Policies
are data here; evaluating them on invoke is not done (IAM evaluation comes later).
"""
from __future__ import annotations

import json
import re

from lowcloud.services.lambda_.names import arn_parts, conflict, function_arn, invalid, not_found

_ACCOUNT = re.compile(r"^\d{12}$")


def principal_of(principal: str):
    if principal == "*":
        return "*"
    if _ACCOUNT.match(principal):
        return {"AWS": f"arn:aws:iam::{principal}:root"}
    if principal.startswith("arn:"):
        return {"AWS": principal}
    return {"Service": principal}


def statement_for(params: dict, resource: str) -> dict:
    statement = {"Sid": params["StatementId"], "Effect": "Allow", "Principal": principal_of(params["Principal"]),
                 "Action": params["Action"], "Resource": resource}
    equals = {}
    if params.get("SourceAccount"):
        equals["AWS:SourceAccount"] = params["SourceAccount"]
    if params.get("EventSourceToken"):
        equals["lambda:EventSourceToken"] = params["EventSourceToken"]
    if params.get("PrincipalOrgID"):
        equals["aws:PrincipalOrgID"] = params["PrincipalOrgID"]
    if params.get("FunctionUrlAuthType"):
        equals["lambda:FunctionUrlAuthType"] = params["FunctionUrlAuthType"]
    condition = {"StringEquals": equals} if equals else {}
    if params.get("SourceArn"):
        condition["ArnLike"] = {"AWS:SourceArn": params["SourceArn"]}
    if condition:
        statement["Condition"] = condition
    return statement


class PolicyApi:
    def _policy_target(self, params: dict) -> tuple[str, str, dict]:
        name, qualifier = self._split(params["FunctionName"], params.get("Qualifier"))
        doc = self._version_doc(name, qualifier)
        return name, qualifier or "", doc

    def add_permission(self, params: dict, req) -> dict:
        self._check("AddPermission", params)
        name, qualifier, doc = self._policy_target(params)
        self._check_revision(doc, params.get("RevisionId"))
        policy = self.store.policy(name, qualifier) or {"Version": "2012-10-17", "Id": "default", "Statement": []}
        if any(s["Sid"] == params["StatementId"] for s in policy["Statement"]):
            raise conflict(f"The statement id ({params['StatementId']}) provided already exists. Please provide a new "
                           "statement id, or remove the existing statement.")
        resource = function_arn(self.region, self.account, name, qualifier or None)
        statement = statement_for(params, resource)
        policy["Statement"].append(statement)
        self.store.put_policy(name, qualifier, policy)
        return {"Statement": json.dumps(statement, separators=(",", ":"))}

    def get_policy(self, params: dict, req) -> dict:
        name, qualifier, doc = self._policy_target(params)
        policy = self.store.policy(name, qualifier)
        if not policy or not policy["Statement"]:
            raise not_found("The resource you requested does not exist.")
        return {"Policy": json.dumps(policy, separators=(",", ":")), "RevisionId": doc["RevisionId"]}

    def remove_permission(self, params: dict, req) -> dict:
        name, qualifier, doc = self._policy_target(params)
        self._check_revision(doc, params.get("RevisionId"))
        policy = self.store.policy(name, qualifier)
        kept = [s for s in (policy or {}).get("Statement", []) if s["Sid"] != params["StatementId"]]
        if policy is None or len(kept) == len(policy["Statement"]):
            raise not_found(f"Statement {params['StatementId']} is not found in resource policy.")
        policy["Statement"] = kept
        self.store.put_policy(name, qualifier, policy if kept else None)
        return {}

    # --- tags -------------------------------------------------------------------------------------
    def _taggable(self, arn: str) -> str:
        parts = arn_parts(arn)
        if len(parts) < 6 or parts[2] != "lambda":
            raise invalid(f"1 validation error detected: Value '{arn}' at 'resource' failed to satisfy constraint: "
                          "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}"
                          r"((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:(function:[a-zA-Z0-9-_]+(:(\$LATEST|"
                          r"[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|code-signing-config:csc-[a-z0-9]{17}|"
                          "event-source-mapping:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")
        resource = parts[5]
        if resource.startswith("event-source-mapping:"):
            if self.store.mapping(resource.split(":", 1)[1]) is None:
                raise not_found(f"Event source mapping not found: {arn}")
            return arn
        name, qualifier = self._split(arn)
        if qualifier:
            raise invalid("Tags on function aliases and versions are not supported. Please specify a function ARN.")
        return self._latest(name)["FunctionArn"]

    def tag_resource(self, params: dict, req) -> dict:
        arn = self._taggable(params["Resource"])
        tags = self.store.tags(arn)
        tags.update(params.get("Tags") or {})
        self.store.put_tags(arn, tags)
        return {}

    def untag_resource(self, params: dict, req) -> dict:
        arn = self._taggable(params["Resource"])
        tags = {k: v for k, v in self.store.tags(arn).items() if k not in set(params.get("TagKeys") or [])}
        self.store.put_tags(arn, tags)
        return {}

    def list_tags(self, params: dict, req) -> dict:
        return {"Tags": self.store.tags(self._taggable(params["Resource"]))}

