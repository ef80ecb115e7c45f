"""What happens to an accepted PutLogEvents batch after the request is answered.

The Logs service subscribes to its own ``logs.events`` fact, so this runs on
the clock's loop in publish order and never slows PutLogEvents (Lambda writes
every invocation's lines through it).  Per batch:

* each metric filter of the group turns its matching events into ``logs.metric``
  facts (namespace, name, value, unit, dimensions, timestamp ms) for CloudWatch
  metrics and alarms to aggregate; a batch with no match emits the filter's
  ``defaultValue`` once, when it has one;
* each subscription filter with matching events sends AWS's payload -
  ``{"awslogs": {"data": base64(gzip(DATA_MESSAGE json))}}``, events carrying
  ``extractedFields`` when the pattern is space-delimited - to its Lambda
  function as an ``Event`` invocation (AWS sends no CONTROL_MESSAGE to Lambda:
  that health check is for Kinesis and Firehose destinations).  The invoke call runs through
  ``clock.run_blocking`` so the loop (and virtual time) never waits on it.
"""
from __future__ import annotations

import asyncio
import base64
import gzip
import json
import logging

from lowcloud.errors import AwsError
from lowcloud.services.logs.patterns import Match, compile_match

log = logging.getLogger("lowcloud.logs")
EVENTS_TOPIC = "logs.events"
METRIC_TOPIC = "logs.metric"
MAX_PAYLOAD = 256 * 1024  # Lambda's classic asynchronous payload limit; bigger batches are split


def awslogs_payload(owner: str, group: str, stream: str, filter_name: str, events: list[dict]) -> bytes:
    """The Lambda event CloudWatch Logs sends for one subscription delivery (events as ``payload_event``s)."""
    message = {"messageType": "DATA_MESSAGE", "owner": owner, "logGroup": group, "logStream": stream,
               "subscriptionFilters": [filter_name], "logEvents": events}
    data = base64.b64encode(gzip.compress(json.dumps(message, separators=(",", ":")).encode())).decode()
    return json.dumps({"awslogs": {"data": data}}).encode()


def payload_event(event: dict, match: Match) -> dict:
    """One delivered event; a space-delimited pattern adds the fields it extracted, as AWS does."""
    out = {"id": event["id"], "timestamp": event["timestamp"], "message": event["message"]}
    fields = match.extracted_fields()
    if fields is not None:
        out["extractedFields"] = fields
    return out


def metric_number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


class Delivery:
    def __init__(self, service):
        self.service = service
        self.tasks: set = set()
        self._in_order = asyncio.Lock()  # deliveries reach Lambda in publish order
        self._unsubscribe = service.cloud.fabric.subscribe(EVENTS_TOPIC, self.on_batch)

    def close(self) -> None:
        self._unsubscribe()

    def on_batch(self, fact: dict) -> None:
        if (fact.get("region"), fact.get("account")) != (self.service.region, self.service.account):
            return
        store = self.service.store
        for doc in store.docs("metric", fact["logGroupName"]):
            self._emit_metrics(doc, fact)
        for doc in store.docs("subscription", fact["logGroupName"]):
            self._subscribe(doc, fact)

    # --- metric filters ----------------------------------------------------
    def _emit_metrics(self, doc: dict, fact: dict) -> None:
        match = compile_match(doc["filterPattern"])
        transformation = doc["metricTransformations"][0]
        found = [(event, m) for event in fact["logEvents"] if (m := match(event["message"])) is not None]
        for event, m in found:
            self._publish_metric(doc, transformation, m, event["timestamp"])
        if not found and transformation.get("defaultValue") is not None:
            self._publish(doc, transformation, transformation["defaultValue"], {}, fact["logEvents"][-1]["timestamp"])

    def _publish_metric(self, doc: dict, transformation: dict, m: Match, timestamp: int) -> None:
        reference = transformation["metricValue"]
        value = metric_number(m.value(reference) if reference.startswith("$") else reference)
        dimensions = {name: m.value(ref) for name, ref in (transformation.get("dimensions") or {}).items()}
        if value is None or None in dimensions.values():
            return  # AWS skips events whose value or dimensions cannot be read
        self._publish(doc, transformation, value, dimensions, timestamp)

    def _publish(self, doc: dict, transformation: dict, value: float, dimensions: dict, timestamp: int) -> None:
        fact = {"region": self.service.region, "account": self.service.account,
                "logGroupName": doc["logGroupName"], "filterName": doc["filterName"],
                "namespace": transformation["metricNamespace"], "name": transformation["metricName"],
                "value": value, "dimensions": dimensions, "timestamp": timestamp}
        if transformation.get("unit"):
            fact["unit"] = transformation["unit"]
        self.service.cloud.fabric.publish(METRIC_TOPIC, fact)

    # --- subscription filters ------------------------------------------------
    def _subscribe(self, doc: dict, fact: dict) -> None:
        match = compile_match(doc["filterPattern"])
        events = [payload_event(e, m) for e in fact["logEvents"] if (m := match(e["message"])) is not None]
        if not events:
            return
        for payload in self._payloads(doc["filterName"], fact, events):
            task = self.service.clock.loop.create_task(self._invoke(doc["destinationArn"], payload))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    def _payloads(self, filter_name: str, fact: dict, events: list[dict]) -> list[bytes]:
        """One payload, or halves of the batch until each fits an asynchronous invocation."""
        payload = awslogs_payload(self.service.account, fact["logGroupName"], fact["logStreamName"],
                                  filter_name, events)
        if len(payload) <= MAX_PAYLOAD or len(events) == 1:
            return [payload]
        half = len(events) // 2
        return self._payloads(filter_name, fact, events[:half]) + self._payloads(filter_name, fact, events[half:])

    async def _invoke(self, function_arn: str, payload: bytes) -> None:
        params = {"FunctionName": function_arn, "InvocationType": "Event", "Payload": payload}
        region = function_arn.split(":")[3] or None
        try:
            async with self._in_order:
                await self.service.clock.run_blocking(self.service.call, "lambda", "invoke", params, region)
        except AwsError as exc:
            log.warning("subscription delivery to %s failed: %s %s", function_arn, exc.code, exc.message)
