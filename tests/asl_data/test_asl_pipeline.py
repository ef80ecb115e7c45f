"""InputPath, Parameters (payload templates), ResultPath and OutputPath.

Sources: IO = https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html
RP = https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html
SPEC = https://states-language.net/spec.html ; CONF = conformance case id.
"""
from __future__ import annotations

import pytest

from lowcloud.asl.context import Scope
from lowcloud.asl.errors import StatesError
from lowcloud.asl.paths import (apply_input_path, apply_output_path, apply_payload_template,
                                apply_result_path, read_dynamic)
from lowcloud.ids import Ids

PRODUCT = {"comment": "Example for Parameters.",
           "product": {"details": {"color": "blue", "size": "small", "material": "cotton"},
                       "availability": "in stock", "sku": "2317", "cost": "$23"}}
GREETING = {"comment": "This is a test of the input and output of a Task state.",
            "details": "Default example", "who": "AWS Step Functions"}


@pytest.fixture
def scope():
    return Scope(context={"Execution": {"Id": "arn:exec"}}, variables={"name": "John"}, ids=Ids(5))


@pytest.mark.parametrize("source, data, path, expected", [
    ("IO InputPath", {"dataset1": {"val1": 1}, "dataset2": {"val1": "a"}}, "$.dataset2", {"val1": "a"}),
    ("IO InputPath null -> {}", {"a": 1}, None, {}),
    ("IO InputPath $", {"a": 1}, "$", {"a": 1}),
    ("CONF BASE_REFERENCE_IN_INPUTPATH", {}, "$name", "John"),
])
def test_input_path(scope, source, data, path, expected):
    assert apply_input_path(data, path, scope) == expected


@pytest.mark.parametrize("source, data, path, expected", [
    ("RP OutputPath", {"a": {"b": 1}, "c": 2}, "$.a", {"b": 1}),
    ("RP OutputPath null -> {}", {"a": 1}, None, {}),
])
def test_output_path(scope, source, data, path, expected):
    assert apply_output_path(data, path, scope) == expected


@pytest.mark.parametrize("source, template, data, expected", [
    ("IO Parameters", {"comment": "Selecting what I care about.",
                       "MyDetails": {"size.$": "$.product.details.size", "exists.$": "$.product.availability",
                                     "StaticValue": "foo"}}, PRODUCT,
     {"comment": "Selecting what I care about.", "MyDetails": {"size": "small", "exists": "in stock",
                                                               "StaticValue": "foo"}}),
    ("SPEC Parameters", {"flagged": True, "parts": {"first.$": "$.vals[0]", "last3.$": "$.vals[3:]"}},
     {"flagged": 7, "vals": [0, 10, 20, 30, 40, 50]}, {"flagged": True, "parts": {"first": 0, "last3": [30, 40, 50]}}),
    ("IO context object", {"id.$": "$$.Execution.Id"}, {}, {"id": "arn:exec"}),
    ("workflow-variables doc", {"who.$": "$name"}, {}, {"who": "John"}),
    ("CONF test_format_1", {"FunctionResult.$": "States.Format('Formatting argument {}.', $.FunctionInput)"},
     {"FunctionInput": "HelloWorld"}, {"FunctionResult": "Formatting argument HelloWorld."}),
    ("objects inside arrays are templates too", {"list": [{"v.$": "$.a"}, 1, "$.a"]}, {"a": 9},
     {"list": [{"v": 9}, 1, "$.a"]}),
    ("a value without .$ stays literal", {"k": "$.a"}, {"a": 9}, {"k": "$.a"}),
])
def test_payload_template(scope, source, template, data, expected):
    assert apply_payload_template(template, data, scope) == expected


def test_payload_template_does_not_alias_the_template(scope):
    template = {"static": {"list": [1]}}
    out = apply_payload_template(template, {}, scope)
    out["static"]["list"].append(2)
    assert template == {"static": {"list": [1]}}


def test_payload_template_missing_path_names_the_key(scope):
    with pytest.raises(StatesError) as err:
        apply_payload_template({"outer": {"address.$": "$.application.address"}}, {"flagged": False}, scope)
    # Wording as AWS reports it for a Lambda Parameters key (awsstudygroup.com workshop transcript).
    assert err.value.cause == ("The JSONPath '$.application.address' specified for the field 'address.$' "
                               "could not be found in the input '{\"flagged\":false}'")


@pytest.mark.parametrize("source, data, result, path, expected", [
    ("RP ResultPath $.taskresult", GREETING, "Hello, AWS Step Functions!", "$.taskresult",
     {**GREETING, "taskresult": "Hello, AWS Step Functions!"}),
    ("RP ResultPath null keeps input", GREETING, "ignored", None, GREETING),
    ("RP ResultPath $ replaces input", GREETING, {"r": 1}, "$", {"r": 1}),
    ("RP creates missing objects", {"a": 1}, 5, "$.x.y.z", {"a": 1, "x": {"y": {"z": 5}}}),
    ("RP overwrites an existing field", {"master": {"detail": [1, 2, 3]}}, "Hello", "$.master.detail",
     {"master": {"detail": "Hello"}}),
    ("RP into an array element", {"a": [{"b": 1}, {"b": 2}]}, 9, "$.a[1].b", {"a": [{"b": 1}, {"b": 9}]}),
    ("RP null result is kept", {"a": 1}, None, "$.r", {"a": 1, "r": None}),
    ("RP bracket notation", {}, 1, "$['a b']", {"a b": 1}),
])
def test_result_path(scope, source, data, result, path, expected):
    assert apply_result_path(data, result, path, scope) == expected


def test_result_path_does_not_mutate_input(scope):
    data = {"a": {"b": 1}}
    apply_result_path(data, 2, "$.a.c", scope)
    assert data == {"a": {"b": 1}}


@pytest.mark.parametrize("data, path", [
    ("just a string", "$.x"),        # input is not an object
    ({"a": 3}, "$.a.b"),             # intermediate value is not an object
    ({"a": [1]}, "$.a[4]"),          # index outside the array
])
def test_result_path_match_failure(scope, data, path):
    with pytest.raises(StatesError) as err:
        apply_result_path(data, 1, path, scope)
    assert err.value.error == "States.ResultPathMatchFailure"
    assert err.value.cause.startswith(f"Unable to apply ReferencePath {path} to input ")


@pytest.mark.parametrize("expr, expected", [
    ("$.e", "boom"),
    ("$$.Execution.Id", "arn:exec"),
    ("$name", "John"),
    ("States.Format('cause: {}', $.e)", "cause: boom"),   # Fail CausePath accepts intrinsics (fail-state doc)
])
def test_read_dynamic(scope, expr, expected):
    assert read_dynamic(expr, {"e": "boom"}, scope, "CausePath") == expected


def test_read_dynamic_rejects_plain_text(scope):
    with pytest.raises(StatesError) as err:
        read_dynamic("not a path", {}, scope, "CausePath")
    assert err.value.error == "States.Runtime"
