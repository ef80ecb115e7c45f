"""Every wait is a timer on the Cloud's clock: on a VirtualClock, days pass in microseconds.

The assertions read the history's timestamps (simulated time), never wall time.
Retry timing follows https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
(IntervalSeconds * BackoffRate^n, capped by MaxDelaySeconds; JitterStrategy FULL draws from [0, delay]).
"""
from __future__ import annotations

from datetime import timedelta

from sfn_helpers import output, types

DAY = 86400


def _at(events, event_type, nth=0):
    return [e["timestamp"] for e in events if e["type"] == event_type][nth]


def test_wait_of_one_day_passes_in_simulated_time(run):
    described, events = run({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": DAY, "End": True}}})
    assert described["status"] == "SUCCEEDED"
    assert described["stopDate"] - described["startDate"] == timedelta(days=1)
    assert _at(events, "WaitStateExited") - _at(events, "WaitStateEntered") == timedelta(days=1)


def test_retry_backoff_rate_2_with_10_attempts(run):
    failing = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "always"}}}
    definition = {"StartAt": "P", "States": {"P": {
        "Type": "Parallel", "Branches": [failing], "End": True,
        "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 1, "BackoffRate": 2, "MaxAttempts": 10}]}}}
    described, events = run(definition)
    assert (described["status"], described["error"], described["cause"]) == ("FAILED", "Boom", "always")
    starts = [e["timestamp"] for e in events if e["type"] == "ParallelStateStarted"]
    assert len(starts) == 11  # the first attempt and ten retries
    gaps = [(b - a).total_seconds() for a, b in zip(starts, starts[1:])]
    assert gaps == [2.0 ** n for n in range(10)]
    assert described["stopDate"] - described["startDate"] == timedelta(seconds=1023)


def test_hundred_iteration_choice_loop_with_wait_60(run):
    definition = {"StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Result": 0, "ResultPath": "$.n", "Next": "Wait"},
        "Wait": {"Type": "Wait", "Seconds": 60, "Next": "Count"},
        "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Loop"},
        "Loop": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": 100, "Next": "Wait"}],
                 "Default": "Done"},
        "Done": {"Type": "Succeed"}}}
    described, events = run(definition, {})
    assert described["status"] == "SUCCEEDED" and output(described) == {"n": 100}
    waits = [e["timestamp"] for e in events if e["type"] == "WaitStateExited"]
    assert len(waits) == 100
    assert waits[-1] - waits[0] == timedelta(seconds=99 * 60)
    assert described["stopDate"] - described["startDate"] == timedelta(seconds=6000)


def test_timestamp_wait_until_an_instant(run, cloud):
    start = cloud.clock.utcnow().replace(microsecond=0)
    due = (start + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    described, events = run({"StartAt": "W", "States": {
        "W": {"Type": "Wait", "TimestampPath": "$.due", "End": True}}}, {"due": due})
    assert described["status"] == "SUCCEEDED"
    assert _at(events, "WaitStateExited").strftime("%Y-%m-%dT%H:%M:%SZ") == due


def test_max_delay_seconds_caps_the_backoff(run):
    failing = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom"}}}
    definition = {"StartAt": "P", "States": {"P": {
        "Type": "Parallel", "Branches": [failing], "End": True,
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "BackoffRate": 3, "MaxAttempts": 4,
                   "MaxDelaySeconds": 50}]}}}
    _, events = run(definition)
    starts = [e["timestamp"] for e in events if e["type"] == "ParallelStateStarted"]
    assert [(b - a).total_seconds() for a, b in zip(starts, starts[1:])] == [10, 30, 50, 50]


def test_full_jitter_stays_within_the_backoff(run):
    failing = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom"}}}
    definition = {"StartAt": "P", "States": {"P": {
        "Type": "Parallel", "Branches": [failing], "End": True,
        "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 8, "BackoffRate": 2, "MaxAttempts": 3,
                   "JitterStrategy": "FULL"}]}}}
    _, events = run(definition)
    starts = [e["timestamp"] for e in events if e["type"] == "ParallelStateStarted"]
    gaps = [(b - a).total_seconds() for a, b in zip(starts, starts[1:])]
    assert len(gaps) == 3 and all(0 <= g <= limit for g, limit in zip(gaps, [8, 16, 32]))


def test_execution_timeout_seconds_times_out(run):
    described, events = run({"TimeoutSeconds": 5, "StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 3600, "End": True}}})
    assert described["status"] == "TIMED_OUT" and described["error"] == "States.Timeout"
    assert types(events)[-1] == "ExecutionTimedOut"
    assert described["stopDate"] - described["startDate"] == timedelta(seconds=5)
