"""A state machine definition as plain, read-only objects the interpreter walks.

Parsing happens once per CreateStateMachine/UpdateStateMachine (validate.py has
already said the JSON is well formed), so the hot per-state path only reads
attributes.  A ``State`` keeps the fields every state type shares plus its raw
dict for the type-specific ones; that keeps this module short and the
interpreter free of ``dict.get`` chains for the common pipeline fields.  The
query language is resolved here (state overrides machine), so nothing later
has to look it up.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

JSONPATH = "JSONPath"
JSONATA = "JSONata"
ABSENT = object()  # a field not present (as opposed to present and null)


@dataclass(frozen=True, slots=True)
class Retrier:
    error_equals: tuple
    interval: float = 1.0
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay: float | None = None
    jitter: str = "NONE"


@dataclass(frozen=True, slots=True)
class Catcher:
    error_equals: tuple
    next: str
    result_path: Any = "$"
    output: Any = ABSENT
    assign: Any = None


@dataclass(slots=True)
class State:
    name: str
    type: str
    raw: dict
    ql: str
    next: str | None = None
    end: bool = False
    input_path: Any = "$"
    output_path: Any = "$"
    result_path: Any = "$"
    parameters: Any = ABSENT
    result_selector: Any = ABSENT
    result: Any = ABSENT
    arguments: Any = ABSENT
    output: Any = ABSENT
    assign: Any = None
    retry: tuple = ()
    catch: tuple = ()
    branches: tuple = ()
    processor: "Machine | None" = None
    path: str = ""  # JSON pointer-ish location, e.g. /States/A/Branches[0]

    @property
    def jsonata(self) -> bool:
        return self.ql == JSONATA


@dataclass(slots=True)
class Machine:
    start_at: str
    states: dict
    ql: str = JSONPATH
    timeout_seconds: Any = None
    raw: dict = field(default_factory=dict)


def load(definition: str | dict) -> Machine:
    """Parse a (validated) definition text or dict into a Machine."""
    doc = json.loads(definition) if isinstance(definition, str) else definition
    ql = doc.get("QueryLanguage", JSONPATH)
    return parse_machine(doc, ql, "", ql)


def parse_machine(doc: dict, ql: str, where: str, top_ql: str) -> Machine:
    """A machine block; nested blocks inherit the top-level QueryLanguage, not their parent state's."""
    ql = doc.get("QueryLanguage", ql)
    states = {name: parse_state(name, raw, ql, f"{where}/States/{name}", top_ql)
              for name, raw in doc.get("States", {}).items()}
    return Machine(doc.get("StartAt", ""), states, ql, doc.get("TimeoutSeconds"), doc)


def parse_state(name: str, raw: dict, machine_ql: str, where: str, top_ql: str = JSONPATH) -> State:
    ql = raw.get("QueryLanguage", machine_ql)
    st = State(name, raw.get("Type", ""), raw, ql, raw.get("Next"), bool(raw.get("End", False)), path=where)
    for attr, key in _PIPELINE:
        if key in raw:
            setattr(st, attr, raw[key])
    st.retry = tuple(_retrier(r) for r in raw.get("Retry") or ())
    st.catch = tuple(_catcher(c) for c in raw.get("Catch") or ())
    st.branches = tuple(parse_machine(b, top_ql, f"{where}/Branches[{i}]", top_ql)
                        for i, b in enumerate(raw.get("Branches") or ()))
    proc = raw.get("ItemProcessor", raw.get("Iterator"))
    if isinstance(proc, dict):
        st.processor = parse_machine(proc, top_ql, f"{where}/ItemProcessor", top_ql)
    return st


_PIPELINE = (("input_path", "InputPath"), ("output_path", "OutputPath"), ("result_path", "ResultPath"),
             ("parameters", "Parameters"), ("result_selector", "ResultSelector"), ("result", "Result"),
             ("arguments", "Arguments"), ("output", "Output"), ("assign", "Assign"))


def _retrier(raw: dict) -> Retrier:
    return Retrier(tuple(raw.get("ErrorEquals", ())), float(raw.get("IntervalSeconds", 1)),
                   int(raw.get("MaxAttempts", 3)), float(raw.get("BackoffRate", 2.0)),
                   raw.get("MaxDelaySeconds"), raw.get("JitterStrategy", "NONE"))


def _catcher(raw: dict) -> Catcher:
    return Catcher(tuple(raw.get("ErrorEquals", ())), raw.get("Next", ""), raw.get("ResultPath", "$"),
                   raw.get("Output", ABSENT), raw.get("Assign"))


def processor_mode(state: State) -> str:
    """INLINE or DISTRIBUTED for a Map state."""
    cfg = (state.raw.get("ItemProcessor") or {}).get("ProcessorConfig") or {}
    return cfg.get("Mode", "INLINE")


def walk(machine: Machine):
    """Every state of a machine, nested branches and processors included."""
    for st in machine.states.values():
        yield st
        for b in st.branches:
            yield from walk(b)
        if st.processor is not None:
            yield from walk(st.processor)
