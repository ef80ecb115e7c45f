"""States.* intrinsic functions.

Sources: INTR = https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
CONF = conformance case id (AWS recording); OBS = behaviour observed on AWS and published
in public emulator conformance catalogs (MathAdd rounding, truncation of fractional sizes,
"Invalid arguments in States.X"); JAVA = AWS's Java runtime (String.valueOf / Jackson).
"""
from __future__ import annotations

import pytest

from lowcloud.asl.context import Scope
from lowcloud.asl.errors import StatesError
from lowcloud.asl.intrinsics import JavaRandom, check_intrinsic, evaluate_intrinsic, is_intrinsic
from lowcloud.ids import Ids

DATA = {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "index": 5, "dup": [1, 2, 2, 3, 3, 4],
        "json1": {"a": 1, "b": 2}, "json2": {"c": 3, "d": 4}, "obj": {"Arg1": 1, "Arg2": []},
        "csv": "a,b,c,d,e", "escaped": "{\"foo\": \"bar\"}", "name": "Arnav", "template": "Hello, my name is {}."}


@pytest.fixture
def scope():
    return Scope(context={"StateMachine": {"Name": "my-machine-name"}}, variables={"v": 5},
                 ids=Ids(11))


@pytest.mark.parametrize("source, expr, expected", [
    ("INTR Format", "States.Format('Hello, my name is {}.', $.name)", "Hello, my name is Arnav."),
    ("INTR Format template from path", "States.Format($.template, $.name)", "Hello, my name is Arnav."),
    ("CONF test_format_2#exec_hist_resp_7 (Java Map.toString)", "States.Format('fst={} snd={}.', $.obj, $.obj)",
     "fst={Arg1=1, Arg2=[]} snd={Arg1=1, Arg2=[]}."),
    ("CONF test_format_1#exec_hist_resp_3", "States.Format('arg {}.', null)", "arg null."),
    ("JAVA double", "States.Format('{} {} {}', 1.5, 1.0E7, true)", "1.5 1.0E7 true"),
    ("INTR escapes", "States.Format('\\{\\} {} \\'q\\' \\\\', 'x')", "{} x 'q' \\"),
    ("INTR StringToJson", "States.StringToJson($.escaped)", {"foo": "bar"}),
    ("CONF test_string_to_json#exec_hist_resp_0", "States.StringToJson('')", None),
    ("CONF test_string_to_json#exec_hist_resp_6", "States.StringToJson('true')", True),
    ("INTR JsonToString", "States.JsonToString($.obj)", "{\"Arg1\":1,\"Arg2\":[]}"),
    ("INTR Array", "States.Array($.index)", [5]),
    ("CONF test_array_0", "States.Array()", []),
    ("INTR ArrayPartition", "States.ArrayPartition($.inputArray, 4)", [[1, 2, 3, 4], [5, 6, 7, 8], [9]]),
    ("OBS fractional chunk truncated", "States.ArrayPartition(States.Array(1,2,3,4,5), 2.6)", [[1, 2], [3, 4], [5]]),
    ("INTR ArrayContains", "States.ArrayContains($.inputArray, 5)", True),
    ("CONF test_array_contains#exec_hist_resp_6", "States.ArrayContains(States.Array($.obj), $.obj)", True),
    ("JAVA Jackson equality: 1 != 1.0", "States.ArrayContains($.inputArray, 1.0)", False),
    ("INTR ArrayRange", "States.ArrayRange(1, 9, 2)", [1, 3, 5, 7, 9]),
    ("OBS descending", "States.ArrayRange(5, 1, -2)", [5, 3, 1]),
    ("OBS wrong direction is empty", "States.ArrayRange(5, 1, 1)", []),
    ("OBS fractional bounds truncated", "States.ArrayRange(5.4, -0.6, -2.4)", [5, 3, 1]),
    ("INTR ArrayGetItem", "States.ArrayGetItem($.inputArray, $.index)", 6),
    ("INTR ArrayLength", "States.ArrayLength($.inputArray)", 9),
    ("INTR ArrayUnique", "States.ArrayUnique($.dup)", [1, 2, 3, 4]),
    ("INTR Base64Encode", "States.Base64Encode('Data to encode')", "RGF0YSB0byBlbmNvZGU="),
    ("CONF test_base_64_decode#exec_hist_resp_1", "States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", "Data to encode"),
    ("CONF test_hash#exec_hist_resp_0", "States.Hash('input data', 'MD5')", "812f45842bc6d66ee14572ce20db8e86"),
    ("INTR Hash SHA-1", "States.Hash('input data', 'SHA-1')", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
    ("INTR JsonMerge", "States.JsonMerge($.json1, $.json2, false)", {"a": 1, "b": 2, "c": 3, "d": 4}),
    ("CONF test_math_add#exec_hist_resp_13 (Math.round)", "States.MathAdd(1.5, 0)", 2),
    ("CONF test_math_add#exec_hist_resp_3", "States.MathAdd(-1.49, -1.5)", -2),
    ("CONF test_math_add#exec_hist_resp_4", "States.MathAdd(-1.5, -1.51)", -3),
    ("INTR MathAdd", "States.MathAdd($.index, -1)", 4),
    ("OBS int32 upper bound", "States.MathAdd(2147483646, 1)", 2147483647),
    ("INTR StringSplit", "States.StringSplit($.csv, ',')", ["a", "b", "c", "d", "e"]),
    ("CONF test_string_split#exec_hist_resp_2", "States.StringSplit(', , ,', ',')", [" ", " "]),
    ("CONF test_string_split#exec_hist_resp_6", "States.StringSplit('split on T and \nnew line', 'T\n')",
     ["split on ", " and ", "new line"]),
    ("CONF test_nested_calls_1", "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)", "my"),
    ("workflow-variables doc", "States.MathAdd($v, 1)", 6),
])
def test_intrinsic_values(scope, source, expr, expected):
    assert evaluate_intrinsic(expr, DATA, scope) == expected


def test_uuid_and_random_come_from_the_cloud_ids(scope):
    first = evaluate_intrinsic("States.UUID()", {}, scope)
    assert len(first) == 36 and first[14] == "4"
    assert evaluate_intrinsic("States.UUID()", {}, Scope(ids=Ids(11))) == first
    values = {evaluate_intrinsic("States.MathRandom(1, 4)", {}, scope) for _ in range(50)}
    assert values == {1, 2, 3}


def test_seeded_math_random_is_repeatable(scope):
    once = evaluate_intrinsic("States.MathRandom(0, 1000, 7)", {}, scope)
    assert evaluate_intrinsic("States.MathRandom(0, 1000, 7)", {}, Scope(ids=Ids(99))) == once


def test_java_random_matches_java_util_random():
    # new java.util.Random(42).nextDouble() == 0.7275636800328681 ; nextInt(10) sequence 0,3,8,...
    assert JavaRandom(42).next_double() == 0.7275636800328681
    rng = JavaRandom(42)
    assert [rng.next_int(10) for _ in range(3)] == [0, 3, 8]


@pytest.mark.parametrize("source, expr, name", [
    ("OBS overflow", "States.MathAdd(2147483647, 1)", "MathAdd"),
    ("OBS operand out of int32", "States.MathAdd(3000000000, 1)", "MathAdd"),
    ("OBS string operand", "States.MathAdd('1', 2)", "MathAdd"),
    ("OBS boolean operand", "States.MathAdd(true, 1)", "MathAdd"),
    ("OBS step rounds to zero", "States.ArrayRange(1, 10, 0.49)", "ArrayRange"),
    ("INTR more than 1000 items", "States.ArrayRange(1, 1001, 1)", "ArrayRange"),
    ("OBS non-numeric start", "States.ArrayRange('a', 5, 1)", "ArrayRange"),
    ("OBS chunk rounds to zero", "States.ArrayPartition($.inputArray, 0.49)", "ArrayPartition"),
    ("OBS non-array", "States.ArrayPartition('not-array', 2)", "ArrayPartition"),
    ("INTR index past the end", "States.ArrayGetItem($.inputArray, 9)", "ArrayGetItem"),
    ("INTR not an array", "States.ArrayLength($.name)", "ArrayLength"),
    ("INTR placeholders != args", "States.Format('{} {}', 1)", "Format"),
    ("INTR deep merge unsupported", "States.JsonMerge($.json1, $.json2, true)", "JsonMerge"),
    ("INTR unknown algorithm", "States.Hash('x', 'SHA-2')", "Hash"),
    ("INTR invalid base64", "States.Base64Decode('!!!')", "Base64Decode"),
    ("INTR invalid JSON", "States.StringToJson('{bad')", "StringToJson"),
    ("INTR end must exceed start", "States.MathRandom(5, 5)", "MathRandom"),
    ("INTR wrong arity at runtime", "States.ArrayLength($.inputArray, 1)", "ArrayLength"),
])
def test_intrinsic_invalid_arguments(scope, source, expr, name):
    with pytest.raises(StatesError) as err:
        evaluate_intrinsic(expr, DATA, scope)
    assert (err.value.error, err.value.cause) == ("States.Runtime", f"Invalid arguments in States.{name}")


def test_missing_path_argument_names_the_field(scope):
    with pytest.raises(StatesError) as err:
        evaluate_intrinsic("States.ArrayPartition($.missing, 2)", {}, scope, field="r.$")
    assert err.value.cause == "The JSONPath '$.missing' specified for the field 'r.$' could not be found in the input '{}'"


def test_long_inputs_are_rejected(scope):
    with pytest.raises(StatesError):
        evaluate_intrinsic("States.Base64Encode($.s)", {"s": "x" * 10001}, scope)
    assert evaluate_intrinsic("States.Base64Encode($.s)", {"s": "x" * 10000}, scope)


@pytest.mark.parametrize("expr, expected", [
    ("States.Array($.a)", True), ("States.UUID()", True), ("$.a", False), ("States", False), (3, False),
])
def test_is_intrinsic(expr, expected):
    assert is_intrinsic(expr) is expected


NINE = "States.Array(" * 9 + ")" * 9
ELEVEN = "States.Array(" * 11 + ")" * 11


@pytest.mark.parametrize("source, expr, problem", [
    ("INTR", "States.Format('{}', $.a)", None),
    ("INTR nine nested calls allowed", NINE, None),
    ("INTR at most ten nested", ELEVEN, "Intrinsic functions can be nested at most 10 deep"),
    ("unknown function", "States.Nope(1)", "Unknown intrinsic function States.Nope"),
    ("arity", "States.MathAdd(1)", "Invalid number of arguments for States.MathAdd"),
    ("INTR open escape is an error", "States.Format('a\\qb')", "open escape backslash in string literal"),
    ("syntax", "States.Array(1,", "unexpected argument at 15"),
])
def test_check_intrinsic(source, expr, problem):
    assert check_intrinsic(expr) == problem


def test_check_intrinsic_with_field_uses_aws_sentence():
    assert check_intrinsic("States.Nope()", "x.$") == (
        "The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function call")
