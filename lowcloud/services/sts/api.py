"""STS: who is calling, and temporary credentials for roles and federated users.

Credentials handed out by AssumeRole, AssumeRoleWithWebIdentity,
GetFederationToken and GetSessionToken are remembered (SQLite) so that a
later GetCallerIdentity signed with them answers with the session's identity
(assumed role or federated user), as AWS does.  An IAM user's access key
answers as that user; any other key is the account's root user.  When the assumed role exists in IAM, the session id
starts with the role's real RoleId, as AWS's AROA...:session ids do, and its
MaxSessionDuration caps DurationSeconds; AssumeRole still accepts a role IAM
does not hold (lowcloud evaluates no trust policies yet).
"""
from __future__ import annotations

import re
from datetime import timedelta

from lowcloud.errors import AwsError
from lowcloud.services.base import Request, Service
from lowcloud.services.sts.federation import FederationOps, packed_policy_size

_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]+)$")
_SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
_SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (access_key TEXT PRIMARY KEY, arn TEXT, user_id TEXT, account TEXT, expires REAL);
CREATE TABLE IF NOT EXISTS auth_messages (token TEXT PRIMARY KEY, message TEXT NOT NULL);
"""


class STS(FederationOps, Service):
    name = "sts"
    global_service = True

    def __init__(self, cloud, region):
        super().__init__(cloud, region)
        self.db = cloud.storage.database("sts")
        self.db.script(SCHEMA)

    def session_of(self, access_key: str) -> tuple | None:
        """(arn, user id, account) of temporary credentials lowcloud issued."""
        return self.db.one("SELECT arn, user_id, account FROM sessions WHERE access_key = ?", (access_key,))

    def get_caller_identity(self, params: dict, req: Request) -> dict:
        row = self.session_of(req.access_key)
        if row:
            return {"Arn": row[0], "UserId": row[1], "Account": row[2]}
        user = self.iam_user_of(req.access_key)
        if user:
            return {"UserId": user["UserId"], "Account": self.account, "Arn": user["Arn"]}
        return {"UserId": self.account, "Account": self.account, "Arn": f"arn:aws:iam::{self.account}:root"}

    def iam_user_of(self, access_key: str) -> dict | None:
        """The IAM user owning a long-term (AKIA) key, read through IAM's API; None for other keys."""
        if not access_key.startswith("AKIA"):
            return None
        try:
            owner = self.call("iam", "get_access_key_last_used", {"AccessKeyId": access_key})["UserName"]
            return self.call("iam", "get_user", {"UserName": owner})["User"]
        except AwsError:
            return None

    @staticmethod
    def role_arn_parts(role_arn: str) -> tuple[str, str]:
        """(role name, account) of a role ARN; ValidationError otherwise."""
        m = _ROLE_ARN.match(role_arn)
        if not m:
            raise AwsError("ValidationError", f"{role_arn} is invalid")
        return m.group(2), m.group(1)

    @staticmethod
    def check_session_name(session: str, field: str = "roleSessionName") -> None:
        if not _SESSION_NAME.match(session):
            raise AwsError("ValidationError", "1 validation error detected: Value '" + session + f"' at '{field}' "
                           "failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*")

    def known_role(self, name: str) -> dict:
        """The IAM role (GetRole's shape); for a role IAM does not hold, a stand-in with a fresh AROA id."""
        try:
            return self.call("iam", "get_role", {"RoleName": name})["Role"]
        except AwsError:
            return {"RoleName": name, "RoleId": "AROA" + self.cloud.ids.chars(17), "MaxSessionDuration": 43200}

    def assume_role(self, params: dict, req: Request) -> dict:
        name, account = self.role_arn_parts(params["RoleArn"])
        self.check_session_name(params["RoleSessionName"])
        out = self.role_session(self.known_role(name), account, params)
        return {**out, "PackedPolicySize": packed_policy_size(params.get("Policy")),
                "SourceIdentity": params.get("SourceIdentity")}

    def get_session_token(self, params: dict, req: Request) -> dict:
        caller = self.get_caller_identity({}, req)
        creds = self._issue(caller["Arn"], caller["UserId"], caller["Account"], params.get("DurationSeconds", 43200))
        return {"Credentials": creds}

    def _issue(self, arn: str, user_id: str, account: str, duration: int) -> dict:
        access_key = "ASIA" + self.cloud.ids.chars(16)
        expires = self.clock.now() + duration
        self.db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)", (access_key, arn, user_id, account, expires))
        return {"AccessKeyId": access_key, "SecretAccessKey": self.cloud.ids.chars(40, _SECRET_ALPHABET),
                "SessionToken": "FQoGZXIvYXdzE" + self.cloud.ids.chars(300, _SECRET_ALPHABET),
                "Expiration": self.clock.utcnow() + timedelta(seconds=duration)}
