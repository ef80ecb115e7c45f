"""Permissions boundaries: one managed policy capping what a role or user may do.

The boundary is a column on the role or user row (set by CreateRole/CreateUser
or the Put*PermissionsBoundary operations), so a policy's
PermissionsBoundaryUsageCount is counted from those rows and cannot drift.
IAM words a missing boundary policy as a "Scope ARN", unlike attachments.
"""
from __future__ import annotations

from lowcloud.errors import AwsError
from lowcloud.services.base import Request
from lowcloud.services.iam import aws_managed
from lowcloud.services.iam.common import check, found
from lowcloud.services.iam.policies import POLICY_ARN


class BoundaryOps:
    def boundary_or_404(self, arn: str):
        if not POLICY_ARN.match(arn):
            raise AwsError("InvalidInput", f"ARN {arn} is not valid.")
        return found(self.store.policy(arn) or aws_managed.find(arn),
                     f"Scope ARN: {arn} does not exist or is not attachable.")

    def put_role_permissions_boundary(self, params: dict, req: Request) -> dict:
        check("PutRolePermissionsBoundary", params)
        role = self.modifiable_role(params["RoleName"])
        self.boundary_or_404(params["PermissionsBoundary"])
        self.store.set_boundary("roles", role.name, params["PermissionsBoundary"])
        return {}

    def delete_role_permissions_boundary(self, params: dict, req: Request) -> dict:
        check("DeleteRolePermissionsBoundary", params)
        role = self.modifiable_role(params["RoleName"])
        self.store.set_boundary("roles", role.name, None)
        return {}

    def put_user_permissions_boundary(self, params: dict, req: Request) -> dict:
        check("PutUserPermissionsBoundary", params)
        user = self.user_or_404(params["UserName"])
        self.boundary_or_404(params["PermissionsBoundary"])
        self.store.set_boundary("users", user.name, params["PermissionsBoundary"])
        return {}

    def delete_user_permissions_boundary(self, params: dict, req: Request) -> dict:
        check("DeleteUserPermissionsBoundary", params)
        user = self.user_or_404(params["UserName"])
        self.store.set_boundary("users", user.name, None)
        return {}
