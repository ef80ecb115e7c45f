"""Account-level resource policies: PutResourcePolicy / DescribeResourcePolicies / DeleteResourcePolicy.

AWS keeps at most 10 per account and region (a hard quota answered with
LimitExceededException "Resource limit exceeded."); replacing a policy of the
same name does not count against it.  The document must be JSON; its size limit
is the model's and is enforced by the constraint check.  Policies live in the
store's ``docs`` table under the empty group.
"""
from __future__ import annotations

import json

from lowcloud.errors import AwsError
from lowcloud.services.base import Request
from lowcloud.services.logs.events import invalid
from lowcloud.services.logs.filters_api import limit_exceeded, paged

POLICY = "policy"
MAX_POLICIES = 10


class PoliciesApi:
    def put_resource_policy(self, params: dict, req: Request) -> dict:
        self._check("PutResourcePolicy", params)
        name, document = params.get("policyName"), params.get("policyDocument")
        if not name or not document:
            raise invalid("policyName and policyDocument are required.")
        self._check_policy_document(document)
        if self.store.doc(POLICY, "", name) is None and self.store.count_docs(POLICY, "") >= MAX_POLICIES:
            raise limit_exceeded()
        policy = {"policyName": name, "policyDocument": document, "lastUpdatedTime": self.now_ms(),
                  "policyScope": "ACCOUNT"}
        self.store.put_doc(POLICY, "", name, policy)
        return {"resourcePolicy": policy}

    @staticmethod
    def _check_policy_document(document: str) -> None:
        try:
            parsed = json.loads(document)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise invalid("Policy document is not valid JSON.")

    def describe_resource_policies(self, params: dict, req: Request) -> dict:
        self._check("DescribeResourcePolicies", params)
        scope = params.get("policyScope") or "ACCOUNT"  # only account-level policies are kept here
        policies = self.store.docs(POLICY, "") if scope == "ACCOUNT" else []
        return paged("resourcePolicies", policies, lambda p: p["policyName"], params)

    def delete_resource_policy(self, params: dict, req: Request) -> dict:
        self._check("DeleteResourcePolicy", params)
        name = params.get("policyName") or ""
        if not self.store.drop_doc(POLICY, "", name):
            raise AwsError("ResourceNotFoundException", f"Policy with name [{name}] does not exist")
        return {}
