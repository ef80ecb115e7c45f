"""The same service over the HTTP gateway (JSON 1.0 protocol), as the AWS CLI and SDKs reach it."""
from __future__ import annotations

import json

import pytest
from botocore.config import Config

from sfn_helpers import ROLE

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}


def test_execution_round_trip_over_http(http_client, cloud):
    sfn = http_client("stepfunctions", config=Config(inject_host_prefix=False, retries={"max_attempts": 1}))
    arn = sfn.create_state_machine(name="http", roleArn=ROLE, definition=json.dumps(PASS))["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    cloud.clock.run_until_idle()
    described = sfn.describe_execution(executionArn=execution)
    assert described["status"] == "SUCCEEDED" and json.loads(described["output"]) == {"ok": True}
    events = sfn.get_execution_history(executionArn=execution)["events"]
    assert [e["type"] for e in events][-1] == "ExecutionSucceeded"
    express = sfn.create_state_machine(name="fast", roleArn=ROLE, definition=json.dumps(PASS),
                                       type="EXPRESS")["stateMachineArn"]
    assert sfn.start_sync_execution(stateMachineArn=express)["status"] == "SUCCEEDED"
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist) as info:
        sfn.describe_state_machine(stateMachineArn=arn + "-missing")
    assert info.value.response["Error"]["Message"] == f"State Machine Does Not Exist: '{arn}-missing'"
