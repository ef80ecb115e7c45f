"""Managed policies (customer and AWS), versions, attachments; users and access keys."""
import json

import pytest
from botocore.exceptions import ClientError
from iam_helpers import error_of

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
PUT_ITEM = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": "*"}]})
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
DDB = "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole"


@pytest.fixture
def iam(cloud):
    client = cloud.client("iam")
    client.create_role(RoleName="AWSDynamoDBForLambda", AssumeRolePolicyDocument=TRUST)
    return client


def test_customer_policy_lifecycle(iam):
    policy = iam.create_policy(PolicyName="AWSDynamoDBPutItemAccess", PolicyDocument=PUT_ITEM,
                               Description="Provides putitem access for Amazon DynamoDB")["Policy"]
    arn = "arn:aws:iam::000000000000:policy/AWSDynamoDBPutItemAccess"
    assert policy["Arn"] == arn and policy["PolicyId"].startswith("ANPA") and policy["DefaultVersionId"] == "v1"
    assert policy["AttachmentCount"] == 0 and policy["IsAttachable"] is True
    got = iam.get_policy(PolicyArn=arn)["Policy"]
    assert got["Description"] == "Provides putitem access for Amazon DynamoDB"
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert version["Document"] == json.loads(PUT_ITEM) and version["IsDefaultVersion"] is True
    with pytest.raises(ClientError) as exc:
        iam.create_policy(PolicyName="awsdynamodbputitemaccess", PolicyDocument=PUT_ITEM)
    assert error_of(exc) == ("EntityAlreadyExists", "A policy called awsdynamodbputitemaccess already exists. "
                             "Duplicate names are not allowed.", 409)
    iam.delete_policy(PolicyArn=arn)
    with pytest.raises(ClientError) as exc:
        iam.get_policy(PolicyArn=arn)
    assert error_of(exc) == ("NoSuchEntity", f"Policy {arn} was not found.", 404)


def test_policy_versions(iam):
    arn = iam.create_policy(PolicyName="p", PolicyDocument=PUT_ITEM)["Policy"]["Arn"]
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=PUT_ITEM.replace("PutItem", "GetItem"),
                                   SetAsDefault=True)["PolicyVersion"]
    assert v2["VersionId"] == "v2" and v2["IsDefaultVersion"] is True and "Document" not in v2
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
    listed = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in listed] == [("v2", True), ("v1", False)]
    for _ in range(3):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=PUT_ITEM)
    with pytest.raises(ClientError) as exc:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=PUT_ITEM)
    assert error_of(exc)[:2] == ("LimitExceeded", "A managed policy can have up to 5 versions. Before you create a "
                                 "new version, you must delete an existing version.")
    with pytest.raises(ClientError) as exc:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    assert error_of(exc)[:2] == ("DeleteConflict", "Cannot delete the default version of a policy.")
    with pytest.raises(ClientError) as exc:
        iam.delete_policy(PolicyArn=arn)
    assert error_of(exc)[0] == "DeleteConflict"
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    for version in ["v2", "v3", "v4", "v5"]:
        iam.delete_policy_version(PolicyArn=arn, VersionId=version)
    with pytest.raises(ClientError) as exc:
        iam.get_policy_version(PolicyArn=arn, VersionId="v3")
    assert error_of(exc)[0] == "NoSuchEntity"
    iam.delete_policy(PolicyArn=arn)


def test_aws_managed_policies_are_attachable_and_readable(iam):
    iam.attach_role_policy(RoleName="AWSDynamoDBForLambda", PolicyArn=BASIC)
    iam.attach_role_policy(RoleName="AWSDynamoDBForLambda", PolicyArn=DDB)
    iam.attach_role_policy(RoleName="AWSDynamoDBForLambda", PolicyArn=DDB)  # idempotent
    attached = iam.list_attached_role_policies(RoleName="AWSDynamoDBForLambda")["AttachedPolicies"]
    assert attached == [{"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": BASIC},
                        {"PolicyName": "AWSLambdaDynamoDBExecutionRole", "PolicyArn": DDB}]
    policy = iam.get_policy(PolicyArn=DDB)["Policy"]
    assert policy["Path"] == "/service-role/" and policy["AttachmentCount"] == 1
    document = iam.get_policy_version(PolicyArn=DDB, VersionId="v1")["PolicyVersion"]["Document"]
    assert document["Statement"][0]["Action"][0] == "dynamodb:DescribeStream"
    aws_names = [p["PolicyName"] for p in iam.list_policies(Scope="AWS", OnlyAttached=True)["Policies"]]
    assert aws_names == ["AWSLambdaBasicExecutionRole", "AWSLambdaDynamoDBExecutionRole"]
    entities = iam.list_entities_for_policy(PolicyArn=DDB)
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == ["AWSDynamoDBForLambda"]


def test_attach_errors(iam):
    missing = "arn:aws:iam::aws:policy/NoSuchThing"
    with pytest.raises(ClientError) as exc:
        iam.attach_role_policy(RoleName="AWSDynamoDBForLambda", PolicyArn=missing)
    assert error_of(exc) == ("NoSuchEntity", f"Policy {missing} does not exist or is not attachable.", 404)
    with pytest.raises(ClientError) as exc:
        iam.detach_role_policy(RoleName="AWSDynamoDBForLambda", PolicyArn=BASIC)
    assert error_of(exc) == ("NoSuchEntity", f"Policy {BASIC} was not found.", 404)
    with pytest.raises(ClientError) as exc:
        iam.attach_role_policy(RoleName="ghost", PolicyArn=BASIC)
    assert error_of(exc)[:2] == ("NoSuchEntity", "The role with name ghost cannot be found.")
    for i in range(10):
        iam.create_policy(PolicyName=f"p{i}", PolicyDocument=PUT_ITEM)
        iam.attach_role_policy(RoleName="AWSDynamoDBForLambda", PolicyArn=f"arn:aws:iam::000000000000:policy/p{i}")
    with pytest.raises(ClientError) as exc:
        iam.attach_role_policy(RoleName="AWSDynamoDBForLambda", PolicyArn=BASIC)
    assert error_of(exc)[:2] == ("LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 10")
    with pytest.raises(ClientError) as exc:
        iam.delete_policy(PolicyArn="arn:aws:iam::000000000000:policy/p0")
    assert error_of(exc)[:2] == ("DeleteConflict", "Cannot delete a policy attached to entities.")


def test_list_policies_scopes_and_paging(iam):
    for name in ["b-policy", "a-policy"]:
        iam.create_policy(PolicyName=name, PolicyDocument=PUT_ITEM, Path="/team/")
    local = iam.list_policies(Scope="Local")["Policies"]
    assert [p["PolicyName"] for p in local] == ["a-policy", "b-policy"]
    assert local[0]["Arn"] == "arn:aws:iam::000000000000:policy/team/a-policy"
    every = [p["PolicyName"] for page in iam.get_paginator("list_policies").paginate(PaginationConfig={"PageSize": 2})
             for p in page["Policies"]]
    assert every[:2] == ["a-policy", "AWSLambdaBasicExecutionRole"] and len(every) == 6
    assert iam.list_policies(PathPrefix="/service-role/", Scope="AWS")["Policies"][0]["Path"] == "/service-role/"


def test_managed_policy_document_rules(iam):
    with pytest.raises(ClientError) as exc:
        iam.create_policy(PolicyName="p", PolicyDocument='{"Statement": [{"Effect": "Allow", "Resource": "*"}]}')
    assert error_of(exc)[:2] == ("MalformedPolicyDocument", "Policy statement must contain actions.")
    actions = [f"s3:GetObject{i:05d}" for i in range(400)]
    big = json.dumps({"Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
    with pytest.raises(ClientError) as exc:
        iam.create_policy(PolicyName="p", PolicyDocument=big)
    assert error_of(exc)[:2] == ("LimitExceeded", "Cannot exceed quota for PolicySize: 6144")


def test_users(iam):
    user = iam.create_user(UserName="deployer", Tags=[{"Key": "k", "Value": "v"}])["User"]
    assert user["Arn"] == "arn:aws:iam::000000000000:user/deployer" and user["UserId"].startswith("AIDA")
    assert user["Tags"] == [{"Key": "k", "Value": "v"}]
    with pytest.raises(ClientError) as exc:
        iam.create_user(UserName="deployer")
    assert error_of(exc) == ("EntityAlreadyExists", "User with name deployer already exists.", 409)
    assert iam.get_user()["User"]["Arn"] == "arn:aws:iam::000000000000:root"  # the "test" key is root
    iam.put_user_policy(UserName="deployer", PolicyName="p", PolicyDocument=PUT_ITEM)
    assert iam.get_user_policy(UserName="deployer", PolicyName="p")["PolicyDocument"] == json.loads(PUT_ITEM)
    iam.attach_user_policy(UserName="deployer", PolicyArn=BASIC)
    assert iam.list_attached_user_policies(UserName="deployer")["AttachedPolicies"][0]["PolicyArn"] == BASIC
    with pytest.raises(ClientError) as exc:
        iam.delete_user(UserName="deployer")
    assert error_of(exc)[:2] == ("DeleteConflict", "Cannot delete entity, must detach all policies first.")
    iam.detach_user_policy(UserName="deployer", PolicyArn=BASIC)
    iam.delete_user_policy(UserName="deployer", PolicyName="p")
    iam.delete_user(UserName="deployer")
    with pytest.raises(ClientError) as exc:
        iam.get_user(UserName="deployer")
    assert error_of(exc) == ("NoSuchEntity", "The user with name deployer cannot be found.", 404)


def test_access_keys(iam, cloud):
    iam.create_user(UserName="deployer")
    key = iam.create_access_key(UserName="deployer")["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20
    assert len(key["SecretAccessKey"]) == 40 and key["Status"] == "Active"
    iam.create_access_key(UserName="deployer")
    with pytest.raises(ClientError) as exc:
        iam.create_access_key(UserName="deployer")
    assert error_of(exc)[:2] == ("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
    listed = iam.list_access_keys(UserName="deployer")["AccessKeyMetadata"]
    assert len(listed) == 2 and "SecretAccessKey" not in listed[0]
    caller = cloud.client("iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    assert caller.get_user()["User"]["UserName"] == "deployer"
    with pytest.raises(ClientError) as exc:
        iam.delete_user(UserName="deployer")
    assert error_of(exc)[:2] == ("DeleteConflict", "Cannot delete entity, must delete access keys first.")
    iam.update_access_key(UserName="deployer", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    statuses = {k["AccessKeyId"]: k["Status"] for k in iam.list_access_keys(UserName="deployer")["AccessKeyMetadata"]}
    assert statuses[key["AccessKeyId"]] == "Inactive"
    for listed_key in listed:
        iam.delete_access_key(UserName="deployer", AccessKeyId=listed_key["AccessKeyId"])
    with pytest.raises(ClientError) as exc:
        iam.delete_access_key(UserName="deployer", AccessKeyId=key["AccessKeyId"])
    assert error_of(exc) == ("NoSuchEntity", f"The Access Key with id {key['AccessKeyId']} cannot be found.", 404)


def test_state_survives_a_restart(tmp_path):
    from lowcloud.cloud import Cloud
    with Cloud(data_dir=tmp_path, seed=1) as first:
        iam = first.client("iam")
        iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
        iam.attach_role_policy(RoleName="r", PolicyArn=BASIC)
        role_id = iam.get_role(RoleName="r")["Role"]["RoleId"]
    with Cloud(data_dir=tmp_path, seed=2) as second:
        iam = second.client("iam")
        assert iam.get_role(RoleName="r")["Role"]["RoleId"] == role_id
        assert iam.list_attached_role_policies(RoleName="r")["AttachedPolicies"][0]["PolicyArn"] == BASIC
