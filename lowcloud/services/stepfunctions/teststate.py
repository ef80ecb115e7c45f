"""TestState: run one state once, outside any execution, and say what it did.

The state (a single state's JSON, or a whole definition with ``stateName``) runs
through the same interpreter as executions with no history kept, one attempt
only: a failure a retrier would retry reports ``RETRIABLE``, one a catcher
handles ``CAUGHT_ERROR`` with the catcher's output and next state.  ``mock``
replaces a Task's integration with a given result or error; ``inspectionData``
(DEBUG/TRACE) shows the data after each step of the pipeline.
"""
from __future__ import annotations

import json

from lowcloud.asl import validate
from lowcloud.asl.definition import parse_state
from lowcloud.asl.errors import StatesError
from lowcloud.asl.history import History
from lowcloud.asl.interpreter import Frame, Run, Visit, iso_millis, located
from lowcloud.errors import AwsError


class _Mocked:
    """A TaskRunner stand-in answering with TestState's ``mock``."""

    def __init__(self, mock: dict, real):
        self.mock, self.real = mock, real

    def new_token(self, visit) -> str:
        return self.real.new_token(visit)

    async def invoke(self, call):
        if "errorOutput" in self.mock:
            failure = self.mock["errorOutput"]
            raise located(failure.get("error"), failure.get("cause"))
        return json.loads(self.mock.get("result", "null"))


class _TestEnv:
    def __init__(self, manager, tasks):
        self.manager, self.tasks = manager, tasks
        self.clock, self.ids = manager.clock, manager.ids

    def __getattr__(self, name):
        return getattr(self.manager, name)


class TestStateOps:
    def test_state(self, params: dict, req) -> dict:
        name, raw = self._state_under_test(params)
        state = parse_state(name, raw, raw.get("QueryLanguage", "JSONPath"), f"/States/{name}")
        value = self._json_param(params, "input", "{}", "InvalidExecutionInput")
        manager = self.executions
        tasks = _Mocked(params["mock"], manager.tasks) if params.get("mock") else manager.tasks
        run = Run(None, self._test_context(params, value), _TestEnv(manager, tasks), History(self.clock, keep=False))
        run.checkpoint, run.single_attempt = None, True
        level = params.get("inspectionLevel") or "INFO"
        run.inspect = {"input": json.dumps(value)} if level in ("DEBUG", "TRACE") else None
        frame = Frame(variables=self._json_param(params, "variables", "{}", "ValidationException"), kind="test")
        visit = Visit(run, state, frame, value)
        return self._answer(self.clock.run(_attempt(run, state, visit)), visit, run, frame)

    def _state_under_test(self, params: dict) -> tuple[str, dict]:
        try:
            doc = json.loads(params.get("definition") or "")
        except ValueError as exc:
            raise AwsError("InvalidDefinition", f"Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: "
                                                f"{exc} at /'")
        if isinstance(doc, dict) and "States" in doc:
            name = params.get("stateName") or doc.get("StartAt")
            if name not in doc["States"]:
                raise AwsError("ValidationException", f"State {name} does not exist in the definition")
            raw = dict(doc["States"][name], QueryLanguage=doc["States"][name].get(
                "QueryLanguage", doc.get("QueryLanguage", "JSONPath")))
        else:
            name, raw = params.get("stateName") or "TestState", doc
        self._check_state(name, raw)
        return name, raw

    def _check_state(self, name: str, raw) -> None:
        if not isinstance(raw, dict):
            raise AwsError("InvalidDefinition", "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: "
                                                "Expected an object at /'")
        targets = [t for t in validate._targets(raw) if t != name]
        states = {name: raw, **{t: {"Type": "Succeed"} for t in targets}}
        doc = {"StartAt": name, "States": states}
        if raw.get("QueryLanguage") == "JSONata":
            doc["QueryLanguage"] = "JSONata"
        diagnostics = [d for d in validate.diagnose(json.dumps(doc)) if d["code"] != "MISSING_TRANSITION_TARGET"]
        message = validate.error_message(diagnostics)
        if message:
            raise AwsError("InvalidDefinition", message)

    @staticmethod
    def _json_param(params: dict, key: str, default: str, code: str):
        text = params.get(key)
        try:
            return json.loads(text if text is not None else default)
        except ValueError:
            raise AwsError(code, f"Invalid {key}: '{text}'")

    def _test_context(self, params: dict, value) -> dict:
        now = self.clock.now()
        context = {"Execution": {"Id": self.states_arn("execution", "TestState:TestState"), "Input": value,
                                 "Name": "TestState", "RoleArn": params.get("roleArn"),
                                 "StartTime": iso_millis(now), "RedriveCount": 0},
                   "StateMachine": {"Id": self.states_arn("stateMachine", "TestState"), "Name": "TestState"}}
        if params.get("context"):
            context.update(json.loads(params["context"]))
        return context

    @staticmethod
    def _answer(outcome, visit: Visit, run: Run, frame: Frame) -> dict:
        out: dict = {}
        if run.inspect is not None:
            out["inspectionData"] = dict(run.inspect, variables=json.dumps(frame.variables))
        if isinstance(outcome, StatesError):
            status = "RETRIABLE" if getattr(outcome, "retriable", False) else "FAILED"
            out.update(status=status, error=outcome.error)
            if outcome.cause is not None:
                out["cause"] = outcome.cause
            return out
        output, next_state = outcome
        out.update(status="CAUGHT_ERROR" if visit.caught else "SUCCEEDED", output=json.dumps(output))
        if next_state is not None:
            out["nextState"] = next_state
        if visit.caught:
            out["error"] = visit.caught.error
            if visit.caught.cause is not None:
                out["cause"] = visit.caught.cause
        return out


async def _attempt(run: Run, state, visit: Visit):
    try:
        return await run.handlers[state.type](visit, None)
    except StatesError as err:
        return err
