"""Inline policies, which roles and users hold alike: Put/Get/Delete/List<Kind>Policy.

The four operations differ between roles and users only in the owner's kind,
its name field and its size quota, so each is made once here by a small
factory and bound as a method in roles.py and users.py.  ``owner(svc,
params)`` validates and names the owning entity (NoSuchEntity when absent);
it runs after the model check, as IAM answers a bad parameter first.
"""
from __future__ import annotations

from lowcloud.services.iam import documents
from lowcloud.services.iam.common import check, encoded, limit_exceeded, no_such_entity, page


def put_policy_operation(noun: str, kind: str, owner, quota: int):
    """Put<Noun>Policy: the documents of the owner's other inline policies plus this one must fit ``quota``."""
    def operation(self, params: dict, req) -> dict:
        check(f"Put{noun}Policy", params)
        name, document = owner(self, params), params["PolicyDocument"]
        documents.check_identity_policy(document)
        others = self.store.inline_documents(kind, name)
        others.pop(next((n for n in others if n.lower() == params["PolicyName"].lower()), None), None)
        if sum(map(documents.size, others.values())) + documents.size(document) > quota:
            raise limit_exceeded(f"Maximum policy size of {quota} bytes exceeded for {kind} {name}")
        self.store.put_inline(kind, name, params["PolicyName"], document)
        return {}
    return operation


def get_policy_operation(noun: str, kind: str, owner):
    def operation(self, params: dict, req) -> dict:
        check(f"Get{noun}Policy", params)
        name = owner(self, params)
        found = self.store.inline(kind, name, params["PolicyName"])
        if found is None:
            raise _no_such_policy(kind, params)
        return {f"{noun}Name": name, "PolicyName": found[0], "PolicyDocument": encoded(found[1])}
    return operation


def delete_policy_operation(noun: str, kind: str, owner):
    def operation(self, params: dict, req) -> dict:
        check(f"Delete{noun}Policy", params)
        if not self.store.delete_inline(kind, owner(self, params), params["PolicyName"]):
            raise _no_such_policy(kind, params)
        return {}
    return operation


def list_policies_operation(noun: str, kind: str, owner):
    def operation(self, params: dict, req) -> dict:
        check(f"List{noun}Policies", params)
        return page(self.store.inline_names(kind, owner(self, params)), params, str.lower, "PolicyNames")
    return operation


def _no_such_policy(kind: str, params: dict):
    return no_such_entity(f"The {kind} policy with name {params['PolicyName']} cannot be found.")
