"""Roles and their inline policies: CreateRole ... DeleteRolePolicy.

A role keeps its trust policy exactly as sent; every output URL-encodes it
(botocore decodes it back into a dict for boto3 callers, the CLI prints the
dict).  DeleteRole refuses while anything still hangs off the role, naming
the first thing to remove as IAM does.  Service-linked (/aws-service-role/)
and Identity Center (/aws-reserved/) roles belong to AWS: every change but
their description is UnmodifiableEntity.
"""
from __future__ import annotations

from lowcloud.errors import AwsError
from lowcloud.services.base import Request
from lowcloud.services.iam import documents, inline
from lowcloud.services.iam.common import (already_exists, check, date, delete_conflict, encoded, found, new_id,
                                          on_path, page, path_of, tag_list)
from lowcloud.services.iam.store import Role

SERVICE_LINKED_PATH = "/aws-service-role/"
RESERVED_PATH = "/aws-reserved/"


def role_name(svc, params: dict) -> str:
    """The stored name of the role a request's RoleName names (NoSuchEntity when absent)."""
    return svc.role_or_404(params["RoleName"]).name


def modifiable_role_name(svc, params: dict) -> str:
    """As ``role_name``, but UnmodifiableEntity for a service-linked role (only its service changes it)."""
    return svc.modifiable_role(params["RoleName"]).name


def is_service_linked(role: Role) -> bool:
    return role.path.startswith(SERVICE_LINKED_PATH)


def is_protected(role: Role) -> bool:
    """Service-linked roles and IAM Identity Center's /aws-reserved/ roles: only AWS changes them."""
    return is_service_linked(role) or role.path.startswith(RESERVED_PATH)


class RoleOps:
    def role_or_404(self, name: str) -> Role:
        self.finish_due_deletions()
        return found(self.store.role(name), f"The role with name {name} cannot be found.")

    def modifiable_role(self, name: str) -> Role:
        role = self.role_or_404(name)
        if is_protected(role):
            raise AwsError("UnmodifiableEntity", f"Cannot perform the operation on the protected role "
                                                 f"'{role.name}' - this role is only modifiable by AWS")
        return role

    def role_arn(self, role: Role) -> str:
        return self.arn(f"role{role.path}{role.name}")

    def role_out(self, role: Role, listing: bool = False) -> dict:
        out = {"Path": role.path, "RoleName": role.name, "RoleId": role.id, "Arn": self.role_arn(role),
               "CreateDate": date(role.created), "AssumeRolePolicyDocument": encoded(role.trust),
               "MaxSessionDuration": role.max_session}
        if role.description is not None:
            out["Description"] = role.description
        if listing:
            return out
        if role.boundary:
            out["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": role.boundary}
        tags = self.store.tags("role", role.name)
        if tags:
            out["Tags"] = tag_list(tags)
        out["RoleLastUsed"] = {}
        return out

    def create_role(self, params: dict, req: Request) -> dict:
        check("CreateRole", params)
        documents.check_trust_policy(params["AssumeRolePolicyDocument"])
        tags = self.checked_tags(params.get("Tags") or [])
        if params.get("PermissionsBoundary"):
            self.boundary_or_404(params["PermissionsBoundary"])
        row = {"name": params["RoleName"], "id": new_id(self.cloud.ids, "AROA"), "path": path_of(params),
               "created": self.now(), "trust": params["AssumeRolePolicyDocument"],
               "description": params.get("Description"), "max_session": params.get("MaxSessionDuration", 3600),
               "boundary": params.get("PermissionsBoundary")}
        if not self.store.insert("roles", row):
            raise already_exists(f"Role with name {params['RoleName']} already exists.")
        self.store.tag("role", row["name"], tags)
        return {"Role": self.compact_role_out(row["name"])}

    def compact_role_out(self, name: str) -> dict:
        """The role as CreateRole and UpdateRoleDescription answer: without MaxSessionDuration, RoleLastUsed."""
        out = self.role_out(self.store.role(name))
        out.pop("RoleLastUsed")
        out.pop("MaxSessionDuration")
        return out

    def check_session_change(self, role: Role) -> None:
        """MaxSessionDuration is AWS's to set on protected roles (its own wording for service-linked ones)."""
        if is_service_linked(role):
            raise AwsError("UnmodifiableEntity", f"{role.name} is an AWS service linked role, max session duration "
                                                 "cannot be changed.")
        self.modifiable_role(role.name)

    def get_role(self, params: dict, req: Request) -> dict:
        check("GetRole", params)
        return {"Role": self.role_out(self.role_or_404(params["RoleName"]))}

    def list_roles(self, params: dict, req: Request) -> dict:
        check("ListRoles", params)
        self.finish_due_deletions()
        roles = [self.role_out(r, listing=True) for r in on_path(self.store.roles(), params)]
        return page(roles, params, lambda r: r["RoleName"].lower(), "Roles")

    def update_role(self, params: dict, req: Request) -> dict:
        check("UpdateRole", params)
        role = self.role_or_404(params["RoleName"])
        if "MaxSessionDuration" in params:
            self.check_session_change(role)
        fields = {}
        if "Description" in params:
            fields["description"] = params["Description"]
        if "MaxSessionDuration" in params:
            fields["max_session"] = params["MaxSessionDuration"]
        if fields:
            self.store.update_role(role.name, **fields)
        return {}

    def update_role_description(self, params: dict, req: Request) -> dict:
        check("UpdateRoleDescription", params)
        role = self.role_or_404(params["RoleName"])
        self.store.update_role(role.name, description=params["Description"])
        return {"Role": self.compact_role_out(role.name)}

    def update_assume_role_policy(self, params: dict, req: Request) -> dict:
        check("UpdateAssumeRolePolicy", params)
        role = self.modifiable_role(params["RoleName"])
        documents.check_trust_policy(params["PolicyDocument"])
        self.store.update_role(role.name, trust=params["PolicyDocument"])
        return {}

    def delete_role(self, params: dict, req: Request) -> dict:
        check("DeleteRole", params)
        role = self.modifiable_role(params["RoleName"])
        if self.store.profiles(role=role.name):
            raise delete_conflict("Cannot delete entity, must remove roles from instance profile first.")
        self.ensure_detached("role", role.name)
        self.store.delete_entity("role", "roles", role.name)
        return {}

    def ensure_detached(self, kind: str, owner: str) -> None:
        if self.store.attached(kind, owner):
            raise delete_conflict("Cannot delete entity, must detach all policies first.")
        if self.store.inline_names(kind, owner):
            raise delete_conflict("Cannot delete entity, must delete policies first.")

    # --- inline role policies -------------------------------------------------
    put_role_policy = inline.put_policy_operation("Role", "role", modifiable_role_name, documents.ROLE_INLINE_QUOTA)
    get_role_policy = inline.get_policy_operation("Role", "role", role_name)
    delete_role_policy = inline.delete_policy_operation("Role", "role", modifiable_role_name)
    list_role_policies = inline.list_policies_operation("Role", "role", role_name)
