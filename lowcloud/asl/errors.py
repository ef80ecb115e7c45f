"""ASL runtime errors as data: an error name and AWS's cause text.

Every failure inside the data pipeline (paths, intrinsics, Choice, JSONata) raises
StatesError so the interpreter can route it through Retry/Catch by name exactly as AWS does.

AWS words these causes "An error occurred while executing the state 'S' (entered at the
event id #N). <detail>". The data functions know only the detail; the interpreter knows the
state and the event id, so it calls ``err.in_state(name, event_id)`` (or
``state_failure_cause``) before recording the failure.

Values quoted inside causes are rendered as AWS's Java/Jackson stack renders them:
compact JSON, doubles in Java's ``Double.toString`` form (``1.0E-5``, ``1.0E7``).
"""
from __future__ import annotations

import decimal
import json
import math


class StatesError(Exception):
    """An ASL error: error name (e.g. 'States.Runtime') and cause text as AWS words it."""

    def __init__(self, error: str, cause: str | None = None):
        super().__init__(f"{error}: {cause}" if cause is not None else error)
        self.error = error
        self.cause = cause

    def in_state(self, state_name: str, entered_event_id: int) -> "StatesError":
        """The same error with AWS's 'An error occurred while executing the state' prefix."""
        return StatesError(self.error, state_failure_cause(state_name, entered_event_id, self.cause or ""))


def state_failure_cause(state_name: str, entered_event_id: int, detail: str) -> str:
    return (f"An error occurred while executing the state '{state_name}' "
            f"(entered at the event id #{entered_event_id}). {detail}")


def runtime_error(cause: str) -> StatesError:
    """The States.Runtime error, the one AWS raises for most data failures."""
    return StatesError("States.Runtime", cause)


def java_double(value: float) -> str:
    """Java's Double.toString: shortest digits, scientific notation outside [1e-3, 1e7)."""
    if math.isnan(value) or math.isinf(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if value == 0:
        return "-0.0" if math.copysign(1, value) < 0 else "0.0"
    exact = decimal.Decimal(repr(value))
    if 1e-3 <= abs(value) < 1e7:
        text = format(exact, "f")
        return text if "." in text else text + ".0"
    sign, digits, exponent = exact.normalize().as_tuple()
    text = "".join(map(str, digits))
    return f"{'-' if sign else ''}{text[0]}.{text[1:] or '0'}E{len(text) + exponent - 1}"


def compact_json(value) -> str:
    """JSON as AWS renders it inside causes: no spaces, non-ASCII kept, Java doubles."""
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{compact_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(compact_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)
