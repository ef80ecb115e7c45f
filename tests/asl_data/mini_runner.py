"""A test-only walker for machines made of Pass, Choice, Succeed and Fail states.

It exists to replay AWS-recorded executions (conformance_cases.jsonl) through the data
functions alone -- paths, intrinsics, Choice rules, JSONata, Assign -- without the real
interpreter, so a data-layer regression shows up here with the exact case that caught it.
It is deliberately minimal: no history, no Retry/Catch, no Map/Parallel/Task/Wait.
"""
from __future__ import annotations

import re

from lowcloud.asl import paths
from lowcloud.asl.choice import rule_matches
from lowcloud.asl.context import Scope
from lowcloud.asl.errors import StatesError
from lowcloud.asl.jsonata import evaluate_assign, evaluate_condition, evaluate_template
from lowcloud.ids import Ids

EXECUTION_ARN = "arn:aws:states:us-east-1:000000000000:execution:conformance-1-abc:exec-1"
MACHINE_ARN = "arn:aws:states:us-east-1:000000000000:stateMachine:conformance-1-abc"
_TOKEN = re.compile(r"<[A-Za-z_][A-Za-z0-9_:.\-]*>")


def run(definition: dict, execution_input) -> dict:
    """{'status': 'SUCCEEDED', 'output': ...} or {'status': 'FAILED', 'error', 'cause'}."""
    context = {"Execution": {"Id": EXECUTION_ARN, "Input": execution_input, "Name": "exec-1",
                             "RoleArn": "arn:aws:iam::000000000000:role/r",
                             "StartTime": "2024-01-01T00:00:00.000Z"},
               "StateMachine": {"Id": MACHINE_ARN, "Name": "conformance-1-abc"}, "State": {}}
    scope = Scope(context=context, variables={}, ids=Ids(7))
    default_ql = definition.get("QueryLanguage", "JSONPath")
    name, value, event_id = definition["StartAt"], execution_input, 2
    while True:
        state = definition["States"][name]
        scope.context["State"] = {"Name": name, "EnteredTime": "2024-01-01T00:00:00.000Z"}
        scope.state_name = name
        try:
            value, name, assigned = _step(state, value, scope, state.get("QueryLanguage", default_ql) == "JSONata")
        except StatesError as err:
            located = err if err.error not in ("States.Runtime", "States.QueryEvaluationError") \
                else err.in_state(scope.state_name, event_id)
            return {"status": "FAILED", "error": located.error, "cause": located.cause}
        scope.variables = {**scope.variables, **(assigned or {})}
        if name is None:
            return {"status": "SUCCEEDED", "output": value}
        event_id += 2


def _step(state: dict, value, scope: Scope, jsonata: bool):
    kind = state["Type"]
    if kind == "Fail":
        raise _failure(state, value, scope, jsonata)
    if jsonata:
        return _jsonata_step(state, value, scope)
    data = paths.apply_input_path(value, state.get("InputPath", "$"), scope)
    if kind == "Choice":
        rule = next((r for r in state["Choices"] if rule_matches(r, data, scope)), None)
        holder, target = (rule, rule["Next"]) if rule else (state, state.get("Default"))
        if target is None:
            raise StatesError("States.NoChoiceMatched", "No Matches!")
        assigned = evaluate_assign(holder["Assign"], {"input": data}, scope, False) if "Assign" in holder else None
        return paths.apply_output_path(value, state.get("OutputPath", "$"), scope), target, assigned
    if kind == "Succeed":
        return paths.apply_output_path(data, state.get("OutputPath", "$"), scope), None, None
    if "Parameters" in state:
        data = paths.apply_payload_template(state["Parameters"], data, scope)
    result = state.get("Result", data)
    assigned = evaluate_assign(state["Assign"], {"input": value, "result": result}, scope, False) \
        if "Assign" in state else None
    output = paths.apply_result_path(value, result, state.get("ResultPath", "$"), scope)
    return paths.apply_output_path(output, state.get("OutputPath", "$"), scope), _next(state), assigned


def _jsonata_step(state: dict, value, scope: Scope):
    states = {"input": value, "context": scope.context}
    if state["Type"] != "Choice":
        holder, target = state, _next(state)
    else:
        rule = next((r for i, r in enumerate(state["Choices"])
                     if evaluate_condition(r["Condition"], states, scope, f"Choices[{i}]/Condition")), None)
        holder, target = (rule, rule["Next"]) if rule else (state, state.get("Default"))
    output = evaluate_template(holder["Output"], states, scope, "Output") if "Output" in holder else value
    assigned = evaluate_assign(holder["Assign"], states, scope, True) if "Assign" in holder else None
    return output, target, assigned


def _next(state: dict):
    return None if state.get("End") or state["Type"] == "Succeed" else state["Next"]


def _failure(state: dict, value, scope: Scope, jsonata: bool) -> StatesError:
    fields = {}
    for key in ("Error", "Cause"):
        if jsonata and key in state:
            fields[key] = evaluate_template(state[key], {"input": value}, scope, key)
        elif key + "Path" in state:
            fields[key] = paths.read_dynamic(state[key + "Path"], value, scope, key + "Path")
        else:
            fields[key] = state.get(key)
    err = StatesError(fields["Error"], fields["Cause"])
    err.error = fields["Error"]
    return err


def matches(expected, actual) -> bool:
    """Recorded JSON vs ours: '<token>' placeholders match any text; bools never equal numbers."""
    if isinstance(expected, str):
        return isinstance(actual, str) and re.fullmatch(
            ".*?".join(re.escape(p) for p in _TOKEN.split(expected)), actual, re.S) is not None
    if isinstance(expected, dict):
        return isinstance(actual, dict) and expected.keys() == actual.keys() and all(
            matches(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(
            matches(e, a) for e, a in zip(expected, actual))
    if isinstance(expected, bool) or isinstance(actual, bool) or expected is None or actual is None:
        return expected is actual
    return isinstance(actual, (int, float)) and expected == actual
