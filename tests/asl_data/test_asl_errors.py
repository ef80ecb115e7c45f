"""StatesError, the state-failure prefix, and how values are rendered inside causes.

Sources: CONF = conformance case id (AWS recordings); JAVA = Double.toString as AWS's Java
runtime prints doubles; the compact JSON is what AWS shows in 'could not be found in the input'
causes (e.g. '{"flagged":false}' in AWS's own Check Address workshop transcript).
"""
from __future__ import annotations

import pytest

from lowcloud.asl.errors import StatesError, compact_json, java_double, state_failure_cause


def test_states_error_fields():
    err = StatesError("States.Runtime", "boom")
    assert (err.error, err.cause) == ("States.Runtime", "boom")
    assert StatesError("Custom").cause is None


def test_in_state_adds_aws_prefix():
    # CONF test_invalid_jsonpath[INVALID_JSONPATH_IN_ERRORPATH]
    err = StatesError("States.Runtime", "The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be "
                                        "found in the input '{}'").in_state("fail", 4)
    assert err.cause == ("An error occurred while executing the state 'fail' (entered at the event id #4). "
                         "The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in the "
                         "input '{}'")
    assert err.error == "States.Runtime"
    assert state_failure_cause("S", 2, "x") == "An error occurred while executing the state 'S' (entered at the event id #2). x"


@pytest.mark.parametrize("value, text", [
    (1.0, "1.0"), (1.1, "1.1"), (-2.5, "-2.5"), (0.001, "0.001"), (1e-4, "1.0E-4"), (1e-5, "1.0E-5"),
    (9999999.0, "9999999.0"), (1e7, "1.0E7"), (12345678.9, "1.23456789E7"), (1e20, "1.0E20"), (0.0, "0.0"),
    (-0.0, "-0.0"), (float("inf"), "Infinity"), (float("nan"), "NaN"),
])
def test_java_double(value, text):
    assert java_double(value) == text


@pytest.mark.parametrize("value, text", [
    ({"flagged": False}, '{"flagged":false}'),
    ({"a": [1, 2.5, None, "é"], "b": {}}, '{"a":[1,2.5,null,"é"],"b":{}}'),
    ("string", '"string"'),
    (True, "true"),
    (None, "null"),
    ([1e7], "[1.0E7]"),
])
def test_compact_json(value, text):
    assert compact_json(value) == text
