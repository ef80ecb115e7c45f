"""read_path / check_path: the JSONPath language as Step Functions (Jayway) evaluates it.

Sources: PATHS = https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html
SPEC = https://states-language.net/spec.html (Paths, Reference Paths, Parameters examples);
JAYWAY = github.com/json-path/JsonPath semantics (AWS's engine; error texts it produces);
CONF = a conformance case id in conformance_cases.jsonl.
"""
from __future__ import annotations

import pytest

from lowcloud.asl.context import Scope
from lowcloud.asl.errors import StatesError
from lowcloud.asl.paths import check_path, read_path
from lowcloud.ids import Ids

DOC = {"foo": 123, "bar": ["a", "b", "c"], "car": {"cdr": True}}
STORE = {"store": {"book": [{"author": "Rees", "price": 8.95, "tag": "ref"},
                            {"author": "Waugh", "price": 12.99},
                            {"author": "Tolkien", "price": 22.99, "isbn": "0-395"}],
                   "bicycle": {"color": "red", "price": 19.95}},
         "a b": 1, "vals": [0, 10, 20, 30, 40, 50], "n": None}


@pytest.fixture
def scope():
    return Scope(context={"Execution": {"Id": "arn:exec", "Input": {"k": "v"}}, "State": {"Name": "S"}},
                 variables={"theAnswer": 42, "obj": {"list": [1, 2, 3]}, "nothing": None},
                 ids=Ids(1), state_name="S")


@pytest.mark.parametrize("source, data, path, expected", [
    ("PATHS", DOC, "$.foo", 123),
    ("PATHS", DOC, "$.bar", ["a", "b", "c"]),
    ("PATHS", DOC, "$.car.cdr", True),
    ("PATHS", DOC, "$", DOC),
    ("SPEC first", STORE, "$.vals[0]", 0),
    ("SPEC last3", STORE, "$.vals[3:]", [30, 40, 50]),
    ("JAYWAY slice", STORE, "$.vals[1:3]", [10, 20]),
    ("JAYWAY slice from end", STORE, "$.vals[-2:]", [40, 50]),
    ("JAYWAY negative index", STORE, "$.vals[-1]", 50),
    ("JAYWAY union index", STORE, "$.vals[0,2]", [0, 20]),
    ("JAYWAY bracket name", STORE, "$['a b']", 1),
    ("JAYWAY double-quoted name", STORE, '$["store"]["bicycle"]["color"]', "red"),
    ("JAYWAY union names", STORE, "$.store.bicycle['color','price']", ["red", 19.95]),
    ("JAYWAY wildcard", STORE, "$.store.book[*].author", ["Rees", "Waugh", "Tolkien"]),
    ("JAYWAY deep scan", STORE, "$..price", [8.95, 12.99, 22.99, 19.95]),
    ("JAYWAY filter compare", STORE, "$.store.book[?(@.price < 10)].author", ["Rees"]),
    ("JAYWAY filter exists", STORE, "$.store.book[?(@.isbn)].author", ["Tolkien"]),
    ("JAYWAY filter and", STORE, "$.store.book[?(@.price > 10 && @.author == 'Waugh')].price", [12.99]),
    ("JAYWAY filter or", STORE, "$.store.book[?(@.tag == 'ref' || @.isbn)].author", ["Rees", "Tolkien"]),
    ("JAYWAY filter regex", STORE, "$.store.book[?(@.author =~ /T.*/)].author", ["Tolkien"]),
    ("JAYWAY filter in", STORE, "$.store.book[?(@.author in ['Rees','Waugh'])].price", [8.95, 12.99]),
    ("JAYWAY filter root ref", {"max": 10, "xs": [{"v": 5}, {"v": 15}]}, "$.xs[?(@.v < $.max)].v", [5]),
    ("JAYWAY no match is empty list", STORE, "$.store.book[?(@.price > 100)]", []),
    ("JAYWAY length()", STORE, "$.vals.length()", 6),
    ("JAYWAY null leaf", STORE, "$.n", None),
])
def test_read_path_selects(scope, source, data, path, expected):
    assert read_path(path, data, scope) == expected


@pytest.mark.parametrize("source, path, expected", [
    ("CONF test_reference_assign[BASE_REFERENCE_IN_INPUTPATH]", "$theAnswer", 42),
    ("workflow-variables doc: $var.path", "$obj.list[1]", 2),
    ("workflow-variables doc: null variable", "$nothing", None),
    ("PATHS context object", "$$.Execution.Id", "arn:exec"),
    ("PATHS context object", "$$.Execution.Input.k", "v"),
    ("PATHS context object root", "$$.State", {"Name": "S"}),
])
def test_read_path_context_and_variables(scope, source, path, expected):
    assert read_path(path, {"unused": True}, scope) == expected


def test_read_path_returns_a_copy(scope):
    data = {"a": {"b": [1]}}
    got = read_path("$.a", data, scope)
    got["b"].append(2)
    assert data == {"a": {"b": [1]}}


@pytest.mark.parametrize("source, path, field, cause", [
    ("CONF test_invalid_jsonpath[INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH]", "$.no_such_jsonpath", "value.$",
     "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input "
     "'{\"int-literal\":0}'"),
    ("CONF test_invalid_jsonpath[INVALID_JSONPATH_IN_STRING_EXPR_CONTEXTPATH]",
     "$$.Execution.Input.no_such_jsonpath", "value.$",
     "The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field 'value.$' could not be found "
     "in the input '{\"int-literal\":0}'"),
    ("CONF test_invalid_jsonpath[INVALID_JSONPATH_IN_ERRORPATH]", "$.ErrorX", "ErrorPath",
     "The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in the input "
     "'{\"int-literal\":0}'"),
    ("CONF test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_HEARTBEATSECONDSPATH]", "$.NoSuchTimeoutSecondsPath",
     "HeartbeatSecondsPath",
     "Invalid path '$.NoSuchTimeoutSecondsPath' : No results for path: $['NoSuchTimeoutSecondsPath']"),
    ("JAYWAY leaf missing", "$.a.b", "InputPath", "Invalid path '$.a.b' : No results for path: $['a']['b']"),
    ("JAYWAY intermediate missing", "$.x.y", "OutputPath", "Invalid path '$.x.y' : Missing property in path $['x']"),
    ("JAYWAY index out of range", "$.a.list[5]", "InputPath",
     "Invalid path '$.a.list[5]' : No results for path: $['a']['list'][5]"),
])
def test_missing_path_causes(scope, source, path, field, cause):
    data = {"int-literal": 0} if "CONF" in source else {"a": {"list": [1]}}
    with pytest.raises(StatesError) as err:
        read_path(path, data, scope, field=field)
    assert (err.value.error, err.value.cause) == ("States.Runtime", cause)


def test_missing_variable_is_runtime_error(scope):
    with pytest.raises(StatesError) as err:
        read_path("$undefinedVar", {}, scope, field="x.$")
    assert err.value.error == "States.Runtime"


@pytest.mark.parametrize("path, kind, field, problem", [
    ("$.a.b", "path", "InputPath", None),
    ("$.a[*].b", "path", "InputPath", None),
    ("$..b", "path", "OutputPath", None),
    ("$$.Execution.Id", "reference", "Variable", None),
    ("$var.x", "reference", "Variable", None),
    ("$.a[0]['b c']", "result", "ResultPath", None),
    ("$.a[*]", "reference", "Variable", "The value for the field 'Variable' must be a valid ReferencePath"),
    ("$..a", "reference", "Variable", "The value for the field 'Variable' must be a valid ReferencePath"),
    ("$.a[?(@.x)]", "reference", "TimeoutSecondsPath",
     "The value for the field 'TimeoutSecondsPath' must be a valid ReferencePath"),
    ("$$.Execution", "result", "ResultPath", "The value for the field 'ResultPath' must be a valid ReferencePath"),
    ("$x", "result", "ResultPath", "The value for the field 'ResultPath' must be a valid ReferencePath"),
    ("a.b", "path", "InputPath", "The value for the field 'InputPath' must be a valid JSONPath"),
    ("$.a[", "path", "InputPath", "The value for the field 'InputPath' must be a valid JSONPath"),
    ("$.a b", "path", "InputPath", "The value for the field 'InputPath' must be a valid JSONPath"),
    # LocalStack issue 6811 quotes AWS's wording for a payload-template key:
    ("nope", "path", "out.$", "The value for the field 'out.$' must be a valid JSONPath or a valid intrinsic "
                              "function call"),
])
def test_check_path(path, kind, field, problem):
    assert check_path(path, kind, field) == problem
