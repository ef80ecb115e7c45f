"""Identity providers: OpenID Connect (GitHub Actions, EKS) and SAML, kept as data.

Nothing is federated against them here; STS's AssumeRoleWithWebIdentity only
needs the role.  Each provider is a JSON record keyed by its ARN, which IAM
derives from the issuer URL without its scheme (OIDC) or from the name
(SAML); tags use the shared tags table under the ARN.  GetOpenIDConnectProvider
returns the URL without ``https://``, as IAM does.
"""
from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import datetime, timezone

from lowcloud.errors import AwsError
from lowcloud.services.base import Request
from lowcloud.services.iam.common import already_exists, check, date, found, limit_exceeded, no_such_entity, tag_list

OIDC = "oidc-provider"
SAML = "saml-provider"
MAX_THUMBPRINTS = 5
MAX_CLIENT_IDS = 100
SAML_VALIDITY_SECONDS = 100 * 365 * 86400


def oidc_arn(svc, params: dict) -> str:
    """The ARN of the OIDC provider a request names (NoSuchEntity when absent)."""
    svc.oidc_or_404(params["OpenIDConnectProviderArn"])
    return params["OpenIDConnectProviderArn"]


def saml_arn(svc, params: dict) -> str:
    svc.saml_or_404(params["SAMLProviderArn"])
    return params["SAMLProviderArn"]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _valid_until(document: str, created: int) -> int:
    """The metadata's validUntil (IAM shows it), else IAM's default far-future date."""
    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError:
        raise AwsError("InvalidInput", "Could not parse metadata") from None
    stamp = root.get("validUntil")
    if not stamp:
        return created + SAML_VALIDITY_SECONDS
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        raise AwsError("InvalidInput", "Could not parse metadata") from None
    return int(moment.replace(tzinfo=moment.tzinfo or timezone.utc).timestamp())


class ProviderOps:
    # --- OpenID Connect -----------------------------------------------------------
    def oidc_or_404(self, arn: str) -> dict:
        return found(self.store.record(OIDC, arn), f"OpenIDConnect Provider not found for arn {arn}")

    def _checked_oidc(self, clients: list[str], thumbprints: list[str]) -> None:
        if len(thumbprints) > MAX_THUMBPRINTS:
            raise AwsError("InvalidInput", f"Thumbprint list must contain fewer than {MAX_THUMBPRINTS} entries.")
        if len(clients) > MAX_CLIENT_IDS:
            raise limit_exceeded(f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {MAX_CLIENT_IDS}")

    def create_open_id_connect_provider(self, params: dict, req: Request) -> dict:
        check("CreateOpenIDConnectProvider", params)
        url = params["Url"]
        if not url.startswith("https://") or len(url) <= len("https://"):
            raise AwsError("ValidationError", "Invalid Open ID Connect Provider URL")
        tags = self.checked_tags(params.get("Tags") or [])
        body = {"url": url[len("https://"):], "clients": _unique(params.get("ClientIDList") or []),
                "thumbprints": _unique(params.get("ThumbprintList") or []), "created": self.now()}
        self._checked_oidc(body["clients"], body["thumbprints"])
        arn = self.arn(f"{OIDC}/{body['url']}")
        return self._create_provider(OIDC, arn, body, tags, f"Provider with url {url} already exists.",
                                     "OpenIDConnectProviderArn")

    def _create_provider(self, kind: str, arn: str, body: dict, tags, exists: str, arn_key: str) -> dict:
        """Store a new identity provider with its tags; the create call's answer."""
        if self.store.record(kind, arn) is not None:
            raise already_exists(exists)
        self.store.put_record(kind, arn, body)
        self.store.tag(kind, arn, tags)
        out = {arn_key: arn}
        if tags:
            out["Tags"] = tag_list(self.store.tags(kind, arn))
        return out

    def get_open_id_connect_provider(self, params: dict, req: Request) -> dict:
        check("GetOpenIDConnectProvider", params)
        arn = params["OpenIDConnectProviderArn"]
        body = self.oidc_or_404(arn)
        return {"Url": body["url"], "ClientIDList": body["clients"], "ThumbprintList": body["thumbprints"],
                "CreateDate": date(body["created"]), "Tags": tag_list(self.store.tags(OIDC, arn))}

    def list_open_id_connect_providers(self, params: dict, req: Request) -> dict:
        check("ListOpenIDConnectProviders", params)
        return {"OpenIDConnectProviderList": [{"Arn": arn} for arn, _ in self.store.records(OIDC)]}

    def delete_open_id_connect_provider(self, params: dict, req: Request) -> dict:
        check("DeleteOpenIDConnectProvider", params)
        arn = params["OpenIDConnectProviderArn"]
        if self.store.record(OIDC, arn) is None:
            raise no_such_entity(f"OpenId connect Provider {arn} cannot be found.")
        self.store.delete_record(OIDC, arn)
        self.store.untag(OIDC, arn, [k for k, _ in self.store.tags(OIDC, arn)])
        return {}

    def _update_oidc(self, arn: str, **changes) -> None:
        body = {**self.oidc_or_404(arn), **changes}
        self._checked_oidc(body["clients"], body["thumbprints"])
        self.store.put_record(OIDC, arn, body)

    def add_client_id_to_open_id_connect_provider(self, params: dict, req: Request) -> dict:
        check("AddClientIDToOpenIDConnectProvider", params)
        arn = oidc_arn(self, params)
        clients = self.oidc_or_404(arn)["clients"]
        self._update_oidc(arn, clients=_unique(clients + [params["ClientID"]]))
        return {}

    def remove_client_id_from_open_id_connect_provider(self, params: dict, req: Request) -> dict:
        check("RemoveClientIDFromOpenIDConnectProvider", params)
        arn = oidc_arn(self, params)
        clients = self.oidc_or_404(arn)["clients"]
        self._update_oidc(arn, clients=[c for c in clients if c != params["ClientID"]])
        return {}

    def update_open_id_connect_provider_thumbprint(self, params: dict, req: Request) -> dict:
        check("UpdateOpenIDConnectProviderThumbprint", params)
        self._update_oidc(oidc_arn(self, params), thumbprints=_unique(params["ThumbprintList"]))
        return {}

    # --- SAML ---------------------------------------------------------------------
    def saml_or_404(self, arn: str) -> dict:
        return found(self.store.record(SAML, arn), f"Manifest not found for arn {arn}")

    def create_saml_provider(self, params: dict, req: Request) -> dict:
        check("CreateSAMLProvider", params)
        tags = self.checked_tags(params.get("Tags") or [])
        arn, now = self.arn(f"{SAML}/{params['Name']}"), self.now()
        document = params["SAMLMetadataDocument"]
        body = {"document": document, "created": now, "valid_until": _valid_until(document, now),
                "uuid": self.cloud.ids.uuid(), "encryption": params.get("AssertionEncryptionMode") or "Allowed"}
        return self._create_provider(SAML, arn, body, tags, f"SAMLProvider {params['Name']} already exists.",
                                     "SAMLProviderArn")

    def get_saml_provider(self, params: dict, req: Request) -> dict:
        check("GetSAMLProvider", params)
        arn = params["SAMLProviderArn"]
        body = self.saml_or_404(arn)
        return {"SAMLProviderUUID": body["uuid"], "SAMLMetadataDocument": body["document"],
                "CreateDate": date(body["created"]), "ValidUntil": date(body["valid_until"]),
                "Tags": tag_list(self.store.tags(SAML, arn)),
                "AssertionEncryptionMode": body.get("encryption", "Allowed"), "PrivateKeyList": []}

    def list_saml_providers(self, params: dict, req: Request) -> dict:
        check("ListSAMLProviders", params)
        listed = [{"Arn": arn, "ValidUntil": date(body["valid_until"]), "CreateDate": date(body["created"])}
                  for arn, body in self.store.records(SAML)]
        return {"SAMLProviderList": listed}

    def update_saml_provider(self, params: dict, req: Request) -> dict:
        check("UpdateSAMLProvider", params)
        arn = saml_arn(self, params)
        body = self.saml_or_404(arn)
        document = params.get("SAMLMetadataDocument") or body["document"]
        body.update(document=document, valid_until=_valid_until(document, body["created"]))
        self.store.put_record(SAML, arn, body)
        return {"SAMLProviderArn": arn}

    def delete_saml_provider(self, params: dict, req: Request) -> dict:
        check("DeleteSAMLProvider", params)
        arn = saml_arn(self, params)
        self.store.delete_record(SAML, arn)
        self.store.untag(SAML, arn, [k for k, _ in self.store.tags(SAML, arn)])
        return {}
