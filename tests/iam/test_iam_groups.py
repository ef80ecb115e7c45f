"""IAM groups: membership, group policies and the conflicts they cause, in-process, over HTTP and via the CLI."""
import json

import pytest
from botocore.exceptions import ClientError
from iam_helpers import error_of

POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::landing/*"}]})
LAMBDA_BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def test_create_get_list_groups(iam):
    group = iam.create_group(GroupName="analysts", Path="/data/")["Group"]
    assert group["Arn"] == "arn:aws:iam::000000000000:group/data/analysts"
    assert group["GroupId"].startswith("AGPA") and len(group["GroupId"]) == 21
    iam.create_group(GroupName="admins")
    assert [g["GroupName"] for g in iam.list_groups()["Groups"]] == ["admins", "analysts"]
    assert [g["GroupName"] for g in iam.list_groups(PathPrefix="/data/")["Groups"]] == ["analysts"]
    got = iam.get_group(GroupName="ANALYSTS")
    assert got["Group"] == group and got["Users"] == [] and got["IsTruncated"] is False
    with pytest.raises(ClientError) as exc:
        iam.create_group(GroupName="Analysts")
    assert error_of(exc) == ("EntityAlreadyExists", "Group with name Analysts already exists.", 409)
    with pytest.raises(ClientError) as exc:
        iam.get_group(GroupName="ghosts")
    assert error_of(exc) == ("NoSuchEntity", "The group with name ghosts cannot be found.", 404)


def test_membership_pages_users_and_lists_groups_for_user(iam):
    iam.create_group(GroupName="etl")
    for name in ("carol", "alice", "bob"):
        iam.create_user(UserName=name)
        iam.add_user_to_group(GroupName="etl", UserName=name)
    iam.add_user_to_group(GroupName="etl", UserName="alice")  # already a member: no error, no duplicate
    first = iam.get_group(GroupName="etl", MaxItems=2)
    assert [u["UserName"] for u in first["Users"]] == ["alice", "bob"] and first["IsTruncated"] is True
    rest = iam.get_group(GroupName="etl", Marker=first["Marker"])
    assert [u["UserName"] for u in rest["Users"]] == ["carol"] and rest["IsTruncated"] is False
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="bob")["Groups"]] == ["etl"]
    iam.remove_user_from_group(GroupName="etl", UserName="bob")
    assert iam.list_groups_for_user(UserName="bob")["Groups"] == []
    with pytest.raises(ClientError) as exc:
        iam.remove_user_from_group(GroupName="etl", UserName="bob")
    assert error_of(exc)[0] == "NoSuchEntity"
    with pytest.raises(ClientError) as exc:
        iam.add_user_to_group(GroupName="etl", UserName="nobody")
    assert error_of(exc) == ("NoSuchEntity", "The user with name nobody cannot be found.", 404)


def test_user_cannot_join_more_than_ten_groups(iam):
    iam.create_user(UserName="busy")
    for n in range(10):
        iam.create_group(GroupName=f"g{n}")
        iam.add_user_to_group(GroupName=f"g{n}", UserName="busy")
    iam.create_group(GroupName="g10")
    with pytest.raises(ClientError) as exc:
        iam.add_user_to_group(GroupName="g10", UserName="busy")
    assert error_of(exc) == ("LimitExceeded", "Cannot exceed quota for GroupsPerUser: 10", 409)


def test_group_inline_and_managed_policies(iam):
    iam.create_group(GroupName="readers")
    iam.put_group_policy(GroupName="readers", PolicyName="landing", PolicyDocument=POLICY)
    got = iam.get_group_policy(GroupName="readers", PolicyName="LANDING")
    assert got == {"GroupName": "readers", "PolicyName": "landing", "PolicyDocument": json.loads(POLICY),
                   "ResponseMetadata": got["ResponseMetadata"]}
    assert iam.list_group_policies(GroupName="readers")["PolicyNames"] == ["landing"]
    iam.attach_group_policy(GroupName="readers", PolicyArn=LAMBDA_BASIC)
    assert iam.list_attached_group_policies(GroupName="readers")["AttachedPolicies"] == [
        {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": LAMBDA_BASIC}]
    entities = iam.list_entities_for_policy(PolicyArn=LAMBDA_BASIC)
    assert entities["PolicyGroups"][0]["GroupName"] == "readers" and entities["PolicyRoles"] == []
    assert entities["PolicyGroups"][0]["GroupId"].startswith("AGPA")
    assert iam.list_entities_for_policy(PolicyArn=LAMBDA_BASIC, EntityFilter="User")["PolicyGroups"] == []
    assert iam.list_entities_for_policy(PolicyArn=LAMBDA_BASIC, PathPrefix="/teams/")["PolicyGroups"] == []
    with pytest.raises(ClientError) as exc:
        resources = [f"arn:aws:s3:::b/{'k' * 60}{n}" for n in range(80)]
        iam.put_group_policy(GroupName="readers", PolicyName="big", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                      "Resource": resources}]}))
    assert error_of(exc) == ("LimitExceeded", "Maximum policy size of 5120 bytes exceeded for group readers", 409)
    with pytest.raises(ClientError) as exc:
        iam.get_group_policy(GroupName="readers", PolicyName="missing")
    assert error_of(exc) == ("NoSuchEntity", "The group policy with name missing cannot be found.", 404)


def test_delete_group_conflicts_name_what_remains(iam):
    iam.create_user(UserName="dan")
    blockers = {"members": (lambda g: iam.add_user_to_group(GroupName=g, UserName="dan"),
                            "Cannot delete entity, must remove users from group first."),
                "attached": (lambda g: iam.attach_group_policy(GroupName=g, PolicyArn=LAMBDA_BASIC),
                             "Cannot delete entity, must detach all policies first."),
                "inline": (lambda g: iam.put_group_policy(GroupName=g, PolicyName="p", PolicyDocument=POLICY),
                           "Cannot delete entity, must delete policies first.")}
    for group, (block, message) in blockers.items():
        iam.create_group(GroupName=group)
        block(group)
        with pytest.raises(ClientError) as exc:
            iam.delete_group(GroupName=group)
        assert error_of(exc) == ("DeleteConflict", message, 409)
    with pytest.raises(ClientError) as exc:
        iam.delete_user(UserName="dan")
    assert error_of(exc) == ("DeleteConflict", "Cannot delete entity, must remove users from group first.", 409)
    iam.remove_user_from_group(GroupName="members", UserName="dan")
    iam.detach_group_policy(GroupName="attached", PolicyArn=LAMBDA_BASIC)
    iam.delete_group_policy(GroupName="inline", PolicyName="p")
    for group in blockers:
        iam.delete_group(GroupName=group)
    iam.delete_user(UserName="dan")
    assert iam.list_groups()["Groups"] == []
    with pytest.raises(ClientError) as exc:
        iam.remove_user_from_group(GroupName="gone", UserName="nobody")
    assert error_of(exc) == ("NoSuchEntity", "The user with name nobody cannot be found.", 404)


def test_update_group_renames_and_keeps_members_and_policies(iam):
    iam.create_group(GroupName="old")
    iam.create_group(GroupName="other")
    iam.create_user(UserName="eve")
    iam.add_user_to_group(GroupName="old", UserName="eve")
    iam.put_group_policy(GroupName="old", PolicyName="p", PolicyDocument=POLICY)
    with pytest.raises(ClientError) as exc:
        iam.update_group(GroupName="old", NewGroupName="OTHER")
    assert error_of(exc) == ("EntityAlreadyExists", "Group with name OTHER already exists.", 409)
    iam.update_group(GroupName="old", NewGroupName="new", NewPath="/teams/")
    got = iam.get_group(GroupName="new")
    assert got["Group"]["Arn"] == "arn:aws:iam::000000000000:group/teams/new"
    assert [u["UserName"] for u in got["Users"]] == ["eve"]
    assert iam.list_group_policies(GroupName="new")["PolicyNames"] == ["p"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="eve")["Groups"]] == ["new"]


def test_groups_over_http_and_cli(http_client, aws_cli, cloud):
    remote = http_client("iam")
    remote.create_group(GroupName="web")
    remote.create_user(UserName="frank")
    remote.add_user_to_group(GroupName="web", UserName="frank")
    assert remote.get_group(GroupName="web")["Group"] == cloud.client("iam").get_group(GroupName="web")["Group"]
    out = json.loads(aws_cli("iam", "list-groups-for-user", "--user-name", "frank").stdout)
    assert [g["GroupName"] for g in out["Groups"]] == ["web"]
    failed = aws_cli("iam", "delete-group", "--group-name", "web", check=False)
    assert "(DeleteConflict)" in failed.stderr and "must remove users from group first" in failed.stderr
