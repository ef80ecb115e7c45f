"""STS federation: web identities, federation tokens, access-key info and authorization messages."""
import base64
import json

import pytest
from botocore.exceptions import ClientError

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::000000000000:oidc-provider/issuer.example.test"},
     "Action": "sts:AssumeRoleWithWebIdentity"}]})
NOW = 1_700_000_000


def jwt(claims: dict) -> str:
    """An unsigned-looking JWT: lowcloud reads its claims without checking the signature."""
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


CLAIMS = {"iss": "https://issuer.example.test", "sub": "repo:acme/pipeline:ref:refs/heads/main",
          "aud": "sts.amazonaws.com", "exp": NOW + 600}


def error_of(exc_info):
    err = exc_info.value.response["Error"]
    return err["Code"], err["Message"], exc_info.value.response["ResponseMetadata"]["HTTPStatusCode"]


PROVIDER_ARN = "arn:aws:iam::000000000000:oidc-provider/issuer.example.test"


@pytest.fixture
def role(cloud):
    iam = cloud.client("iam")
    iam.create_open_id_connect_provider(Url="https://issuer.example.test", ClientIDList=["sts.amazonaws.com"],
                                        ThumbprintList=["b" * 40])
    return iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=TRUST)["Role"]


def session_client(cloud, creds):
    return cloud.client("sts", aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"])


def test_assume_role_with_web_identity(cloud, role):
    out = cloud.client("sts").assume_role_with_web_identity(
        RoleArn=role["Arn"], RoleSessionName="gha-42", WebIdentityToken=jwt(CLAIMS), DurationSeconds=900)
    assert out["SubjectFromWebIdentityToken"] == CLAIMS["sub"]
    assert out["Audience"] == "sts.amazonaws.com" and out["Provider"] == PROVIDER_ARN
    assert out["AssumedRoleUser"] == {"AssumedRoleId": f"{role['RoleId']}:gha-42",
                                      "Arn": "arn:aws:sts::000000000000:assumed-role/deployer/gha-42"}
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and creds["Expiration"].timestamp() == pytest.approx(NOW + 900)
    ident = session_client(cloud, creds).get_caller_identity()
    assert ident["Arn"] == out["AssumedRoleUser"]["Arn"] and ident["UserId"] == f"{role['RoleId']}:gha-42"


def test_web_identity_issuer_must_be_a_registered_provider_with_the_audience(cloud, role):
    sts = cloud.client("sts")
    out = sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="s1",
                                            WebIdentityToken=jwt({**CLAIMS, "aud": ["sts.amazonaws.com"]}))
    assert out["Provider"] == PROVIDER_ARN and out["Audience"] == "sts.amazonaws.com"
    with pytest.raises(ClientError) as exc:
        sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="s1",
                                          WebIdentityToken=jwt({**CLAIMS, "iss": "https://other.example.test"}))
    assert error_of(exc) == ("InvalidIdentityToken",
                             "No OpenIDConnect provider found in your account for https://other.example.test", 400)
    with pytest.raises(ClientError) as exc:
        sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="s1",
                                          WebIdentityToken=jwt({**CLAIMS, "aud": "someone-else"}))
    assert error_of(exc) == ("InvalidIdentityToken", "Incorrect token audience", 400)
    google = {"iss": "https://accounts.google.com", "sub": "1234", "aud": "client.apps", "exp": NOW + 60}
    out = sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="s2", WebIdentityToken=jwt(google))
    assert out["Provider"] == "accounts.google.com" and out["SubjectFromWebIdentityToken"] == "1234"


def test_web_identity_errors(cloud, role):
    sts = cloud.client("sts")
    with pytest.raises(ClientError) as exc:
        sts.assume_role_with_web_identity(RoleArn="arn:aws:iam::000000000000:role/absent", RoleSessionName="s1",
                                          WebIdentityToken=jwt(CLAIMS))
    assert error_of(exc) == ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)
    with pytest.raises(ClientError) as exc:
        sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="s1", WebIdentityToken="not-a-jwt")
    assert error_of(exc)[0::2] == ("InvalidIdentityToken", 400)
    with pytest.raises(ClientError) as exc:
        sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="s1",
                                          WebIdentityToken=jwt({**CLAIMS, "exp": NOW - 1}))
    assert error_of(exc)[0::2] == ("ExpiredTokenException", 400)
    with pytest.raises(ClientError) as exc:
        sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="s1", WebIdentityToken=jwt(CLAIMS),
                                          DurationSeconds=7200)
    assert error_of(exc)[0::2] == ("ValidationError", 400)


def test_assume_role_uses_the_existing_roles_id_and_session_cap(cloud, role):
    out = cloud.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="batch")
    assert out["AssumedRoleUser"]["AssumedRoleId"] == f"{role['RoleId']}:batch"
    with pytest.raises(ClientError) as exc:
        cloud.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="long", DurationSeconds=7200)
    assert error_of(exc) == ("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set "
                             "for this role.", 400)


def test_get_federation_token(cloud):
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]})
    out = cloud.client("sts").get_federation_token(Name="partner-bob", Policy=policy, DurationSeconds=3600)
    assert out["FederatedUser"] == {"FederatedUserId": "000000000000:partner-bob",
                                    "Arn": "arn:aws:sts::000000000000:federated-user/partner-bob"}
    assert out["PackedPolicySize"] > 0
    assert out["Credentials"]["Expiration"].timestamp() == pytest.approx(NOW + 3600)
    as_federated = session_client(cloud, out["Credentials"])
    assert as_federated.get_caller_identity()["Arn"] == out["FederatedUser"]["Arn"]
    with pytest.raises(ClientError) as exc:
        as_federated.get_federation_token(Name="again")
    assert error_of(exc)[0::2] == ("AccessDenied", 403)
    with pytest.raises(ClientError) as exc:
        cloud.client("sts").get_federation_token(Name="has space")
    assert error_of(exc) == ("ValidationError", "1 validation error detected: Value 'has space' at 'name' failed to "
                             "satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", 400)
    with pytest.raises(ClientError) as exc:
        cloud.client("sts").get_federation_token(Name="carol", Policy='{"Statement": "nope"}')
    assert error_of(exc)[0::2] == ("MalformedPolicyDocument", 400)


def test_access_key_info_and_authorization_messages(cloud):
    sts = cloud.client("sts")
    assert sts.get_access_key_info(AccessKeyId="AKIAIOSFODNN7EXAMPLE")["Account"] == "000000000000"
    with pytest.raises(ClientError) as exc:
        sts.decode_authorization_message(EncodedMessage="made-up-by-someone-else")
    assert error_of(exc)[0::2] == ("InvalidAuthorizationMessageException", 400)
    message = {"allowed": False, "explicitDeny": False, "context": {"action": "s3:GetObject"}}
    token = cloud.service("sts").encode_authorization_message(message)
    assert json.loads(sts.decode_authorization_message(EncodedMessage=token)["DecodedMessage"]) == message


def test_federation_over_http_and_cli(cloud, http_client, aws_cli):
    http_client("iam").create_open_id_connect_provider(Url="https://issuer.example.test",
                                                       ClientIDList=["sts.amazonaws.com"], ThumbprintList=["c" * 40])
    role = http_client("iam").create_role(RoleName="ci", AssumeRolePolicyDocument=TRUST)["Role"]
    out = http_client("sts").assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="http",
                                                           WebIdentityToken=jwt(CLAIMS))
    assert out["AssumedRoleUser"]["Arn"] == "arn:aws:sts::000000000000:assumed-role/ci/http"
    with pytest.raises(ClientError) as exc:
        http_client("sts").assume_role_with_web_identity(RoleArn="arn:aws:iam::000000000000:role/gone",
                                                         RoleSessionName="http", WebIdentityToken=jwt(CLAIMS))
    assert error_of(exc) == ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)
    fed = json.loads(aws_cli("sts", "get-federation-token", "--name", "cli-user").stdout)
    assert fed["FederatedUser"]["Arn"] == "arn:aws:sts::000000000000:federated-user/cli-user"
    assert fed["PackedPolicySize"] == 0  # reported even without a session policy
    info = json.loads(aws_cli("sts", "get-access-key-info", "--access-key-id", "AKIAIOSFODNN7EXAMPLE").stdout)
    assert info == {"Account": "000000000000"}


def test_iam_user_keys_identify_the_user(cloud):
    iam = cloud.client("iam")
    user = iam.create_user(UserName="builder", Path="/ci/")["User"]
    key = iam.create_access_key(UserName="builder")["AccessKey"]
    assert iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["UserName"] == "builder"
    as_user = cloud.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    assert as_user.get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:user/ci/builder"
    assert as_user.get_caller_identity()["UserId"] == user["UserId"]
