"""Groups: named sets of users holding inline and managed policies of their own.

A group is a role-less user collection: its policies reuse the same inline
and attachment factories as roles and users (kind "group"), membership is a
link table, and UpdateGroup renames everything keyed by the group's name in
one transaction.  DeleteGroup refuses while members or policies remain, in
the order IAM checks them.
"""
from __future__ import annotations

from lowcloud.services.base import Request
from lowcloud.services.iam import documents, inline
from lowcloud.services.iam.common import (already_exists, check, date, delete_conflict, found, limit_exceeded,
                                          new_id, no_such_entity, on_path, page, path_of)
from lowcloud.services.iam.policies import attach_operation, detach_operation, list_attached_operation
from lowcloud.services.iam.store import Group

GROUPS_PER_USER = 10


def group_name(svc, params: dict) -> str:
    """The stored name of the group a request's GroupName names (NoSuchEntity when absent)."""
    return svc.group_or_404(params["GroupName"]).name


def _by_name(group: dict) -> str:
    return group["GroupName"].lower()


class GroupOps:
    def group_or_404(self, name: str) -> Group:
        return found(self.store.group(name), f"The group with name {name} cannot be found.")

    def group_out(self, group: Group) -> dict:
        return {"Path": group.path, "GroupName": group.name, "GroupId": group.id,
                "Arn": self.arn(f"group{group.path}{group.name}"), "CreateDate": date(group.created)}

    def create_group(self, params: dict, req: Request) -> dict:
        check("CreateGroup", params)
        row = {"name": params["GroupName"], "id": new_id(self.cloud.ids, "AGPA"), "path": path_of(params),
               "created": self.now()}
        if not self.store.insert("groups", row):
            raise already_exists(f"Group with name {row['name']} already exists.")
        return {"Group": self.group_out(self.store.group(row["name"]))}

    def get_group(self, params: dict, req: Request) -> dict:
        check("GetGroup", params)
        group = self.group_or_404(params["GroupName"])
        users = [self.user_out(u, listing=True) for u in self.store.members(group.name)]
        out = page(users, params, lambda u: u["UserName"].lower(), "Users")
        return {"Group": self.group_out(group), **out}

    def list_groups(self, params: dict, req: Request) -> dict:
        check("ListGroups", params)
        groups = [self.group_out(g) for g in on_path(self.store.groups(), params)]
        return page(groups, params, _by_name, "Groups")

    def list_groups_for_user(self, params: dict, req: Request) -> dict:
        check("ListGroupsForUser", params)
        user = self.user_or_404(params["UserName"])
        groups = [self.group_out(g) for g in self.store.groups(user=user.name)]
        return page(groups, params, _by_name, "Groups")

    def update_group(self, params: dict, req: Request) -> dict:
        check("UpdateGroup", params)
        group = self.group_or_404(params["GroupName"])
        new_name = params.get("NewGroupName") or group.name
        taken = self.store.group(new_name)
        if taken is not None and taken.name.lower() != group.name.lower():
            raise already_exists(f"Group with name {new_name} already exists.")
        self.store.rename_group(group.name, new_name, params.get("NewPath") or group.path)
        return {}

    def delete_group(self, params: dict, req: Request) -> dict:
        check("DeleteGroup", params)
        group = self.group_or_404(params["GroupName"])
        if self.store.members(group.name):
            raise delete_conflict("Cannot delete entity, must remove users from group first.")
        self.ensure_detached("group", group.name)
        self.store.delete_entity("group", "groups", group.name)
        return {}

    # --- membership -------------------------------------------------------------
    def add_user_to_group(self, params: dict, req: Request) -> dict:
        check("AddUserToGroup", params)
        group = self.group_or_404(params["GroupName"])
        user = self.user_or_404(params["UserName"])
        joined = {g.name.lower() for g in self.store.groups(user=user.name)}
        if group.name.lower() not in joined and len(joined) >= GROUPS_PER_USER:
            raise limit_exceeded(f"Cannot exceed quota for GroupsPerUser: {GROUPS_PER_USER}")
        self.store.membership(group.name, user.name, add=True)
        return {}

    def remove_user_from_group(self, params: dict, req: Request) -> dict:
        check("RemoveUserFromGroup", params)
        user = self.user_or_404(params["UserName"])  # IAM names a missing user before a missing group
        group = self.group_or_404(params["GroupName"])
        if not self.store.membership(group.name, user.name, add=False):
            raise no_such_entity(f"The user with name {user.name} cannot be found.")
        return {}

    # --- group policies ---------------------------------------------------------
    put_group_policy = inline.put_policy_operation("Group", "group", group_name, documents.GROUP_INLINE_QUOTA)
    get_group_policy = inline.get_policy_operation("Group", "group", group_name)
    delete_group_policy = inline.delete_policy_operation("Group", "group", group_name)
    list_group_policies = inline.list_policies_operation("Group", "group", group_name)
    attach_group_policy = attach_operation("Group", "group", group_name)
    detach_group_policy = detach_operation("Group", "group", group_name)
    list_attached_group_policies = list_attached_operation("Group", "group", group_name)
