"""Account-wide IAM settings: the alias, the password policy, and the summary.

The alias (at most one, as IAM allows) and the password policy are single
records; GetAccountSummary counts entities from the store and reports AWS's
default quotas beside them, so the numbers follow what the Cloud holds.
"""
from __future__ import annotations

from lowcloud.services.base import Request
from lowcloud.services.iam import documents
from lowcloud.services.iam.common import already_exists, check, limit_exceeded, no_such_entity
from lowcloud.services.iam.providers import OIDC, SAML

ACCOUNT = "account"
ALIAS = "account-alias"
PASSWORD_POLICY = "password-policy"
QUOTAS = {"UsersQuota": 5000, "GroupsQuota": 300, "RolesQuota": 1000, "PoliciesQuota": 1500,
          "InstanceProfilesQuota": 1000, "ServerCertificatesQuota": 20, "GroupsPerUserQuota": 10,
          "SigningCertificatesPerUserQuota": 2, "AccessKeysPerUserQuota": 2, "AttachedPoliciesPerGroupQuota": 10,
          "AttachedPoliciesPerRoleQuota": 10, "AttachedPoliciesPerUserQuota": 10,
          "PolicySizeQuota": documents.MANAGED_POLICY_QUOTA, "PolicyVersionsInUseQuota": 10000,
          "VersionsPerPolicyQuota": 5, "AssumeRolePolicySizeQuota": documents.TRUST_POLICY_QUOTA,
          "UserPolicySizeQuota": documents.USER_INLINE_QUOTA, "GroupPolicySizeQuota": documents.GROUP_INLINE_QUOTA,
          "RolePolicySizeQuota": documents.ROLE_INLINE_QUOTA, "GlobalEndpointTokenVersion": 1}
# UpdateAccountPasswordPolicy replaces the whole policy: what is not sent takes these values.
PASSWORD_DEFAULTS = {"MinimumPasswordLength": 6, "RequireSymbols": False, "RequireNumbers": False,
                     "RequireUppercaseCharacters": False, "RequireLowercaseCharacters": False,
                     "AllowUsersToChangePassword": False}
PASSWORD_OPTIONAL = ("MaxPasswordAge", "PasswordReusePrevention", "HardExpiry")


class AccountOps:
    # --- alias ----------------------------------------------------------------------
    def create_account_alias(self, params: dict, req: Request) -> dict:
        check("CreateAccountAlias", params)
        alias = params["AccountAlias"]
        current = self.store.records(ALIAS)
        if any(name == alias for name, _ in current):
            raise already_exists(f"The account alias {alias} already exists.")
        if current:
            raise limit_exceeded("Cannot exceed quota for AccountAliasesPerAccount: 1")
        self.store.put_record(ALIAS, alias, {"created": self.now()})
        return {}

    def delete_account_alias(self, params: dict, req: Request) -> dict:
        check("DeleteAccountAlias", params)
        if not self.store.delete_record(ALIAS, params["AccountAlias"]):
            raise no_such_entity(f"The account alias {params['AccountAlias']} cannot be found.")
        return {}

    def list_account_aliases(self, params: dict, req: Request) -> dict:
        check("ListAccountAliases", params)
        return {"AccountAliases": [name for name, _ in self.store.records(ALIAS)], "IsTruncated": False}

    # --- password policy --------------------------------------------------------------
    def update_account_password_policy(self, params: dict, req: Request) -> dict:
        check("UpdateAccountPasswordPolicy", params)
        policy = {key: params.get(key, default) for key, default in PASSWORD_DEFAULTS.items()}
        policy.update({key: params[key] for key in PASSWORD_OPTIONAL if key in params})
        self.store.put_record(ACCOUNT, PASSWORD_POLICY, policy)
        return {}

    def get_account_password_policy(self, params: dict, req: Request) -> dict:
        check("GetAccountPasswordPolicy", params)
        policy = self._password_policy_or_404()
        policy["ExpirePasswords"] = bool(policy.get("MaxPasswordAge"))
        return {"PasswordPolicy": policy}

    def delete_account_password_policy(self, params: dict, req: Request) -> dict:
        check("DeleteAccountPasswordPolicy", params)
        if not self.store.delete_record(ACCOUNT, PASSWORD_POLICY):
            raise no_such_entity("The account policy with name PasswordPolicy cannot be found.")
        return {}

    def _password_policy_or_404(self) -> dict:
        policy = self.store.record(ACCOUNT, PASSWORD_POLICY)
        if policy is None:
            raise no_such_entity(f"The Password Policy with domain name {self.account} cannot be found.")
        return policy

    # --- summary ------------------------------------------------------------------------
    def get_account_summary(self, params: dict, req: Request) -> dict:
        check("GetAccountSummary", params)
        self.finish_due_deletions()
        counts = {"Users": self.store.count("users"), "Groups": self.store.count("groups"),
                  "Roles": self.store.count("roles"), "Policies": self.store.count("policies"),
                  "InstanceProfiles": self.store.count("profiles"), "ServerCertificates": 0,
                  "PolicyVersionsInUse": self.store.count("attachments"),
                  "Providers": len(self.store.records(OIDC)) + len(self.store.records(SAML)),
                  "MFADevices": 0, "MFADevicesInUse": 0, "AccountMFAEnabled": 0, "AccountAccessKeysPresent": 0,
                  "AccountSigningCertificatesPresent": 0,
                  "AccountPasswordPresent": 0}
        return {"SummaryMap": {**counts, **QUOTAS}}
