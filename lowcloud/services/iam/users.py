"""Users, their access keys, inline and attached policies.

GetUser without a name answers for the caller: the user owning the request's
access key, or the account root for any other key (lowcloud's default "test"
credentials act as root).  Secrets are 40 characters of the base64 alphabet
from the Cloud's seeded ids, shown once by CreateAccessKey.
"""
from __future__ import annotations

from lowcloud.services.base import Request
from lowcloud.services.iam import documents, inline
from lowcloud.services.iam.common import (already_exists, check, date, delete_conflict, found, limit_exceeded,
                                          new_id, no_such_entity, on_path, page, path_of, tag_list)
from lowcloud.services.iam.policies import attach_operation, detach_operation, list_attached_operation
from lowcloud.services.iam.store import User

MAX_ACCESS_KEYS = 2
KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def user_name(svc, params: dict) -> str:
    """The stored name of the user a request's UserName names (NoSuchEntity when absent)."""
    return svc.user_or_404(params["UserName"]).name


class UserOps:
    def user_or_404(self, name: str) -> User:
        return found(self.store.user(name), f"The user with name {name} cannot be found.")

    def user_out(self, user: User, listing: bool = False) -> dict:
        out = {"Path": user.path, "UserName": user.name, "UserId": user.id,
               "Arn": self.arn(f"user{user.path}{user.name}"), "CreateDate": date(user.created)}
        tags = [] if listing else self.store.tags("user", user.name)
        if tags:
            out["Tags"] = tag_list(tags)
        if user.boundary and not listing:
            out["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": user.boundary}
        return out

    def create_user(self, params: dict, req: Request) -> dict:
        check("CreateUser", params)
        tags = self.checked_tags(params.get("Tags") or [])
        if params.get("PermissionsBoundary"):
            self.boundary_or_404(params["PermissionsBoundary"])
        row = {"name": params["UserName"], "id": new_id(self.cloud.ids, "AIDA"), "path": path_of(params),
               "created": self.now(), "boundary": params.get("PermissionsBoundary")}
        if not self.store.insert("users", row):
            raise already_exists(f"User with name {params['UserName']} already exists.")
        self.store.tag("user", row["name"], tags)
        return {"User": self.user_out(self.store.user(row["name"]))}

    def get_user(self, params: dict, req: Request) -> dict:
        check("GetUser", params)
        if params.get("UserName"):
            return {"User": self.user_out(self.user_or_404(params["UserName"]))}
        key = self.store.access_key(getattr(req, "access_key", ""))
        if key is not None:
            return {"User": self.user_out(self.user_or_404(key[1]))}
        return {"User": {"UserId": self.account, "Arn": self.arn("root"), "CreateDate": date(0)}}

    def list_users(self, params: dict, req: Request) -> dict:
        check("ListUsers", params)
        users = [self.user_out(u, listing=True) for u in on_path(self.store.users(), params)]
        return page(users, params, lambda u: u["UserName"].lower(), "Users")

    def delete_user(self, params: dict, req: Request) -> dict:
        check("DeleteUser", params)
        user = self.user_or_404(params["UserName"])
        if self.store.access_keys(user.name):
            raise delete_conflict("Cannot delete entity, must delete access keys first.")
        if self.store.groups(user=user.name):
            raise delete_conflict("Cannot delete entity, must remove users from group first.")
        self.ensure_detached("user", user.name)
        self.store.delete_entity("user", "users", user.name)
        return {}

    # --- access keys ----------------------------------------------------------
    def create_access_key(self, params: dict, req: Request) -> dict:
        check("CreateAccessKey", params)
        user = self.user_or_404(params.get("UserName") or "")
        if len(self.store.access_keys(user.name)) >= MAX_ACCESS_KEYS:
            raise limit_exceeded(f"Cannot exceed quota for AccessKeysPerUser: {MAX_ACCESS_KEYS}")
        ids = self.cloud.ids
        row = {"id": "AKIA" + ids.chars(16, KEY_ALPHABET), "user": user.name,
               "secret": ids.chars(40, SECRET_ALPHABET), "status": "Active", "created": self.now()}
        self.store.insert("access_keys", row)
        return {"AccessKey": {"UserName": user.name, "AccessKeyId": row["id"], "Status": "Active",
                              "SecretAccessKey": row["secret"], "CreateDate": date(row["created"])}}

    def list_access_keys(self, params: dict, req: Request) -> dict:
        check("ListAccessKeys", params)
        user = self.user_or_404(params.get("UserName") or "")
        keys = [{"UserName": user.name, "AccessKeyId": k[0], "Status": k[3], "CreateDate": date(k[4])}
                for k in self.store.access_keys(user.name)]
        return page(keys, params, lambda k: k["AccessKeyId"], "AccessKeyMetadata")

    def get_access_key_last_used(self, params: dict, req: Request) -> dict:
        """Whose key it is; lowcloud records no use, which IAM reports as "N/A"."""
        check("GetAccessKeyLastUsed", params)
        key = self.store.access_key(params["AccessKeyId"])
        if key is None:
            raise no_such_entity(f"The Access Key with id {params['AccessKeyId']} cannot be found.")
        return {"UserName": key[1], "AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"}}

    def _own_key(self, params: dict) -> tuple:
        key = self.store.access_key(params["AccessKeyId"])
        user = params.get("UserName")
        if user:
            self.user_or_404(user)
        if key is None or (user and key[1].lower() != user.lower()):
            raise no_such_entity(f"The Access Key with id {params['AccessKeyId']} cannot be found.")
        return key

    def update_access_key(self, params: dict, req: Request) -> dict:
        check("UpdateAccessKey", params)
        key = self._own_key(params)
        self.store.set_key_status(key[0], params["Status"])
        return {}

    def delete_access_key(self, params: dict, req: Request) -> dict:
        check("DeleteAccessKey", params)
        key = self._own_key(params)
        self.store.delete_key(key[0])
        return {}

    # --- user policies ------------------------------------------------------------
    put_user_policy = inline.put_policy_operation("User", "user", user_name, documents.USER_INLINE_QUOTA)
    get_user_policy = inline.get_policy_operation("User", "user", user_name)
    delete_user_policy = inline.delete_policy_operation("User", "user", user_name)
    list_user_policies = inline.list_policies_operation("User", "user", user_name)
    attach_user_policy = attach_operation("User", "user", user_name)
    detach_user_policy = detach_operation("User", "user", user_name)
    list_attached_user_policies = list_attached_operation("User", "user", user_name)
