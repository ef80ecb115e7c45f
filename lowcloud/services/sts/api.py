"""STS: who is calling, and temporary credentials for roles.

Credentials handed out by AssumeRole are remembered (SQLite) so that a later
GetCallerIdentity signed with them answers with the assumed-role identity, as
AWS does.  Any other access key is the account's root user.
"""
from __future__ import annotations

import re
from datetime import timedelta

from lowcloud.errors import AwsError
from lowcloud.services.base import Request, Service

_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]+)$")
_SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")


class STS(Service):
    name = "sts"
    global_service = True

    def __init__(self, cloud, region):
        super().__init__(cloud, region)
        self.db = cloud.storage.database("sts")
        self.db.script("CREATE TABLE IF NOT EXISTS sessions (access_key TEXT PRIMARY KEY, arn TEXT, user_id TEXT, "
                       "account TEXT, expires REAL)")

    def get_caller_identity(self, params: dict, req: Request) -> dict:
        row = self.db.one("SELECT arn, user_id, account FROM sessions WHERE access_key = ?", (req.access_key,))
        if row:
            return {"Arn": row[0], "UserId": row[1], "Account": row[2]}
        return {"UserId": self.account, "Account": self.account, "Arn": f"arn:aws:iam::{self.account}:root"}

    def assume_role(self, params: dict, req: Request) -> dict:
        m = _ROLE_ARN.match(params["RoleArn"])
        if not m:
            raise AwsError("ValidationError", f"{params['RoleArn']} is invalid")
        session = params["RoleSessionName"]
        if not _SESSION_NAME.match(session):
            raise AwsError("ValidationError", "1 validation error detected: Value '" + session + "' at 'roleSessionName' "
                           "failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*")
        duration = params.get("DurationSeconds", 3600)
        role_id = "AROA" + self.cloud.ids.chars(17)
        arn = f"arn:aws:sts::{m.group(1)}:assumed-role/{m.group(2)}/{session}"
        creds = self._issue(arn, f"{role_id}:{session}", m.group(1), duration)
        return {"Credentials": creds, "AssumedRoleUser": {"AssumedRoleId": f"{role_id}:{session}", "Arn": arn},
                "PackedPolicySize": 0 if params.get("Policy") else None, "SourceIdentity": params.get("SourceIdentity")}

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


_SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
