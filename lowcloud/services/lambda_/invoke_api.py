"""Invoke (RequestResponse, Event, DryRun), InvokeAsync, and resolving what an invocation runs.

A qualifier names ``$LATEST``, a version or an alias; an alias with a routing
weight picks its second version with the Cloud's seeded randomness, per
invocation.  Synchronous calls block the calling thread for the function's real
run time; ``Event`` calls are queued durably (``async_invoke``) and answered 202
at once.  The API request id is the function's ``aws_request_id``, as on AWS.
"""
from __future__ import annotations

import base64
import json

from lowcloud.services.lambda_.invoker import InvokeResult, Target
from lowcloud.services.lambda_.names import LATEST, conflict, error, function_arn, is_version

SYNC_LIMIT = 6 * 1024 * 1024
ASYNC_LIMIT = 1024 * 1024


def parse_payload(payload) -> bytes:
    """The request payload as bytes; InvalidRequestContentException unless it is JSON."""
    if payload is None:
        return b"{}"
    data = payload.read() if hasattr(payload, "read") else bytes(payload)
    if not data.strip():
        return b"{}"
    try:
        json.loads(data)
    except ValueError as exc:
        raise error("InvalidRequestContentException", "Could not parse request body into json: Could not parse "
                                                      f"payload into json: {exc}") from None
    return data


class InvokeApi:
    def invoke(self, params: dict, req) -> dict:
        self._check("Invoke", params)
        name, qualifier = self._split(params["FunctionName"], params.get("Qualifier"))
        kind = params.get("InvocationType") or "RequestResponse"
        payload = parse_payload(params.get("Payload"))
        self._target(name, qualifier)
        if kind == "DryRun":
            return {"StatusCode": 204, "Payload": b""}
        if kind == "Event":
            self._limit(payload, ASYNC_LIMIT)
            self.async_queue.enqueue(name, qualifier, payload, req.request_id)
            return {"StatusCode": 202, "Payload": b""}
        self._limit(payload, SYNC_LIMIT)
        result, _ = self.run_invocation(name, qualifier, payload, params.get("ClientContext"), req.request_id)
        out = {"StatusCode": result.status_code, "Payload": result.payload, "ExecutedVersion": result.executed_version}
        if result.function_error:
            out["FunctionError"] = result.function_error
        if params.get("LogType") == "Tail":
            out["LogResult"] = base64.b64encode(result.log_tail.encode()).decode()
        return out

    def invoke_async(self, params: dict, req) -> dict:
        name, qualifier = self._split(params["FunctionName"])
        payload = parse_payload(params.get("InvokeArgs"))
        self._target(name, qualifier)
        self._limit(payload, ASYNC_LIMIT)
        self.async_queue.enqueue(name, qualifier, payload, req.request_id)
        return {"Status": 202}

    @staticmethod
    def _limit(payload: bytes, limit: int) -> None:
        if len(payload) > limit:
            raise error("RequestEntityTooLargeException",
                        f"Request must be smaller than {limit} bytes for the InvokeFunction operation")

    # --- resolution -----------------------------------------------------------------------------
    def _target(self, name: str, qualifier: str | None) -> Target:
        """The version an invocation of name[:qualifier] runs, honouring alias routing."""
        invoked = function_arn(self.region, self.account, name, qualifier)
        version = qualifier or LATEST
        if qualifier and not is_version(qualifier):
            alias = self.store.alias(name, qualifier)
            if alias is None:
                self._latest(name)
                raise error("ResourceNotFoundException", f"Function not found: {invoked}")
            version = self._route(alias)
        doc = self._version_doc(name, version)
        if doc.get("_active_at", 0) > self.clock.now():
            raise conflict("The operation cannot be performed at this time. The function is currently in the "
                           "following state: Pending")
        return Target(name, version, doc, invoked)

    def _route(self, alias: dict) -> str:
        weights = ((alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights")) or {}
        roll = self.cloud.ids.random()
        for version, weight in weights.items():
            if roll < weight:
                return version
            roll -= weight
        return alias["FunctionVersion"]

    def run_invocation(self, name: str, qualifier: str | None, payload: bytes, client_context: str | None = None,
                       request_id: str | None = None) -> tuple[InvokeResult, Target]:
        """Run one invocation now, in this thread (reserved concurrency applies).

        The function runs in real time, so this must not run on the clock's loop (it would stall every
        timer and fabric delivery meanwhile): callers there use ``await clock.run_blocking(...)``."""
        if self.clock.in_loop():
            raise RuntimeError("Lambda invocations block; on the clock's loop wrap them in clock.run_blocking")
        target = self._target(name, qualifier)
        reserved = (self.store.function(name) or {}).get("_concurrency")
        self.invoker.begin(name, reserved)
        try:
            return self.invoker.invoke(target, payload, client_context, request_id), target
        finally:
            self.invoker.end(name)
