"""Predefined errors and every Retry/Catch feature.

Error names and rules: https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
(States.ALL, States.TaskFailed, States.Timeout, States.HeartbeatTimeout, States.Runtime,
States.DataLimitExceeded, States.ResultPathMatchFailure, States.QueryEvaluationError ...).
Recorded causes come from data/cases.jsonl (test_states_errors, test_wait, test_base_scenarios).
Task failures are driven by an activity worker in the test thread, so they need no other service.
"""
from __future__ import annotations

import json

from sfn_helpers import output, types, work


def machine(states: dict, **top) -> dict:
    return {"StartAt": next(iter(states)), "States": states, **top}


def activity(sfn, name="work") -> str:
    return sfn.create_activity(name=name)["activityArn"]


def test_runtime_error_for_a_missing_path_is_not_caught_by_states_all(run):
    described, events = run(machine({"P": {"Type": "Parallel", "End": True, "Catch": [
        {"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "Branches": [machine({
            "pass": {"Type": "Pass", "Parameters": {"value.$": "$.no_such_jsonpath"}, "End": True}})]},
        "Caught": {"Type": "Succeed"}}), {"a": 1})
    assert described["status"] == "FAILED" and described["error"] == "States.Runtime"
    assert described["cause"] == ("An error occurred while executing the state 'pass' (entered at the event id #4). "
                                  "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be "
                                  "found in the input '{\"a\":1}'")


def test_data_limit_exceeded_on_a_large_state_output(run):
    big = "x" * 200_000
    described, events = run(machine({"State_1": {"Type": "Pass", "End": True,
                                                 "Parameters": {"a.$": "$.s", "b.$": "$.s"}}}), {"s": big})
    assert (described["error"], described["cause"]) == (
        "States.DataLimitExceeded", "The state/task 'State_1' returned a result with a size exceeding the maximum "
                                    "number of bytes service limit.")
    assert types(events) == ["ExecutionStarted", "PassStateEntered", "ExecutionFailed"]


def test_task_timeout_is_states_timeout(run, sfn):
    arn = activity(sfn)
    described, events = run(machine({"T": {"Type": "Task", "Resource": arn, "TimeoutSeconds": 30, "End": True}}))
    assert described["status"] == "FAILED" and described["error"] == "States.Timeout"
    assert types(events)[-3:] == ["ActivityScheduled", "ActivityTimedOut", "ExecutionFailed"]
    assert described["stopDate"] - described["startDate"] == __import__("datetime").timedelta(seconds=30)


def test_missed_heartbeat_is_caught_as_states_heartbeat_timeout(manual):
    sfn, clock = manual.sfn, manual.cloud.clock
    arn = activity(sfn)
    definition = machine({"T": {"Type": "Task", "Resource": arn, "HeartbeatSeconds": 10, "TimeoutSeconds": 300,
                                "Catch": [{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "H"}], "End": True},
                          "H": {"Type": "Pass", "End": True}})
    execution = manual.start(manual.machine(definition))
    clock.advance(100)  # nobody polls yet: the heartbeat clock has not started
    assert work(sfn, arn, lambda value: None)["taskToken"]
    clock.advance(11)
    described, events = manual.finish(execution)
    assert output(described) == {"Error": "States.Timeout"}
    assert types(events)[2:6] == ["ActivityScheduled", "ActivityStarted", "ActivityTimedOut", "TaskStateExited"]


def test_heartbeats_keep_a_task_alive(manual):
    sfn, clock = manual.sfn, manual.cloud.clock
    arn = activity(sfn)
    definition = machine({"T": {"Type": "Task", "Resource": arn, "HeartbeatSeconds": 10, "End": True}})
    execution = manual.start(manual.machine(definition))
    task = sfn.get_activity_task(activityArn=arn, workerName="w")
    for _ in range(3):
        clock.advance(8)
        sfn.send_task_heartbeat(taskToken=task["taskToken"])
    sfn.send_task_success(taskToken=task["taskToken"], output='"done"')
    described, events = manual.finish(execution)
    assert described["status"] == "SUCCEEDED" and output(described) == "done"
    started = next(e for e in events if e["type"] == "ActivityStarted")
    assert started["activityStartedEventDetails"] == {"workerName": "w"}


def test_task_failed_matches_task_errors_but_not_timeouts(run, sfn):
    arn = activity(sfn)
    catch = [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "C"}]
    definition = machine({"T": {"Type": "Task", "Resource": arn, "Catch": catch, "End": True},
                          "C": {"Type": "Pass", "End": True}})
    execution = run.start(run.machine(definition), {"in": 1})
    work(sfn, arn, lambda value: ("failure", "Custom.Error", "it broke"))
    described, _ = run.finish(execution)
    assert output(described) == {"in": 1, "error": {"Error": "Custom.Error", "Cause": "it broke"}}
    timed = machine({"T": {"Type": "Task", "Resource": arn, "TimeoutSeconds": 5, "Catch": catch, "End": True},
                     "C": {"Type": "Pass", "End": True}})
    described, _ = run(timed)
    assert described["status"] == "FAILED" and described["error"] == "States.Timeout"


def test_retry_count_is_visible_and_retriers_count_separately(run, sfn):
    arn = activity(sfn)
    definition = machine({"T": {"Type": "Task", "Resource": arn, "Parameters": {"try.$": "$$.State.RetryCount"},
                                "Retry": [{"ErrorEquals": ["A"], "MaxAttempts": 1, "IntervalSeconds": 1},
                                          {"ErrorEquals": ["B"], "MaxAttempts": 2, "IntervalSeconds": 1}],
                                "End": True}})
    execution = run.start(run.machine(definition))
    seen = []
    for error in ("A", "B", "B", None):
        task = work(sfn, arn, lambda value: ("failure", error, "") if error else ("success", value))
        seen.append(json.loads(task["input"])["try"])
    described, events = run.finish(execution)
    assert seen == [0, 1, 2, 3] and output(described) == {"try": 3}
    assert types(events).count("ActivityScheduled") == 4


def test_max_attempts_zero_never_retries(run):
    definition = machine({"P": {"Type": "Parallel", "End": True, "Retry": [
        {"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}], "Branches": [machine({"F": {"Type": "Fail",
                                                                                        "Error": "X"}})]}})
    described, events = run(definition)
    assert described["error"] == "X" and types(events).count("ParallelStateStarted") == 1


def test_retry_then_catch_and_catcher_order(run):
    definition = machine({"P": {"Type": "Parallel", "Next": "Done", "Branches": [machine({
        "F": {"Type": "Fail", "Error": "Flaky", "Cause": "c"}})],
        "Retry": [{"ErrorEquals": ["Flaky"], "MaxAttempts": 2, "IntervalSeconds": 2}],
        "Catch": [{"ErrorEquals": ["Other"], "Next": "Wrong"},
                  {"ErrorEquals": ["Flaky", "States.ALL"][0:1], "ResultPath": "$.failure", "Next": "Done"},
                  {"ErrorEquals": ["States.ALL"], "Next": "Wrong"}]},
        "Wrong": {"Type": "Fail", "Error": "WrongCatcher"}, "Done": {"Type": "Succeed"}})
    described, events = run(definition, {"k": "v"})
    assert output(described) == {"k": "v", "failure": {"Error": "Flaky", "Cause": "c"}}
    assert types(events).count("ParallelStateStarted") == 3
    assert types(events)[-4:] == ["ParallelStateExited", "SucceedStateEntered", "SucceedStateExited",
                                  "ExecutionSucceeded"]


def test_result_path_match_failure_can_be_caught(run):
    definition = machine({"P": {"Type": "Parallel", "ResultPath": "$.a.b", "Next": "Done", "Branches": [
        machine({"X": {"Type": "Pass", "End": True}})],
        "Catch": [{"ErrorEquals": ["States.ResultPathMatchFailure"], "Next": "Done"}]},
        "Done": {"Type": "Succeed"}})
    described, _ = run(definition, {"a": "text"})
    assert output(described)["Error"] == "States.ResultPathMatchFailure"
    assert output(described)["Cause"] == 'Unable to apply ReferencePath $.a.b to input {"a":"text"}'


def test_query_evaluation_error_is_caught_with_jsonata_catch_output_and_assign(run):
    definition = machine({"T": {"Type": "Parallel", "Next": "Done", "Branches": [machine({
        "P": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $doesNotExist %}", "End": True}})],
        "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "Done",
                   "Assign": {"why": "{% $states.errorOutput.Error %}"},
                   "Output": {"caught": "{% $states.errorOutput.Error %}"}}]},
        "Done": {"Type": "Pass", "Output": {"caught": "{% $states.input.caught %}", "why": "{% $why %}"},
                 "End": True}}, QueryLanguage="JSONata")
    described, events = run(definition)
    assert output(described) == {"caught": "States.QueryEvaluationError", "why": "States.QueryEvaluationError"}
    assert "EvaluationFailed" in types(events)


def test_wait_errors_use_aws_wording(run):
    described, _ = run(machine({"WaitState": {"Type": "Wait", "SecondsPath": "$.input.waitSeconds", "End": True}}),
                       {"input": {"waitSeconds": 1.5}})
    assert described["cause"] == ("An error occurred while executing the state 'WaitState' (entered at the event "
                                  "id #2). The SecondsPath parameter cannot be parsed as a long value: "
                                  "$.input.waitSeconds == 1.5")


def test_stop_execution_aborts_with_error_and_cause(manual):
    execution = manual.start(manual.machine(machine({"W": {"Type": "Wait", "Seconds": 999, "End": True}})))
    stopped = manual.sfn.stop_execution(executionArn=execution, error="Stop.Requested", cause="by test")
    described, events = manual.finish(execution)
    assert (described["status"], described["error"], described["cause"]) == ("ABORTED", "Stop.Requested", "by test")
    assert described["stopDate"] == stopped["stopDate"]
    aborted = events[-1]
    assert aborted["type"] == "ExecutionAborted" and aborted["previousEventId"] == 0
