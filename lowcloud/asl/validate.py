"""Static checks of a definition, worded as ValidateStateMachineDefinition / InvalidDefinition.

``diagnose`` returns AWS-shaped diagnostics (severity, code, message, location);
``error_message`` joins the errors into CreateStateMachine's text:
``Invalid State Machine Definition: 'CODE: message at /States/X, CODE: ...'``.
Wordings verified against AWS (recorded tests and issue reports) are used where
known: "These fields are required: [States] at /", "Missing 'Next' target: X",
"State \"X\" is not reachable.", "Workflow has no terminal state", "Field 'X'
is not supported", the QueryLanguage mixing messages and the Express
restrictions.  Paths, intrinsics and JSONata expressions are checked by the data
modules' own ``check_*`` functions.
"""
from __future__ import annotations

import json

from lowcloud.asl.intrinsics import check_intrinsic, is_intrinsic
from lowcloud.asl.jsonata import check_jsonata
from lowcloud.asl.paths import check_path
from lowcloud.asl.tasks import parse_resource

TOP_FIELDS = {"Comment", "StartAt", "States", "Version", "TimeoutSeconds", "QueryLanguage"}
COMMON = {"Type", "Comment", "QueryLanguage"}
JSONPATH_FIELDS = {
    "Pass": {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result", "Assign"},
    "Task": {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Retry",
             "Catch", "Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds",
             "HeartbeatSecondsPath", "Credentials", "Assign"},
    "Choice": {"InputPath", "OutputPath", "Choices", "Default", "Assign"},
    "Wait": {"Next", "End", "InputPath", "OutputPath", "Seconds", "Timestamp", "SecondsPath", "TimestampPath",
             "Assign"},
    "Succeed": {"InputPath", "OutputPath"},
    "Fail": {"Error", "ErrorPath", "Cause", "CausePath"},
    "Parallel": {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Retry",
                 "Catch", "Branches", "Assign"},
    "Map": {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch",
            "ItemsPath", "ItemSelector", "ItemProcessor", "Iterator", "MaxConcurrency", "MaxConcurrencyPath",
            "ItemReader", "ItemBatcher", "ResultWriter", "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath", "ToleratedFailureCount", "ToleratedFailureCountPath", "Label",
            "Assign"},
}
JSONATA_FIELDS = {
    "Pass": {"Next", "End", "Output", "Assign"},
    "Task": {"Next", "End", "Arguments", "Output", "Assign", "Retry", "Catch", "Resource", "TimeoutSeconds",
             "HeartbeatSeconds", "Credentials"},
    "Choice": {"Choices", "Default", "Output", "Assign"},
    "Wait": {"Next", "End", "Seconds", "Timestamp", "Output", "Assign"},
    "Succeed": {"Output"},
    "Fail": {"Error", "Cause"},
    "Parallel": {"Next", "End", "Arguments", "Output", "Assign", "Retry", "Catch", "Branches"},
    "Map": {"Next", "End", "Items", "ItemSelector", "ItemProcessor", "Iterator", "MaxConcurrency", "ItemReader",
            "ItemBatcher", "ResultWriter", "ToleratedFailurePercentage", "ToleratedFailureCount", "Label", "Output",
            "Assign", "Retry", "Catch"},
}
TERMINAL_TYPES = {"Choice", "Succeed", "Fail"}
PATH_FIELDS = {"InputPath": "path", "OutputPath": "path", "ResultPath": "result", "ItemsPath": "path",
               "SecondsPath": "reference", "TimestampPath": "reference", "ErrorPath": "path", "CausePath": "path",
               "TimeoutSecondsPath": "reference", "HeartbeatSecondsPath": "reference",
               "MaxConcurrencyPath": "reference", "ToleratedFailureCountPath": "reference",
               "ToleratedFailurePercentagePath": "reference"}
TEMPLATE_FIELDS = ("Parameters", "ResultSelector", "ItemSelector", "Assign")


def diag(code: str, message: str, location: str | None) -> dict:
    return {"severity": "ERROR", "code": code, "message": message, "location": location if location else "null"}


def error_message(diagnostics: list) -> str | None:
    errors = [d for d in diagnostics if d["severity"] == "ERROR"]
    if not errors:
        return None
    text = ", ".join(f"{d['code']}: {d['message']} at {d['location']}" for d in errors)
    return f"Invalid State Machine Definition: '{text}'"


def diagnose(definition, sm_type: str = "STANDARD") -> list:
    if definition is None or (isinstance(definition, str) and not definition.strip()):
        return [diag("MISSING_DESCRIPTION", "Received a null or empty workflow input", "/")]
    try:
        doc = json.loads(definition) if isinstance(definition, str) else definition
    except ValueError as exc:
        return [diag("INVALID_JSON_DESCRIPTION", str(exc), "/")]
    if not isinstance(doc, dict):
        return [diag("SCHEMA_VALIDATION_FAILED", "Expected an object", "/")]
    out: list = []
    ql = doc.get("QueryLanguage", "JSONPath")
    if ql not in ("JSONPath", "JSONata"):
        out.append(diag("SCHEMA_VALIDATION_FAILED", f"Value '{ql}' is not a valid QueryLanguage", "/QueryLanguage"))
        ql = "JSONPath"
    for key in doc:
        if key not in TOP_FIELDS:
            out.append(diag("SCHEMA_VALIDATION_FAILED", f"Field '{key}' is not supported", "/"))
    _machine(doc, "", ql, ql, sm_type, out, names={})
    return out


def _machine(doc: dict, where: str, machine_ql: str, top_ql: str, sm_type: str, out: list, names: dict) -> None:
    missing = [k for k in ("StartAt", "States") if k not in doc]
    if missing:
        out.append(diag("SCHEMA_VALIDATION_FAILED", f"These fields are required: [{', '.join(missing)}]",
                        where or "/"))
        return
    states = doc["States"]
    if not isinstance(states, dict) or not states:
        out.append(diag("SCHEMA_VALIDATION_FAILED", "The field 'States' should be non-empty", f"{where}/States"))
        return
    if doc["StartAt"] not in states:
        out.append(diag("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {doc['StartAt']}", f"{where}/StartAt"))
    for name, raw in states.items():
        path = f"{where}/States/{name}"
        if name in names:
            out.append(diag("DUPLICATE_STATE_NAME", f"Duplicate State name: {name}", path))
        names[name] = path
        if len(name) > 80:
            out.append(diag("INVALID_STATE_NAME", f"State name is too long: {name}", path))
        _state(name, raw, path, states, machine_ql, top_ql, sm_type, out, names)
    _graph(doc, states, where, out)


def _state(name, raw, path, states, machine_ql, top_ql, sm_type, out, names) -> None:
    if not isinstance(raw, dict):
        out.append(diag("SCHEMA_VALIDATION_FAILED", "Expected an object", path))
        return
    kind = raw.get("Type")
    if kind is None:
        out.append(diag("SCHEMA_VALIDATION_FAILED", "These fields are required: [Type]", path))
        return
    if kind not in JSONPATH_FIELDS:
        out.append(diag("SCHEMA_VALIDATION_FAILED", f"Value '{kind}' is not a valid state Type", f"{path}/Type"))
        return
    ql = _state_ql(raw, path, top_ql, machine_ql, out)
    _fields(kind, raw, path, ql, out)
    _transitions(kind, raw, path, states, out)
    _kind_rules(kind, raw, path, ql, sm_type, out)
    _data(kind, raw, path, ql, out)
    for i, branch in enumerate(raw.get("Branches") or []):
        if isinstance(branch, dict):
            _machine(branch, f"{path}/Branches[{i}]", branch.get("QueryLanguage", top_ql), top_ql, sm_type, out,
                     names)
    for key in ("ItemProcessor", "Iterator"):
        if isinstance(raw.get(key), dict):
            if "QueryLanguage" in raw[key]:
                out.append(diag("SCHEMA_VALIDATION_FAILED", "Field 'QueryLanguage' is not supported", f"{path}/{key}"))
            _machine(raw[key], f"{path}/{key}", top_ql, top_ql, sm_type, out, names)


def _state_ql(raw, path, top_ql, machine_ql, out) -> str:
    ql = raw.get("QueryLanguage", machine_ql)
    if ql not in ("JSONPath", "JSONata"):
        out.append(diag("SCHEMA_VALIDATION_FAILED", f"Value '{ql}' is not a valid QueryLanguage", path))
        return machine_ql
    if top_ql == "JSONata" and ql == "JSONPath":
        out.append(diag("SCHEMA_VALIDATION_FAILED", "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for "
                                                    "whole state machine", path))
    return ql


def _fields(kind, raw, path, ql, out) -> None:
    own = (JSONATA_FIELDS if ql == "JSONata" else JSONPATH_FIELDS)[kind] | COMMON
    other_ql = "JSONPath" if ql == "JSONata" else "JSONata"
    other = (JSONPATH_FIELDS if ql == "JSONata" else JSONATA_FIELDS)[kind]
    for key in raw:
        if key in own:
            continue
        if key in other:
            out.append(diag("SCHEMA_VALIDATION_FAILED", f"The QueryLanguage is set to '{ql}', but field '{key}' is "
                                                        f"only supported for the '{other_ql}' QueryLanguage", path))
        else:
            out.append(diag("SCHEMA_VALIDATION_FAILED", f"Field '{key}' is not supported", path))


def _transitions(kind, raw, path, states, out) -> None:
    if kind in TERMINAL_TYPES:
        if kind == "Choice":
            _choice_targets(raw, path, states, out)
        return
    has_next, has_end = "Next" in raw, raw.get("End") is True
    if has_next == has_end:
        message = "Only one of 'Next' or 'End' can be set" if has_next else "These fields are required: [Next]"
        out.append(diag("SCHEMA_VALIDATION_FAILED", message, path))
    if has_next and raw["Next"] not in states:
        out.append(diag("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {raw['Next']}", f"{path}/Next"))
    for i, catcher in enumerate(raw.get("Catch") or []):
        target = catcher.get("Next") if isinstance(catcher, dict) else None
        if target not in states:
            out.append(diag("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {target}",
                            f"{path}/Catch[{i}]/Next"))


def _choice_targets(raw, path, states, out) -> None:
    choices = raw.get("Choices")
    if not isinstance(choices, list) or not choices:
        out.append(diag("SCHEMA_VALIDATION_FAILED", "These fields are required: [Choices]", path))
        return
    for i, rule in enumerate(choices):
        target = rule.get("Next") if isinstance(rule, dict) else None
        if target is None:
            out.append(diag("SCHEMA_VALIDATION_FAILED", "These fields are required: [Next]", f"{path}/Choices[{i}]"))
        elif target not in states:
            out.append(diag("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {target}",
                            f"{path}/Choices[{i}]/Next"))
    if "Default" in raw and raw["Default"] not in states:
        out.append(diag("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {raw['Default']}", f"{path}/Default"))


def _kind_rules(kind, raw, path, ql, sm_type, out) -> None:
    if kind == "Task":
        _resource(raw, path, sm_type, out)
    elif kind == "Wait":
        given = [k for k in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if k in raw]
        if len(given) != 1:
            out.append(diag("SCHEMA_VALIDATION_FAILED", "Exactly one of 'Seconds', 'Timestamp', 'SecondsPath' or "
                                                        "'TimestampPath' is required", path))
    elif kind == "Parallel" and not raw.get("Branches"):
        out.append(diag("SCHEMA_VALIDATION_FAILED", "These fields are required: [Branches]", path))
    elif kind == "Map" and not isinstance(raw.get("ItemProcessor", raw.get("Iterator")), dict):
        out.append(diag("SCHEMA_VALIDATION_FAILED", "These fields are required: [ItemProcessor]", path))
    elif kind == "Fail":
        for key in ("Error", "Cause"):
            if key in raw and key + "Path" in raw:
                out.append(diag("SCHEMA_VALIDATION_FAILED", f"Only one of '{key}' or '{key}Path' can be set", path))
    for i, retrier in enumerate(raw.get("Retry") or []):
        _error_equals(retrier, f"{path}/Retry[{i}]", out)
    for i, catcher in enumerate(raw.get("Catch") or []):
        _error_equals(catcher, f"{path}/Catch[{i}]", out)


def _error_equals(entry, where, out) -> None:
    names = entry.get("ErrorEquals") if isinstance(entry, dict) else None
    if not isinstance(names, list) or not names:
        out.append(diag("SCHEMA_VALIDATION_FAILED", "These fields are required: [ErrorEquals]", where))
    elif "States.ALL" in names and len(names) > 1:
        out.append(diag("SCHEMA_VALIDATION_FAILED", "States.ALL must appear alone in ErrorEquals",
                        f"{where}/ErrorEquals"))


def _resource(raw, path, sm_type, out) -> None:
    resource = raw.get("Resource")
    if not isinstance(resource, str):
        out.append(diag("SCHEMA_VALIDATION_FAILED", "These fields are required: [Resource]", path))
        return
    parsed = parse_resource(resource)
    where = f"{path}/Resource"
    if parsed is None:
        out.append(diag("SCHEMA_VALIDATION_FAILED", f"The resource provided {resource} is not recognized. The value "
                                                    "is not a valid resource ARN, or the resource is not available "
                                                    "in this region.", where))
        return
    if sm_type != "EXPRESS":
        return
    if parsed.pattern == "waitForTaskToken":
        out.append(diag("SCHEMA_VALIDATION_FAILED", "Express state machine does not support '.waitForTaskToken' "
                                                    "service integration ", where))
    elif parsed.pattern.startswith("sync"):
        out.append(diag("SCHEMA_VALIDATION_FAILED", "Express state machine does not support '.sync' service "
                                                    "integration", where))
    elif parsed.kind == "activity":
        out.append(diag("SCHEMA_VALIDATION_FAILED", "Express state machine does not support Activity ARN", where))


def _data(kind, raw, path, ql, out) -> None:
    if ql == "JSONata":
        _jsonata_strings(raw, path, out, skip={"Type", "Comment", "QueryLanguage", "Next", "Resource", "Default",
                                               "ItemProcessor", "Iterator", "Branches", "Retry", "Label"})
        return
    for key, kind_of_path in PATH_FIELDS.items():
        value = raw.get(key)
        if isinstance(value, str):
            problem = (check_intrinsic(value, key) if is_intrinsic(value)
                       else check_path(value, kind_of_path, key))
            if problem:
                out.append(diag("SCHEMA_VALIDATION_FAILED", problem, f"{path}/{key}"))
    for key in TEMPLATE_FIELDS:
        if key in raw:
            _template(raw[key], f"{path}/{key}", out)


def _template(value, where, out) -> None:
    if isinstance(value, dict):
        for key, sub in value.items():
            if key.endswith(".$") and isinstance(sub, str):
                problem = check_intrinsic(sub, key) if is_intrinsic(sub) else check_path(sub, "path", key)
                if problem:
                    out.append(diag("SCHEMA_VALIDATION_FAILED", problem, f"{where}/{key}"))
            else:
                _template(sub, f"{where}/{key}", out)
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            _template(sub, f"{where}[{i}]", out)


def _jsonata_strings(value, where, out, skip=()) -> None:
    if isinstance(value, str):
        if value.startswith("{%") and value.endswith("%}"):
            problem = check_jsonata(value)
            if problem:
                out.append(diag("SCHEMA_VALIDATION_FAILED", problem, where))
    elif isinstance(value, dict):
        for key, sub in value.items():
            if key not in skip:
                _jsonata_strings(sub, f"{where}/{key}", out)
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            _jsonata_strings(sub, f"{where}[{i}]", out)


def _graph(doc, states, where, out) -> None:
    reachable, todo = set(), [doc["StartAt"]]
    while todo:
        name = todo.pop()
        if name in reachable or name not in states or not isinstance(states[name], dict):
            continue
        reachable.add(name)
        todo.extend(_targets(states[name]))
    terminal = [n for n, s in states.items() if isinstance(s, dict) and
                (s.get("Type") in ("Succeed", "Fail") or s.get("End") is True)]
    if not terminal:
        out.append(diag("MISSING_END_STATE", "Workflow has no terminal state", where or None))
        return
    for name in states:
        if name not in reachable:
            out.append(diag("MISSING_TRANSITION_TARGET", f"State \"{name}\" is not reachable.",
                            f"{where}/States/{name}"))


def _targets(state: dict) -> list:
    found = [state.get("Next"), state.get("Default")]
    found += [r.get("Next") for r in state.get("Choices") or [] if isinstance(r, dict)]
    found += [c.get("Next") for c in state.get("Catch") or [] if isinstance(c, dict)]
    return [t for t in found if isinstance(t, str)]
