"""QueryLanguage JSONata: templates, conditions, Assign, AWS's added functions, error texts.

Sources: JSONATA = https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
VARS = https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
CONF = conformance case id; FLOCI#n = AWS-measured causes quoted verbatim in
github.com/floci-io/floci issue n (2665, 2668, 2736, 2745).
"""
from __future__ import annotations

import pytest

import lowcloud.asl.jsonata as jsonata_module
from lowcloud.asl.context import Scope
from lowcloud.asl.errors import StatesError
from lowcloud.asl.jsonata import (check_jsonata, evaluate_assign, evaluate_condition, evaluate_template,
                                  evaluate_typed)
from lowcloud.ids import Ids


@pytest.fixture
def scope():
    return Scope(context={"Execution": {"Id": "arn:exec"}}, variables={"x": 42, "nothing": None, "ItemsVar": True},
                 ids=Ids(2))


STATES = {"input": {"input_value": "stringliteral", "items": [1, 2, 3], "n": None,
                    "part1": {"hello": "world"}, "part2": {"foo": "bar"}}}


@pytest.mark.parametrize("source, value, expected", [
    ("CONF test_base_output_any_non_dict[JSONATA_EXPR]", "{% $states.input.input_value %}", "stringliteral"),
    ("CONF test_base_output_any_non_dict[LIST_RICH]",
     [None, 0, 0.1, True, "string", [], "$nosuchvar", "$.no.such.path", "{% $states.input.items %}", {"key": "{% true %}"}],
     [None, 0, 0.1, True, "string", [], "$nosuchvar", "$.no.such.path", [1, 2, 3], {"key": True}]),
    ("CONF test_base_cases[BASE_LITERALS] (not an expression)", " {% states.input %} ", " {% states.input %} "),
    ("CONF test_base_output_any_non_dict[NULL]", None, None),
    ("CONF test_merge_with_dynamic_args", "{% $merge([$states.input.part1, $states.input.part2]) %}",
     {"hello": "world", "foo": "bar"}),
    ("CONF test_base_jsonata_regular_expressions[BASE_FALSE]", "{% $contains(\"hello$world\", /^hello\\ /) %}", False),
    ("FLOCI#2664 null is a value", {"v": "{% $states.input.n %}"}, {"v": None}),
    ("VARS variables are bound as $name", "{% $x + 1 %}", 43),
    ("VARS null variable", "{% $nothing = null %}", True),
    ("JSONATA $states.context", "{% $states.context.Execution.Id %}", "arn:exec"),
    ("JSONata numbers are JavaScript numbers", "{% 3.0 * 2 %}", 6),
])
def test_evaluate_template(scope, source, value, expected):
    assert evaluate_template(value, STATES, scope, "Output") == expected


@pytest.mark.parametrize("source, expr, expected", [
    ("JSONATA $partition", "{% $partition([1,2,3,4], 2) %}", [[1, 2], [3, 4]]),
    ("CONF test_array_partition#exec_hist_resp_13", "{% $partition([0,1,2], 4) %}", [[0, 1, 2]]),
    ("JSONATA $range (inclusive)", "{% $range(0, 10, 2) %}", [0, 2, 4, 6, 8, 10]),
    ("JSONATA $range descending", "{% $range(5, 1, -2) %}", [5, 3, 1]),
    ("JSONATA $hash", "{% $hash('input data', 'SHA-256') %}",
     "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"),
    ("CONF test_parse#exec_hist_resp_0", "{% $parse('-0') %}", 0),
    ("CONF test_parse#exec_hist_resp_6", "{% $parse('{\"Arg1\": 1, \"Arg2\": []}') %}", {"Arg1": 1, "Arg2": []}),
    ("JSONATA $random(seed) is repeatable", "{% $random(42) %}", 0.7275636800328681),
])
def test_aws_functions(scope, source, expr, expected):
    assert evaluate_template(expr, {"input": {}}, scope) == expected


def test_uuid_and_unseeded_random_use_cloud_ids(scope):
    uuid = evaluate_template("{% $uuid() %}", {"input": {}}, scope)
    assert uuid == evaluate_template("{% $uuid() %}", {"input": {}}, Scope(ids=Ids(2)))
    value = evaluate_template("{% $random() %}", {"input": {}}, scope)
    assert 0 <= value < 1


def _cause(value, field="Output", states=None, scope=None):
    with pytest.raises(StatesError) as err:
        evaluate_template(value, states or STATES, scope or Scope(ids=Ids(1)), field)
    assert err.value.error == "States.QueryEvaluationError"
    return err.value.cause


@pytest.mark.parametrize("source, value, field, cause", [
    ("CONF test_base_cases (Arguments undefined)", "{% $doesNotExist %}", "Arguments",
     "The JSONata expression '$doesNotExist' specified for the field 'Arguments' returned nothing (undefined)."),
    ("FLOCI#2665 nested field", {"v": "{% $states.input.missing %}"}, "Output",
     "The JSONata expression '$states.input.missing' specified for the field 'Output/v' returned nothing "
     "(undefined)."),
    ("FLOCI#2745 $$ evaluates to nothing", "{% $$ %}", "Output",
     "The JSONata expression '$$' specified for the field 'Output' returned nothing (undefined)."),
    ("array items are named [i]", ["{% 1 %}", "{% $nope %}"], "Items",
     "The JSONata expression '$nope' specified for the field 'Items[1]' returned nothing (undefined)."),
    ("FLOCI#2668 T0412 wording", "{% $sum('a') %}", "Output",
     "The JSONata expression '$sum('a')' specified for the field 'Output' threw an error during evaluation. "
     "T0412: Argument 1 of function \"sum\" must be an array of \"numbers\""),
    ("FLOCI#2745 S0202 wording", "{% a[1,2) %}", "Output",
     "The JSONata expression 'a[1,2)' specified for the field 'Output' threw an error during evaluation. "
     "S0202: Expected \"]\", got \",\""),
    ("FLOCI#2736 T0410 wording", "{% $abs('x') %}", "Output",
     "The JSONata expression '$abs('x')' specified for the field 'Output' threw an error during evaluation. "
     "T0410: Argument 1 of function \"abs\" does not match function signature"),
])
def test_error_causes(source, value, field, cause):
    assert _cause(value, field) == cause


def test_eval_is_not_available():
    assert "threw an error during evaluation" in _cause("{% $eval('1+1') %}")


def test_runaway_expression_is_bounded(monkeypatch):
    monkeypatch.setattr(jsonata_module, "_MAX_STEPS", 20_000)
    cause = _cause("{% ( $inf := function(){$inf()}; $inf() ) %}")
    assert cause.endswith("D1012: Expression evaluation timeout: Check for infinite loop")


def test_deep_recursion_is_bounded():
    cause = _cause("{% ( $f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000) ) %}")
    assert "D1011: Stack overflow error" in cause


@pytest.mark.parametrize("source, value, expected, cause", [
    ("CONF test_map_state_items_eval_jsonata_fail[number]", "{% 1 %}", "array",
     "The JSONata expression '1' specified for the field 'Items' returned an unexpected result type. "
     "Expected 'array', but was 'number' for value: 1"),
    ("CONF test_map_state_items_eval_jsonata_fail[string]", "{% 'string' %}", "array",
     "The JSONata expression ''string'' specified for the field 'Items' returned an unexpected result type. "
     "Expected 'array', but was 'string' for value: \"string\""),
    ("CONF test_map_state_items_eval_jsonata_fail[object]", "{% {'foo': 'bar'} %}", "array",
     "The JSONata expression '{'foo': 'bar'}' specified for the field 'Items' returned an unexpected result "
     "type. Expected 'array', but was 'object' for value: {\"foo\":\"bar\"}"),
    ("CONF test_map_state_items_variable_sampling[boolean]", "{% $ItemsVar %}", "array",
     "The JSONata expression '$ItemsVar' specified for the field 'Items' returned an unexpected result type. "
     "Expected 'array', but was 'boolean' for value: true"),
])
def test_evaluate_typed_rejects_wrong_types(scope, source, value, expected, cause):
    with pytest.raises(StatesError) as err:
        evaluate_typed(value, {"input": {}}, scope, "Items", expected)
    assert (err.value.error, err.value.cause) == ("States.QueryEvaluationError", cause)


def test_evaluate_typed_accepts(scope):
    # CONF test_base_map[ITEMS]: a literal array with expressions inside is not type-checked as a whole.
    assert evaluate_typed([1, "{% $number(\"2\") %}", 3], {"input": {}}, scope, "Items", "array") == [1, 2, 3]
    assert evaluate_typed("{% 5 %}", {"input": {}}, scope, "Seconds", "integer") == 5


@pytest.mark.parametrize("source, condition, expected", [
    ("CONF test_choice_condition_constant_jsonata", True, True),
    ("CONF test_choice_aws_docs_scenario[..._JSONATA]", "{% $not($states.input.type = 'Private') %}", False),
    ("CONF test_choice_aws_docs_scenario[..._JSONATA]",
     "{% $states.input.value >= 20 and $states.input.value < 30 %}", True),
])
def test_evaluate_condition(scope, source, condition, expected):
    assert evaluate_condition(condition, {"input": {"type": "Private", "value": 22}}, scope) is expected


def test_condition_must_be_boolean(scope):
    with pytest.raises(StatesError) as err:
        evaluate_condition("{% 'yes' %}", {"input": {}}, scope, "Choices[0]/Condition")
    assert err.value.cause == ("The JSONata expression ''yes'' specified for the field 'Choices[0]/Condition' "
                               "returned an unexpected result type. Expected 'boolean', but was 'string' for "
                               "value: \"yes\"")


def test_assign_jsonata_uses_values_before_assignment(scope):
    # VARS: every Assign expression sees the variables as they were when the state was entered.
    out = evaluate_assign({"x": "{% $x + 1 %}", "y": "{% $x %}"}, {"input": {}}, scope, jsonata=True)
    assert out == {"x": 43, "y": 42}


def test_assign_jsonpath_reads_the_result(scope):
    # CONF test_assign_from_value[BASE_ASSIGN_FROM_INTRINSIC_FUNCTION]: '$' is the Pass state's Result.
    states = {"input": {}, "result": {"inputArray": [1, 2, 3, 4, 5, 6]}}
    assign = {"arrayOps": {"partitionedArray.$": "States.ArrayPartition($.inputArray, 2)"},
              "old.$": "$x", "literal": "$.not.a.path"}
    assert evaluate_assign(assign, states, scope, jsonata=False) == {
        "arrayOps": {"partitionedArray": [[1, 2], [3, 4], [5, 6]]}, "old": 42, "literal": "$.not.a.path"}


def test_assign_jsonpath_without_result_reads_the_input(scope):
    # CONF test_base_cases[BASE_VAR]: "varname.$": "$.input_value"
    assert evaluate_assign({"varname.$": "$.input_value"}, {"input": {"input_value": "v"}}, scope, False) == {
        "varname": "v"}


@pytest.mark.parametrize("source, expr, problem", [
    ("JSONATA", "{% $states.input %}", None),
    ("JSONATA", "$states.input.a + 1", None),
    ("FLOCI#2745", "a[1,2)", "Expected \"]\", got \",\""),
    ("FLOCI#2745", "\"unterminated", "String literal must be terminated by a matching quote"),
    ("FLOCI#2745", "1 +", "Unexpected end of expression"),
    ("FLOCI#2745", "{\"a\":}", "The symbol \"}\" cannot be used as a unary operator"),
    ("FLOCI#2745", "$match(\"a\", /abc", "No terminating / in regular expression"),
])
def test_check_jsonata(source, expr, problem):
    assert check_jsonata(expr) == problem


def test_condition_that_is_not_an_expression_must_still_be_boolean(scope):
    with pytest.raises(StatesError) as err:
        evaluate_condition("true", {"input": {}}, scope)
    assert "Expected 'boolean', but was 'string'" in err.value.cause
