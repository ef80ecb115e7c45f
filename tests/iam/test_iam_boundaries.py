"""Permissions boundaries and service-linked roles through boto3 (in-process and over HTTP)."""
import json

import pytest
from botocore.exceptions import ClientError
from iam_helpers import error_of

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
LAMBDA_BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def boundary(arn):
    return {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}


def test_role_boundary_lifecycle_and_usage_count(iam):
    arn = iam.create_policy(PolicyName="cap", PolicyDocument=POLICY)["Policy"]["Arn"]
    role = iam.create_role(RoleName="worker", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=arn)["Role"]
    assert role["PermissionsBoundary"] == boundary(arn)
    assert "MaxSessionDuration" not in role and "RoleLastUsed" not in role  # CreateRole's answer omits them
    iam.create_role(RoleName="plain", AssumeRolePolicyDocument=TRUST)
    assert "PermissionsBoundary" not in iam.get_role(RoleName="plain")["Role"]
    iam.put_role_permissions_boundary(RoleName="plain", PermissionsBoundary=arn)
    assert iam.get_role(RoleName="plain")["Role"]["PermissionsBoundary"] == boundary(arn)
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    assert policy["PermissionsBoundaryUsageCount"] == 2 and policy["AttachmentCount"] == 0
    used = iam.list_entities_for_policy(PolicyArn=arn, PolicyUsageFilter="PermissionsBoundary")
    assert sorted(r["RoleName"] for r in used["PolicyRoles"]) == ["plain", "worker"]
    assert iam.list_entities_for_policy(PolicyArn=arn, PolicyUsageFilter="PermissionsPolicy")["PolicyRoles"] == []
    with pytest.raises(ClientError) as exc:
        iam.delete_policy(PolicyArn=arn)
    assert error_of(exc)[0] == "DeleteConflict"
    iam.delete_role_permissions_boundary(RoleName="plain")
    iam.delete_role_permissions_boundary(RoleName="worker")
    assert "PermissionsBoundary" not in iam.get_role(RoleName="worker")["Role"]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["PermissionsBoundaryUsageCount"] == 0


def test_user_boundary_with_an_aws_managed_policy(iam):
    iam.create_user(UserName="ann", PermissionsBoundary=LAMBDA_BASIC)
    assert iam.get_user(UserName="ann")["User"]["PermissionsBoundary"] == boundary(LAMBDA_BASIC)
    assert iam.get_policy(PolicyArn=LAMBDA_BASIC)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    iam.delete_user_permissions_boundary(UserName="ann")
    assert "PermissionsBoundary" not in iam.get_user(UserName="ann")["User"]
    iam.put_user_permissions_boundary(UserName="ann", PermissionsBoundary=LAMBDA_BASIC)
    assert iam.get_user(UserName="ann")["User"]["PermissionsBoundary"] == boundary(LAMBDA_BASIC)


def test_missing_boundary_policy_is_a_scope_arn_error(iam):
    missing = "arn:aws:iam::000000000000:policy/not-there"
    with pytest.raises(ClientError) as exc:
        iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=missing)
    assert error_of(exc) == ("NoSuchEntity", f"Scope ARN: {missing} does not exist or is not attachable.", 404)
    iam.create_user(UserName="u")
    with pytest.raises(ClientError) as exc:
        iam.put_user_permissions_boundary(UserName="u", PermissionsBoundary=missing)
    assert error_of(exc)[0] == "NoSuchEntity"
    with pytest.raises(ClientError) as exc:
        iam.put_role_permissions_boundary(RoleName="ghost", PermissionsBoundary=LAMBDA_BASIC)
    assert error_of(exc) == ("NoSuchEntity", "The role with name ghost cannot be found.", 404)


def test_service_linked_role_name_path_and_trust(iam):
    role = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com", Description="asg")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForAutoScaling"
    assert role["Path"] == "/aws-service-role/autoscaling.amazonaws.com/"
    assert role["Arn"] == ("arn:aws:iam::000000000000:role/aws-service-role/autoscaling.amazonaws.com/"
                           "AWSServiceRoleForAutoScaling")
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": ["autoscaling.amazonaws.com"]}
    assert role["Description"] == "asg" and "MaxSessionDuration" not in role
    suffixed = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="spot")
    assert suffixed["Role"]["RoleName"] == "AWSServiceRoleForAutoScaling_spot"
    replicator = iam.create_service_linked_role(AWSServiceName="replicator.lambda.amazonaws.com")["Role"]
    assert replicator["RoleName"] == "AWSServiceRoleForLambdaReplicator"
    with pytest.raises(ClientError) as exc:
        iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")
    assert error_of(exc) == ("InvalidInput", "Service role name AWSServiceRoleForAutoScaling has been taken in this "
                             "account, please try a different suffix.", 400)
    with pytest.raises(ClientError) as exc:
        iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com", CustomSuffix="x")
    assert error_of(exc)[:2] == ("InvalidInput", "Custom suffix is not allowed for ecs.amazonaws.com")


def test_service_linked_role_is_protected(iam):
    iam.create_service_linked_role(AWSServiceName="elasticbeanstalk.amazonaws.com")
    name = "AWSServiceRoleForElasticBeanstalk"
    protected = (f"Cannot perform the operation on the protected role '{name}' - this role is only modifiable by AWS")
    with pytest.raises(ClientError) as exc:
        iam.update_role(RoleName=name, MaxSessionDuration=7200)
    assert error_of(exc) == ("UnmodifiableEntity", f"{name} is an AWS service linked role, max session duration "
                             "cannot be changed.", 400)
    for call in (lambda: iam.delete_role(RoleName=name),
                 lambda: iam.attach_role_policy(RoleName=name, PolicyArn=LAMBDA_BASIC),
                 lambda: iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=POLICY),
                 lambda: iam.update_assume_role_policy(RoleName=name, PolicyDocument=TRUST),
                 lambda: iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=LAMBDA_BASIC)):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == ("UnmodifiableEntity", protected, 400)
    iam.update_role(RoleName=name, Description="described")  # the description stays editable
    assert iam.get_role(RoleName=name)["Role"]["Description"] == "described"


def test_service_linked_role_deletion_completes_with_the_clock(iam, cloud):
    iam.create_service_linked_role(AWSServiceName="elasticbeanstalk.amazonaws.com")
    task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForElasticBeanstalk")["DeletionTaskId"]
    assert task.startswith("task/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk/")
    # the task finishes on a clock timer, which virtual time may already have reached
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] in ("IN_PROGRESS", "SUCCEEDED")
    cloud.clock.advance(10)
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    with pytest.raises(ClientError) as exc:
        iam.get_role(RoleName="AWSServiceRoleForElasticBeanstalk")
    assert error_of(exc)[0] == "NoSuchEntity"
    iam.create_role(RoleName="ordinary", AssumeRolePolicyDocument=TRUST)
    with pytest.raises(ClientError) as exc:
        iam.delete_service_linked_role(RoleName="ordinary")
    assert error_of(exc)[0] == "InvalidInput"


def test_boundaries_over_http(http_client):
    iam = http_client("iam")
    iam.create_role(RoleName="remote", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=LAMBDA_BASIC)
    assert iam.get_role(RoleName="remote")["Role"]["PermissionsBoundary"] == boundary(LAMBDA_BASIC)
    role = iam.create_service_linked_role(AWSServiceName="rds.amazonaws.com")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForRDS"


def test_role_answers_omit_what_iam_omits(iam):
    created = iam.create_role(RoleName="shape", AssumeRolePolicyDocument=TRUST)["Role"]
    assert "MaxSessionDuration" not in created and "RoleLastUsed" not in created
    described = iam.update_role_description(RoleName="shape", Description="d")["Role"]
    assert described["Description"] == "d" and "MaxSessionDuration" not in described
    assert "RoleLastUsed" not in described
    full = iam.get_role(RoleName="shape")["Role"]
    assert full["MaxSessionDuration"] == 3600 and full["RoleLastUsed"] == {}


def test_trust_policy_may_only_grant_sts_actions(iam):
    bad = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "s3:GetObject"}]})
    with pytest.raises(ClientError) as exc:
        iam.create_role(RoleName="bad-trust", AssumeRolePolicyDocument=bad)
    assert error_of(exc) == ("MalformedPolicyDocument", "AssumeRole policy may only specify STS AssumeRole actions.",
                             400)
    web = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
         "Action": ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]}]})
    assert iam.create_role(RoleName="web", AssumeRolePolicyDocument=web)["Role"]["RoleName"] == "web"


def test_policy_arns_must_look_like_policy_arns(iam):
    iam.create_role(RoleName="arns", AssumeRolePolicyDocument=TRUST)
    with pytest.raises(ClientError) as exc:
        iam.attach_role_policy(RoleName="arns", PolicyArn="just-a-policy-name-here")
    assert error_of(exc) == ("ValidationError", "ARN just-a-policy-name-here is not valid.", 400)
    with pytest.raises(ClientError) as exc:
        iam.put_role_permissions_boundary(RoleName="arns", PermissionsBoundary="arn:aws:iam::000000000000:role/x")
    assert error_of(exc) == ("InvalidInput", "ARN arn:aws:iam::000000000000:role/x is not valid.", 400)
