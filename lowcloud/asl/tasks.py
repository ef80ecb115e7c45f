"""Task resources: one table from resource ARN to integration, and the events around it.

Four kinds of ``Resource``: optimized service integrations
(``arn:aws:states:::lambda:invoke``, ``dynamodb:putItem``, ``states:startExecution.sync:2``
...), AWS SDK integrations (``arn:aws:states:::aws-sdk:<service>:<action>``), plain
Lambda function ARNs and activity ARNs.  ``TaskRunner.invoke`` records the events
AWS records for each (TaskScheduled/Started/Submitted/Succeeded/Failed/TimedOut,
LambdaFunction*, Activity*), applies TimeoutSeconds and HeartbeatSeconds with
clock timers, and waits on task tokens; integrations.py and sdk.py do the calls.
The engine reaches other services only through here.
"""
from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass

from lowcloud.asl import history as H
from lowcloud.asl.calls import ApiError
from lowcloud.asl.errors import StatesError
from lowcloud.asl.interpreter import MAX_PAYLOAD, dumps, located

_SERVICE = re.compile(r"^arn:aws[a-z-]*:states:::(?P<svc>[a-z0-9-]+):(?P<action>[A-Za-z0-9]+)"
                      r"(?:\.(?P<pattern>sync(?::2)?|waitForTaskToken))?$")
_SDK = re.compile(r"^arn:aws[a-z-]*:states:::aws-sdk:(?P<svc>[a-z0-9]+):(?P<action>[A-Za-z0-9]+)"
                  r"(?:\.(?P<pattern>waitForTaskToken))?$")
_LAMBDA = re.compile(r"^arn:aws[a-z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):function:"
                     r"(?P<name>[A-Za-z0-9_-]+)(?::(?P<qualifier>[A-Za-z0-9$_-]+))?$")
_ACTIVITY = re.compile(r"^arn:aws[a-z-]*:states:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):activity:(?P<name>.+)$")


@dataclass(frozen=True)
class Resource:
    kind: str  # service | sdk | lambda | activity
    service: str
    action: str
    pattern: str
    arn: str
    region: str = ""

    @property
    def resource_type(self) -> str:
        return f"aws-sdk:{self.service}" if self.kind == "sdk" else self.service

    @property
    def resource_name(self) -> str:
        return self.action + (f".{self.pattern}" if self.pattern else "")


def parse_resource(arn: str) -> Resource | None:
    m = _SDK.match(arn)
    if m:
        return Resource("sdk", m["svc"], m["action"], m["pattern"] or "", arn)
    m = _SERVICE.match(arn)
    if m and m["svc"] != "aws-sdk":
        return Resource("service", m["svc"], m["action"], m["pattern"] or "", arn)
    m = _LAMBDA.match(arn)
    if m:
        return Resource("lambda", "lambda", m["name"], "", arn, m["region"])
    m = _ACTIVITY.match(arn)
    if m:
        return Resource("activity", "states", m["name"], "", arn, m["region"])
    return None


def heartbeat_timeout() -> StatesError:
    err = located("States.Timeout", None)
    err.aliases = ("States.HeartbeatTimeout",)
    return err


class TaskRunner:
    """Runs Task states' resources for one Step Functions service (its ``env``)."""

    def __init__(self, env):
        self.env = env

    def new_token(self, visit) -> str:
        return self.env.callbacks.new_token()

    async def invoke(self, call):
        res = parse_resource(call.resource)
        if res is None:
            raise located("States.Runtime", f"Invalid resource: '{call.resource}'")
        if res.kind == "lambda":
            return await self._legacy_lambda(call, res)
        if res.kind == "activity":
            return await self._activity(call, res)
        return await self._service_task(call, res)

    # --- service and aws-sdk integrations ------------------------------------------
    async def _service_task(self, call, res: Resource):
        base = {"resourceType": res.resource_type, "resource": res.resource_name}
        scheduled = {**base, "region": self.env.region, "parameters": dumps(call.params)}
        _timeouts(scheduled, call)
        call.emit("TaskScheduled", scheduled)
        call.emit("TaskStarted", dict(base))
        try:
            result = await _limited(self._dispatch(call, res, base), call.timeout)
            text = dumps(result)
            if len(text.encode("utf-8")) > MAX_PAYLOAD:
                raise located("States.DataLimitExceeded", f"The state/task '{res.service}' returned a result "
                                                          "with a size exceeding the maximum number of bytes "
                                                          "service limit.")
        except asyncio.TimeoutError:
            call.emit("TaskTimedOut", H.failure("States.Timeout", None, **base))
            raise located("States.Timeout", None)
        except StatesError as err:
            kind = "TaskTimedOut" if err.error == "States.Timeout" else "TaskFailed"
            call.emit(kind, H.failure(err.error, err.cause, **base))
            raise
        call.emit("TaskSucceeded", {**base, **H.data("output", text)})
        return result

    async def _dispatch(self, call, res: Resource, base: dict):
        from lowcloud.asl import integrations, sdk
        if res.kind == "sdk":
            result = await sdk.call(self.env, res, call.params)
        else:
            result = await integrations.call(self, call, res, base)
        if res.pattern == "waitForTaskToken":
            call.emit("TaskSubmitted", {**base, **H.data("output", dumps(result))})
            return await self.await_token(call)
        return result

    async def await_token(self, call, input_text: str = "", on_start=None, activity: str | None = None):
        """Wait for SendTaskSuccess/Failure on the call's token, honouring HeartbeatSeconds."""
        callbacks = self.env.callbacks
        waiter = callbacks.wait(call.token, input_text, on_start, activity)
        try:
            outcome = await _with_heartbeat(waiter, call.heartbeat, self.env.clock)
        except BaseException as exc:
            callbacks.end(call.token, "timeout" if isinstance(exc, (StatesError, asyncio.TimeoutError)) else "done")
            raise
        if outcome[0] == "failure":
            raise located(outcome[1], outcome[2])
        return json.loads(outcome[1])

    # --- plain Lambda ARNs ---------------------------------------------------------------
    async def _legacy_lambda(self, call, res: Resource):
        from lowcloud.asl import integrations
        scheduled = {"resource": res.arn, **H.data("input", dumps(call.params))}
        if call.timeout is not None:
            scheduled["timeoutInSeconds"] = int(call.timeout)
        call.emit("LambdaFunctionScheduled", scheduled)
        call.emit("LambdaFunctionStarted")
        try:
            result = await _limited(integrations.invoke_function(self.env, res.arn, call.params), call.timeout)
        except asyncio.TimeoutError:
            call.emit("LambdaFunctionTimedOut", H.failure("States.Timeout", None))
            raise located("States.Timeout", None)
        except StatesError as err:
            call.emit("LambdaFunctionFailed", H.failure(err.error, err.cause))
            raise
        call.emit("LambdaFunctionSucceeded", H.data("output", dumps(result)))
        return result

    # --- activities ------------------------------------------------------------------------
    async def _activity(self, call, res: Resource):
        if not self.env.activity_exists(res.arn):
            call.emit("ActivityScheduleFailed", H.failure("States.Runtime", f"Activity does not exist: {res.arn}"))
            raise located("States.Runtime", f"Activity does not exist: '{res.arn}'")
        text = dumps(call.params)
        scheduled = {"resource": res.arn, **H.data("input", text)}
        _timeouts(scheduled, call)
        call.emit("ActivityScheduled", scheduled)

        def started(worker):
            call.emit("ActivityStarted", {"workerName": worker} if worker else {})
        try:
            result = await _limited(self.await_token(call, text, started, res.arn), call.timeout)
        except asyncio.TimeoutError:
            self.env.callbacks.end(call.token, "timeout")
            call.emit("ActivityTimedOut", H.failure("States.Timeout", None))
            raise located("States.Timeout", None)
        except StatesError as err:
            call.emit("ActivityTimedOut" if err.error == "States.Timeout" else "ActivityFailed",
                      H.failure(err.error, err.cause))
            raise
        call.emit("ActivitySucceeded", H.data("output", dumps(result)))
        return result


def _timeouts(details: dict, call) -> None:
    if call.timeout is not None:
        details["timeoutInSeconds"] = int(call.timeout)
    if call.heartbeat is not None:
        details["heartbeatInSeconds"] = int(call.heartbeat)


async def _limited(coro, timeout):
    if timeout is None:
        return await coro
    return await asyncio.wait_for(coro, timeout)


async def _with_heartbeat(waiter, heartbeat, clock):
    if heartbeat is None:
        return await waiter.future
    await asyncio.wait({waiter.future, waiter.started}, return_when=asyncio.FIRST_COMPLETED)
    while not waiter.future.done():
        remaining = waiter.last_beat + heartbeat - clock.now()
        if remaining <= 0:
            raise heartbeat_timeout()
        await asyncio.wait({waiter.future}, timeout=remaining)
    return waiter.future.result()


def api_failure(err: ApiError, prefix: str, long_name: str) -> StatesError:
    """An optimized integration's error as AWS names it (Java SDK v1 style)."""
    from lowcloud.asl.calls import modeled_error
    if err.client_side:
        return located(f"{prefix}.SdkClientException", err.message)
    shape = modeled_error(err.service, err.code)
    if shape is not None:
        name = shape.name if shape.name.endswith("Exception") else shape.name + "Exception"
    else:
        name = {"DynamoDB": "AmazonDynamoDBException", "Lambda": "AWSLambdaException",
                "StepFunctions": "AWSStepFunctionsException"}.get(prefix, f"Amazon{prefix}Exception")
    cause = (f"{err.message} (Service: {long_name}; Status Code: {err.status}; Error Code: {err.code}; "
             f"Request ID: {err.request_id}; Proxy: null)")
    return located(f"{prefix}.{name}", cause)

