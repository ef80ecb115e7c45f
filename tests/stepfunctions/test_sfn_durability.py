"""Standard executions survive a restart: a new Cloud on the same data dir resumes them.

The execution re-enters the top-level state it was in (its checkpoint), and a Wait keeps
its original due time.
"""
from __future__ import annotations

import json
from datetime import timedelta

from lowcloud.cloud import Cloud
from lowcloud.clock import VirtualClock
from sfn_helpers import ROLE

T0 = 1_700_000_000
DEFINITION = {"StartAt": "Before", "States": {
    "Before": {"Type": "Pass", "Result": "before", "ResultPath": "$.b", "Next": "Sleep"},
    "Sleep": {"Type": "Wait", "Seconds": 86400, "Next": "After"},
    "After": {"Type": "Pass", "Result": "after", "ResultPath": "$.a", "End": True}}}


def test_a_restarted_cloud_resumes_a_waiting_execution(tmp_path):
    first = Cloud(tmp_path, clock=VirtualClock(start=T0, auto=False), seed=1)
    sfn = first.client("stepfunctions")
    arn = sfn.create_state_machine(name="slow", roleArn=ROLE, definition=json.dumps(DEFINITION))["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input='{"k": 1}')["executionArn"]
    first.clock.advance(3600)
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    first.close()

    second = Cloud(tmp_path, clock=VirtualClock(start=T0 + 7200), seed=2)
    second.service("stepfunctions")  # starting the service resumes what was running
    second.clock.run_until_idle()
    sfn = second.client("stepfunctions")
    described = sfn.describe_execution(executionArn=execution)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"k": 1, "b": "before", "a": "after"}
    assert described["stopDate"] - described["startDate"] == timedelta(days=1)
    events = sfn.get_execution_history(executionArn=execution)["events"]
    assert [e["type"] for e in events] == ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                                           "WaitStateEntered", "WaitStateExited", "PassStateEntered",
                                           "PassStateExited", "ExecutionSucceeded"]
    assert [e["id"] for e in events] == list(range(1, 9))
    second.close()


def test_finished_executions_and_machines_are_kept(tmp_path):
    first = Cloud(tmp_path, clock=VirtualClock(start=T0), seed=1)
    sfn = first.client("stepfunctions")
    arn = sfn.create_state_machine(name="quick", roleArn=ROLE, definition=json.dumps(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input="[1]")["executionArn"]
    first.clock.run_until_idle()
    first.close()
    second = Cloud(tmp_path, clock=VirtualClock(start=T0), seed=2)
    sfn = second.client("stepfunctions")
    assert sfn.describe_execution(executionArn=execution)["output"] == "[1]"
    assert len(sfn.get_execution_history(executionArn=execution)["events"]) == 4
    assert sfn.list_state_machines()["stateMachines"][0]["name"] == "quick"
    second.close()
