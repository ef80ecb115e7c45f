"""The step loop: run a Machine state by state on the Cloud's clock.

A ``Run`` is one execution.  ``run_machine`` walks states until one ends the
machine; each state returns ``(output, next_state_name)``.  Parallel branches and
Map iterations are child ``Frame``s run by the same loop (branches.py), so the
only thing that differs between the execution and a branch is its Frame: the
thread of history events it extends and the variables it sees.

Every wait (Wait states, retry backoff, task timeouts) is ``await clock.sleep``,
so on a VirtualClock a 30-day Wait is a timer jump.  Values flowing between
states are treated as immutable: nothing here copies or mutates them in place.
Data-layer errors (paths, intrinsics, JSONata) arrive as bare StatesErrors and
get AWS's "An error occurred while executing the state ..." prefix here, the
only place that knows the entered event id.
"""
from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime, timezone

from lowcloud.asl import history as H
from lowcloud.asl import paths
from lowcloud.asl.choice import rule_matches
from lowcloud.asl.context import Scope
from lowcloud.asl.definition import ABSENT, Machine, State
from lowcloud.asl.errors import StatesError
from lowcloud.asl.jsonata import evaluate_assign, evaluate_condition, evaluate_template
from lowcloud.asl.retry import RetryBudget, find_catcher

MAX_PAYLOAD = 262144
_PREFIX = "An error occurred while executing the state"
_PREFIXED = frozenset({"States.Runtime", "States.QueryEvaluationError"})
_FIELD = re.compile(r"specified for the field '([^']+)'")


def dumps(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def iso_millis(epoch: float) -> str:
    """AWS's context-object time format: 2024-06-10T06:00:00.123Z."""
    dt = datetime.fromtimestamp(epoch, timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def located(error: str, cause: str | None) -> StatesError:
    """A StatesError whose cause is final (no state prefix added)."""
    err = StatesError(error, cause)
    err.located = True
    return err


class Frame:
    """One thread of states: the execution, a Parallel branch or a Map iteration."""

    __slots__ = ("last", "variables", "map_item", "kind")

    def __init__(self, last: int = 0, variables: dict | None = None, map_item: dict | None = None,
                 kind: str = "execution"):
        self.last = last
        self.variables = variables if variables is not None else {}
        self.map_item = map_item
        self.kind = kind

    def child(self, last: int, kind: str, map_item: dict | None = None) -> "Frame":
        return Frame(last, dict(self.variables), map_item, kind)


class Visit:
    """One entry into one state: what the state's handlers share."""

    __slots__ = ("run", "state", "frame", "input", "entered_id", "entered_at", "retry_count", "token", "caught")

    def __init__(self, run: "Run", state: State, frame: Frame, value):
        self.run, self.state, self.frame, self.input = run, state, frame, value
        self.entered_at = run.clock.now()
        self.retry_count = None
        self.token = None
        self.caught = None
        self.entered_id = run.emit(frame, state.type + "StateEntered",
                                   H.entered(state.name, run.text(value)) if run.history.detailed else None)

    def context(self) -> dict:
        st = {"Name": self.state.name, "EnteredTime": self.run.iso(self.entered_at)}
        if self.retry_count is not None:
            st["RetryCount"] = self.retry_count
        ctx = {**self.run.context, "State": st}
        if self.token is not None:
            ctx["Task"] = {"Token": self.token}
        if self.frame.map_item is not None:
            ctx["Map"] = {"Item": self.frame.map_item}
        return ctx

    def scope(self, ctx: dict | None = None) -> Scope:
        return Scope(ctx if ctx is not None else self.context(), self.frame.variables,
                     self.run.ids, self.state.name)

    def states_var(self, ctx: dict | None = None, **extra) -> dict:
        """The JSONata ``$states`` object."""
        return {"input": self.input, "context": ctx if ctx is not None else self.context(), **extra}

    def locate(self, err: StatesError) -> StatesError:
        """Give a data-layer error AWS's state prefix (once) and its EvaluationFailed event."""
        if getattr(err, "located", False):
            return err
        err.located = True
        if err.error in _PREFIXED and err.cause is not None and not err.cause.startswith(_PREFIX):
            err.cause = (f"{_PREFIX} '{self.state.name}' (entered at the event id #{self.entered_id}). "
                         f"{err.cause}")
        if err.error == "States.QueryEvaluationError":
            m = _FIELD.search(err.cause or "")
            extra = {"location": m.group(1)} if m else {}
            self.run.emit(self.frame, "EvaluationFailed",
                          H.failure(err.error, err.cause, **extra, state=self.state.name))
        return err

    def exit(self, output, assigned: dict | None = None, next_name: str | None = None):
        """The StateExited event (with the payload size check) and the transition."""
        text = self.run.text(output)
        if len(text) > MAX_PAYLOAD // 4 and len(text.encode("utf-8")) > MAX_PAYLOAD:
            raise located("States.DataLimitExceeded",
                          f"The state/task '{self.state.name}' returned a result with a size exceeding "
                          "the maximum number of bytes service limit.")
        shown = {k: dumps(v) for k, v in assigned.items()} if assigned else None
        self.run.emit(self.frame, self.state.type + "StateExited",
                      H.exited(self.state.name, text, shown) if self.run.history.detailed else None)
        if assigned:
            self.frame.variables.update(assigned)
        return output, (next_name if next_name is not None else self.state.next)


class Run:
    """One execution of a machine: context, history, clock, and the outside world (env)."""

    def __init__(self, machine: Machine, context: dict, env, history: H.History):
        self.machine = machine
        self.context = context  # Execution / StateMachine parts of $$
        self.env = env
        self.clock = env.clock
        self.ids = env.ids
        self.history = history
        self.checkpoint = getattr(env, "checkpoint", None)
        self.handlers = _handlers()
        self._iso = (None, "")
        self._text = (None, "")
        self.inspect = None  # TestState: a dict collecting each pipeline step
        self.single_attempt = False  # TestState: never retry, report RETRIABLE instead

    def iso(self, epoch: float) -> str:
        """iso_millis, remembered for the last instant (on a VirtualClock many states share one)."""
        if self._iso[0] != epoch:
            self._iso = (epoch, iso_millis(epoch))
        return self._iso[1]

    def text(self, value) -> str:
        """JSON text of a value; a state's output is the next state's input, so remember the last one."""
        if self._text[0] is not value or value is None:
            self._text = (value, dumps(value))
        return self._text[1]

    def emit(self, frame: Frame, event_type: str, details: dict | None = None, prev: int | None = None) -> int:
        eid = self.history.add(event_type, frame.last if prev is None else prev, details)
        frame.last = eid
        return eid

    async def run_machine(self, machine: Machine, value, frame: Frame, start: str | None = None,
                          resume: dict | None = None):
        name = start or machine.start_at
        while name is not None:
            state = machine.states[name]
            if self.checkpoint is not None and frame.kind == "execution":
                self.checkpoint(name, value, frame.variables)
            visit = Visit(self, state, frame, value)
            try:
                value, name = await self.handlers[state.type](visit, resume)
            except StatesError:
                self._aborted(state, frame, False)
                raise
            except asyncio.CancelledError:
                self._aborted(state, frame, True)
                raise
            resume = None
        return value

    def _aborted(self, state: State, frame: Frame, cancelled: bool) -> None:
        from lowcloud.asl.branches import aborted_event
        event_type = aborted_event(state, frame, cancelled)
        if event_type is not None:
            self.emit(frame, event_type)

    # --- the pipeline shared by states ---------------------------------------
    def effective_input(self, v: Visit, scope: Scope, template_field: str = "Parameters"):
        """InputPath then Parameters (JSONPath)."""
        st = v.state
        value = v.input if st.input_path == "$" else paths.apply_input_path(v.input, st.input_path, scope)
        self.note("afterInputPath", value)
        if st.parameters is not ABSENT:
            value = paths.apply_payload_template(st.parameters, value, scope, template_field)
        self.note("afterParameters", value)
        return value

    def note(self, step: str, value) -> None:
        if self.inspect is not None:
            self.inspect[step] = dumps(value)

    def finish_jsonpath(self, v: Visit, scope: Scope, result, selector: bool = True):
        """ResultSelector, Assign, ResultPath, OutputPath; returns (output, assigned)."""
        st = v.state
        self.note("result", result)
        if selector and st.result_selector is not ABSENT:
            result = paths.apply_payload_template(st.result_selector, result, scope, "ResultSelector")
        self.note("afterResultSelector", result)
        assigned = None
        if st.assign is not None:
            assigned = evaluate_assign(st.assign, v.states_var(scope.context, result=result), scope, False)
        output = result if st.result_path == "$" else paths.apply_result_path(v.input, result, st.result_path, scope)
        self.note("afterResultPath", output)
        if st.output_path == "$":
            return output, assigned
        return paths.apply_output_path(output, st.output_path, scope), assigned

    def finish_jsonata(self, v: Visit, scope: Scope, result, default):
        """Output and Assign (both see the same, pre-assignment variables)."""
        st = v.state
        if result is not ABSENT:
            self.note("result", result)
        states = v.states_var(scope.context) if result is ABSENT else v.states_var(scope.context, result=result)
        output = evaluate_template(st.output, states, scope, "Output") if st.output is not ABSENT else default
        assigned = evaluate_assign(st.assign, states, scope, True) if st.assign is not None else None
        return output, assigned

    def caught(self, v: Visit, catcher, err: StatesError):
        """The output and variables a matching catcher produces."""
        error_output = {"Error": err.error}
        if err.cause is not None:
            error_output["Cause"] = err.cause
        ctx = v.context()
        scope = v.scope(ctx)
        states = v.states_var(ctx, errorOutput=error_output)
        if v.state.jsonata:
            out = (evaluate_template(catcher.output, states, scope, "Output")
                   if catcher.output is not ABSENT else error_output)
            assigned = evaluate_assign(catcher.assign, states, scope, True) if catcher.assign else None
            return out, assigned
        assigned = None
        if catcher.assign:
            assigned = evaluate_assign(catcher.assign, {**states, "result": error_output}, scope, False)
        return paths.apply_result_path(v.input, error_output, catcher.result_path, scope), assigned

    async def retrying(self, v: Visit, attempt):
        """Call ``attempt()`` until it succeeds or no retrier applies (Retry semantics)."""
        budget = RetryBudget(v.state.retry)
        while True:
            v.retry_count = budget.total
            try:
                return await attempt()
            except StatesError as err:
                v.locate(err)
                delay = budget.next_delay(err, self.ids.random)
                if delay is None:
                    raise
                if self.single_attempt:
                    err.retriable = True
                    raise
                await self.clock.sleep(delay)

    def try_catch(self, v: Visit, err: StatesError):
        """(output, next) from the first matching catcher, or re-raise."""
        v.locate(err)
        catcher = find_catcher(v.state.catch, err)
        if catcher is None or getattr(err, "retriable", False):
            raise err
        v.caught = err
        try:
            output, assigned = self.caught(v, catcher, err)
        except StatesError as inner:
            raise v.locate(inner)
        return v.exit(output, assigned, catcher.next)


# --- simple states -------------------------------------------------------------

async def run_pass(v: Visit, resume=None):
    st, run = v.state, v.run
    scope = v.scope()
    try:
        if st.jsonata:
            output, assigned = run.finish_jsonata(v, scope, ABSENT, v.input)
        else:
            value = run.effective_input(v, scope)
            result = st.result if st.result is not ABSENT else value
            output, assigned = run.finish_jsonpath(v, scope, result, selector=False)
    except StatesError as err:
        raise v.locate(err)
    return v.exit(output, assigned)


async def run_succeed(v: Visit, resume=None):
    st = v.state
    scope = v.scope()
    try:
        if st.jsonata:
            output, _ = v.run.finish_jsonata(v, scope, ABSENT, v.input)
        else:
            output = paths.apply_input_path(v.input, st.input_path, scope)
            output = paths.apply_output_path(output, st.output_path, scope)
    except StatesError as err:
        raise v.locate(err)
    v.exit(output)
    return output, None


async def run_fail(v: Visit, resume=None):
    st = v.state
    scope = v.scope()
    try:
        error, cause = _fail_fields(v, scope)
    except StatesError as err:
        raise v.locate(err)
    raise located(error, cause)


def _fail_fields(v: Visit, scope: Scope):
    raw = v.state.raw
    if v.state.jsonata:
        states = v.states_var(scope.context)
        error = evaluate_template(raw["Error"], states, scope, "Error") if "Error" in raw else None
        cause = evaluate_template(raw["Cause"], states, scope, "Cause") if "Cause" in raw else None
        return error, cause
    error = _path_or_literal(raw, "Error", v.input, scope)
    cause = _path_or_literal(raw, "Cause", v.input, scope)
    return error, cause


def _path_or_literal(raw: dict, key: str, value, scope: Scope):
    if key + "Path" in raw:
        return paths.read_dynamic(raw[key + "Path"], value, scope, key + "Path")
    return raw.get(key)


async def run_choice(v: Visit, resume=None):
    st = v.state
    ctx = v.context()
    scope = v.scope(ctx)
    try:
        if st.jsonata:
            return _choose_jsonata(v, scope)
        data = paths.apply_input_path(v.input, st.input_path, scope)
        for rule in st.raw.get("Choices", ()):
            if rule_matches(rule, data, scope):
                return _leave_choice(v, scope, rule.get("Assign"), rule["Next"])
        return _leave_choice(v, scope, st.raw.get("Assign"), _default(v))
    except StatesError as err:
        raise v.locate(err)


def _leave_choice(v: Visit, scope: Scope, assign, next_name):
    assigned = None
    if assign is not None:
        assigned = evaluate_assign(assign, v.states_var(scope.context, result=v.input), scope, False)
    output = paths.apply_output_path(v.input, v.state.output_path, scope)
    return v.exit(output, assigned, next_name)


def _choose_jsonata(v: Visit, scope: Scope):
    states = v.states_var(scope.context)
    for rule in v.state.raw.get("Choices", ()):
        if evaluate_condition(rule["Condition"], states, scope):
            return _leave_choice_jsonata(v, scope, states, rule, rule["Next"])
    return _leave_choice_jsonata(v, scope, states, v.state.raw, _default(v))


def _leave_choice_jsonata(v: Visit, scope: Scope, states: dict, holder: dict, next_name):
    output = evaluate_template(holder["Output"], states, scope, "Output") if "Output" in holder else v.input
    assign = holder.get("Assign")
    assigned = evaluate_assign(assign, states, scope, True) if assign is not None else None
    return v.exit(output, assigned, next_name)


def _default(v: Visit) -> str:
    if "Default" in v.state.raw:
        return v.state.raw["Default"]
    raise StatesError("States.NoChoiceMatched",
                      f"No Matches! (state: '{v.state.name}', input: {dumps(v.input)})")


def _handlers() -> dict:
    from lowcloud.asl import branches, taskstate, waiting
    return {"Pass": run_pass, "Succeed": run_succeed, "Fail": run_fail, "Choice": run_choice,
            "Wait": waiting.run_wait, "Task": taskstate.run_task, "Parallel": branches.run_parallel,
            "Map": branches.run_map}
