"""Asynchronous invocations: Lambda's event queue, retries and destinations, on the clock.

``Invoke`` with ``InvocationType=Event`` stores the event (SQLite) and answers 202;
a coroutine on the Cloud's clock then runs it.  A function error is retried per
the qualifier's event invoke config (default 2 retries, one minute then two
minutes apart); throttles are retried with backoff from 1 s up to 5 minutes and
don't count as attempts; an event older than MaximumEventAgeInSeconds (default
6 h) is dropped.  The outcome goes to OnSuccess / OnFailure destinations (or the
DeadLetterConfig) as Lambda's invocation record.  Queued events survive a restart.
"""
from __future__ import annotations

import json
import logging

from lowcloud.errors import AwsError
from lowcloud.services.lambda_ import destinations
from lowcloud.services.lambda_.names import LATEST, function_arn, iso_z

log = logging.getLogger("lowcloud.lambda")
RETRY_DELAYS = (60.0, 120.0)
THROTTLE_MAX_DELAY = 300.0
DEFAULT_RETRIES = 2
DEFAULT_MAX_AGE = 21600


def _json_or_text(data: bytes):
    try:
        return json.loads(data) if data else None
    except ValueError:
        return data.decode("utf-8", "replace")


class AsyncQueue:
    def __init__(self, service):
        self.service = service
        self.store = service.store
        self.clock = service.clock

    def resume(self) -> None:
        """Pick up events still queued when lowcloud last stopped."""
        for event_id in self.store.event_ids():
            self.clock.spawn(self._run(event_id))

    def enqueue(self, name: str, qualifier: str | None, payload: bytes, request_id: str) -> None:
        doc = {"id": request_id, "name": name, "qualifier": qualifier, "enqueued": self.clock.now(), "attempts": 0,
               "throttles": 0}
        self.store.put_event(request_id, doc, payload)
        self.clock.spawn(self._run(request_id))

    def _config(self, doc: dict) -> dict:
        found = self.store.invoke_config(doc["name"], doc["qualifier"] or LATEST) or {}
        return {"retries": found.get("MaximumRetryAttempts", DEFAULT_RETRIES),
                "max_age": found.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE),
                "destinations": found.get("DestinationConfig") or {}}

    async def _run(self, event_id: str) -> None:
        while True:
            stored = self.store.event(event_id)
            if stored is None:
                return
            doc, payload = stored
            config = self._config(doc)
            if self.clock.now() - doc["enqueued"] > config["max_age"]:
                return await self._finish(doc, payload, config, None, "EventAgeExceeded")
            delay = await self._attempt(doc, payload, config)
            if delay is None:
                return
            self.store.put_event(event_id, doc)
            await self.clock.sleep(delay)

    async def _attempt(self, doc: dict, payload: bytes, config: dict) -> float | None:
        """Run once; the delay before the next try, or None when the event is settled."""
        try:
            result, _ = await self.clock.run_blocking(self.service.run_invocation, doc["name"], doc["qualifier"],
                                                      payload, None, doc["id"])
        except AwsError as exc:
            if exc.code in ("TooManyRequestsException", "ServiceException"):
                doc["throttles"] += 1
                return min(2.0 ** (doc["throttles"] - 1), THROTTLE_MAX_DELAY)
            log.warning("dropping async event %s for %s: %s", doc["id"], doc["name"], exc.message)
            self.store.delete_event(doc["id"])
            return None
        doc["attempts"] += 1
        if result.function_error is None:
            await self._finish(doc, payload, config, result, "Success")
            return None
        if doc["attempts"] > config["retries"]:
            await self._finish(doc, payload, config, result, "RetriesExhausted")
            return None
        return RETRY_DELAYS[min(doc["attempts"], len(RETRY_DELAYS)) - 1]

    async def _finish(self, doc: dict, payload: bytes, config: dict, result, condition: str) -> None:
        """Settle the event: drop it from the queue and hand the outcome to its destination (off the loop)."""
        self.store.delete_event(doc["id"])
        await self.clock.run_blocking(self._deliver, doc, payload, config, result, condition)

    def _deliver(self, doc: dict, payload: bytes, config: dict, result, condition: str) -> None:
        success = condition == "Success"
        target = (config["destinations"].get("OnSuccess" if success else "OnFailure") or {}).get("Destination")
        arn = function_arn(self.service.region, self.service.account, doc["name"], doc["qualifier"] or LATEST)
        if target:
            destinations.deliver(self.service, target, self._record(doc, payload, result, condition, arn), success, arn)
        elif not success:
            self._dead_letter(doc, payload, result)

    def _record(self, doc: dict, payload: bytes, result, condition: str, arn: str) -> dict:
        record = {"version": "1.0", "timestamp": iso_z(self.clock.now()),
                  "requestContext": {"requestId": doc["id"], "functionArn": arn, "condition": condition,
                                     "approximateInvokeCount": doc["attempts"]},
                  "requestPayload": _json_or_text(payload)}
        if result is not None:
            response = {"statusCode": result.status_code, "executedVersion": result.executed_version}
            if result.function_error:
                response["functionError"] = result.function_error
            record["responseContext"] = response
            record["responsePayload"] = _json_or_text(result.payload)
        return record

    def _dead_letter(self, doc: dict, payload: bytes, result) -> None:
        config = self.store.function(doc["name"]) or {}
        target = (config.get("DeadLetterConfig") or {}).get("TargetArn")
        if target:
            message = (_json_or_text(result.payload) or {}) if result is not None else {}
            text = message.get("errorMessage", "") if isinstance(message, dict) else str(message)
            destinations.dead_letter(self.service, target, payload, doc["id"], text)
