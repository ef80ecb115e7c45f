"""OpenID Connect and SAML identity providers through boto3, over HTTP and via the CLI."""
import json

import pytest
from botocore.exceptions import ClientError
from iam_helpers import error_of

GITHUB = "https://token.actions.githubusercontent.com"
GITHUB_ARN = "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com"
THUMB_A, THUMB_B = "6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"
METADATA = ('<?xml version="1.0"?><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" '
            'entityID="https://idp.example.test/metadata" validUntil="2031-05-06T07:08:09Z">'
            '<IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            + '<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
              'Location="https://idp.example.test/sso"/>' * 8
            + '</IDPSSODescriptor></EntityDescriptor>')


def test_oidc_provider_lifecycle(iam):
    created = iam.create_open_id_connect_provider(Url=GITHUB, ClientIDList=["sts.amazonaws.com"],
                                                  ThumbprintList=[THUMB_A], Tags=[{"Key": "ci", "Value": "gha"}])
    assert created["OpenIDConnectProviderArn"] == GITHUB_ARN
    assert created["Tags"] == [{"Key": "ci", "Value": "gha"}]
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN)
    assert got["Url"] == "token.actions.githubusercontent.com"
    assert got["ClientIDList"] == ["sts.amazonaws.com"] and got["ThumbprintList"] == [THUMB_A]
    assert got["Tags"] == [{"Key": "ci", "Value": "gha"}] and got["CreateDate"].year == 2023
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == [{"Arn": GITHUB_ARN}]
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN, ClientID="my-app")
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN, ClientID="my-app")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN,
                                                      ClientID="sts.amazonaws.com")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN, ClientID="never-added")
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=GITHUB_ARN,
                                                   ThumbprintList=[THUMB_A, THUMB_B])
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN)
    assert got["ClientIDList"] == ["my-app"] and got["ThumbprintList"] == [THUMB_A, THUMB_B]
    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN, Tags=[{"Key": "env", "Value": "prod"}])
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN, TagKeys=["ci"])
    assert iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=GITHUB_ARN)["Tags"] == [
        {"Key": "env", "Value": "prod"}]
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN)
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []


def test_oidc_provider_errors(iam):
    iam.create_open_id_connect_provider(Url=GITHUB, ClientIDList=["sts.amazonaws.com"], ThumbprintList=[THUMB_A])
    with pytest.raises(ClientError) as exc:
        iam.create_open_id_connect_provider(Url=GITHUB, ThumbprintList=[THUMB_A])
    assert error_of(exc) == ("EntityAlreadyExists", f"Provider with url {GITHUB} already exists.", 409)
    missing = "arn:aws:iam::000000000000:oidc-provider/example.test"
    with pytest.raises(ClientError) as exc:
        iam.get_open_id_connect_provider(OpenIDConnectProviderArn=missing)
    assert error_of(exc) == ("NoSuchEntity", f"OpenIDConnect Provider not found for arn {missing}", 404)
    with pytest.raises(ClientError) as exc:
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=missing)
    assert error_of(exc) == ("NoSuchEntity", f"OpenId connect Provider {missing} cannot be found.", 404)
    with pytest.raises(ClientError) as exc:
        iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=GITHUB_ARN,
                                                       ThumbprintList=[f"{n:040x}" for n in range(6)])
    assert error_of(exc) == ("InvalidInput", "Thumbprint list must contain fewer than 5 entries.", 400)
    with pytest.raises(ClientError) as exc:
        iam.create_open_id_connect_provider(Url="issuer.example.test", ThumbprintList=[THUMB_A])
    assert error_of(exc) == ("ValidationError", "Invalid Open ID Connect Provider URL", 400)
    with pytest.raises(ClientError) as exc:
        iam.create_open_id_connect_provider(Url="https://many.example.test", ThumbprintList=[THUMB_A],
                                            ClientIDList=[f"client-{n}" for n in range(101)])
    assert error_of(exc) == ("LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100", 409)
    untagged = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN)
    assert untagged["Tags"] == []  # IAM always returns the (possibly empty) tag list here


def test_saml_provider_lifecycle(iam):
    arn = iam.create_saml_provider(Name="corp-idp", SAMLMetadataDocument=METADATA)["SAMLProviderArn"]
    assert arn == "arn:aws:iam::000000000000:saml-provider/corp-idp"
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == METADATA and got["Tags"] == [] and got["PrivateKeyList"] == []
    assert got["AssertionEncryptionMode"] == "Allowed"
    assert got["ValidUntil"].isoformat() == "2031-05-06T07:08:09+00:00"
    listed = iam.list_saml_providers()["SAMLProviderList"]
    assert [p["Arn"] for p in listed] == [arn] and listed[0]["ValidUntil"] == got["ValidUntil"]
    updated = METADATA.replace("2031-05-06", "2032-01-02")
    assert iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=updated)["SAMLProviderArn"] == arn
    assert iam.get_saml_provider(SAMLProviderArn=arn)["SAMLMetadataDocument"] == updated
    iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "owner", "Value": "it"}])
    assert iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"] == [{"Key": "owner", "Value": "it"}]
    iam.delete_saml_provider(SAMLProviderArn=arn)
    with pytest.raises(ClientError) as exc:
        iam.get_saml_provider(SAMLProviderArn=arn)
    assert error_of(exc) == ("NoSuchEntity", f"Manifest not found for arn {arn}", 404)


def test_saml_metadata_must_parse(iam):
    with pytest.raises(ClientError) as exc:
        iam.create_saml_provider(Name="broken", SAMLMetadataDocument="<not-closed " + "x" * 1000)
    assert error_of(exc) == ("InvalidInput", "Could not parse metadata", 400)


def test_providers_over_http_and_cli(http_client, aws_cli):
    remote = http_client("iam")
    remote.create_open_id_connect_provider(Url=GITHUB, ClientIDList=["sts.amazonaws.com"], ThumbprintList=[THUMB_A])
    out = json.loads(aws_cli("iam", "get-open-id-connect-provider",
                             "--open-id-connect-provider-arn", GITHUB_ARN).stdout)
    assert out["Url"] == "token.actions.githubusercontent.com" and out["ClientIDList"] == ["sts.amazonaws.com"]
    listed = json.loads(aws_cli("iam", "list-open-id-connect-providers").stdout)
    assert listed == {"OpenIDConnectProviderList": [{"Arn": GITHUB_ARN}]}
