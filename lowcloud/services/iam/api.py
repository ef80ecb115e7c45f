"""IAM (Query protocol, global): roles, users, policies as data; evaluation comes later.

The operations are split by what they manage (roles.py, policies.py,
users.py, profiles.py) and joined here into the one service class; this
module keeps what they share: the store, the clock in whole seconds (IAM
dates have second precision), and tagging, which works the same on roles,
users, policies and instance profiles.
"""
from __future__ import annotations

from lowcloud.errors import AwsError
from lowcloud.services.base import Request, Service
from lowcloud.services.iam.common import check, limit_exceeded, page, tag_list
from lowcloud.services.iam.policies import PolicyOps
from lowcloud.services.iam.profiles import ProfileOps
from lowcloud.services.iam.roles import RoleOps
from lowcloud.services.iam.store import IamStore
from lowcloud.services.iam.users import UserOps

MAX_TAGS = 50


class IAM(RoleOps, PolicyOps, UserOps, ProfileOps, Service):
    name = "iam"
    global_service = True

    def __init__(self, cloud, region: str):
        super().__init__(cloud, region)
        self.store = IamStore(cloud.storage.database(self.db_name()))

    def now(self) -> int:
        return int(self.clock.now())

    # --- tags (roles, users, managed policies) ------------------------------------
    @staticmethod
    def checked_tags(tags: list[dict]) -> list[dict]:
        keys = [t["Key"].lower() for t in tags]
        if len(set(keys)) != len(keys):
            raise AwsError("InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
        return tags

    def _tag(self, kind: str, owner: str, tags: list[dict]) -> None:
        self.checked_tags(tags)
        keys = {k.lower() for k, _ in self.store.tags(kind, owner)} | {t["Key"].lower() for t in tags}
        if len(keys) > MAX_TAGS:
            raise limit_exceeded("The number of tags has reached the maximum limit.")
        self.store.tag(kind, owner, tags)

    def _tags_page(self, kind: str, owner: str, params: dict) -> dict:
        return page(tag_list(self.store.tags(kind, owner)), params, lambda t: t["Key"].lower(), "Tags")

    def tag_role(self, params: dict, req: Request) -> dict:
        check("TagRole", params)
        self._tag("role", self.role_or_404(params["RoleName"]).name, params["Tags"])
        return {}

    def untag_role(self, params: dict, req: Request) -> dict:
        check("UntagRole", params)
        self.store.untag("role", self.role_or_404(params["RoleName"]).name, params["TagKeys"])
        return {}

    def list_role_tags(self, params: dict, req: Request) -> dict:
        check("ListRoleTags", params)
        return self._tags_page("role", self.role_or_404(params["RoleName"]).name, params)

    def tag_user(self, params: dict, req: Request) -> dict:
        check("TagUser", params)
        self._tag("user", self.user_or_404(params["UserName"]).name, params["Tags"])
        return {}

    def untag_user(self, params: dict, req: Request) -> dict:
        check("UntagUser", params)
        self.store.untag("user", self.user_or_404(params["UserName"]).name, params["TagKeys"])
        return {}

    def list_user_tags(self, params: dict, req: Request) -> dict:
        check("ListUserTags", params)
        return self._tags_page("user", self.user_or_404(params["UserName"]).name, params)

    def tag_policy(self, params: dict, req: Request) -> dict:
        check("TagPolicy", params)
        self._tag("policy", self.policy_or_404(params["PolicyArn"]).arn, params["Tags"])
        return {}

    def untag_policy(self, params: dict, req: Request) -> dict:
        check("UntagPolicy", params)
        self.store.untag("policy", self.policy_or_404(params["PolicyArn"]).arn, params["TagKeys"])
        return {}

    def list_policy_tags(self, params: dict, req: Request) -> dict:
        check("ListPolicyTags", params)
        return self._tags_page("policy", self.policy_or_404(params["PolicyArn"]).arn, params)
