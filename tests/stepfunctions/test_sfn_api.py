"""The Step Functions API through boto3: shapes, idempotency, errors and their messages.

Expected messages are AWS's as recorded in LocalStack's AWS-validated snapshots
(tests/aws/services/stepfunctions/v2/test_sfn_api*.snapshot.json) and the API reference
(docs.aws.amazon.com/step-functions/latest/apireference/).
"""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from sfn_helpers import ROLE, output, types

PASS = {"Comment": "BASE_PASS_RESULT", "StartAt": "State_1",
        "States": {"State_1": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True}}}
WAIT = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}}


def error_of(call, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def create(sfn, name="sm", definition=PASS, **kwargs) -> str:
    return sfn.create_state_machine(name=name, roleArn=ROLE, definition=json.dumps(definition),
                                    **kwargs)["stateMachineArn"]


def test_create_describe_update_delete(sfn):
    arn = create(sfn)
    d = sfn.describe_state_machine(stateMachineArn=arn)
    assert (d["name"], d["status"], d["type"], d["roleArn"]) == ("sm", "ACTIVE", "STANDARD", ROLE)
    assert d["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}
    assert d["tracingConfiguration"] == {"enabled": False} and json.loads(d["definition"]) == PASS
    assert create(sfn) == arn  # an identical definition is idempotent
    assert error_of(create, sfn, definition=WAIT) == (
        "StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")
    first = sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(WAIT))["revisionId"]
    again = sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(WAIT))["revisionId"]
    assert first == again == sfn.describe_state_machine(stateMachineArn=arn)["revisionId"]
    assert error_of(sfn.update_state_machine, stateMachineArn=arn) == (
        "MissingRequiredParameter",
        "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified")
    sfn.delete_state_machine(stateMachineArn=arn)
    sfn.delete_state_machine(stateMachineArn=arn)  # deleting twice is fine, as on AWS
    assert error_of(sfn.describe_state_machine, stateMachineArn=arn) == (
        "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")


def test_invalid_arns_and_names(sfn):
    assert error_of(sfn.describe_state_machine, stateMachineArn="not_a_valid_arn") == (
        "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'")
    assert error_of(sfn.create_state_machine, name="bad name", roleArn=ROLE, definition=json.dumps(PASS))[0] == \
        "InvalidName"
    assert error_of(sfn.describe_execution, executionArn="invalid_state_machine_arn") == (
        "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'")


def test_list_state_machines_sorted_by_name_and_paginated(sfn):
    for name in ("c", "a", "b"):
        create(sfn, name)
    first = sfn.list_state_machines(maxResults=2)
    assert [m["name"] for m in first["stateMachines"]] == ["a", "b"]
    rest = sfn.list_state_machines(maxResults=2, nextToken=first["nextToken"])
    assert [m["name"] for m in rest["stateMachines"]] == ["c"] and "nextToken" not in rest
    assert error_of(sfn.list_state_machines, maxResults=1001) == (
        "ValidationException", "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy "
                               "constraint: Member must have value less than or equal to 1000")


def test_start_execution_is_idempotent_by_name_while_running(manual):
    sfn = manual.sfn
    arn = manual.machine(WAIT)
    first = sfn.start_execution(stateMachineArn=arn, name="once", input="{}")
    again = sfn.start_execution(stateMachineArn=arn, name="once", input="{}")
    assert first["executionArn"] == again["executionArn"] == arn.replace(":stateMachine:", ":execution:") + ":once"
    assert error_of(sfn.start_execution, stateMachineArn=arn, name="once", input='{"other": 1}') == (
        "ExecutionAlreadyExists", f"Execution Already Exists: '{first['executionArn']}'")


def test_invalid_execution_input_messages(run, sfn):
    arn = run.machine(PASS)
    assert error_of(sfn.start_execution, stateMachineArn=arn, input="not json") == (
        "InvalidExecutionInput", "Invalid State Machine Execution Input: 'Unrecognized token 'not': was expecting "
                                 "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')'")
    assert error_of(sfn.start_execution, stateMachineArn=arn, input="{'a': 1}") == (
        "InvalidExecutionInput", "Invalid State Machine Execution Input: 'Unexpected character (''' (code 39)): was "
                                 "expecting double-quote to start field name'")
    described, _ = run.finish(sfn.start_execution(stateMachineArn=arn, input="1")["executionArn"])
    assert described["status"] == "SUCCEEDED"


def test_describe_and_list_executions(run, sfn):
    arn = run.machine(PASS)
    names = [f"run-{i}" for i in range(3)]
    for name in names:
        run.finish(run.start(arn, name=name))
    d = sfn.describe_execution(executionArn=arn.replace(":stateMachine:", ":execution:") + ":run-0")
    assert (d["status"], d["input"], output(d), d["redriveStatus"]) == ("SUCCEEDED", "{}", {"Arg1": "argument1"},
                                                                          "NOT_REDRIVABLE")
    assert d["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
    listed = sfn.list_executions(stateMachineArn=arn, maxResults=2)
    assert [e["name"] for e in listed["executions"]] == ["run-2", "run-1"]  # newest first
    more = sfn.list_executions(stateMachineArn=arn, nextToken=listed["nextToken"])
    assert [e["name"] for e in more["executions"]] == ["run-0"]
    assert sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"] == []
    meta = sfn.describe_execution(executionArn=d["executionArn"], includedData="METADATA_ONLY")
    assert "input" not in meta and "output" not in meta


def test_execution_history_ids_order_and_data(run, sfn):
    described, events = run(PASS)
    arn = described["executionArn"]
    assert [(e["id"], e["previousEventId"]) for e in events] == [(1, 0), (2, 0), (3, 2), (4, 3)]
    assert types(events) == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    assert events[0]["executionStartedEventDetails"] == {"input": "{}", "inputDetails": {"truncated": False},
                                                         "roleArn": ROLE}
    reverse = sfn.get_execution_history(executionArn=arn, reverseOrder=True)["events"]
    assert [e["id"] for e in reverse] == [4, 3, 2, 1]
    bare = sfn.get_execution_history(executionArn=arn, includeExecutionData=False)["events"]
    assert bare[2]["stateExitedEventDetails"] == {"name": "State_1", "outputDetails": {"truncated": False}}
    page = sfn.get_execution_history(executionArn=arn, maxResults=3)
    assert len(page["events"]) == 3
    assert [e["id"] for e in sfn.get_execution_history(executionArn=arn, nextToken=page["nextToken"])["events"]] == [4]


def test_describe_state_machine_for_execution_keeps_the_definition_it_ran(run, sfn):
    arn = run.machine(PASS)
    execution = run.start(arn)
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(WAIT))
    d = sfn.describe_state_machine_for_execution(executionArn=execution)
    assert json.loads(d["definition"]) == PASS and d["stateMachineArn"] == arn


def test_stop_execution(manual):
    execution = manual.start(manual.machine(WAIT))
    manual.sfn.stop_execution(executionArn=execution)
    described, events = manual.finish(execution)
    assert described["status"] == "ABORTED" and types(events)[-1] == "ExecutionAborted"
    assert events[-1]["executionAbortedEventDetails"] == {}


def test_express_machines(run, sfn):
    arn = run.machine(PASS, kind="EXPRESS")
    result = sfn.start_sync_execution(stateMachineArn=arn, input='{"a": 1}')
    assert result["status"] == "SUCCEEDED" and json.loads(result["output"]) == {"Arg1": "argument1"}
    assert ":express:" in result["executionArn"] and result["billingDetails"]["billedDurationInMilliseconds"] >= 100
    started = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert error_of(sfn.describe_execution, executionArn=started) == (
        "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: express'")
    assert error_of(sfn.list_executions, stateMachineArn=arn) == (
        "StateMachineTypeNotSupported", "This operation is not supported by this type of state machine")
    standard = run.machine(PASS)
    assert error_of(sfn.start_sync_execution, stateMachineArn=standard)[0] == "StateMachineTypeNotSupported"


def test_express_execution_times_out_after_five_minutes(run, sfn):
    waits = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}}
    result = sfn.start_sync_execution(stateMachineArn=run.machine(waits, kind="EXPRESS"), input="{}")
    assert result["status"] == "TIMED_OUT" and result["error"] == "States.Timeout"
    assert (result["stopDate"] - result["startDate"]).total_seconds() == 300
    shorter = dict(waits, TimeoutSeconds=30)
    result = sfn.start_sync_execution(stateMachineArn=run.machine(shorter, kind="EXPRESS"), input="{}")
    assert (result["stopDate"] - result["startDate"]).total_seconds() == 30


def test_versions_and_aliases(run, sfn):
    arn = sfn.create_state_machine(name="v", roleArn=ROLE, definition=json.dumps(PASS), publish=True)
    assert arn["stateMachineVersionArn"] == arn["stateMachineArn"] + ":1"
    same = sfn.publish_state_machine_version(stateMachineArn=arn["stateMachineArn"])
    assert same["stateMachineVersionArn"] == arn["stateMachineVersionArn"]  # nothing changed: same version
    sfn.update_state_machine(stateMachineArn=arn["stateMachineArn"], definition=json.dumps(WAIT), publish=True)
    versions = sfn.list_state_machine_versions(stateMachineArn=arn["stateMachineArn"])["stateMachineVersions"]
    assert [v["stateMachineVersionArn"].rsplit(":", 1)[1] for v in versions] == ["2", "1"]
    alias = sfn.create_state_machine_alias(name="live", routingConfiguration=[
        {"stateMachineVersionArn": arn["stateMachineVersionArn"], "weight": 100}])["stateMachineAliasArn"]
    execution = sfn.start_execution(stateMachineArn=alias)["executionArn"]
    described, _ = run.finish(execution)
    assert output(described) == {"Arg1": "argument1"}
    assert described["stateMachineVersionArn"] == arn["stateMachineVersionArn"]
    assert described["stateMachineAliasArn"] == alias
    assert sfn.describe_state_machine_alias(stateMachineAliasArn=alias)["name"] == "live"
    assert [e["executionArn"] for e in sfn.list_executions(stateMachineArn=alias)["executions"]] == [execution]
    assert error_of(sfn.delete_state_machine_version, stateMachineVersionArn=arn["stateMachineVersionArn"])[0] == \
        "ConflictException"
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    sfn.delete_state_machine_version(stateMachineVersionArn=arn["stateMachineVersionArn"])


def test_tags(sfn):
    arn = create(sfn)
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "data"}, {"key": "env", "value": "dev"}])
    sfn.untag_resource(resourceArn=arn, tagKeys=["env"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "data"}]
    missing = arn + "x"
    assert error_of(sfn.list_tags_for_resource, resourceArn=missing) == (
        "ResourceNotFound", f"Resource not found: '{missing}'")


def test_activities(sfn):
    created = sfn.create_activity(name="act")
    assert sfn.create_activity(name="act")["activityArn"] == created["activityArn"]
    assert sfn.describe_activity(activityArn=created["activityArn"])["name"] == "act"
    assert [a["name"] for a in sfn.list_activities()["activities"]] == ["act"]
    sfn.delete_activity(activityArn=created["activityArn"])
    assert error_of(sfn.describe_activity, activityArn=created["activityArn"])[0] == "ActivityDoesNotExist"


def test_task_token_errors(sfn):
    assert error_of(sfn.send_task_success, taskToken="NoSuchTaskToken", output="{}") == (
        "InvalidToken", "Invalid Token: 'Invalid token'")
    assert error_of(sfn.send_task_failure, taskToken="NoSuchTaskToken")[0] == "InvalidToken"


def test_status_changes_are_published_on_the_fabric(run, cloud):
    facts = []
    cloud.fabric.subscribe("states.execution", facts.append)
    described, _ = run(PASS)
    cloud.clock.run_until_idle()
    assert [f["status"] for f in facts] == ["RUNNING", "SUCCEEDED"]
    assert facts[-1]["executionArn"] == described["executionArn"] and facts[-1]["stateMachineArn"]


def test_redrive_restarts_from_the_failed_state(run, sfn):
    definition = {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Result": "a", "ResultPath": "$.a", "Next": "B"},
        "B": {"Type": "Choice", "Choices": [{"Variable": "$.ok", "IsPresent": True, "Next": "C"}]},
        "C": {"Type": "Succeed"}}}
    described, _ = run(definition)
    assert described["status"] == "FAILED" and described["redriveStatus"] == "REDRIVABLE"
    sfn.redrive_execution(executionArn=described["executionArn"])
    again, events = run.finish(described["executionArn"])
    assert again["status"] == "FAILED" and again["redriveCount"] == 1
    assert types(events).count("ExecutionRedriven") == 1 and types(events).count("PassStateEntered") == 1


def test_validate_state_machine_definition(sfn):
    ok = sfn.validate_state_machine_definition(definition=json.dumps(PASS))
    assert (ok["result"], ok["diagnostics"]) == ("OK", [])
    bad = sfn.validate_state_machine_definition(definition=json.dumps({"StartAt": "A"}))
    assert bad["result"] == "FAIL"
    assert bad["diagnostics"] == [{"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED",
                                   "message": "These fields are required: [States]", "location": "/"}]


def test_test_state(sfn):
    state = {"Type": "Pass", "Parameters": {"x.$": "$.a"}, "ResultPath": "$.r", "Next": "Later"}
    result = sfn.test_state(definition=json.dumps(state), roleArn=ROLE, input='{"a": 5}', inspectionLevel="DEBUG")
    assert (result["status"], result["nextState"], json.loads(result["output"])) == (
        "SUCCEEDED", "Later", {"a": 5, "r": {"x": 5}})
    assert json.loads(result["inspectionData"]["afterParameters"]) == {"x": 5}
    fail = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
            "Retry": [{"ErrorEquals": ["States.ALL"]}]}
    mocked = sfn.test_state(definition=json.dumps(fail), roleArn=ROLE, input="{}",
                            mock={"errorOutput": {"error": "Boom", "cause": "mocked"}})
    assert (mocked["status"], mocked["error"], mocked["cause"]) == ("RETRIABLE", "Boom", "mocked")
    caught = dict(fail, Retry=[], Catch=[{"ErrorEquals": ["Boom"], "Next": "Handler"}])
    result = sfn.test_state(definition=json.dumps(caught), roleArn=ROLE, input="{}",
                            mock={"errorOutput": {"error": "Boom", "cause": "mocked"}})
    assert (result["status"], result["nextState"]) == ("CAUGHT_ERROR", "Handler")
    assert json.loads(result["output"]) == {"Error": "Boom", "Cause": "mocked"}
