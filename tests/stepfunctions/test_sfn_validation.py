"""Bad definitions get AWS's InvalidDefinition text; good ones (every recorded case) pass.

Verified wordings: "These fields are required: [States] at /" (LocalStack snapshot
test_sfn_api::test_create_delete_invalid_sm); "Missing 'Next' target" and "State \"x\" is not
reachable." joined by ", " (CreateStateMachine on AWS, localstack PR #12487); "Workflow has no
terminal state", "Field 'X' is not supported", QueryLanguage mixing (measured with
validate-state-machine-definition, floci issues #2735/#2968); Express restrictions
(test_sfn_api_express snapshot).
"""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from sfn_helpers import ROLE
from test_sfn_conformance import CASES as RECORDED

PREFIX = "Invalid State Machine Definition: "

BAD = [
    ("missing-states", {"StartAt": "A"}, "STANDARD",
     "'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'"),
    ("missing-next-and-unreachable", {"StartAt": "pass1", "States": {
        "pass1": {"Type": "Pass", "Next": "pass3"}, "pass2": {"Type": "Pass", "End": True}}}, "STANDARD",
     "'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next, "
     "MISSING_TRANSITION_TARGET: State \"pass2\" is not reachable. at /States/pass2'"),
    ("no-terminal-state", {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                                                      "B": {"Type": "Pass", "Next": "A"}}}, "STANDARD",
     "'MISSING_END_STATE: Workflow has no terminal state at null'"),
    ("timeout-on-map", {"StartAt": "M", "States": {"M": {"Type": "Map", "TimeoutSeconds": 5, "End": True,
                                                         "ItemProcessor": {"StartAt": "P", "States": {
                                                             "P": {"Type": "Pass", "End": True}}}}}}, "STANDARD",
     "'SCHEMA_VALIDATION_FAILED: Field 'TimeoutSeconds' is not supported at /States/M'"),
    ("jsonata-field-in-jsonpath", {"StartAt": "P", "States": {"P": {"Type": "Pass", "Output": {}, "End": True}}},
     "STANDARD", "'SCHEMA_VALIDATION_FAILED: The QueryLanguage is set to 'JSONPath', but field 'Output' is only "
                 "supported for the 'JSONata' QueryLanguage at /States/P'"),
    ("jsonpath-state-in-jsonata-machine", {"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}}}, "STANDARD",
     "'SCHEMA_VALIDATION_FAILED: 'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state "
     "machine at /States/P'"),
    ("express-callback", {"StartAt": "Publish", "States": {"Publish": {
        "Type": "Task", "Resource": "arn:aws:states:::sns:publish.waitForTaskToken", "End": True}}}, "EXPRESS",
     "'SCHEMA_VALIDATION_FAILED: Express state machine does not support '.waitForTaskToken' service integration  "
     "at /States/Publish/Resource'"),
    ("express-sync", {"StartAt": "StartExecution", "States": {"StartExecution": {
        "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync", "End": True}}}, "EXPRESS",
     "'SCHEMA_VALIDATION_FAILED: Express state machine does not support '.sync' service integration at "
     "/States/StartExecution/Resource'"),
]


@pytest.mark.parametrize("name,definition,kind,message", BAD, ids=[b[0] for b in BAD])
def test_invalid_definitions(sfn, name, definition, kind, message):
    with pytest.raises(ClientError) as info:
        sfn.create_state_machine(name="bad", roleArn=ROLE, definition=json.dumps(definition), type=kind)
    assert info.value.response["Error"]["Code"] == "InvalidDefinition"
    assert info.value.response["Error"]["Message"] == PREFIX + message


@pytest.mark.parametrize("definition,code", [
    ({"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$$$", "End": True}}}, "SCHEMA_VALIDATION_FAILED"),
    ({"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"x.$": "States.Nope($)"}, "End": True}}},
     "SCHEMA_VALIDATION_FAILED"),
    ({"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "Output": "{% 1 + %}",
                                                                   "End": True}}}, "SCHEMA_VALIDATION_FAILED"),
    ({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::nope", "End": True}}},
     "SCHEMA_VALIDATION_FAILED"),
    ({"StartAt": "P", "States": {"P": {"Type": "Pass"}}}, "SCHEMA_VALIDATION_FAILED"),
    ({"StartAt": "P", "States": {"P": {"Type": "Pass", "Retry": [], "End": True}}}, "SCHEMA_VALIDATION_FAILED"),
])
def test_bad_paths_intrinsics_expressions_and_shapes_are_diagnosed(sfn, definition, code):
    result = sfn.validate_state_machine_definition(definition=json.dumps(definition))
    assert result["result"] == "FAIL" and result["diagnostics"][0]["code"] == code


def test_not_json_is_invalid_json_description(sfn):
    result = sfn.validate_state_machine_definition(definition="{not json")
    assert result["diagnostics"][0]["code"] == "INVALID_JSON_DESCRIPTION"


def test_every_recorded_definition_is_valid():
    from lowcloud.asl.validate import diagnose
    problems = {c["id"]: diagnose(json.dumps(c["definition"]), c.get("type", "STANDARD")) for c in RECORDED}
    assert {k: v for k, v in problems.items() if v} == {}
