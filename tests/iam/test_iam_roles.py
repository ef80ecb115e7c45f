"""IAM roles and inline policies through boto3 in-process (Query protocol, parsed by botocore)."""
import json
from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError
from iam_helpers import error_of

TRUST = ('{"Version": "2012-10-17", "Statement":[{"Action": "sts:AssumeRole","Effect": "Allow",'
         '"Principal": {"Service": "lambda.amazonaws.com"}}]}')
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["dynamodb:GetRecords", "logs:PutLogEvents"], "Resource": "*"}]})


def test_create_and_get_role(iam, cloud):
    role = iam.create_role(RoleName="lambda_invoke_by_dynamodb", AssumeRolePolicyDocument=TRUST)["Role"]
    assert role["Arn"] == "arn:aws:iam::000000000000:role/lambda_invoke_by_dynamodb"
    assert role["Path"] == "/" and role["RoleName"] == "lambda_invoke_by_dynamodb"
    assert role["RoleId"].startswith("AROA") and len(role["RoleId"]) == 21 and role["RoleId"].isupper()
    assert role["CreateDate"] == datetime.fromtimestamp(1_700_000_000, timezone.utc)
    assert role["AssumeRolePolicyDocument"] == json.loads(TRUST)  # botocore decoded the URL-encoded text
    got = iam.get_role(RoleName="LAMBDA_INVOKE_BY_DYNAMODB")["Role"]  # names are case-insensitive
    assert got["RoleId"] == role["RoleId"] and got["MaxSessionDuration"] == 3600 and got["RoleLastUsed"] == {}


def test_get_role_in_process_returns_the_document_url_encoded(iam, cloud):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    raw = cloud.service("iam").get_role({"RoleName": "r"}, None)["Role"]["AssumeRolePolicyDocument"]
    assert raw.startswith("%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%5B%7B")


def test_path_description_tags_and_arn(iam):
    role = iam.create_role(RoleName="svc", Path="/service-role/", AssumeRolePolicyDocument=TRUST,
                           Description="for lambda", Tags=[{"Key": "team", "Value": "data"}])["Role"]
    assert role["Arn"] == "arn:aws:iam::000000000000:role/service-role/svc"
    assert role["Tags"] == [{"Key": "team", "Value": "data"}] and role["Description"] == "for lambda"
    iam.tag_role(RoleName="svc", Tags=[{"Key": "env", "Value": "dev"}])
    assert iam.list_role_tags(RoleName="svc")["Tags"] == [{"Key": "env", "Value": "dev"},
                                                         {"Key": "team", "Value": "data"}]
    iam.untag_role(RoleName="svc", TagKeys=["team"])
    assert iam.get_role(RoleName="svc")["Role"]["Tags"] == [{"Key": "env", "Value": "dev"}]
    with pytest.raises(ClientError) as exc:
        iam.create_role(RoleName="bad", Path="no-slash", AssumeRolePolicyDocument=TRUST)
    assert error_of(exc)[0] == "ValidationError"
    with pytest.raises(ClientError) as exc:
        iam.tag_role(RoleName="svc", Tags=[{"Key": "A", "Value": "1"}, {"Key": "a", "Value": "2"}])
    assert error_of(exc)[:2] == ("InvalidInput",
                                 "Duplicate tag keys found. Please note that Tag keys are case insensitive.")


def test_role_errors_use_aws_codes_texts_and_statuses(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    with pytest.raises(ClientError) as exc:
        iam.create_role(RoleName="R", AssumeRolePolicyDocument=TRUST)
    assert error_of(exc) == ("EntityAlreadyExists", "Role with name R already exists.", 409)
    with pytest.raises(ClientError) as exc:
        iam.get_role(RoleName="nope")
    assert error_of(exc) == ("NoSuchEntity", "The role with name nope cannot be found.", 404)
    with pytest.raises(ClientError) as exc:
        iam.create_role(RoleName="bad name", AssumeRolePolicyDocument=TRUST)
    assert error_of(exc) == ("ValidationError", "1 validation error detected: Value 'bad name' at 'roleName' failed "
                             "to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", 400)


@pytest.mark.parametrize("document, message", [
    ("{not json", "This policy contains invalid Json"),
    ('{"Version": "2012-10-18", "Statement": []}', "The policy failed legacy parsing"),
    ('{"Version": "2012-10-17"}', "Syntax errors in policy."),
    ('{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "sts:AssumeRole", '
     '"Principal": {"Service": "x"}}]}', "Syntax errors in policy."),
    ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", '
     '"Principal": {"Service": "x"}, "Resource": "*"}]}', "Has prohibited field Resource"),
    ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}',
     "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: "
     "The passed in policy has a statement with no principals!"),
])
def test_trust_policy_is_validated(iam, document, message):
    with pytest.raises(ClientError) as exc:
        iam.create_role(RoleName="r", AssumeRolePolicyDocument=document)
    assert error_of(exc) == ("MalformedPolicyDocument", message, 400)


def test_update_role_and_trust_policy(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    iam.update_role(RoleName="r", Description="new", MaxSessionDuration=7200)
    role = iam.get_role(RoleName="r")["Role"]
    assert role["Description"] == "new" and role["MaxSessionDuration"] == 7200
    assert iam.update_role_description(RoleName="r", Description="newer")["Role"]["Description"] == "newer"
    other = TRUST.replace("lambda.amazonaws.com", "states.amazonaws.com")
    iam.update_assume_role_policy(RoleName="r", PolicyDocument=other)
    assert iam.get_role(RoleName="r")["Role"]["AssumeRolePolicyDocument"] == json.loads(other)
    with pytest.raises(ClientError) as exc:
        iam.update_role(RoleName="r", MaxSessionDuration=50_000)
    assert error_of(exc)[0] == "ValidationError"


def test_list_roles_pages_with_marker(iam):
    for i in range(5):
        iam.create_role(RoleName=f"role-{i}", AssumeRolePolicyDocument=TRUST, Path="/app/" if i % 2 else "/")
    first = iam.list_roles(MaxItems=2)
    assert [r["RoleName"] for r in first["Roles"]] == ["role-0", "role-1"] and first["IsTruncated"]
    assert "Tags" not in first["Roles"][0] and "RoleLastUsed" not in first["Roles"][0]
    every = [r["RoleName"] for p in iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 2})
             for r in p["Roles"]]
    assert every == [f"role-{i}" for i in range(5)]
    assert [r["RoleName"] for r in iam.list_roles(PathPrefix="/app/")["Roles"]] == ["role-1", "role-3"]


def test_inline_role_policies(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    iam.put_role_policy(RoleName="r", PolicyName="dynamodb-access", PolicyDocument=POLICY)
    got = iam.get_role_policy(RoleName="r", PolicyName="dynamodb-access")
    assert got["RoleName"] == "r" and got["PolicyName"] == "dynamodb-access"
    assert got["PolicyDocument"] == json.loads(POLICY)
    assert iam.list_role_policies(RoleName="r")["PolicyNames"] == ["dynamodb-access"]
    with pytest.raises(ClientError) as exc:
        iam.get_role_policy(RoleName="r", PolicyName="other")
    assert error_of(exc) == ("NoSuchEntity", "The role policy with name other cannot be found.", 404)
    with pytest.raises(ClientError) as exc:
        iam.put_role_policy(RoleName="r", PolicyName="p", PolicyDocument=TRUST)
    assert error_of(exc)[:2] == ("MalformedPolicyDocument", "Policy document should not specify a principal.")
    with pytest.raises(ClientError) as exc:
        iam.put_role_policy(RoleName="r", PolicyName="p",
                            PolicyDocument='{"Statement": [{"Effect": "Allow", "Action": "s3:*"}]}')
    assert error_of(exc)[:2] == ("MalformedPolicyDocument", "Policy statement must contain resources.")
    iam.delete_role_policy(RoleName="r", PolicyName="dynamodb-access")
    assert iam.list_role_policies(RoleName="r")["PolicyNames"] == []


def test_inline_policy_size_quota(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    actions = [f"s3:GetObject{i:05d}" for i in range(600)]
    big = json.dumps({"Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
    with pytest.raises(ClientError) as exc:
        iam.put_role_policy(RoleName="r", PolicyName="big", PolicyDocument=big)
    assert error_of(exc) == ("LimitExceeded", "Maximum policy size of 10240 bytes exceeded for role r", 409)


def test_delete_role_refuses_while_policies_remain(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    iam.put_role_policy(RoleName="r", PolicyName="p", PolicyDocument=POLICY)
    arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    with pytest.raises(ClientError) as exc:
        iam.delete_role(RoleName="r")
    assert error_of(exc) == ("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
    iam.detach_role_policy(RoleName="r", PolicyArn=arn)
    with pytest.raises(ClientError) as exc:
        iam.delete_role(RoleName="r")
    assert error_of(exc)[:2] == ("DeleteConflict", "Cannot delete entity, must delete policies first.")
    iam.delete_role_policy(RoleName="r", PolicyName="p")
    iam.delete_role(RoleName="r")
    with pytest.raises(ClientError) as exc:
        iam.delete_role(RoleName="r")
    assert error_of(exc)[0] == "NoSuchEntity"


def test_instance_profiles(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    profile = iam.create_instance_profile(InstanceProfileName="ip")["InstanceProfile"]
    assert profile["InstanceProfileId"].startswith("AIPA") and profile["Roles"] == []
    assert profile["Arn"] == "arn:aws:iam::000000000000:instance-profile/ip"
    iam.add_role_to_instance_profile(InstanceProfileName="ip", RoleName="r")
    assert iam.get_instance_profile(InstanceProfileName="ip")["InstanceProfile"]["Roles"][0]["RoleName"] == "r"
    assert [p["InstanceProfileName"] for p in iam.list_instance_profiles_for_role(RoleName="r")["InstanceProfiles"]] == ["ip"]
    with pytest.raises(ClientError) as exc:
        iam.delete_role(RoleName="r")
    assert error_of(exc)[:2] == ("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
    iam.create_role(RoleName="r2", AssumeRolePolicyDocument=TRUST)
    with pytest.raises(ClientError) as exc:
        iam.add_role_to_instance_profile(InstanceProfileName="ip", RoleName="r2")
    assert error_of(exc)[:2] == ("LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
    with pytest.raises(ClientError) as exc:
        iam.delete_instance_profile(InstanceProfileName="ip")
    assert error_of(exc)[0] == "DeleteConflict"
    iam.remove_role_from_instance_profile(InstanceProfileName="ip", RoleName="r")
    iam.delete_instance_profile(InstanceProfileName="ip")
    iam.delete_role(RoleName="r")
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["r2"]
