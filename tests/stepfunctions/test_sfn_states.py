"""Every state type, each case with the output the AWS documentation gives for it.

Docs (docs.aws.amazon.com/step-functions/latest/dg/...): state-pass.html, state-choice.html,
state-wait.html, state-succeed.html, state-fail.html, state-parallel.html, state-map-inline.html,
state-map-distributed.html, input-output-inputpath-params.html, input-output-resultpath.html,
input-output-contextobject.html, workflow-variables.html, transforming-data.html (JSONata).
"""
from __future__ import annotations

import json
import re

import pytest

from sfn_helpers import output, types


def machine(states: dict, start: str | None = None, **top) -> dict:
    return {"StartAt": start or next(iter(states)), "States": states, **top}


PRODUCT = {"comment": "Example for Parameters.",
           "product": {"details": {"color": "blue", "size": "small", "material": "cotton"},
                       "availability": "in stock", "sku": "2317", "cost": "$23"}}

CASES = [
    # state-pass.html: Result placed at ResultPath next to the input
    ("pass-result-path", machine({"P": {"Type": "Pass", "Result": {"x-datum": 0.381018, "y-datum": 622.2269926397355},
                                        "ResultPath": "$.coords", "End": True}}),
     {"georefOf": "Home"},
     ("SUCCEEDED", {"georefOf": "Home", "coords": {"x-datum": 0.381018, "y-datum": 622.2269926397355}})),
    # input-output-inputpath-params.html: Parameters with static values and paths
    ("pass-parameters", machine({"P": {"Type": "Pass", "End": True, "Parameters": {
        "comment": "Selecting what I care about.",
        "MyDetails": {"size.$": "$.product.details.size", "exists.$": "$.product.availability",
                      "StaticValue": "foo"}}}}),
     PRODUCT, ("SUCCEEDED", {"comment": "Selecting what I care about.",
                             "MyDetails": {"size": "small", "exists": "in stock", "StaticValue": "foo"}})),
    # input-output-inputpath-params.html: InputPath selects part of the input
    ("pass-input-path", machine({"P": {"Type": "Pass", "InputPath": "$.product.details", "End": True}}),
     PRODUCT, ("SUCCEEDED", {"color": "blue", "size": "small", "material": "cotton"})),
    # input-output-resultpath.html: ResultPath null discards the result
    ("pass-result-path-null", machine({"P": {"Type": "Pass", "Result": 1, "ResultPath": None, "End": True}}),
     {"keep": True}, ("SUCCEEDED", {"keep": True})),
    # input-output-outputpath.html: OutputPath filters the output, null gives {}
    ("pass-output-path", machine({"P": {"Type": "Pass", "OutputPath": "$.product.sku", "End": True}}),
     PRODUCT, ("SUCCEEDED", "2317")),
    ("pass-output-path-null", machine({"P": {"Type": "Pass", "OutputPath": None, "End": True}}),
     PRODUCT, ("SUCCEEDED", {})),
    # input-output-contextobject.html: $$ fields
    ("context-object", machine({"P": {"Type": "Pass", "End": True, "Parameters": {
        "state.$": "$$.State.Name", "machine.$": "$$.StateMachine.Name", "input.$": "$$.Execution.Input"}}}),
     {"a": 1}, ("SUCCEEDED", {"state": "P", "machine": "@machine", "input": {"a": 1}})),
    # state-choice.html: rule order, Default, And/Not
    ("choice-rules", machine({
        "C": {"Type": "Choice", "Default": "Other", "Choices": [
            {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"},
            {"And": [{"Variable": "$.value", "IsPresent": True}, {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                     {"Variable": "$.value", "NumericLessThan": 30}], "Next": "ValueInTwenties"}]},
        "Public": {"Type": "Pass", "Result": "public", "End": True},
        "ValueInTwenties": {"Type": "Pass", "Result": "twenties", "End": True},
        "Other": {"Type": "Pass", "Result": "other", "End": True}}),
     {"type": "Private", "value": 22}, ("SUCCEEDED", "twenties")),
    ("choice-default", machine({
        "C": {"Type": "Choice", "Default": "D", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "One"}]},
        "One": {"Type": "Succeed"}, "D": {"Type": "Pass", "Result": "default", "End": True}}),
     {"n": 2}, ("SUCCEEDED", "default")),
    ("choice-no-match", machine({
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "One"}]},
        "One": {"Type": "Succeed"}}), {"n": 2}, ("FAILED", "States.NoChoiceMatched", None)),
    ("choice-string-matches-and-timestamp", machine({
        "C": {"Type": "Choice", "Default": "No", "Choices": [{"And": [
            {"Variable": "$.file", "StringMatches": "log-*.txt"},
            {"Variable": "$.at", "TimestampGreaterThan": "2016-08-18T17:33:00Z"}], "Next": "Yes"}]},
        "Yes": {"Type": "Pass", "Result": "yes", "End": True}, "No": {"Type": "Pass", "Result": "no", "End": True}}),
     {"file": "log-2024.txt", "at": "2016-08-18T17:34:00Z"}, ("SUCCEEDED", "yes")),
    # state-wait.html: SecondsPath; errors worded as AWS records them
    ("wait-seconds-path", machine({"W": {"Type": "Wait", "SecondsPath": "$.s", "End": True}}),
     {"s": 10}, ("SUCCEEDED", {"s": 10})),
    ("wait-seconds-path-negative", machine({"W": {"Type": "Wait", "SecondsPath": "$.s", "End": True}}), {"s": -1},
     ("FAILED", "States.Runtime", "An error occurred while executing the state 'W' (entered at the event id #2). "
                                  "The SecondsPath parameter references a negative value: $.s == -1")),
    # state-succeed.html / state-fail.html
    ("succeed-output-path", machine({"S": {"Type": "Succeed", "OutputPath": "$.a"}}), {"a": [1]},
     ("SUCCEEDED", [1])),
    ("fail-error-cause", machine({"F": {"Type": "Fail", "Error": "ErrorA", "Cause": "Kaiju attack"}}), {},
     ("FAILED", "ErrorA", "Kaiju attack")),
    ("fail-paths-and-intrinsic", machine({"F": {"Type": "Fail", "ErrorPath": "$.e",
                                                "CausePath": "States.Format('{} failed', $.who)"}}),
     {"e": "Custom", "who": "step"}, ("FAILED", "Custom", "step failed")),
    # state-parallel.html: an array of the branches' outputs, in branch order
    ("parallel-results", machine({"P": {"Type": "Parallel", "End": True, "Branches": [
        machine({"A": {"Type": "Pass", "Result": "a", "End": True}}),
        machine({"W": {"Type": "Wait", "Seconds": 5, "Next": "B"}, "B": {"Type": "Pass", "Result": "b", "End": True}})],
        "ResultSelector": {"first.$": "$[0]", "second.$": "$[1]"}}}), {},
     ("SUCCEEDED", {"first": "a", "second": "b"})),
    ("parallel-branch-failure", machine({"P": {"Type": "Parallel", "End": True, "Branches": [
        machine({"W": {"Type": "Wait", "Seconds": 100, "End": True}}),
        machine({"F": {"Type": "Fail", "Error": "BranchBoom", "Cause": "x"}})]}}), {},
     ("FAILED", "BranchBoom", "x")),
    # state-map-inline.html: ItemsPath, ItemSelector with $$.Map.Item
    ("map-item-selector", machine({"M": {"Type": "Map", "ItemsPath": "$.detail.shipped", "End": True,
                                         "ItemSelector": {"parcel.$": "$$.Map.Item.Value",
                                                          "index.$": "$$.Map.Item.Index",
                                                          "courier.$": "$.delivery-partner"},
                                         "ItemProcessor": machine({"V": {"Type": "Pass", "End": True}})}}),
     {"delivery-partner": "UQS", "detail": {"shipped": [{"prod": "R31"}, {"prod": "S39"}]}},
     ("SUCCEEDED", [{"parcel": {"prod": "R31"}, "index": 0, "courier": "UQS"},
                    {"parcel": {"prod": "S39"}, "index": 1, "courier": "UQS"}])),
    ("map-legacy-iterator-parameters", machine({"M": {"Type": "Map", "MaxConcurrency": 1, "End": True,
                                                      "Parameters": {"v.$": "$$.Map.Item.Value"},
                                                      "Iterator": machine({"V": {"Type": "Pass", "End": True}})}}),
     [1, 2], ("SUCCEEDED", [{"v": 1}, {"v": 2}])),
    ("map-iteration-failure", machine({"M": {"Type": "Map", "End": True, "ItemProcessor": machine({
        "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "F"}], "Default": "OK"},
        "F": {"Type": "Fail", "Error": "Two"}, "OK": {"Type": "Succeed"}})}}), [1, 2, 3], ("FAILED", "Two", None)),
    # state-map-distributed.html: children as a map run; tolerated failures
    ("map-distributed-tolerated", machine({"M": {"Type": "Map", "End": True, "ToleratedFailureCount": 1,
                                                 "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED",
                                                                                       "ExecutionType": "EXPRESS"},
                                                                   **machine({"V": {"Type": "Pass", "End": True}})}}}),
     [1, 2, 3], ("SUCCEEDED", [1, 2, 3])),
    ("map-distributed-threshold", machine({"M": {"Type": "Map", "End": True, "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        **machine({"F": {"Type": "Fail", "Error": "Bad"}})}}}), [1],
     ("FAILED", "States.ExceedToleratedFailureThreshold", "The specified tolerated failure threshold was exceeded")),
    ("map-distributed-batches", machine({"M": {"Type": "Map", "End": True, "ItemBatcher": {
        "MaxItemsPerBatch": 2, "BatchInput": {"tag": "t"}}, "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
        **machine({"V": {"Type": "Pass", "End": True}})}}}), [1, 2, 3],
     ("SUCCEEDED", [{"tag": "t", "Items": [1, 2]}, {"tag": "t", "Items": [3]}])),
    # workflow-variables.html: Assign, then reference in a later state
    ("variables-assign-reference", machine({
        "A": {"Type": "Pass", "Assign": {"productName.$": "$.product.sku", "count": 2}, "Next": "B"},
        "B": {"Type": "Pass", "Parameters": {"name.$": "$productName", "count.$": "$count"}, "End": True}}),
     PRODUCT, ("SUCCEEDED", {"name": "2317", "count": 2})),
    # workflow-variables.html: Map children read outer variables; their own assignments stay inside
    ("variables-map-scope", machine({
        "A": {"Type": "Pass", "Assign": {"outer": "o"}, "Next": "M"},
        "M": {"Type": "Map", "Next": "B", "ItemProcessor": machine({
            "I": {"Type": "Pass", "Assign": {"inner": "i"}, "Next": "R"},
            "R": {"Type": "Pass", "Parameters": {"outer.$": "$outer", "inner.$": "$inner"}, "End": True}})},
        "B": {"Type": "Pass", "Parameters": {"items.$": "$", "outer.$": "$outer"}, "End": True}}),
     [0], ("SUCCEEDED", {"items": [{"outer": "o", "inner": "i"}], "outer": "o"})),
    # transforming-data.html: JSONata Output, Assign, Condition, Items
    ("jsonata-pass-output-assign", machine({
        "A": {"Type": "Pass", "Assign": {"total": "{% $sum($states.input.prices) %}"}, "Next": "B"},
        "B": {"Type": "Pass", "Output": {"total": "{% $total %}", "n": "{% $count($states.input.prices) %}"},
              "End": True}}, QueryLanguage="JSONata"),
     {"prices": [1, 2, 3.5]}, ("SUCCEEDED", {"total": 6.5, "n": 3})),
    ("jsonata-choice-condition", machine({
        "C": {"Type": "Choice", "Default": "No", "Choices": [
            {"Condition": "{% $states.input.n > 5 %}", "Next": "Yes", "Output": {"big": True}}]},
        "Yes": {"Type": "Succeed"}, "No": {"Type": "Fail", "Error": "Small"}}, QueryLanguage="JSONata"),
     {"n": 7}, ("SUCCEEDED", {"big": True})),
    ("jsonata-map-items", machine({"M": {"Type": "Map", "Items": "{% $states.input.xs %}", "End": True,
                                         "ItemSelector": {"v": "{% $states.context.Map.Item.Value * 10 %}"},
                                         "ItemProcessor": machine({"V": {"Type": "Pass", "End": True}})}},
                                  QueryLanguage="JSONata"),
     {"xs": [1, 2]}, ("SUCCEEDED", [{"v": 10}, {"v": 20}])),
    ("jsonata-wait-seconds", machine({"W": {"Type": "Wait", "Seconds": "{% $states.input.s %}", "End": True,
                                            "Output": "{% $states.input.s %}"}}, QueryLanguage="JSONata"),
     {"s": 3}, ("SUCCEEDED", 3)),
    ("jsonata-fail", machine({"F": {"Type": "Fail", "Error": "{% 'E' & $states.input.code %}",
                                    "Cause": "{% $states.input.why %}"}}, QueryLanguage="JSONata"),
     {"code": "42", "why": "because"}, ("FAILED", "E42", "because")),
]


@pytest.mark.parametrize("name,definition,value,expected", CASES, ids=[c[0] for c in CASES])
def test_state(table_run, name, definition, value, expected):
    arn = table_run.machine(definition)
    described, _ = table_run.finish(table_run.start(arn, value))
    assert described["status"] == expected[0], described.get("cause")
    if expected[0] == "SUCCEEDED":
        want = json.loads(json.dumps(expected[1]).replace("@machine", arn.rsplit(":", 1)[1]))
        assert output(described) == want
    else:
        assert described.get("error") == expected[1]
        if expected[2] is not None:
            assert described.get("cause") == expected[2]


def test_map_history_has_one_iteration_per_item(run):
    described, events = run(machine({"M": {"Type": "Map", "MaxConcurrency": 1, "End": True,
                                           "ItemProcessor": machine({"V": {"Type": "Pass", "End": True}})}}), [1, 2])
    assert types(events) == ["ExecutionStarted", "MapStateEntered", "MapStateStarted",
                             "MapIterationStarted", "PassStateEntered", "PassStateExited", "MapIterationSucceeded",
                             "MapIterationStarted", "PassStateEntered", "PassStateExited", "MapIterationSucceeded",
                             "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
    started = next(e for e in events if e["type"] == "MapStateStarted")
    assert started["mapStateStartedEventDetails"] == {"length": 2}


def test_parallel_failure_aborts_the_running_sibling(run):
    described, events = run(CASES[[c[0] for c in CASES].index("parallel-branch-failure")][1])
    assert described["error"] == "BranchBoom"
    assert "WaitStateAborted" in types(events)
    assert types(events)[-2:] == ["ParallelStateFailed", "ExecutionFailed"]


def test_distributed_map_records_a_map_run(run, sfn):
    definition = machine({"M": {"Type": "Map", "End": True, "Label": "Items", "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
        **machine({"V": {"Type": "Pass", "End": True}})}}})
    execution = run.start(run.machine(definition), [1, 2, 3])
    described, events = run.finish(execution)
    assert types(events) == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted",
                             "MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
    map_run = sfn.list_map_runs(executionArn=execution)["mapRuns"][0]["mapRunArn"]
    assert ":mapRun:" in map_run and "/Items:" in map_run
    d = sfn.describe_map_run(mapRunArn=map_run)
    assert (d["status"], d["itemCounts"]["succeeded"], d["itemCounts"]["total"]) == ("SUCCEEDED", 3, 3)


def test_assigned_variables_appear_in_the_exit_event(run):
    _, events = run(machine({"A": {"Type": "Pass", "Assign": {"x": 1, "y.$": "$.v"}, "End": True}}), {"v": "s"})
    exited = next(e for e in events if e["type"] == "PassStateExited")["stateExitedEventDetails"]
    assert exited["assignedVariables"] == {"x": "1", "y": "\"s\""}


def test_map_previous_event_ids_follow_aws(run):
    """As recorded (LocalStack test_base_scenarios snapshot, test_map_state_catch / test_map_state)."""
    items = machine({"H": {"Type": "Pass", "End": True}})
    _, events = run(machine({"M": {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": items, "End": True}}),
                    [1, 2])
    assert [(e["type"], e["id"], e["previousEventId"]) for e in events[2:]] == [
        ("MapStateStarted", 3, 2), ("MapIterationStarted", 4, 3), ("PassStateEntered", 5, 4),
        ("PassStateExited", 6, 5), ("MapIterationSucceeded", 7, 6), ("MapIterationStarted", 8, 6),
        ("PassStateEntered", 9, 8), ("PassStateExited", 10, 9), ("MapIterationSucceeded", 11, 10),
        ("MapStateSucceeded", 12, 11), ("MapStateExited", 13, 11), ("ExecutionSucceeded", 14, 13)]
    failing = machine({"F": {"Type": "Fail", "Error": "E", "Cause": "C"}})
    _, events = run(machine({"M": {"Type": "Map", "ItemProcessor": failing, "Next": "Done",
                                   "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}]},
                             "Done": {"Type": "Succeed"}}), [1])
    assert [(e["type"], e["id"], e["previousEventId"]) for e in events[2:7]] == [
        ("MapStateStarted", 3, 2), ("MapIterationStarted", 4, 3), ("FailStateEntered", 5, 4),
        ("MapIterationFailed", 6, 5), ("MapStateFailed", 7, 5)]
    assert (events[7]["type"], events[7]["previousEventId"]) == ("MapStateExited", 7)


def test_distributed_standard_children_are_executions_of_the_map_run(run, sfn):
    definition = machine({"M": {"Type": "Map", "End": True, "Label": "Jobs", "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        **machine({"W": {"Type": "Wait", "Seconds": 5, "Next": "P"}, "P": {"Type": "Pass", "End": True}})}}})
    execution = run.start(run.machine(definition), ["a", "b"])
    described, _ = run.finish(execution)
    assert output(described) == ["a", "b"]
    map_run = sfn.list_map_runs(executionArn=execution)["mapRuns"][0]["mapRunArn"]
    children = sfn.list_executions(mapRunArn=map_run)["executions"]
    assert sorted(json.loads(sfn.describe_execution(executionArn=c["executionArn"])["output"])
                  for c in children) == ["a", "b"]
    assert all(c["stateMachineArn"].endswith("/Jobs") and c["mapRunArn"] == map_run for c in children)
    history = sfn.get_execution_history(executionArn=children[0]["executionArn"])["events"]
    assert [e["type"] for e in history][-1] == "ExecutionSucceeded"


def test_intrinsic_functions_through_a_pass_state(run):
    """Examples from https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html."""
    value = {"name": "Arnav", "someString": "{\"number\": 20}", "someJson": {"name": "Foo", "zipcode": "0000"},
             "inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "lookingFor": 5, "index": 5, "input": "Data to encode",
             "Data": "input data", "Algorithm": "SHA-1", "json1": {"a": {"a1": 1, "a2": 2}, "b": 2},
             "json2": {"a": {"a3": 1, "a4": 2}, "c": 3}, "inputString": "1,2,3,4,5", "splitter": ","}
    params = {"format.$": "States.Format('Hello, my name is {}.', $.name)",
              "stringToJson.$": "States.StringToJson($.someString)",
              "jsonToString.$": "States.JsonToString($.someJson)",
              "array.$": "States.Array('Foo', 2020, $.someJson, null)",
              "partition.$": "States.ArrayPartition($.inputArray, 4)",
              "contains.$": "States.ArrayContains($.inputArray, $.lookingFor)",
              "range.$": "States.ArrayRange(1, 9, 2)", "item.$": "States.ArrayGetItem($.inputArray, $.index)",
              "length.$": "States.ArrayLength($.inputArray)",
              "unique.$": "States.ArrayUnique(States.Array(1, 2, 3, 3, 3, 4))",
              "encoded.$": "States.Base64Encode($.input)",
              "decoded.$": "States.Base64Decode('RGF0YSB0byBlbmNvZGU=')",
              "hash.$": "States.Hash($.Data, $.Algorithm)", "merged.$": "States.JsonMerge($.json1, $.json2, false)",
              "random.$": "States.MathRandom(1, 999)", "sum.$": "States.MathAdd(111, -1)",
              "split.$": "States.StringSplit($.inputString, $.splitter)", "uuid.$": "States.UUID()"}
    described, _ = run(machine({"P": {"Type": "Pass", "Parameters": params, "End": True}}), value)
    got = output(described)
    assert got.pop("random") in range(1, 1000)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", got.pop("uuid"))
    assert got == {"format": "Hello, my name is Arnav.", "stringToJson": {"number": 20},
                   "jsonToString": "{\"name\":\"Foo\",\"zipcode\":\"0000\"}",
                   "array": ["Foo", 2020, {"name": "Foo", "zipcode": "0000"}, None],
                   "partition": [[1, 2, 3, 4], [5, 6, 7, 8], [9]], "contains": True, "range": [1, 3, 5, 7, 9],
                   "item": 6, "length": 9, "unique": [1, 2, 3, 4], "encoded": "RGF0YSB0byBlbmNvZGU=",
                   "decoded": "Data to encode", "hash": "aaff4a450a104cd177d28d18d74485e8cae074b7",
                   "merged": {"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3}, "sum": 110,
                   "split": ["1", "2", "3", "4", "5"]}


@pytest.mark.parametrize("rule,value,matched", [
    ({"Variable": "$.v", "StringEquals": "a"}, "a", True), ({"Variable": "$.v", "StringLessThan": "b"}, "a", True),
    ({"Variable": "$.v", "StringGreaterThanEqualsPath": "$.o"}, "b", True),
    ({"Variable": "$.v", "NumericEquals": 1}, 1.0, True), ({"Variable": "$.v", "NumericLessThanPath": "$.o"}, 0, True),
    ({"Variable": "$.v", "NumericGreaterThan": 1}, "2", False), ({"Variable": "$.v", "BooleanEquals": True}, True, True),
    ({"Variable": "$.v", "TimestampLessThan": "2020-01-01T00:00:00Z"}, "2019-12-31T23:59:59Z", True),
    ({"Variable": "$.v", "IsNull": True}, None, True), ({"Variable": "$.v", "IsNumeric": True}, "1", False),
    ({"Variable": "$.v", "IsString": True}, "x", True), ({"Variable": "$.v", "IsBoolean": True}, False, True),
    ({"Variable": "$.v", "IsTimestamp": True}, "2016-03-14T01:59:00Z", True),
    ({"Variable": "$.missing", "IsPresent": False}, 1, True), ({"Variable": "$.v", "StringMatches": "*.csv"}, "a.csv", True),
    ({"Or": [{"Variable": "$.v", "NumericEquals": 1}, {"Variable": "$.v", "NumericEquals": 2}]}, 2, True),
], ids=lambda p: json.dumps(p) if isinstance(p, dict) else None)
def test_choice_comparators(table_run, rule, value, matched):
    """Comparators per https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html."""
    definition = machine({"C": {"Type": "Choice", "Choices": [{**rule, "Next": "Yes"}], "Default": "No"},
                          "Yes": {"Type": "Pass", "Result": True, "End": True},
                          "No": {"Type": "Pass", "Result": False, "End": True}})
    described, _ = table_run.finish(table_run.start(table_run.machine(definition), {"v": value, "o": "a" if
                                                                                   isinstance(value, str) else 1}))
    assert output(described) is matched
