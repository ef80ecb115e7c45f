"""STS through boto3 in-process, over HTTP, and the real AWS CLI."""
import json

import pytest
from botocore.exceptions import ClientError


def test_caller_identity_in_process(cloud):
    ident = cloud.client("sts").get_caller_identity()
    assert ident["Account"] == "000000000000"
    assert ident["Arn"] == "arn:aws:iam::000000000000:root"


def test_assume_role_credentials_identify_the_role(cloud):
    sts = cloud.client("sts")
    out = sts.assume_role(RoleArn="arn:aws:iam::000000000000:role/pipeline", RoleSessionName="run-1",
                          DurationSeconds=900)
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    assert out["AssumedRoleUser"]["Arn"] == "arn:aws:sts::000000000000:assumed-role/pipeline/run-1"
    assert (creds["Expiration"].timestamp() - cloud.clock.now()) == pytest.approx(900, abs=1)
    as_role = cloud.client("sts", aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                           aws_session_token=creds["SessionToken"])
    assert as_role.get_caller_identity()["Arn"] == out["AssumedRoleUser"]["Arn"]


def test_assume_role_rejects_a_bad_arn(cloud):
    with pytest.raises(ClientError) as exc:
        cloud.client("sts").assume_role(RoleArn="not-an-arn-at-all-really", RoleSessionName="s1")
    assert exc.value.response["Error"]["Code"] == "ValidationError"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_caller_identity_over_http(http_client):
    assert http_client("sts").get_caller_identity()["Account"] == "000000000000"


def test_aws_cli_get_caller_identity(aws_cli):
    out = json.loads(aws_cli("sts", "get-caller-identity").stdout)
    assert out == {"UserId": "000000000000", "Account": "000000000000", "Arn": "arn:aws:iam::000000000000:root"}
