"""JSONPath-mode Choice rules: every comparator, type rules, And/Or/Not, missing variables.

Sources: CHOICE = https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
CONF = conformance case file in conformance_cases.jsonl (choice_operators/*: 199 AWS-recorded
executions also replayed by test_asl_conformance.py).
"""
from __future__ import annotations

import pytest

from lowcloud.asl.choice import parse_timestamp, rule_matches
from lowcloud.asl.context import Scope
from lowcloud.asl.errors import StatesError
from lowcloud.ids import Ids

TS = "2016-03-14T01:59:00Z"


@pytest.fixture
def scope():
    return Scope(context={"Execution": {"Name": "run-1"}}, variables={"limit": 10}, ids=Ids(3))


def rule(op, value):
    return {"Variable": "$.v", op: value, "Next": "X"}


@pytest.mark.parametrize("source, op, operand, value, expected", [
    ("CHOICE", "StringEquals", "Private", "Private", True),
    ("CONF test_string_equals#cases[14]", "StringEquals", "\t\r\n", "\t\n", False),
    ("CONF test_string_equals#cases[10]", "StringEquals", "HelloWorld", {"A": 0}, False),
    ("CONF test_string_greater_than#cases[1]", "StringGreaterThan", "A ", "A", False),
    ("CONF test_string_greater_than_equals#cases[0]", "StringGreaterThanEquals", "", "", True),
    ("CONF test_string_less_than_equals#cases[2]", "StringLessThanEquals", "A", "AB", False),
    ("CHOICE", "StringLessThan", "b", "a", True),
    ("Java compareTo: UTF-16 code units", "StringLessThan", "\U0001F600", "\uff61", False),
    ("CHOICE StringMatches", "StringMatches", "log-*.txt", "log-2023.txt", True),
    ("CHOICE StringMatches", "StringMatches", "*.log", "zebra.log", True),
    ("CHOICE StringMatches", "StringMatches", "foo*", "foobar", True),
    ("CHOICE StringMatches", "StringMatches", "foo*.log", "foo.txt", False),
    ("CHOICE StringMatches escaped star", "StringMatches", "a\\*b", "a*b", True),
    ("CHOICE StringMatches escaped star", "StringMatches", "a\\*b", "axb", False),
    ("CHOICE StringMatches escaped backslash", "StringMatches", "a\\\\b", "a\\b", True),
    ("CHOICE", "NumericEquals", 0, 0.0, True),
    ("CONF test_numeric_less_than#cases[3]", "NumericLessThan", 1, 1, False),
    ("CHOICE", "NumericGreaterThan", 20, 22, True),
    ("CHOICE", "NumericGreaterThanEquals", 20, 20, True),
    ("CHOICE", "NumericLessThanEquals", 1.5, 1.49, True),
    ("CONF test_numeric: string is not a number", "NumericEquals", 42, "42", False),
    ("CONF test_numeric: bool is not a number", "NumericEquals", 1, True, False),
    ("CHOICE", "BooleanEquals", True, True, True),
    ("CONF test_boolean_equals#cases[16]", "BooleanEquals", True, 1, False),
    ("CONF test_boolean_equals#cases[11]", "BooleanEquals", False, "", False),
    ("CHOICE", "TimestampEquals", TS, TS, True),
    ("CHOICE offsets compare as instants", "TimestampEquals", TS, "2016-03-14T02:59:00+01:00", True),
    ("CONF test_timestamp_equals#cases[10]", "TimestampEquals", "2012-10-09T19:00:55Z", 1.1, False),
    ("ISO_OFFSET_DATE_TIME needs an offset", "TimestampEquals", TS, "2016-03-14T01:59:00", False),
    ("CONF test_timestamp_less_than#cases[0]", "TimestampLessThan", "2012-10-09T19:00:55Z",
     "2012-10-09T19:00:55Z", False),
    ("CONF test_timestamp_less_than_equals#cases[0]", "TimestampLessThanEquals", "2012-10-09T19:00:55Z",
     "2012-10-09T19:00:55Z", True),
    ("nanosecond precision", "TimestampGreaterThan", "2016-03-14T01:59:00.000000001Z",
     "2016-03-14T01:59:00.000000002Z", True),
    ("CHOICE", "TimestampGreaterThanEquals", "2016-03-14T01:59:00Z", "2016-03-15T00:00:00Z", True),
])
def test_comparators(scope, source, op, operand, value, expected):
    assert rule_matches(rule(op, operand), {"v": value}, scope) is expected


@pytest.mark.parametrize("source, op, value, expected", [
    ("CONF test_is_null#cases[10]", "IsNull", None, True),
    ("CONF test_is_null#cases[13]", "IsNull", "", False),
    ("CONF test_is_numeric#cases[14]", "IsNumeric", 1.1, True),
    ("CONF test_is_numeric#cases[11]", "IsNumeric", "1", False),
    ("CONF test_is_numeric", "IsNumeric", True, False),
    ("CONF test_is_string#cases[0]", "IsString", " ", True),
    ("CONF test_is_string#cases[15]", "IsString", None, False),
    ("CONF test_is_boolean#cases[21]", "IsBoolean", False, True),
    ("CONF test_is_boolean#cases[10]", "IsBoolean", 0, False),
    ("CHOICE IsTimestamp", "IsTimestamp", TS, True),
    ("CHOICE IsTimestamp", "IsTimestamp", "2023-02-24", False),
    ("CHOICE IsTimestamp", "IsTimestamp", "2012-10-09T19:00:55+01:00", True),
    ("CONF test_is_present#cases[10]", "IsPresent", None, True),
])
def test_type_tests(scope, source, op, value, expected):
    assert rule_matches(rule(op, True), {"v": value}, scope) is expected
    assert rule_matches(rule(op, False), {"v": value}, scope) is (not expected)


def test_is_present_on_a_missing_variable_is_false(scope):
    assert rule_matches(rule("IsPresent", True), {}, scope) is False
    assert rule_matches(rule("IsPresent", False), {}, scope) is True


@pytest.mark.parametrize("op, operand", [("StringEquals", "x"), ("IsNull", True), ("NumericEquals", 1)])
def test_missing_variable_is_a_runtime_error(scope, op, operand):
    with pytest.raises(StatesError) as err:
        rule_matches(rule(op, operand), {}, scope)
    assert err.value.error == "States.Runtime"
    assert err.value.cause == ("Invalid path '$.v': The choice state's condition path references an "
                               "invalid value.")


@pytest.mark.parametrize("source, op, other, value, expected", [
    ("CHOICE NumericGreaterThanPath", "NumericGreaterThanPath", 3, 5, True),
    ("CONF test_numeric_less_than_equals_path#cases[0]", "NumericLessThanEqualsPath", 0, 0.0, True),
    ("CONF test_string_equals_path#cases[1]", "StringEqualsPath", "\t\r\n", "\t\n", False),
    ("CONF test_boolean_equals_path#cases[10]", "BooleanEqualsPath", True, "", False),
    ("CONF test_timestamp_equals_path#cases[1]", "TimestampEqualsPath", "2012-10-09T19:00:56Z",
     "2012-10-09T19:00:55Z", False),
    ("type mismatch through a path is false", "StringLessThanPath", 5, "a", False),
])
def test_path_comparators(scope, source, op, other, value, expected):
    assert rule_matches({"Variable": "$.v", op: "$.o"}, {"v": value, "o": other}, scope) is expected


def test_path_comparator_with_missing_operand_is_an_error(scope):
    with pytest.raises(StatesError) as err:
        rule_matches({"Variable": "$.v", "NumericEqualsPath": "$.nope"}, {"v": 1}, scope)
    assert "Invalid path '$.nope'" in err.value.cause


def test_variables_and_context_as_operands(scope):
    assert rule_matches({"Variable": "$limit", "NumericEquals": 10}, {}, scope)
    assert rule_matches({"Variable": "$$.Execution.Name", "StringMatches": "run-*"}, {}, scope)
    assert rule_matches({"Variable": "$.v", "NumericLessThanPath": "$limit"}, {"v": 3}, scope)


def test_boolean_combinators(scope):
    # CHOICE: the "Not"/"And"/"Or" examples from the Choice state page.
    public = {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"}
    twenties = {"And": [{"Variable": "$.value", "NumericGreaterThanEquals": 20},
                        {"Variable": "$.value", "NumericLessThan": 30}], "Next": "ValueInTwenties"}
    either = {"Or": [{"Variable": "$.value", "NumericEquals": 0}, {"Variable": "$.type", "IsNull": True}]}
    data = {"type": "Private", "value": 22}
    assert rule_matches(public, data, scope) is False
    assert rule_matches(twenties, data, scope) is True
    assert rule_matches(either, data, scope) is False
    assert rule_matches(either, {"type": None, "value": 1}, scope) is True


@pytest.mark.parametrize("text, valid", [
    ("2016-03-14T01:59:00Z", True), ("2016-03-14T01:59Z", True), ("2016-03-14t01:59:00z", True),
    ("2016-03-14T01:59:00.123456789-07:00", True), ("2016-03-14T01:59:00", False),
    ("05-12-2016T21:29:29Z", False), ("2016-02-30T00:00:00Z", False), ("2016-03-14 01:59:00Z", False),
    ("2016-03-14T01:59:00+25:00", False), (20160314, False),
])
def test_parse_timestamp(text, valid):
    assert (parse_timestamp(text) is not None) is valid
