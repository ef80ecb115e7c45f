"""Managed policies, their versions, and attaching them to roles and users.

Customer policies are rows; AWS managed ones come from ``aws_managed`` and
are read-only.  Either kind can be attached.  Counts shown by GetPolicy
(AttachmentCount) are computed from the attachments table, never stored, so
they cannot drift.
"""
from __future__ import annotations

import re

from lowcloud.errors import AwsError
from lowcloud.services.base import Request
from lowcloud.services.iam import aws_managed, documents
from lowcloud.services.iam.common import (already_exists, check, date, delete_conflict, encoded, found,
                                          limit_exceeded, new_id, no_such_entity, on_path, page, path_of, tag_list)
from lowcloud.services.iam.roles import modifiable_role_name, role_name
from lowcloud.services.iam.store import Policy

POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}|aws):policy/")
MAX_VERSIONS = 5
ENTITY_NOUNS = {"role": "Role", "user": "User", "group": "Group"}
MAX_ATTACHED = {"role": ("PoliciesPerRole", 10), "user": ("PoliciesPerUser", 10), "group": ("PoliciesPerGroup", 10)}


def policy_arn(svc, params: dict) -> str:
    """The ARN of the customer managed policy a request's PolicyArn names (NoSuchEntity when absent)."""
    return svc.policy_or_404(params["PolicyArn"]).arn


# Attach/Detach/ListAttached<Noun>Policies, the same for roles and users; ``owner(svc, params)``
# names the entity after the model check.
def attach_operation(noun: str, kind: str, owner):
    def operation(self, params: dict, req) -> dict:
        check(f"Attach{noun}Policy", params)
        self.attach(kind, owner(self, params), params["PolicyArn"])
        return {}
    return operation


def detach_operation(noun: str, kind: str, owner):
    def operation(self, params: dict, req) -> dict:
        check(f"Detach{noun}Policy", params)
        self.detach(kind, owner(self, params), params["PolicyArn"])
        return {}
    return operation


def list_attached_operation(noun: str, kind: str, owner):
    def operation(self, params: dict, req) -> dict:
        check(f"ListAttached{noun}Policies", params)
        return self.attached_out(kind, owner(self, params), params)
    return operation


class PolicyOps:
    def policy_or_404(self, arn: str) -> Policy:
        return found(self.store.policy(arn), f"Policy {arn} was not found.")

    def attachable_or_404(self, arn: str):
        return found(self.store.policy(arn) or aws_managed.find(arn), f"Policy {arn} does not exist or is not "
                                                                       "attachable.")

    def policy_out(self, policy, full: bool = False) -> dict:
        managed = isinstance(policy, aws_managed.ManagedPolicy)
        out = {"PolicyName": policy.name, "PolicyId": policy.policy_id if managed else policy.id,
               "Arn": policy.arn, "Path": policy.path,
               "DefaultVersionId": policy.version if managed else policy.default_version,
               "AttachmentCount": len(self.store.attachments_of(policy.arn)),
               "PermissionsBoundaryUsageCount": self.store.boundary_usage(policy.arn),
               "IsAttachable": True, "CreateDate": policy.created if managed else date(policy.created),
               "UpdateDate": policy.updated if managed else date(policy.updated)}
        if full and policy.description:
            out["Description"] = policy.description
        tags = [] if managed else self.store.tags("policy", policy.arn)
        if full and tags:
            out["Tags"] = tag_list(tags)
        return out

    def create_policy(self, params: dict, req: Request) -> dict:
        check("CreatePolicy", params)
        document = params["PolicyDocument"]
        self.check_managed_document(document)
        tags = self.checked_tags(params.get("Tags") or [])
        path, now = path_of(params), self.now()
        arn = self.arn(f"policy{path}{params['PolicyName']}")
        row = {"arn": arn, "name": params["PolicyName"], "id": new_id(self.cloud.ids, "ANPA"), "path": path,
               "description": params.get("Description"), "created": now, "updated": now,
               "default_version": "v1", "next_version": 1}
        if not self.store.insert("policies", row):
            raise already_exists(f"A policy called {params['PolicyName']} already exists. "
                                 "Duplicate names are not allowed.")
        self.store.add_version(arn, document, now, make_default=True)
        self.store.tag("policy", arn, tags)
        out = self.policy_out(self.store.policy(arn))
        if tags:
            out["Tags"] = tag_list(self.store.tags("policy", arn))
        return {"Policy": out}

    @staticmethod
    def check_managed_document(document: str) -> None:
        documents.check_identity_policy(document)
        if documents.size(document) > documents.MANAGED_POLICY_QUOTA:
            raise limit_exceeded(f"Cannot exceed quota for PolicySize: {documents.MANAGED_POLICY_QUOTA}")

    def get_policy(self, params: dict, req: Request) -> dict:
        check("GetPolicy", params)
        arn = params["PolicyArn"]
        policy = found(self.store.policy(arn) or aws_managed.find(arn), f"Policy {arn} was not found.")
        return {"Policy": self.policy_out(policy, full=True)}

    def list_policies(self, params: dict, req: Request) -> dict:
        check("ListPolicies", params)
        scope = params.get("Scope", "All")
        chosen = ([] if scope == "AWS" else self.store.policies()) + ([] if scope == "Local" else aws_managed.every())
        listed = [self.policy_out(p) for p in sorted(on_path(chosen, params), key=lambda p: p.name.lower())]
        if params.get("OnlyAttached"):
            listed = [p for p in listed if p["AttachmentCount"]]
        return page(listed, params, lambda p: p["PolicyName"].lower(), "Policies")

    def delete_policy(self, params: dict, req: Request) -> dict:
        check("DeletePolicy", params)
        policy = self.policy_or_404(params["PolicyArn"])
        if self.store.attachments_of(policy.arn) or self.store.boundary_usage(policy.arn):
            raise delete_conflict("Cannot delete a policy attached to entities.")
        if len(self.store.versions(policy.arn)) > 1:
            raise delete_conflict("This policy has more than one version. Before you delete a policy, you must "
                                  "delete the policy's versions. The default version is deleted with the policy.")
        self.store.delete_policy(policy.arn)
        return {}

    # --- versions -------------------------------------------------------------
    def create_policy_version(self, params: dict, req: Request) -> dict:
        check("CreatePolicyVersion", params)
        policy = self.policy_or_404(params["PolicyArn"])
        self.check_managed_document(params["PolicyDocument"])
        if len(self.store.versions(policy.arn)) >= MAX_VERSIONS:
            raise limit_exceeded("A managed policy can have up to 5 versions. Before you create a new version, "
                                 "you must delete an existing version.")
        now, default = self.now(), bool(params.get("SetAsDefault"))
        version = self.store.add_version(policy.arn, params["PolicyDocument"], now, default)
        return {"PolicyVersion": {"VersionId": version, "IsDefaultVersion": default, "CreateDate": date(now)}}

    def get_policy_version(self, params: dict, req: Request) -> dict:
        check("GetPolicyVersion", params)
        arn, wanted = params["PolicyArn"], params["VersionId"]
        managed = aws_managed.find(arn)
        if managed is not None and managed.version == wanted:
            return {"PolicyVersion": {"Document": encoded(managed.document), "VersionId": wanted,
                                      "IsDefaultVersion": True, "CreateDate": managed.updated}}
        policy = self.store.policy(arn)
        version = next((v for v in self.store.versions(arn) if v[0] == wanted), None) if policy else None
        if version is None:
            raise no_such_entity(f"Policy {arn} version {wanted} does not exist or is not attachable.")
        return {"PolicyVersion": {"Document": encoded(version[1]), "VersionId": wanted,
                                  "IsDefaultVersion": wanted == policy.default_version,
                                  "CreateDate": date(version[2])}}

    def list_policy_versions(self, params: dict, req: Request) -> dict:
        check("ListPolicyVersions", params)
        arn = params["PolicyArn"]
        managed = aws_managed.find(arn)
        if managed is not None:
            versions = [{"VersionId": managed.version, "IsDefaultVersion": True, "CreateDate": managed.updated}]
        else:
            policy = self.policy_or_404(arn)
            versions = [{"VersionId": v, "IsDefaultVersion": v == policy.default_version, "CreateDate": date(c)}
                        for v, _, c in self.store.versions(arn)]
        return page(versions, params, lambda v: f"{10**6 - int(v['VersionId'][1:]):07d}", "Versions")

    def set_default_policy_version(self, params: dict, req: Request) -> dict:
        check("SetDefaultPolicyVersion", params)
        policy = self.policy_or_404(params["PolicyArn"])
        if params["VersionId"] not in (v[0] for v in self.store.versions(policy.arn)):
            raise no_such_entity(f"Policy {policy.arn} version {params['VersionId']} does not exist or is not "
                                 "attachable.")
        self.store.set_default(policy.arn, params["VersionId"], self.now())
        return {}

    def delete_policy_version(self, params: dict, req: Request) -> dict:
        check("DeletePolicyVersion", params)
        policy = self.policy_or_404(params["PolicyArn"])
        if params["VersionId"] == policy.default_version:
            raise delete_conflict("Cannot delete the default version of a policy.")
        if not self.store.delete_version(policy.arn, params["VersionId"]):
            raise no_such_entity(f"Policy {policy.arn} version {params['VersionId']} does not exist or is not "
                                 "attachable.")
        return {}

    # --- attachments ------------------------------------------------------------
    def attach(self, kind: str, owner: str, arn: str) -> None:
        if not POLICY_ARN.match(arn):
            raise AwsError("ValidationError", f"ARN {arn} is not valid.")
        self.attachable_or_404(arn)
        current = self.store.attached(kind, owner)
        quota, limit = MAX_ATTACHED[kind]
        if arn not in current and len(current) >= limit:
            raise limit_exceeded(f"Cannot exceed quota for {quota}: {limit}")
        self.store.attach(kind, owner, arn)

    def detach(self, kind: str, owner: str, arn: str) -> None:
        if not self.store.detach(kind, owner, arn):
            raise no_such_entity(f"Policy {arn} was not found.")

    def attached_out(self, kind: str, owner: str, params: dict) -> dict:
        prefix = params.get("PathPrefix") or "/"
        listed = []
        for arn in self.store.attached(kind, owner):
            policy = self.store.policy(arn) or aws_managed.find(arn)
            if policy is not None and policy.path.startswith(prefix):
                listed.append({"PolicyName": policy.name, "PolicyArn": arn})
        listed.sort(key=lambda p: p["PolicyName"].lower())
        return page(listed, params, lambda p: p["PolicyName"].lower(), "AttachedPolicies")

    attach_role_policy = attach_operation("Role", "role", modifiable_role_name)
    detach_role_policy = detach_operation("Role", "role", modifiable_role_name)
    list_attached_role_policies = list_attached_operation("Role", "role", role_name)

    def _policy_users(self, arn: str, usage: str | None) -> list[tuple[str, str]]:
        """(kind, owner) of entities holding ``arn`` as a permissions policy and/or boundary."""
        holders = [] if usage == "PermissionsBoundary" else self.store.attachments_of(arn)
        if usage != "PermissionsPolicy":
            holders += [h for h in self.store.boundary_holders(arn) if h not in holders]
        return holders

    def list_entities_for_policy(self, params: dict, req: Request) -> dict:
        check("ListEntitiesForPolicy", params)
        arn = params["PolicyArn"]
        self.attachable_or_404(arn)
        wanted, prefix = params.get("EntityFilter"), params.get("PathPrefix") or "/"
        out = {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": [], "IsTruncated": False}
        for kind, owner in self._policy_users(arn, params.get("PolicyUsageFilter")):
            noun = ENTITY_NOUNS[kind]
            entity = getattr(self.store, kind)(owner)
            if wanted in (None, noun, "LocalManagedPolicy", "AWSManagedPolicy") and entity.path.startswith(prefix):
                out[f"Policy{noun}s"].append({f"{noun}Name": entity.name, f"{noun}Id": entity.id})
        return out
