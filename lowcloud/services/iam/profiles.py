"""Instance profiles: a named holder for at most one role.

Nothing runs EC2 here, but Terraform and CloudFormation ask for them (and
Terraform lists a role's profiles before deleting the role), so they are kept
as data with IAM's quota of one role per profile.
"""
from __future__ import annotations

from lowcloud.services.base import Request
from lowcloud.services.iam.common import (already_exists, check, date, delete_conflict, found, limit_exceeded,
                                          new_id, no_such_entity, on_path, page, path_of, tag_list)
from lowcloud.services.iam.store import Profile


def profile_name(svc, params: dict) -> str:
    """The stored name of the instance profile a request names (NoSuchEntity when absent)."""
    return svc.profile_or_404(params["InstanceProfileName"]).name


class ProfileOps:
    def profile_or_404(self, name: str) -> Profile:
        return found(self.store.profile(name), f"Instance Profile {name} cannot be found.")

    def profile_out(self, profile: Profile, all_tags: bool = False) -> dict:
        """The InstanceProfile shape; GetInstanceProfile (``all_tags``) shows Tags even when empty."""
        roles = [self.profile_role_out(r) for r in self.store.profile_roles(profile.name)]
        out = {"Path": profile.path, "InstanceProfileName": profile.name, "InstanceProfileId": profile.id,
               "Arn": self.arn(f"instance-profile{profile.path}{profile.name}"),
               "CreateDate": date(profile.created), "Roles": roles}
        tags = self.store.tags("instance-profile", profile.name)
        if tags or all_tags:
            out["Tags"] = tag_list(tags)
        return out

    def profile_role_out(self, name: str) -> dict:
        """A role as instance profiles show it: without MaxSessionDuration."""
        out = self.role_out(self.store.role(name), listing=True)
        out.pop("MaxSessionDuration")
        return out

    def create_instance_profile(self, params: dict, req: Request) -> dict:
        check("CreateInstanceProfile", params)
        tags = self.checked_tags(params.get("Tags") or [])
        row = {"name": params["InstanceProfileName"], "id": new_id(self.cloud.ids, "AIPA"),
               "path": path_of(params), "created": self.now()}
        if not self.store.insert("profiles", row):
            raise already_exists(f"Instance Profile {row['name']} already exists.")
        self.store.tag("instance-profile", row["name"], tags)
        return {"InstanceProfile": self.profile_out(self.store.profile(row["name"]))}

    def get_instance_profile(self, params: dict, req: Request) -> dict:
        check("GetInstanceProfile", params)
        profile = self.profile_or_404(params["InstanceProfileName"])
        return {"InstanceProfile": self.profile_out(profile, all_tags=True)}

    def delete_instance_profile(self, params: dict, req: Request) -> dict:
        check("DeleteInstanceProfile", params)
        profile = self.profile_or_404(params["InstanceProfileName"])
        if self.store.profile_roles(profile.name):
            raise delete_conflict("Cannot delete entity, must remove roles from instance profile first.")
        self.store.delete_entity("instance-profile", "profiles", profile.name)
        return {}

    def add_role_to_instance_profile(self, params: dict, req: Request) -> dict:
        check("AddRoleToInstanceProfile", params)
        profile = self.profile_or_404(params["InstanceProfileName"])
        role = self.role_or_404(params["RoleName"])
        if self.store.profile_roles(profile.name):
            raise limit_exceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
        self.store.link(profile.name, role.name, add=True)
        return {}

    def remove_role_from_instance_profile(self, params: dict, req: Request) -> dict:
        check("RemoveRoleFromInstanceProfile", params)
        profile = self.profile_or_404(params["InstanceProfileName"])
        role = self.role_or_404(params["RoleName"])
        if not self.store.link(profile.name, role.name, add=False):
            raise no_such_entity(f"The role with name {role.name} cannot be found in instance profile "
                                 f"{profile.name}.")
        return {}

    def list_instance_profiles(self, params: dict, req: Request) -> dict:
        check("ListInstanceProfiles", params)
        listed = [self.profile_out(p) for p in on_path(self.store.profiles(), params)]
        return page(listed, params, lambda p: p["InstanceProfileName"].lower(), "InstanceProfiles")

    def list_instance_profiles_for_role(self, params: dict, req: Request) -> dict:
        check("ListInstanceProfilesForRole", params)
        role = self.role_or_404(params["RoleName"])
        listed = [self.profile_out(p) for p in self.store.profiles(role=role.name)]
        return page(listed, params, lambda p: p["InstanceProfileName"].lower(), "InstanceProfiles")
