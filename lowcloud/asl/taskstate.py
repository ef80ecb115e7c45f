"""The Task state: parameters, timeouts, the integration call, Retry and Catch.

The integration itself (which service, which events, which error names) lives
in tasks.py; this module only runs the state's data pipeline around it.  Each
attempt re-evaluates Parameters/Arguments so ``$$.State.RetryCount`` and a fresh
``$$.Task.Token`` are visible to it, as on AWS.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lowcloud.asl import paths
from lowcloud.asl.definition import ABSENT
from lowcloud.asl.errors import StatesError
from lowcloud.asl.interpreter import Visit, dumps
from lowcloud.asl.jsonata import evaluate_template

CALLBACK = ".waitForTaskToken"


@dataclass
class TaskCall:
    """Everything an integration needs to run one attempt of a Task state."""

    visit: Visit
    resource: str
    params: object
    timeout: float | None = None
    heartbeat: float | None = None
    token: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def run(self):
        return self.visit.run

    def emit(self, event_type: str, details: dict | None = None) -> int:
        return self.visit.run.emit(self.visit.frame, event_type, details)


async def run_task(v: Visit, resume=None):
    run, st = v.run, v.state
    try:
        result, scope = await run.retrying(v, lambda: _attempt(v))
        if st.jsonata:
            output, assigned = run.finish_jsonata(v, scope, result, result)
        else:
            output, assigned = run.finish_jsonpath(v, scope, result)
    except StatesError as err:
        return run.try_catch(v, err)
    return v.exit(output, assigned)


async def _attempt(v: Visit):
    st, tasks = v.state, v.run.env.tasks
    resource = st.raw.get("Resource", "")
    if resource.endswith(CALLBACK) or ":activity:" in resource:
        v.token = tasks.new_token(v)
    ctx = v.context()
    scope = v.scope(ctx)
    try:
        params, timeout, heartbeat = _prepare(v, scope)
    except StatesError as err:
        raise v.locate(err)
    call = TaskCall(v, resource, params, timeout, heartbeat, v.token)
    return await tasks.invoke(call), scope


def _prepare(v: Visit, scope):
    st = v.state
    if st.jsonata:
        states = v.states_var(scope.context)
        params = evaluate_template(st.arguments, states, scope, "Arguments") if st.arguments is not ABSENT \
            else v.input
        timeout = _seconds_jsonata(st.raw, "TimeoutSeconds", states, scope)
        heartbeat = _seconds_jsonata(st.raw, "HeartbeatSeconds", states, scope)
        return params, timeout, heartbeat
    params = v.run.effective_input(v, scope)
    timeout = _seconds_jsonpath(st.raw, "TimeoutSeconds", v.input, scope)
    heartbeat = _seconds_jsonpath(st.raw, "HeartbeatSeconds", v.input, scope)
    return params, timeout, heartbeat


def _seconds_jsonata(raw: dict, key: str, states: dict, scope):
    if key not in raw:
        return None
    value = evaluate_template(raw[key], states, scope, key)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise StatesError("States.QueryEvaluationError",
                          f"The {key} field must be a positive integer, but was: {dumps(value)}")
    return float(value)


def _seconds_jsonpath(raw: dict, key: str, data, scope):
    if key in raw:
        return float(raw[key])
    path = raw.get(key + "Path")
    if path is None:
        return None
    try:
        value = paths.read_path(path, data, scope, key + "Path")
    except StatesError:
        raise StatesError("States.Runtime", f"Invalid path '{path}' : No results for path: {_bracketed(path)}")
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise StatesError("States.Runtime", f"The {key}Path field refers to value \"{dumps(value)}\" "
                                            f"which is not a valid integer: {path}")
    return float(value)


def _bracketed(path: str) -> str:
    """``$.a.b`` as Jayway JSONPath prints it: ``$['a']['b']``."""
    parts = [p for p in path.lstrip("$").split(".") if p]
    return "$" + "".join(f"['{p}']" for p in parts)
