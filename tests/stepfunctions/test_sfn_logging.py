"""State machines with a loggingConfiguration write their history events to CloudWatch Logs."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from sfn_helpers import ROLE

GROUP = "/aws/vendedlogs/states/pipeline"
GROUP_ARN = f"arn:aws:logs:us-east-1:000000000000:log-group:{GROUP}:*"
PASS_THEN_WAIT = {"StartAt": "Shape", "States": {
    "Shape": {"Type": "Pass", "Parameters": {"id.$": "$.id"}, "Next": "Pause"},
    "Pause": {"Type": "Wait", "Seconds": 240, "End": True}}}
FAILING = {"StartAt": "Shape", "States": {
    "Shape": {"Type": "Pass", "Next": "Stop"},
    "Stop": {"Type": "Fail", "Error": "Broken", "Cause": "on purpose"}}}


def logging(level: str = "ALL", data: bool = True) -> dict:
    return {"level": level, "includeExecutionData": data,
            "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": GROUP_ARN}}]}


@pytest.fixture
def logs(cloud):
    client = cloud.client("logs")
    client.create_log_group(logGroupName=GROUP)
    return client


def machine(sfn, definition: dict, config: dict, kind: str = "EXPRESS", name: str = "pipeline") -> str:
    return sfn.create_state_machine(name=name, roleArn=ROLE, definition=json.dumps(definition), type=kind,
                                    loggingConfiguration=config)["stateMachineArn"]


def logged(logs) -> list[dict]:
    streams = [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=GROUP)["logStreams"]
               if s["logStreamName"].startswith("states/")]
    return [json.loads(e["message"]) for stream in streams
            for e in logs.get_log_events(logGroupName=GROUP, logStreamName=stream, startFromHead=True)["events"]]


def test_express_execution_logs_every_event_with_its_data(cloud, sfn, logs):
    arn = machine(sfn, PASS_THEN_WAIT, logging())
    out = sfn.start_sync_execution(stateMachineArn=arn, input='{"id": 7, "noise": true}')
    assert out["status"] == "SUCCEEDED"
    events = logged(logs)
    assert [e["type"] for e in events] == ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                                           "WaitStateEntered", "WaitStateExited", "ExecutionSucceeded"]
    first, exited = events[0], events[2]
    assert first["id"] == "1" and first["previous_event_id"] == "0" and first["redrive_count"] == "0"
    assert first["execution_arn"] == out["executionArn"]
    assert json.loads(first["details"]["input"]) == {"id": 7, "noise": True} and first["details"]["roleArn"] == ROLE
    assert exited["details"]["name"] == "Shape" and json.loads(exited["details"]["output"]) == {"id": 7}
    waited = int(events[4]["event_timestamp"]) - int(events[3]["event_timestamp"])
    assert waited == 240_000, "event timestamps come from the Cloud's clock"


def test_error_level_logs_only_failures_and_hides_data_when_asked(cloud, sfn, logs):
    arn = machine(sfn, FAILING, logging("ERROR", data=False))
    assert sfn.start_sync_execution(stateMachineArn=arn, input='{"secret": 1}')["status"] == "FAILED"
    events = logged(logs)
    assert [e["type"] for e in events] == ["FailStateEntered", "ExecutionFailed"]
    assert "input" not in events[0]["details"] and events[0]["details"]["name"] == "Stop"
    assert events[1]["details"] == {"error": "Broken", "cause": "on purpose"}


def test_standard_execution_logs_alongside_its_history(cloud, sfn, logs):
    arn = machine(sfn, FAILING, logging("FATAL"), kind="STANDARD")
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    cloud.clock.run_until_idle()
    (event,) = logged(logs)
    assert event["type"] == "ExecutionFailed" and event["execution_arn"] == execution
    history = sfn.get_execution_history(executionArn=execution)["events"]
    assert str(history[-1]["id"]) == event["id"]


def test_logging_configuration_is_checked_like_aws(sfn, logs):
    with pytest.raises(ClientError) as err:
        machine(sfn, FAILING, {"level": "ALL"})
    assert err.value.response["Error"]["Code"] == "InvalidLoggingConfiguration"
    assert "exactly one Log Destination" in err.value.response["Error"]["Message"]
    missing = {**logging(), "destinations": [{"cloudWatchLogsLogGroup": {
        "logGroupArn": "arn:aws:logs:us-east-1:000000000000:log-group:nope:*"}}]}
    with pytest.raises(ClientError) as err:
        machine(sfn, FAILING, missing)
    assert err.value.response["Error"]["Code"] == "InvalidLoggingConfiguration"
    machine(sfn, FAILING, logging())
    streams = [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=GROUP)["logStreams"]]
    assert streams == ["log_stream_created_by_aws_to_validate_log_delivery_subscriptions"]


def test_deleted_log_group_never_fails_the_execution(sfn, logs):
    arn = machine(sfn, PASS_THEN_WAIT, logging())
    logs.delete_log_group(logGroupName=GROUP)
    assert sfn.start_sync_execution(stateMachineArn=arn, input='{"id": 1}')["status"] == "SUCCEEDED"
