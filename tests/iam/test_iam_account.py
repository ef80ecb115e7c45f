"""Account-wide IAM: aliases, password policy, summary, authorization details, context keys, profile tags."""
import json

import pytest
from botocore.exceptions import ClientError
from iam_helpers import error_of

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
CONDITIONED = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
     "Condition": {"StringEquals": {"aws:PrincipalTag/team": "data", "s3:prefix": "in/"},
                   "DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}}}]})
PLAIN = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*",
     "Condition": {"Bool": {"aws:SecureTransport": "true"}, "StringLike": {"AWS:PrincipalTag/Team": "d*"}}}]})
LAMBDA_BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def test_account_alias(iam):
    assert iam.list_account_aliases()["AccountAliases"] == []
    iam.create_account_alias(AccountAlias="lowcloud-dev")
    assert iam.list_account_aliases()["AccountAliases"] == ["lowcloud-dev"]
    with pytest.raises(ClientError) as exc:
        iam.create_account_alias(AccountAlias="another-one")
    assert error_of(exc) == ("LimitExceeded", "Cannot exceed quota for AccountAliasesPerAccount: 1", 409)
    with pytest.raises(ClientError) as exc:
        iam.delete_account_alias(AccountAlias="another-one")
    assert error_of(exc) == ("NoSuchEntity", "The account alias another-one cannot be found.", 404)
    iam.delete_account_alias(AccountAlias="lowcloud-dev")
    assert iam.list_account_aliases()["AccountAliases"] == []
    with pytest.raises(ClientError) as exc:
        iam.create_account_alias(AccountAlias="Bad_Alias")
    assert error_of(exc)[0] == "ValidationError"


def test_password_policy(iam):
    missing = ("NoSuchEntity", "The Password Policy with domain name 000000000000 cannot be found.", 404)
    with pytest.raises(ClientError) as exc:
        iam.get_account_password_policy()
    assert error_of(exc) == missing
    iam.update_account_password_policy(MinimumPasswordLength=14, RequireSymbols=True, MaxPasswordAge=90)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy == {"MinimumPasswordLength": 14, "RequireSymbols": True, "RequireNumbers": False,
                      "RequireUppercaseCharacters": False, "RequireLowercaseCharacters": False,
                      "AllowUsersToChangePassword": False, "ExpirePasswords": True, "MaxPasswordAge": 90}
    iam.update_account_password_policy(RequireNumbers=True)  # replaces the whole policy
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 6 and policy["RequireSymbols"] is False
    assert policy["RequireNumbers"] is True and policy["ExpirePasswords"] is False and "MaxPasswordAge" not in policy
    iam.delete_account_password_policy()
    with pytest.raises(ClientError) as exc:
        iam.get_account_password_policy()
    assert error_of(exc) == missing
    with pytest.raises(ClientError) as exc:
        iam.delete_account_password_policy()
    assert error_of(exc) == ("NoSuchEntity", "The account policy with name PasswordPolicy cannot be found.", 404)
    with pytest.raises(ClientError) as exc:
        iam.update_account_password_policy(MinimumPasswordLength=129)
    assert error_of(exc)[0::2] == ("ValidationError", 400)


def test_account_summary_counts_the_store(iam):
    iam.create_user(UserName="u1")
    iam.create_group(GroupName="g1")
    iam.create_role(RoleName="r1", AssumeRolePolicyDocument=TRUST)
    iam.create_policy(PolicyName="p1", PolicyDocument=PLAIN)
    iam.create_instance_profile(InstanceProfileName="ip1")
    iam.attach_role_policy(RoleName="r1", PolicyArn=LAMBDA_BASIC)
    iam.create_open_id_connect_provider(Url="https://issuer.example.test", ThumbprintList=["a" * 40])
    summary = iam.get_account_summary()["SummaryMap"]
    assert {k: summary[k] for k in ("Users", "Groups", "Roles", "Policies", "InstanceProfiles", "Providers",
                                    "PolicyVersionsInUse")} == {
        "Users": 1, "Groups": 1, "Roles": 1, "Policies": 1, "InstanceProfiles": 1, "Providers": 1,
        "PolicyVersionsInUse": 1}
    assert summary["UsersQuota"] == 5000 and summary["RolesQuota"] == 1000 and summary["GroupsQuota"] == 300
    assert set(summary) == set(iam.meta.service_model.shape_for("summaryKeyType").enum)  # every key, as IAM
    assert summary["PolicySizeQuota"] == 6144 and summary["AssumeRolePolicySizeQuota"] == 2048


def test_instance_profile_tags(iam):
    iam.create_instance_profile(InstanceProfileName="web", Tags=[{"Key": "tier", "Value": "front"}])
    iam.tag_instance_profile(InstanceProfileName="WEB", Tags=[{"Key": "env", "Value": "dev"}])
    assert iam.list_instance_profile_tags(InstanceProfileName="web")["Tags"] == [
        {"Key": "env", "Value": "dev"}, {"Key": "tier", "Value": "front"}]
    iam.untag_instance_profile(InstanceProfileName="web", TagKeys=["tier"])
    assert iam.get_instance_profile(InstanceProfileName="web")["InstanceProfile"]["Tags"] == [
        {"Key": "env", "Value": "dev"}]
    iam.untag_instance_profile(InstanceProfileName="web", TagKeys=["env"])
    assert iam.get_instance_profile(InstanceProfileName="web")["InstanceProfile"]["Tags"] == []
    with pytest.raises(ClientError) as exc:
        iam.tag_instance_profile(InstanceProfileName="nope", Tags=[{"Key": "a", "Value": "b"}])
    assert error_of(exc) == ("NoSuchEntity", "Instance Profile nope cannot be found.", 404)


def build_account(iam):
    iam.create_user(UserName="uma")
    iam.put_user_policy(UserName="uma", PolicyName="inline", PolicyDocument=PLAIN)
    iam.create_group(GroupName="grp")
    iam.add_user_to_group(GroupName="grp", UserName="uma")
    iam.put_group_policy(GroupName="grp", PolicyName="cond", PolicyDocument=CONDITIONED)
    iam.create_role(RoleName="rob", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName="rob", PolicyArn=LAMBDA_BASIC)
    iam.create_instance_profile(InstanceProfileName="rob-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="rob-profile", RoleName="rob")
    return iam.create_policy(PolicyName="local", PolicyDocument=PLAIN)["Policy"]["Arn"]


def test_account_authorization_details(iam):
    local = build_account(iam)
    details = iam.get_account_authorization_details()
    user = details["UserDetailList"][0]
    assert user["UserName"] == "uma" and user["GroupList"] == ["grp"]
    assert user["UserPolicyList"] == [{"PolicyName": "inline", "PolicyDocument": json.loads(PLAIN)}]
    assert details["GroupDetailList"][0]["GroupPolicyList"][0]["PolicyName"] == "cond"
    role = details["RoleDetailList"][0]
    assert role["AttachedManagedPolicies"] == [{"PolicyName": "AWSLambdaBasicExecutionRole",
                                                "PolicyArn": LAMBDA_BASIC}]
    assert [p["InstanceProfileName"] for p in role["InstanceProfileList"]] == ["rob-profile"]
    assert "MaxSessionDuration" not in role["InstanceProfileList"][0]["Roles"][0]
    assert [p["Arn"] for p in details["Policies"]] == [local, LAMBDA_BASIC]  # AWS managed: only the used ones
    versions = details["Policies"][0]["PolicyVersionList"]
    assert versions[0]["VersionId"] == "v1" and versions[0]["IsDefaultVersion"] is True
    assert versions[0]["Document"] == json.loads(PLAIN)
    only_roles = iam.get_account_authorization_details(Filter=["Role"])
    assert only_roles["UserDetailList"] == [] and len(only_roles["RoleDetailList"]) == 1
    assert only_roles["Policies"] == []


def test_account_authorization_details_pages_across_sections(iam):
    build_account(iam)
    first = iam.get_account_authorization_details(MaxItems=2)
    assert first["IsTruncated"] is True
    assert len(first["UserDetailList"]) == 1 and len(first["GroupDetailList"]) == 1 and first["Policies"] == []
    rest = iam.get_account_authorization_details(Marker=first["Marker"])
    assert rest["IsTruncated"] is False and rest["UserDetailList"] == []
    assert len(rest["RoleDetailList"]) == 1 and len(rest["Policies"]) == 2


def test_context_keys_include_policy_variables_in_document_order(iam):
    policy = json.dumps({"Version": "2012-10-17", "Statement": {
        "Effect": "Allow", "Action": "dynamodb:GetItem",
        "Resource": "arn:aws:dynamodb:us-east-1:000000000000:table/${aws:username}",
        "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
                      "StringEquals": {"dynamodb:LeadingKeys": ["${aws:PrincipalTag/team, 'none'}"]}}}})
    keys = iam.get_context_keys_for_custom_policy(PolicyInputList=[policy])["ContextKeyNames"]
    assert keys == ["aws:username", "aws:CurrentTime", "dynamodb:LeadingKeys", "aws:PrincipalTag/team"]


def test_context_keys(iam):
    keys = iam.get_context_keys_for_custom_policy(PolicyInputList=[CONDITIONED, PLAIN])["ContextKeyNames"]
    assert keys == ["aws:PrincipalTag/team", "s3:prefix", "aws:CurrentTime", "aws:SecureTransport"]
    build_account(iam)
    principal = iam.get_context_keys_for_principal_policy(
        PolicySourceArn="arn:aws:iam::000000000000:user/uma")["ContextKeyNames"]
    # the user's own inline policy plus its group's, one entry per key whatever its case
    assert sorted(k.lower() for k in principal) == sorted(k.lower() for k in keys)
    with pytest.raises(ClientError) as exc:
        iam.get_context_keys_for_custom_policy(PolicyInputList=["{broken"])
    assert error_of(exc)[0] == "MalformedPolicyDocument"
    with pytest.raises(ClientError) as exc:
        iam.get_context_keys_for_principal_policy(PolicySourceArn="arn:aws:iam::000000000000:user/nobody")
    assert error_of(exc) == ("NoSuchEntity", "The user with name nobody cannot be found.", 404)


def test_account_operations_over_http_and_cli(http_client, aws_cli, cloud):
    remote = http_client("iam")
    build_account(remote)
    over_http = remote.get_account_authorization_details()
    in_process = cloud.client("iam").get_account_authorization_details()
    for section in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
        assert over_http[section] == in_process[section]
    assert remote.get_context_keys_for_principal_policy(
        PolicySourceArn="arn:aws:iam::000000000000:group/grp")["ContextKeyNames"] == [
        "aws:PrincipalTag/team", "s3:prefix", "aws:CurrentTime"]
    remote.update_account_password_policy(MinimumPasswordLength=12)
    out = json.loads(aws_cli("iam", "get-account-password-policy").stdout)
    assert out["PasswordPolicy"]["MinimumPasswordLength"] == 12
    aws_cli("iam", "create-account-alias", "--account-alias", "from-cli")
    assert remote.list_account_aliases()["AccountAliases"] == ["from-cli"]
    summary = json.loads(aws_cli("iam", "get-account-summary").stdout)["SummaryMap"]
    assert summary["Users"] == 1 and summary["Groups"] == 1 and summary["UsersQuota"] == 5000
