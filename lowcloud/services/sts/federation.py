"""STS for federated callers: web identities, federation tokens, key and message look-ups.

AssumeRoleWithWebIdentity reads the token's JWT claims (sub, aud, iss, exp)
WITHOUT checking its signature: lowcloud has no network to fetch the
issuer's keys, so any well-formed unexpired JWT is accepted for an existing
role.  As in AWS, the issuer must be an OIDC provider registered in IAM
(unless it is one of the well-known web identity providers) whose client
ids include the token's audience; Provider is then that provider's ARN.
The role and provider are read through IAM's API, never its store.  Credentials are issued by the same
``_issue`` as AssumeRole, so GetCallerIdentity answers with the session.

DecodeAuthorizationMessage only knows messages lowcloud itself encoded
(``encode_authorization_message``, kept in STS's database); anything else is
InvalidAuthorizationMessageException, as STS answers for a foreign message.
"""
from __future__ import annotations

import base64
import json

from lowcloud.errors import AwsError
from lowcloud.services.base import Request
from lowcloud.services.iam import documents

INVALID_TOKEN = ("The web identity token that was passed could not be validated by AWS. Get a new identity token "
                 "from the identity provider and then retry the request.")
EXPIRED_TOKEN = ("The web identity token that was passed is expired or is not valid. Get a new identity token "
                 "from the identity provider and then retry the request.")
PACKED_POLICY_LIMIT = 2048
WELL_KNOWN_ISSUERS = {"accounts.google.com", "www.amazon.com", "graph.facebook.com", "cognito-identity.amazonaws.com"}
MESSAGE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def jwt_claims(token: str) -> dict:
    """The payload of a JWT (header.payload.signature), unverified; InvalidIdentityToken when malformed."""
    parts = token.split(".")
    try:
        payload = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except (IndexError, ValueError):
        raise AwsError("InvalidIdentityToken", INVALID_TOKEN) from None
    if len(parts) != 3 or not isinstance(claims, dict) or not isinstance(claims.get("iss"), str):
        raise AwsError("InvalidIdentityToken", INVALID_TOKEN)
    return claims


def expired(claims: dict, now: float) -> bool:
    """Whether the token's ``exp`` (seconds since the epoch) has passed; a non-numeric exp is invalid."""
    if "exp" not in claims:
        return False
    if not isinstance(claims["exp"], (int, float)) or isinstance(claims["exp"], bool):
        raise AwsError("InvalidIdentityToken", INVALID_TOKEN)
    return claims["exp"] <= now


def audience(claims: dict) -> str | None:
    aud = claims.get("aud")
    aud = aud[0] if isinstance(aud, list) and aud else aud
    return None if aud is None else str(aud)


def packed_policy_size(policy: str | None) -> int | None:
    """Percent of STS's packed session-policy allowance used; MalformedPolicyDocument for a bad policy."""
    if not policy:
        return None
    documents.check_identity_policy(policy)
    return max(1, documents.size(policy) * 100 // PACKED_POLICY_LIMIT)


class FederationOps:
    def assume_role_with_web_identity(self, params: dict, req: Request) -> dict:
        name, account = self.role_arn_parts(params["RoleArn"])
        self.check_session_name(params["RoleSessionName"])
        claims = jwt_claims(params["WebIdentityToken"])
        if expired(claims, self.clock.now()):
            raise AwsError("ExpiredTokenException", EXPIRED_TOKEN)
        role = self.existing_role(name, "sts:AssumeRoleWithWebIdentity")
        provider = self.provider_of(claims, params.get("ProviderId"))
        out = {**self.role_session(role, account, params), "SubjectFromWebIdentityToken": str(claims.get("sub", "")),
               "Provider": provider, "Audience": audience(claims)}
        size = packed_policy_size(params.get("Policy"))
        return out if size is None else {**out, "PackedPolicySize": size}

    def role_session(self, role: dict, account: str, params: dict) -> dict:
        """Credentials and AssumedRoleUser for a session on an existing IAM role."""
        duration = params.get("DurationSeconds", 3600)
        self.check_duration(duration, role)
        session_id = f"{role['RoleId']}:{params['RoleSessionName']}"
        arn = f"arn:aws:sts::{account}:assumed-role/{role['RoleName']}/{params['RoleSessionName']}"
        return {"Credentials": self._issue(arn, session_id, account, duration),
                "AssumedRoleUser": {"AssumedRoleId": session_id, "Arn": arn}}

    def existing_role(self, name: str, action: str) -> dict:
        """The IAM role (GetRole's shape); STS answers AccessDenied, not NoSuchEntity, when it is absent."""
        try:
            return self.call("iam", "get_role", {"RoleName": name})["Role"]
        except AwsError as error:
            if error.code != "NoSuchEntity":
                raise
            raise AwsError("AccessDenied", f"Not authorized to perform {action}", status=403) from None

    def check_duration(self, duration: int, role: dict) -> None:
        if duration > role.get("MaxSessionDuration", 3600):
            raise AwsError("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set "
                                              "for this role.")

    def provider_of(self, claims: dict, provider_id: str | None) -> str:
        """The IAM OIDC provider's ARN for the token's issuer, after STS's issuer and audience checks.

        Well-known web identity providers (Google, Amazon, Facebook, Cognito) need no IAM provider;
        they are reported by host, or by ProviderId when the caller names one.
        """
        host = claims["iss"].removeprefix("https://").rstrip("/")
        if host in WELL_KNOWN_ISSUERS:
            return provider_id or host
        arn = f"arn:aws:iam::{self.account}:oidc-provider/{host}"
        try:
            provider = self.call("iam", "get_open_id_connect_provider", {"OpenIDConnectProviderArn": arn})
        except AwsError:
            raise AwsError("InvalidIdentityToken",
                           f"No OpenIDConnect provider found in your account for {claims['iss']}") from None
        if audience(claims) not in provider["ClientIDList"]:
            raise AwsError("InvalidIdentityToken", "Incorrect token audience")
        return arn

    def get_federation_token(self, params: dict, req: Request) -> dict:
        self.check_session_name(params["Name"], field="name")
        if self.session_of(req.access_key) is not None:
            raise AwsError("AccessDenied", "Cannot call GetFederationToken with session credentials", status=403)
        name, duration = params["Name"], params.get("DurationSeconds", 43200)
        user_id, arn = f"{self.account}:{name}", f"arn:aws:sts::{self.account}:federated-user/{name}"
        # Unlike AssumeRole, STS reports PackedPolicySize here even without a session policy (0).
        return {"Credentials": self._issue(arn, user_id, self.account, duration),
                "FederatedUser": {"FederatedUserId": user_id, "Arn": arn},
                "PackedPolicySize": packed_policy_size(params.get("Policy")) or 0}

    def get_access_key_info(self, params: dict, req: Request) -> dict:
        """Every key lowcloud accepts belongs to lowcloud's one account."""
        return {"Account": self.account}

    # --- authorization messages -------------------------------------------------------
    def encode_authorization_message(self, decoded: dict) -> str:
        """An opaque token for ``decoded`` (an authorization failure), for services' AccessDenied texts."""
        token = self.cloud.ids.chars(96, MESSAGE_ALPHABET)
        self.db.execute("INSERT INTO auth_messages VALUES (?, ?)", (token, json.dumps(decoded)))
        return token

    def decode_authorization_message(self, params: dict, req: Request) -> dict:
        row = self.db.one("SELECT message FROM auth_messages WHERE token = ?", (params["EncodedMessage"],))
        if row is None:
            raise AwsError("InvalidAuthorizationMessageException",
                           "The message passed to DecodeAuthorizationMessage was invalid.")
        return {"DecodedMessage": row[0]}
