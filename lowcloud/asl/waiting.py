"""The Wait state: compute a due time, then one timer on the Cloud's clock.

Seconds/Timestamp/SecondsPath/TimestampPath (JSONPath) and Seconds/Timestamp
expressions (JSONata) all reduce to an epoch "due" time.  The due time is
handed to the environment's checkpoint so a resumed execution waits for the
original instant, not a fresh interval.  The error texts are AWS's own (see the
recorded conformance cases for SecondsPath and JSONata Timestamp).
"""
from __future__ import annotations

import re
from datetime import datetime

from lowcloud.asl import paths
from lowcloud.asl.definition import ABSENT
from lowcloud.asl.errors import StatesError
from lowcloud.asl.interpreter import Visit, dumps
from lowcloud.asl.jsonata import evaluate_assign, evaluate_template

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


async def run_wait(v: Visit, resume=None):
    st = v.state
    scope = v.scope()
    try:
        if st.jsonata:
            due = _due_jsonata(v, scope)
            output, assigned = v.run.finish_jsonata(v, scope, ABSENT, v.input)
        else:
            data = paths.apply_input_path(v.input, st.input_path, scope)
            due = _due_jsonpath(v, data, scope)
            output, assigned = _finish(v, scope)
    except StatesError as err:
        raise v.locate(err)
    if resume and resume.get("due") is not None:
        due = resume["due"]
    note = getattr(v.run.env, "waiting_until", None)
    if note is not None and v.frame.kind == "execution":
        note(due)
    await v.run.clock.sleep_until(due)
    return v.exit(output, assigned)


def _finish(v: Visit, scope):
    st = v.state
    assigned = None
    if st.assign is not None:
        assigned = evaluate_assign(st.assign, v.states_var(scope.context, result=v.input), scope, False)
    return paths.apply_output_path(v.input, st.output_path, scope), assigned


def _due_jsonpath(v: Visit, data, scope) -> float:
    raw, now = v.state.raw, v.run.clock.now()
    if "Seconds" in raw:
        return now + raw["Seconds"]
    if "Timestamp" in raw:
        return parse_timestamp(raw["Timestamp"], "Timestamp")
    if "SecondsPath" in raw:
        return now + _seconds_from_path(raw["SecondsPath"], data, scope)
    path = raw["TimestampPath"]
    value = _read(path, data, scope, "TimestampPath")
    if not isinstance(value, str) or not _ISO.match(value):
        raise StatesError("States.Runtime", "The TimestampPath parameter does not reference a valid ISO-8601 "
                                            f"extended offset date-time format string: {path} == {dumps(value)}")
    return parse_timestamp(value, "TimestampPath")


def _seconds_from_path(path: str, data, scope) -> float:
    value = _read(path, data, scope, "SecondsPath")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) \
            or isinstance(value, float):
        raise StatesError("States.Runtime", "The SecondsPath parameter cannot be parsed as a long value: "
                                            f"{path} == {dumps(value)}")
    if value < 0:
        raise StatesError("States.Runtime", f"The SecondsPath parameter references a negative value: "
                                            f"{path} == {value}")
    return float(value)


def _read(path: str, data, scope, field: str):
    try:
        return paths.read_path(path, data, scope, field)
    except StatesError:
        raise StatesError("States.Runtime", f"The {field} parameter does not reference an input value: {path}")


def _due_jsonata(v: Visit, scope) -> float:
    raw, now = v.state.raw, v.run.clock.now()
    states = v.states_var(scope.context)
    if "Seconds" in raw:
        value = evaluate_template(raw["Seconds"], states, scope, "Seconds")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < 0:
            raise StatesError("States.QueryEvaluationError",
                              f"The Seconds field must be a non-negative integer, but was: {dumps(value)}")
        return now + int(value)
    value = evaluate_template(raw["Timestamp"], states, scope, "Timestamp")
    if not isinstance(value, str) or not _ISO.match(value):
        shown = value if isinstance(value, str) else dumps(value)
        raise StatesError("States.QueryEvaluationError", "The Timestamp field cannot be parsed as an ISO-8601 "
                                                         f"extended offset date-time format string: {shown}")
    return parse_timestamp(value, "Timestamp")


def parse_timestamp(text: str, field: str) -> float:
    """Epoch seconds of an ISO-8601 extended offset date-time (``Z`` or ``+hh:mm`` required)."""
    if not _ISO.match(text):
        raise StatesError("States.Runtime", f"The {field} field cannot be parsed as an ISO-8601 extended offset "
                                            f"date-time format string: {text}")
    frac = re.search(r"\.(\d+)", text)
    base = re.sub(r"\.\d+", "", text).replace("Z", "+00:00")
    epoch = datetime.fromisoformat(base).timestamp()
    return epoch + (float("0." + frac.group(1)) if frac else 0.0)
