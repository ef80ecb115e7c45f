"""The JSONPath-mode data pipeline of a state: InputPath -> Parameters -> (result) ->
ResultSelector -> ResultPath -> OutputPath, plus the reads other fields make (ErrorPath,
CausePath, ItemsPath, TimeoutSecondsPath ...).

Path evaluation itself is jsonpath.py; this module decides what AWS does around it: which
field names a failure, how a payload template's ``.$`` keys are resolved (path, context path,
variable or intrinsic), and how ResultPath grafts a result into a copy of the input. Nothing
here mutates its arguments.
"""
from __future__ import annotations

import copy
from typing import Any

from .context import Scope
from .errors import StatesError, compact_json, runtime_error
from .jsonpath import PathSyntaxError, compile_path, definite_failure, evaluate

# Fields whose failures AWS words as Jayway's "Invalid path" message; the rest (payload
# template keys, ErrorPath, CausePath, ...) say "could not be found in the input".
INVALID_PATH_FIELDS = {"InputPath", "OutputPath", "ItemsPath", "TimeoutSecondsPath",
                       "HeartbeatSecondsPath", "SecondsPath", "TimestampPath"}


def read_path(path: str, data, scope: Scope, field: str = "InputPath") -> Any:
    """Evaluate a JSONPath ('$...', '$$...', '$var...'); a deep copy of what it selects.

    Definite paths give the single value or raise States.Runtime with AWS's text for
    `field`; indefinite paths give the (possibly empty) list of matches.
    """
    try:
        compiled = compile_path(path)
    except PathSyntaxError:
        raise runtime_error(f"Invalid path '{path}'") from None
    if compiled.root == "$" and not compiled.steps:
        return copy.deepcopy(data)
    values = evaluate(compiled, data, scope)
    if not compiled.definite:
        return copy.deepcopy(values)
    if not values:
        raise _missing_path_error(compiled, data, scope, field)
    return copy.deepcopy(values[0])


def _missing_path_error(path, data, scope, field: str) -> StatesError:
    if field in INVALID_PATH_FIELDS:
        return runtime_error(f"Invalid path '{path.source}' : {definite_failure(path, data, scope)}")
    return runtime_error(f"The JSONPath '{path.source}' specified for the field '{field}' "
                         f"could not be found in the input '{compact_json(data)}'")


def read_dynamic(expr: str, data, scope: Scope, field: str) -> Any:
    """The value of a '.$' field: a path, a context path, a variable or an intrinsic call."""
    from .intrinsics import evaluate_intrinsic, is_intrinsic
    if is_intrinsic(expr):
        return evaluate_intrinsic(expr, data, scope, field=field)
    if isinstance(expr, str) and expr.startswith("$"):
        return read_path(expr, data, scope, field=field)
    raise runtime_error(f"The value for the field '{field}' must be a valid JSONPath "
                        f"or a valid intrinsic function call")


def apply_input_path(state_input, path, scope: Scope) -> Any:
    """InputPath: JSON null selects {}; the caller passes '$' when the field is absent."""
    return {} if path is None else read_path(path, state_input, scope, field="InputPath")


def apply_output_path(value, path, scope: Scope) -> Any:
    """OutputPath: JSON null gives {}."""
    return {} if path is None else read_path(path, value, scope, field="OutputPath")


def apply_payload_template(template, data, scope: Scope, field: str = "Parameters") -> Any:
    """Parameters / ResultSelector / ItemSelector: resolve every 'key.$' at any depth.

    A 'key.$' entry becomes 'key' holding the selected value; other values are copied,
    objects and arrays recursively.
    """
    if isinstance(template, dict):
        out = {}
        for key, value in template.items():
            if isinstance(key, str) and key.endswith(".$") and isinstance(value, str):
                out[key[:-2]] = read_dynamic(value, data, scope, field=key)
            else:
                out[key] = apply_payload_template(value, data, scope, field)
        return out
    if isinstance(template, list):
        return [apply_payload_template(item, data, scope, field) for item in template]
    return copy.deepcopy(template)


def apply_result_path(state_input, result, path, scope: Scope) -> Any:
    """ResultPath: null keeps the input, '$' is the result, '$.a.b' grafts it in a copy.

    Missing objects on the way are created; a step that cannot be taken (the input or an
    intermediate value is not an object) is States.ResultPathMatchFailure.
    """
    if path is None:
        return copy.deepcopy(state_input)
    steps = _reference_steps(path)
    if not steps:
        return copy.deepcopy(result)
    output = copy.deepcopy(state_input)
    node = output
    for i, step in enumerate(steps):
        node = _graft_step(node, step, i == len(steps) - 1, result, (path, state_input))
    return output


def _reference_steps(path: str) -> list:
    try:
        compiled = compile_path(path)
    except PathSyntaxError:
        raise runtime_error(f"Invalid path '{path}'") from None
    if compiled.root != "$" or not compiled.definite:
        raise runtime_error(f"Invalid path '{path}'")
    return compiled.steps


def _graft_step(node, step, last: bool, result, where):
    key = step.arg[0]
    if step.kind == "prop" and isinstance(node, dict):
        if last:
            node[key] = copy.deepcopy(result)
            return None
        if not isinstance(node.get(key), (dict, list)):
            if key in node:
                raise _result_path_failure(*where)
            node[key] = {}
        return node[key]
    if step.kind == "index" and isinstance(node, list) and -len(node) <= key < len(node):
        if last:
            node[key] = copy.deepcopy(result)
            return None
        return node[key]
    raise _result_path_failure(*where)


def _result_path_failure(path: str, state_input) -> StatesError:
    return StatesError("States.ResultPathMatchFailure",
                       f"Unable to apply ReferencePath {path} to input {compact_json(state_input)}")


def check_path(path: str, kind: str, field: str | None = None) -> str | None:
    """Static check for the validator: None when fine, else AWS's diagnostic message.

    kind 'path' accepts any JSONPath; 'reference' only single names/indexes (Choice
    Variable, *Path comparators, TimeoutSecondsPath ...); 'result' a reference path on the
    state input only (ResultPath: no '$$', no variables).
    """
    noun = "JSONPath" if kind == "path" else "ReferencePath"
    if field and field.endswith(".$"):
        noun = "JSONPath or a valid intrinsic function call"
    message = f"The value for the field '{field or _default_field(kind)}' must be a valid {noun}"
    try:
        compiled = compile_path(path)
    except PathSyntaxError:
        return message
    if compiled.root == "@":
        return message
    if kind != "path" and (not compiled.definite or any(s.kind == "func" for s in compiled.steps)):
        return message
    if kind == "result" and compiled.root != "$":
        return message
    return None


def _default_field(kind: str) -> str:
    return {"path": "InputPath", "result": "ResultPath"}.get(kind, "Variable")
