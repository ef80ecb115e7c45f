"""Snapshots of who may do what: GetAccountAuthorizationDetails and context keys.

GetAccountAuthorizationDetails lists users, groups, roles and managed
policies (customer ones, plus AWS managed ones that something uses, as IAM
does) with their relationships, as one list paged by a single Marker across
the four sections.  The context-key operations list the keys a policy reads
(Condition keys and ${policy variables}), as IAM does; nothing is evaluated.
"""
from __future__ import annotations

import re

from lowcloud.errors import AwsError
from lowcloud.services.base import Request
from lowcloud.services.iam import aws_managed, documents
from lowcloud.services.iam.common import DEFAULT_MAX_ITEMS, check, encoded, page

SECTIONS = (("User", "UserDetailList"), ("Group", "GroupDetailList"), ("Role", "RoleDetailList"),
            ("LocalManagedPolicy", "Policies"), ("AWSManagedPolicy", "Policies"))
ALL_ATTACHED = {"MaxItems": 1000}
VARIABLE = re.compile(r"\$\{([^}]+)\}")


def context_keys(document: str) -> list[str]:
    """Keys a policy reads, in document order: ${variables} anywhere and Condition keys; first spelling kept."""
    seen: dict[str, str] = {}
    for statement in documents.statements(document):
        for field, value in statement.items():
            keys = _condition_keys(value) if field == "Condition" else _variables(value)
            for key in keys:
                seen.setdefault(key.lower(), key)
    return list(seen.values())


def _condition_keys(condition) -> list[str]:
    if not isinstance(condition, dict) or not all(isinstance(c, dict) for c in condition.values()):
        raise documents.malformed("Syntax errors in policy.")
    return [key for clauses in condition.values() for key in clauses] + _variables(list(condition.values()))


def _variables(value) -> list[str]:
    """Policy variables (``${aws:username}``, ``${x, 'default'}``) in a JSON value; not ${*}, ${?}, ${$}."""
    if isinstance(value, dict):
        return [v for item in value.values() for v in _variables(item)]
    if isinstance(value, list):
        return [v for item in value for v in _variables(item)]
    found = VARIABLE.findall(value) if isinstance(value, str) else []
    return [name.split(",")[0].strip() for name in found if name not in ("*", "?", "$")]


def _keys_of(texts: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for text in texts:
        for key in context_keys(text):
            seen.setdefault(key.lower(), key)
    return list(seen.values())


class AuthorizationOps:
    def _inline_list(self, kind: str, owner: str) -> list[dict]:
        docs = self.store.inline_documents(kind, owner)
        return [{"PolicyName": name, "PolicyDocument": encoded(docs[name])} for name in sorted(docs, key=str.lower)]

    def _attached_list(self, kind: str, owner: str) -> list[dict]:
        return self.attached_out(kind, owner, ALL_ATTACHED)["AttachedPolicies"]

    def _user_detail(self, user) -> dict:
        out = self.user_out(user)
        out.update(UserPolicyList=self._inline_list("user", user.name),
                   GroupList=[g.name for g in self.store.groups(user=user.name)],
                   AttachedManagedPolicies=self._attached_list("user", user.name))
        return out

    def _group_detail(self, group) -> dict:
        return {**self.group_out(group), "GroupPolicyList": self._inline_list("group", group.name),
                "AttachedManagedPolicies": self._attached_list("group", group.name)}

    def _role_detail(self, role) -> dict:
        out = self.role_out(role)
        out.update(InstanceProfileList=[self.profile_out(p) for p in self.store.profiles(role=role.name)],
                   RolePolicyList=self._inline_list("role", role.name),
                   AttachedManagedPolicies=self._attached_list("role", role.name))
        return out

    def _policy_detail(self, policy) -> dict:
        out = self.policy_out(policy, full=True)
        out.pop("Tags", None)
        versions = self.list_policy_versions({"PolicyArn": policy.arn, "MaxItems": 1000}, None)["Versions"]
        out["PolicyVersionList"] = [{**v, "Document": self._version_document(policy.arn, v["VersionId"])}
                                    for v in versions]
        return out

    def _version_document(self, arn: str, version: str) -> str:
        return self.get_policy_version({"PolicyArn": arn, "VersionId": version}, None)["PolicyVersion"]["Document"]

    def _section(self, name: str) -> list:
        self.finish_due_deletions()
        if name == "User":
            return [self._user_detail(u) for u in self.store.users()]
        if name == "Group":
            return [self._group_detail(g) for g in self.store.groups()]
        if name == "Role":
            return [self._role_detail(r) for r in self.store.roles()]
        if name == "LocalManagedPolicy":
            return [self._policy_detail(p) for p in self.store.policies()]
        used = [p for p in aws_managed.every() if self.store.attachments_of(p.arn) or self.store.boundary_usage(p.arn)]
        return [self._policy_detail(p) for p in sorted(used, key=lambda p: p.name.lower())]

    def get_account_authorization_details(self, params: dict, req: Request) -> dict:
        check("GetAccountAuthorizationDetails", params)
        wanted = params.get("Filter") or [name for name, _ in SECTIONS]
        entries = [(field, item) for name, field in SECTIONS if name in wanted for item in self._section(name)]
        numbered = [(f"{n:08d}", field, item) for n, (field, item) in enumerate(entries)]
        chunk = page(numbered, {**params, "MaxItems": params.get("MaxItems") or DEFAULT_MAX_ITEMS},
                     lambda e: e[0], "Entries")
        out = {field: [] for _, field in SECTIONS}
        for _, field, item in chunk.pop("Entries"):
            out[field].append(item)
        return {**out, **chunk}

    # --- context keys ---------------------------------------------------------------------
    def get_context_keys_for_custom_policy(self, params: dict, req: Request) -> dict:
        check("GetContextKeysForCustomPolicy", params)
        return {"ContextKeyNames": _keys_of(params["PolicyInputList"])}

    def get_context_keys_for_principal_policy(self, params: dict, req: Request) -> dict:
        check("GetContextKeysForPrincipalPolicy", params)
        texts = self._principal_documents(params["PolicySourceArn"]) + list(params.get("PolicyInputList") or [])
        return {"ContextKeyNames": _keys_of(texts)}

    def _principal_documents(self, arn: str) -> list[str]:
        """Every policy document in force for a user (with its groups'), group or role."""
        kind, name = self._principal_of(arn)
        owners = [(kind, name)]
        if kind == "user":
            owners += [("group", g.name) for g in self.store.groups(user=name)]
        texts = []
        for owner_kind, owner in owners:
            texts += list(self.store.inline_documents(owner_kind, owner).values())
            texts += [self._default_document(a) for a in self.store.attached(owner_kind, owner)]
        return texts

    def _default_document(self, arn: str) -> str:
        managed = aws_managed.find(arn)
        if managed is not None:
            return managed.document
        policy = self.policy_or_404(arn)
        return next(doc for version, doc, _ in self.store.versions(arn) if version == policy.default_version)

    def _principal_of(self, arn: str) -> tuple[str, str]:
        parts = arn.split(":", 5)
        resource = parts[5] if len(parts) == 6 and parts[2] == "iam" else ""
        kind, _, path_name = resource.partition("/")
        if kind not in ("user", "group", "role") or not path_name:
            raise AwsError("InvalidInput", f"ARN {arn} is not valid.")
        name = path_name.rsplit("/", 1)[-1]
        lookup = {"user": self.user_or_404, "group": self.group_or_404, "role": self.role_or_404}[kind]
        return kind, lookup(name).name

