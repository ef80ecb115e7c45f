"""IAM (Query protocol, global): roles, users, policies as data; evaluation comes later.

The operations are split by what they manage (roles.py, policies.py,
users.py, groups.py, profiles.py, boundaries.py, service_linked.py,
providers.py, account.py, authorization.py) and joined here into the one
service class; this module keeps what they share: the store, the clock in whole seconds (IAM
dates have second precision), and tagging, which works the same on roles,
users, policies, instance profiles and identity providers.
"""
from __future__ import annotations

from lowcloud.errors import AwsError
from lowcloud.services.base import Request, Service
from lowcloud.services.iam.account import AccountOps
from lowcloud.services.iam.authorization import AuthorizationOps
from lowcloud.services.iam.boundaries import BoundaryOps
from lowcloud.services.iam.common import check, limit_exceeded, page, tag_list
from lowcloud.services.iam.groups import GroupOps
from lowcloud.services.iam.policies import PolicyOps, policy_arn
from lowcloud.services.iam.profiles import ProfileOps, profile_name
from lowcloud.services.iam.providers import OIDC, SAML, ProviderOps, oidc_arn, saml_arn
from lowcloud.services.iam.roles import RoleOps, role_name
from lowcloud.services.iam.service_linked import ServiceLinkedOps
from lowcloud.services.iam.store import IamStore
from lowcloud.services.iam.users import UserOps, user_name

MAX_TAGS = 50


# Tag<Noun>, Untag<Noun> and List<Noun>Tags: the same for roles, users and managed policies;
# ``owner(svc, params)`` names the entity (NoSuchEntity when absent) after the model check.
def tag_operation(noun: str, kind: str, owner):
    def operation(self, params: dict, req: Request) -> dict:
        check(f"Tag{noun}", params)
        self._tag(kind, owner(self, params), params["Tags"])
        return {}
    return operation


def untag_operation(noun: str, kind: str, owner):
    def operation(self, params: dict, req: Request) -> dict:
        check(f"Untag{noun}", params)
        self.store.untag(kind, owner(self, params), params["TagKeys"])
        return {}
    return operation


def list_tags_operation(noun: str, kind: str, owner):
    def operation(self, params: dict, req: Request) -> dict:
        check(f"List{noun}Tags", params)
        return self._tags_page(kind, owner(self, params), params)
    return operation


class IAM(RoleOps, PolicyOps, UserOps, ProfileOps, GroupOps, BoundaryOps, ServiceLinkedOps, ProviderOps,
          AccountOps, AuthorizationOps, Service):
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

    tag_role = tag_operation("Role", "role", role_name)
    untag_role = untag_operation("Role", "role", role_name)
    list_role_tags = list_tags_operation("Role", "role", role_name)
    tag_user = tag_operation("User", "user", user_name)
    untag_user = untag_operation("User", "user", user_name)
    list_user_tags = list_tags_operation("User", "user", user_name)
    tag_policy = tag_operation("Policy", "policy", policy_arn)
    untag_policy = untag_operation("Policy", "policy", policy_arn)
    list_policy_tags = list_tags_operation("Policy", "policy", policy_arn)
    tag_instance_profile = tag_operation("InstanceProfile", "instance-profile", profile_name)
    untag_instance_profile = untag_operation("InstanceProfile", "instance-profile", profile_name)
    list_instance_profile_tags = list_tags_operation("InstanceProfile", "instance-profile", profile_name)
    tag_open_id_connect_provider = tag_operation("OpenIDConnectProvider", OIDC, oidc_arn)
    untag_open_id_connect_provider = untag_operation("OpenIDConnectProvider", OIDC, oidc_arn)
    list_open_id_connect_provider_tags = list_tags_operation("OpenIDConnectProvider", OIDC, oidc_arn)
    tag_saml_provider = tag_operation("SAMLProvider", SAML, saml_arn)
    untag_saml_provider = untag_operation("SAMLProvider", SAML, saml_arn)
    list_saml_provider_tags = list_tags_operation("SAMLProvider", SAML, saml_arn)
