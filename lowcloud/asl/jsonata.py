"""QueryLanguage JSONata: '{% expr %}' templates, Choice Conditions, and Assign blocks.

Expressions run on the jsonata-python package with ``$states`` and every workflow variable
bound, plus the functions Step Functions adds ($partition, $range, $hash, $random with a
seed, $uuid, $parse) and without $eval, which AWS rejects. JSONata keeps *null* and
*undefined* apart and so does this module: an expression that returns nothing fails the
state (States.QueryEvaluationError, "... returned nothing (undefined)."), a null is a value.
Error causes follow AWS's sentence "The JSONata expression '<expr>' specified for the field
'<field>' ..." with jsonata-js's code and wording after it; nested template fields are
named 'Output/key' and 'Items[2]' as AWS names them.
"""
from __future__ import annotations

import hashlib
import json
import math
import re

import jsonata as jsonata_lib
from jsonata.jexception import JException
from jsonata.utils import Utils

from .context import Scope
from .errors import StatesError, compact_json
from .intrinsics import JavaRandom
from .paths import apply_payload_template

_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
_ARRAY_OF = {"n": "numbers", "s": "strings", "b": "booleans", "o": "objects", "a": "arrays", "f": "functions"}
# jsonata-js's own wording for its runaway bounds (jsonata-python's catalog differs).
_BOUND_MESSAGES = {
    "D1011": "Stack overflow error: Check for non-terminating recursive function.  "
             "Consider rewriting as tail-recursive.",
    "D1012": "Expression evaluation timeout: Check for infinite loop",
}
_PLACEHOLDER = re.compile(r"\{\{\{(\w+)\}\}\}|\{\{(\w+)\}\}")
_MAX_DEPTH = 500
_MAX_STEPS = 1_000_000


class _FunctionError(Exception):
    """A failure inside one of the functions Step Functions adds to JSONata."""


def is_expression(value) -> bool:
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def _inner(value: str) -> str:
    return value[2:-2].strip() if is_expression(value) else value


# ---------------------------------------------------------------- public API

def evaluate_template(value, states: dict, scope: Scope, field: str = "Arguments"):
    """Evaluate every '{% %}' string inside `value` (objects/arrays recursively)."""
    if is_expression(value):
        return _evaluate_field(_inner(value), states, scope, field)
    if isinstance(value, dict):
        return {k: evaluate_template(v, states, scope, f"{field}/{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [evaluate_template(v, states, scope, f"{field}[{i}]") for i, v in enumerate(value)]
    return value


def evaluate_typed(value, states: dict, scope: Scope, field: str, expected: str):
    """evaluate_template for a field whose whole value must have one JSON type
    ('array', 'object', 'string', 'number', 'integer', 'boolean'), e.g. Map 'Items'."""
    result = evaluate_template(value, states, scope, field)
    if is_expression(value) and not _has_type(result, expected):
        raise _error(_inner(value), field, f"returned an unexpected result type. Expected "
                     f"'{expected}', but was '{json_type(result)}' for value: {compact_json(result)}")
    return result


def evaluate_condition(expr, states: dict, scope: Scope, field: str = "Condition") -> bool:
    """A Choice rule's Condition: a boolean literal or an expression returning a boolean."""
    result = evaluate_template(expr, states, scope, field)
    if not isinstance(result, bool):
        raise _error(_inner(expr) if isinstance(expr, str) else compact_json(expr), field,
                     f"returned an unexpected result type. Expected 'boolean', but was "
                     f"'{json_type(result)}' for value: {compact_json(result)}")
    return result


def evaluate_assign(assign: dict, states: dict, scope: Scope, jsonata: bool) -> dict:
    """An Assign block's new variable values, all computed from the values before it.

    JSONata states evaluate '{% %}' strings. JSONPath states resolve 'name.$' entries
    (paths, '$$', '$var', intrinsics) against the state's result (states['result'], which
    the interpreter sets to what '$' means for that state: the Pass result, the Task result
    after ResultSelector, the error output in a Catch) or, without one, the state input.
    """
    if jsonata:
        return evaluate_template(assign, states, scope, "Assign")
    base = states["result"] if "result" in states else states.get("input")
    return apply_payload_template(assign, base, scope, field="Assign")


def check_jsonata(expr: str) -> str | None:
    """Static syntax check: None when the expression parses, else the parser's message."""
    try:
        jsonata_lib.Jsonata(_inner(expr))
    except JException as err:
        return _jsonata_text(err)
    except Exception as err:  # the parser has a few uncoded failure paths
        return str(err)
    return None


def json_type(value) -> str:
    """The JSON type name AWS uses in its causes."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), type(value).__name__)


def _has_type(value, expected: str) -> bool:
    if expected == "integer":
        return json_type(value) == "number" and float(value).is_integer()
    return json_type(value) == expected


# ---------------------------------------------------------------- evaluation

def _evaluate_field(expr: str, states: dict, scope: Scope, field: str):
    try:
        compiled = jsonata_lib.Jsonata(expr)
    except JException as err:
        raise _error(expr, field, "threw an error during evaluation. " + _coded(err)) from None
    _register_aws_functions(compiled, scope)
    _EvaluationBudget().install(compiled)
    compiled.set_output_convert_nulls(False)
    try:
        result = compiled.evaluate(None, _bindings(states, scope))
    except StatesError:
        raise
    except JException as err:
        raise _error(expr, field, "threw an error during evaluation. " + _coded(err)) from None
    except RecursionError:
        raise _error(expr, field, "threw an error during evaluation. " + _coded(JException("D1011", -1))) from None
    except Exception as err:  # noqa: BLE001 - uncoded failures inside the library
        raise _error(expr, field, f"threw an error during evaluation: {err}") from None
    if result is None or Utils.is_function(result):
        raise _error(expr, field, "returned nothing (undefined).")
    return _to_json(result)


class _EvaluationBudget:
    """Bounds a runaway expression by evaluation steps and depth, not by wall time, so the
    same expression fails the same way on every run (D1012 / D1011, as jsonata bounds do)."""

    def __init__(self):
        self.steps = 0
        self.depth = 0

    def install(self, compiled) -> None:
        compiled.environment.set_evaluate_entry_callback(self._enter)
        compiled.environment.set_evaluate_exit_callback(self._leave)

    def _enter(self, _expr, _input, env) -> None:
        if env.is_parallel_call:
            return
        self.steps += 1
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise JException("D1011", -1)
        if self.steps > _MAX_STEPS:
            raise JException("D1012", -1)

    def _leave(self, _expr, _input, env, _result) -> None:
        if not env.is_parallel_call:
            self.depth -= 1


def _bindings(states: dict, scope: Scope) -> dict:
    bound = {name: Utils.NULL_VALUE if value is None else value
             for name, value in (scope.variables or {}).items()}
    states = dict(states)
    states.setdefault("context", scope.context)
    bound["states"] = states
    return bound


def _to_json(value):
    """jsonata-python values back to plain JSON: null marker to None, integral floats to int."""
    if value is Utils.NULL_VALUE:
        return None
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _error(expr: str, field: str, what: str) -> StatesError:
    return StatesError("States.QueryEvaluationError",
                       f"The JSONata expression '{expr}' specified for the field '{field}' {what}")


def _coded(err: JException) -> str:
    return f"{err.error}: {_jsonata_text(err)}"


def _jsonata_text(err: JException) -> str:
    """The message in jsonata-js's wording (which AWS shows): inserts JSON-quoted, and
    'function' where jsonata-python's catalog says 'Object'."""
    if err.error in _BOUND_MESSAGES:
        return _BOUND_MESSAGES[err.error]
    template = JException.error_codes.get(err.error)
    if template is None:
        return str(err)
    extra = getattr(err, "extra", None)
    if err.error == "T0412":
        extra = _ARRAY_OF.get(extra, extra)
    inserts = iter([err.current, err.expected, extra])
    return _PLACEHOLDER.sub(lambda m: _insert(next(inserts, None), raw=m.group(1) is not None),
                            template.replace("Object", "function"))


def _insert(value, raw: bool) -> str:
    if raw:
        return "" if value is None else str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


# ---------------------------------------------------------------- AWS's added functions

def _register_aws_functions(compiled, scope: Scope) -> None:
    functions = {
        "partition": _partition, "range": _range, "hash": _hash, "parse": _parse,
        "uuid": lambda: scope.ids.uuid(), "random": lambda seed=None: _random(scope, seed),
        "eval": _no_eval,
    }
    for name, function in functions.items():
        compiled.register_lambda(name, _guard(function))


def _guard(function):
    def call(*args):
        try:
            return function(*[Utils.convert_nulls(a) if a is not Utils.NULL_VALUE else None for a in args])
        except _FunctionError as err:
            raise JException("D3137", -1, str(err)) from None
    return call


def _whole(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not float(value).is_integer():
        raise _FunctionError(f"{what} must be an integer")
    return int(value)


def _partition(array=None, size=None):
    if not isinstance(array, list):
        raise _FunctionError("The first argument of $partition must be an array")
    chunk = _whole(size, "The chunk size of $partition")
    if chunk <= 0:
        raise _FunctionError("The chunk size of $partition must be positive")
    return [list(array[i:i + chunk]) for i in range(0, len(array), chunk)]


def _range(start=None, end=None, step=None):
    first, last = _whole(start, "The start of $range"), _whole(end, "The end of $range")
    delta = _whole(step, "The step of $range")
    if delta == 0:
        raise _FunctionError("The step of $range must not be zero")
    values = range(first, last + (1 if delta > 0 else -1), delta)
    if len(values) > 1000:
        raise _FunctionError("$range can not generate more than 1000 items")
    return list(values)


def _hash(data=None, algorithm=None):
    if not isinstance(data, str) or algorithm not in _HASHES:
        raise _FunctionError("$hash takes a string and one of MD5, SHA-1, SHA-256, SHA-384, SHA-512")
    return hashlib.new(_HASHES[algorithm], data.encode("utf-8")).hexdigest()


def _parse(text=None):
    if not isinstance(text, str):
        raise _FunctionError("The argument of $parse must be a string")
    try:
        return json.loads(text, parse_constant=_reject)
    except ValueError as err:
        raise _FunctionError(f"Unable to parse JSON: {err}") from None


def _reject(name):
    raise ValueError(f"unexpected {name}")


def _random(scope: Scope, seed=None) -> float:
    if seed is None:
        return scope.ids.random()
    return JavaRandom(_whole(seed, "The seed of $random")).next_double()


def _no_eval(*_args):
    raise _FunctionError("The $eval function is not supported by Step Functions; use $parse")
