"""Provisioned concurrency, runtime management, recursion and code signing configs, as Lambda answers them."""
from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from lambda_helpers import TRUST, make_zip
from lowcloud.cloud import Cloud
from lowcloud.clock import VirtualClock

APP = {"app.py": "def handler(event, context):\n    return 'ok'\n"}
ARN = "arn:aws:lambda:us-east-1:000000000000:function:"
PUBLISHER = "arn:aws:signer:us-east-1:000000000000:/signing-profiles/release/abcdef1234"
CSC_ARN = re.compile(r"^arn:aws:lambda:us-east-1:000000000000:code-signing-config:(csc-[a-z0-9]{17})$")


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response


def without_metadata(out: dict) -> dict:
    return {k: v for k, v in out.items() if k != "ResponseMetadata"}


@pytest.fixture
def published(lam, deploy):
    """Function ``pc`` with version 1 and alias ``live`` -> 1."""
    deploy("pc", APP, Publish=True)
    lam.create_alias(FunctionName="pc", Name="live", FunctionVersion="1")
    return "pc"


# --- provisioned concurrency ---------------------------------------------------------------------
def test_provisioned_concurrency_allocates_on_the_clock(cloud, lam, published):
    put = lam.put_provisioned_concurrency_config(FunctionName="pc", Qualifier="1", ProvisionedConcurrentExecutions=3)
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert put["Status"] == "IN_PROGRESS" and put["RequestedProvisionedConcurrentExecutions"] == 3
    assert put["AllocatedProvisionedConcurrentExecutions"] == 0 and put["AvailableProvisionedConcurrentExecutions"] == 0
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$", put["LastModified"])
    cloud.clock.advance(30)
    got = lam.get_provisioned_concurrency_config(FunctionName="pc", Qualifier="1")
    assert got["Status"] == "READY" and got["AllocatedProvisionedConcurrentExecutions"] == 3
    assert got["AvailableProvisionedConcurrentExecutions"] == 3 and got["LastModified"] == put["LastModified"]
    listed = lam.list_provisioned_concurrency_configs(FunctionName="pc")["ProvisionedConcurrencyConfigs"]
    assert [(c["FunctionArn"], c["Status"]) for c in listed] == [(ARN + "pc:1", "READY")]
    lam.delete_provisioned_concurrency_config(FunctionName="pc", Qualifier="1")
    missing = error_of(lam.get_provisioned_concurrency_config, FunctionName="pc", Qualifier="1")
    assert missing["Error"] == {"Code": "ProvisionedConcurrencyConfigNotFoundException",
                                "Message": "No Provisioned Concurrency Config found for this function"}
    assert missing["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_provisioned_concurrency_refuses_latest_and_unknown_targets(lam, published):
    latest = error_of(lam.put_provisioned_concurrency_config, FunctionName="pc", Qualifier="$LATEST",
                      ProvisionedConcurrentExecutions=1)
    assert latest["Error"] == {"Code": "InvalidParameterValueException", "Message":
                               "Provisioned Concurrency Configs cannot be applied to unpublished function versions."}
    read_latest = error_of(lam.get_provisioned_concurrency_config, FunctionName="pc", Qualifier="$LATEST")
    assert read_latest["Error"]["Message"] == "The function resource provided must be an alias or a published version."
    no_version = error_of(lam.get_provisioned_concurrency_config, FunctionName="pc", Qualifier="9")
    assert no_version["Error"] == {"Code": "ResourceNotFoundException", "Message": f"Function not found: {ARN}pc:9"}
    no_alias = error_of(lam.put_provisioned_concurrency_config, FunctionName="pc", Qualifier="beta",
                        ProvisionedConcurrentExecutions=1)
    assert no_alias["Error"]["Message"] == f"Cannot find alias arn: {ARN}pc:beta"
    no_function = error_of(lam.list_provisioned_concurrency_configs, FunctionName="ghost")
    assert no_function["Error"]["Message"] == f"Function not found: {ARN}ghost"


def test_alias_and_its_version_cannot_both_be_provisioned(lam, published):
    lam.put_provisioned_concurrency_config(FunctionName="pc", Qualifier="live", ProvisionedConcurrentExecutions=2)
    clash = error_of(lam.put_provisioned_concurrency_config, FunctionName="pc", Qualifier="1",
                     ProvisionedConcurrentExecutions=2)
    assert clash["Error"]["Code"] == "ResourceConflictException"
    assert clash["Error"]["Message"] == "Version is pointed by a Provisioned Concurrency alias"
    listed = lam.list_provisioned_concurrency_configs(FunctionName="pc")["ProvisionedConcurrencyConfigs"]
    assert [c["FunctionArn"] for c in listed] == [ARN + "pc:live"]
    lam.delete_alias(FunctionName="pc", Name="live")
    assert lam.list_provisioned_concurrency_configs(FunctionName="pc")["ProvisionedConcurrencyConfigs"] == []


def test_provisioned_concurrency_over_http(http_client, published):
    remote = http_client("lambda")
    remote.put_provisioned_concurrency_config(FunctionName="pc", Qualifier="live", ProvisionedConcurrentExecutions=5)
    got = remote.get_provisioned_concurrency_config(FunctionName="pc", Qualifier="live")
    assert got["RequestedProvisionedConcurrentExecutions"] == 5
    listed = remote.list_provisioned_concurrency_configs(FunctionName="pc")["ProvisionedConcurrencyConfigs"]
    assert [c["FunctionArn"] for c in listed] == [ARN + "pc:live"]
    assert remote.delete_provisioned_concurrency_config(FunctionName="pc", Qualifier="live")[
        "ResponseMetadata"]["HTTPStatusCode"] == 204


# --- runtime management and recursion -------------------------------------------------------------
def test_runtime_management_defaults_to_auto(lam, deploy):
    deploy("rt", APP, Publish=True)
    assert without_metadata(lam.get_runtime_management_config(FunctionName="rt")) == {
        "UpdateRuntimeOn": "Auto", "FunctionArn": ARN + "rt"}
    runtime = "arn:aws:lambda:us-east-1::runtime:0123456789abcdef"
    put = lam.put_runtime_management_config(FunctionName="rt", UpdateRuntimeOn="Manual", RuntimeVersionArn=runtime)
    assert without_metadata(put) == {"UpdateRuntimeOn": "Manual", "RuntimeVersionArn": runtime,
                                     "FunctionArn": ARN + "rt"}
    assert lam.get_runtime_management_config(FunctionName="rt")["RuntimeVersionArn"] == runtime
    assert lam.get_runtime_management_config(FunctionName="rt", Qualifier="$LATEST")["FunctionArn"] == ARN + "rt"
    version = lam.get_runtime_management_config(FunctionName="rt", Qualifier="1")
    assert version["UpdateRuntimeOn"] == "Auto" and version["FunctionArn"] == ARN + "rt:1"
    lam.put_runtime_management_config(FunctionName="rt", UpdateRuntimeOn="FunctionUpdate")
    assert "RuntimeVersionArn" not in lam.get_runtime_management_config(FunctionName="rt")
    missing = error_of(lam.get_runtime_management_config, FunctionName="ghost")
    assert missing["Error"] == {"Code": "ResourceNotFoundException", "Message": f"Function not found: {ARN}ghost"}


def test_recursion_config_defaults_to_terminate(lam, deploy):
    deploy("loop", APP)
    assert without_metadata(lam.get_function_recursion_config(FunctionName="loop")) == {"RecursiveLoop": "Terminate"}
    assert without_metadata(lam.put_function_recursion_config(FunctionName="loop", RecursiveLoop="Allow")) == {
        "RecursiveLoop": "Allow"}
    assert lam.get_function_recursion_config(FunctionName="loop")["RecursiveLoop"] == "Allow"
    assert error_of(lam.get_function_recursion_config, FunctionName="ghost")["Error"]["Code"] == \
        "ResourceNotFoundException"


# --- code signing ----------------------------------------------------------------------------------
def test_code_signing_config_lifecycle(cloud, lam):
    created = lam.create_code_signing_config(AllowedPublishers={"SigningProfileVersionArns": [PUBLISHER]})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    csc = created["CodeSigningConfig"]
    assert CSC_ARN.match(csc["CodeSigningConfigArn"]).group(1) == csc["CodeSigningConfigId"]
    assert csc["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Warn"} and csc["Description"] == ""
    assert csc["AllowedPublishers"] == {"SigningProfileVersionArns": [PUBLISHER]}
    arn = csc["CodeSigningConfigArn"]
    assert lam.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"] == csc
    cloud.clock.advance(2)
    updated = lam.update_code_signing_config(CodeSigningConfigArn=arn, Description="release builds",
                                             CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Enforce"})
    changed = updated["CodeSigningConfig"]
    assert changed["Description"] == "release builds" and changed["LastModified"] > csc["LastModified"]
    assert changed["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Enforce"}
    assert [c["CodeSigningConfigArn"] for c in lam.list_code_signing_configs()["CodeSigningConfigs"]] == [arn]
    lam.delete_code_signing_config(CodeSigningConfigArn=arn)
    gone = error_of(lam.get_code_signing_config, CodeSigningConfigArn=arn)
    assert gone["Error"] == {"Code": "ResourceNotFoundException",
                             "Message": f"The Lambda code signing configuration {arn} can not be found."}


def test_function_code_signing_binding(lam, deploy, role):
    arn = lam.create_code_signing_config(
        AllowedPublishers={"SigningProfileVersionArns": [PUBLISHER]})["CodeSigningConfig"]["CodeSigningConfigArn"]
    deploy("signed", APP)
    assert without_metadata(lam.get_function_code_signing_config(FunctionName="signed")) == {}
    put = lam.put_function_code_signing_config(FunctionName="signed", CodeSigningConfigArn=arn)
    assert without_metadata(put) == {"CodeSigningConfigArn": arn, "FunctionName": "signed"}
    assert without_metadata(lam.get_function_code_signing_config(FunctionName="signed")) == {
        "CodeSigningConfigArn": arn, "FunctionName": "signed"}
    lam.create_function(FunctionName="born-signed", Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": make_zip(APP)}, CodeSigningConfigArn=arn)
    listed = lam.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)["FunctionArns"]
    assert sorted(listed) == [ARN + "born-signed", ARN + "signed"]
    lam.delete_function_code_signing_config(FunctionName="signed")
    assert without_metadata(lam.get_function_code_signing_config(FunctionName="signed")) == {}
    lam.delete_function(FunctionName="born-signed")
    assert lam.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)["FunctionArns"] == []


def test_code_signing_errors(lam, deploy):
    deploy("signed", APP)
    ghost = "arn:aws:lambda:us-east-1:000000000000:code-signing-config:csc-0123456789abcdefg"
    missing = error_of(lam.put_function_code_signing_config, FunctionName="signed", CodeSigningConfigArn=ghost)
    assert missing["Error"]["Code"] == "CodeSigningConfigNotFoundException"
    assert missing["Error"]["Message"] == ("The code signing configuration cannot be found. Check that the provided "
                                           f"configuration is not deleted: {ghost}.")
    assert missing["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error_of(lam.get_function_code_signing_config, FunctionName="ghost")["Error"]["Message"] == \
        f"Function not found: {ARN}ghost"
    assert error_of(lam.list_functions_by_code_signing_config, CodeSigningConfigArn=ghost)["Error"]["Code"] == \
        "ResourceNotFoundException"


def test_settings_over_http(http_client, lam, deploy):
    deploy("remote", APP)
    remote = http_client("lambda")
    assert remote.get_function_recursion_config(FunctionName="remote")["RecursiveLoop"] == "Terminate"
    assert remote.get_runtime_management_config(FunctionName="remote")["UpdateRuntimeOn"] == "Auto"
    assert without_metadata(remote.get_function_code_signing_config(FunctionName="remote")) == {}
    csc = remote.create_code_signing_config(AllowedPublishers={"SigningProfileVersionArns": [PUBLISHER]})
    arn = csc["CodeSigningConfig"]["CodeSigningConfigArn"]
    remote.put_function_code_signing_config(FunctionName="remote", CodeSigningConfigArn=arn)
    assert remote.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)["FunctionArns"] == [ARN + "remote"]


# --- persistence and deletion ------------------------------------------------------------------------
def test_settings_survive_restart_and_die_with_the_function(tmp_path):
    first = Cloud(data_dir=tmp_path, clock=VirtualClock(start=1_700_000_000), seed=3)
    role = first.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    lam = first.client("lambda")
    lam.create_function(FunctionName="kept", Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": make_zip(APP)}, Publish=True)
    lam.put_function_recursion_config(FunctionName="kept", RecursiveLoop="Allow")
    lam.put_runtime_management_config(FunctionName="kept", UpdateRuntimeOn="FunctionUpdate")
    lam.put_provisioned_concurrency_config(FunctionName="kept", Qualifier="1", ProvisionedConcurrentExecutions=1)
    first.close()
    again = Cloud(data_dir=tmp_path, clock=VirtualClock(start=1_700_000_100), seed=4)
    try:
        lam = again.client("lambda")
        assert lam.get_function_recursion_config(FunctionName="kept")["RecursiveLoop"] == "Allow"
        assert lam.get_runtime_management_config(FunctionName="kept")["UpdateRuntimeOn"] == "FunctionUpdate"
        assert lam.get_provisioned_concurrency_config(FunctionName="kept", Qualifier="1")["Status"] == "READY"
        lam.delete_function(FunctionName="kept")
        lam.create_function(FunctionName="kept", Runtime="python3.12", Role=role, Handler="app.handler",
                            Code={"ZipFile": make_zip(APP)}, Publish=True)
        assert lam.get_function_recursion_config(FunctionName="kept")["RecursiveLoop"] == "Terminate"
        assert lam.get_runtime_management_config(FunctionName="kept")["UpdateRuntimeOn"] == "Auto"
        assert lam.list_provisioned_concurrency_configs(FunctionName="kept")["ProvisionedConcurrencyConfigs"] == []
    finally:
        again.close()
