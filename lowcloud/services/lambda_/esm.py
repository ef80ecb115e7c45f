"""Event source mappings for DynamoDB streams, driven by fabric facts on the Cloud's clock.

AWS polls each shard four times a second; lowcloud instead subscribes to the
``dynamodb.stream`` fact DynamoDB publishes per record, so a batch starts as soon
as a record is committed.  Per (mapping, shard) a ``Lane`` buffers records in
sequence order and one coroutine drains it: batching window (a clock wait),
invoke (``clock.run_blocking``: the function runs in real time while virtual time
stands still), then AWS's failure handling - the same batch retried and blocking
the shard, BisectBatchOnFunctionError, MaximumRetryAttempts, MaximumRecordAge,
ReportBatchItemFailures, OnFailure destination.  The last processed sequence number
per shard is stored, and on (re)start each mapping catches up through the
Streams API from there, so a restart resumes where it stopped.  All engine state
lives on the clock's loop; the API thread only hands it documents via ``call_soon``.
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import deque

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb.streams import lambda_event_record
from lowcloud.services.lambda_ import destinations, filters
from lowcloud.services.lambda_.names import arn_parts
from lowcloud.services.lambda_.stream_records import failure_record, sequence

log = logging.getLogger("lowcloud.lambda")
TOPIC = "dynamodb.stream"
MAX_PAYLOAD = 6 * 1024 * 1024
MAX_RETRY_DELAY = 60.0
THROTTLE_DELAY = 1.0


class Lane:
    """One shard of one mapping: buffered records, highest sequence accepted, drain state."""

    def __init__(self, uuid: str, shard: str, floor: int):
        self.uuid, self.shard = uuid, shard
        self.buffer: deque[dict] = deque()
        self.last_seq = floor
        self.running = False
        self.arrived: asyncio.Event | None = None
        self.first_arrival = 0.0


class Tries:
    """Function errors on the batch being retried, and the last result (for the OnFailure record)."""

    def __init__(self):
        self.count, self.last = 0, None


def compiled_filters(doc: dict) -> list[dict]:
    return [filters.parse(f["Pattern"]) for f in ((doc.get("FilterCriteria") or {}).get("Filters") or [])]


def enabled(doc: dict | None) -> bool:
    return bool(doc) and doc.get("_target_state") == "Enabled"


class StreamMappings:
    def __init__(self, service):
        self.service = service
        self.store = service.store
        self.clock = service.clock
        self.mappings: dict[str, dict] = {}
        self.filters: dict[str, list[dict]] = {}
        self.lanes: dict[tuple[str, str], Lane] = {}
        self.holding: dict[str, list[dict]] = {}
        self.tasks: set = set()
        self._unsubscribe = service.cloud.fabric.subscribe(TOPIC, self._on_fact)

    def start(self) -> None:
        """Load the stored mappings and resume the enabled ones (catching up from their positions)."""
        for doc in self.store.mappings():
            self.refresh(doc["UUID"], doc)

    def close(self) -> None:
        self._unsubscribe()

    # --- API -> engine (any thread) ------------------------------------------------------------
    def refresh(self, uuid: str, doc: dict | None) -> None:
        self.clock.call_soon(self._apply, uuid, doc)

    def _apply(self, uuid: str, doc: dict | None) -> None:
        was = self.mappings.get(uuid)
        if doc is None:
            self.mappings.pop(uuid, None)
            for key in [k for k in self.lanes if k[0] == uuid]:
                del self.lanes[key]
            return
        self.mappings[uuid] = doc
        self.filters[uuid] = compiled_filters(doc)
        if enabled(doc) and not enabled(was):
            self.holding[uuid] = []  # facts wait until the catch-up has read the stream up to now
            self._spawn(self._activate(uuid))

    def _spawn(self, coro) -> None:
        task = self.clock.loop.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # --- records in ---------------------------------------------------------------------------
    def _on_fact(self, fact: dict) -> None:
        for uuid, doc in list(self.mappings.items()):
            if doc["EventSourceArn"] != fact.get("StreamArn") or not enabled(doc):
                continue
            if uuid in self.holding:
                self.holding[uuid].append(fact)
            else:
                self._take_fact(doc, fact)

    def _take_fact(self, doc: dict, fact: dict) -> None:
        lane = self._lane(doc["UUID"], fact["ShardId"])
        self._offer(doc, lane, lambda_event_record(fact["Record"], doc["EventSourceArn"]))
        self._kick(lane)

    def _lane(self, uuid: str, shard: str) -> Lane:
        lane = self.lanes.get((uuid, shard))
        if lane is None:
            position = self.store.position(uuid, shard)
            lane = self.lanes[(uuid, shard)] = Lane(uuid, shard, int(position) if position else 0)
        return lane

    def _offer(self, doc: dict, lane: Lane, record: dict) -> None:
        seq = sequence(record)
        if seq <= lane.last_seq:
            return
        lane.last_seq = seq
        if not filters.matches_any(self.filters.get(lane.uuid, []), record):
            if not lane.buffer and not lane.running:
                self.store.set_position(lane.uuid, lane.shard, record["dynamodb"]["SequenceNumber"])
            return
        if not lane.buffer:
            lane.first_arrival = self.clock.now()
        lane.buffer.append(record)
        if lane.arrived is not None:
            lane.arrived.set()

    def _kick(self, lane: Lane) -> None:
        if not lane.running and lane.buffer and enabled(self.mappings.get(lane.uuid)):
            lane.running = True
            self._spawn(self._drain(lane))

    # --- activation and catch-up ----------------------------------------------------------------
    async def _activate(self, uuid: str) -> None:
        doc = self.mappings.get(uuid)
        try:
            await self._catch_up(doc)
        finally:
            held = self.holding.pop(uuid, [])
        for fact in held:
            self._take_fact(doc, fact)
        for lane in [lane for key, lane in self.lanes.items() if key[0] == uuid]:
            self._kick(lane)
        threading.Thread(target=self._prewarm, args=(doc,), name="lambda-prewarm", daemon=True).start()

    async def _catch_up(self, doc: dict) -> None:
        try:
            shards = await self.clock.run_blocking(self._shards, doc["EventSourceArn"])
            for shard in shards:
                lane = self._lane(doc["UUID"], shard)
                records = await self.clock.run_blocking(self._read, doc["EventSourceArn"], shard, lane.last_seq)
                for record in records:
                    self._offer(doc, lane, record)
        except AwsError as exc:
            log.debug("catch-up of %s skipped: %s %s", doc["UUID"], exc.code, exc.message)

    def _streams(self, operation: str, params: dict, stream_arn: str) -> dict:
        return self.service.call("dynamodbstreams", operation, params, region=arn_parts(stream_arn)[3])

    def _shards(self, stream_arn: str) -> list[str]:
        shards, start = [], None
        while True:
            params = {"StreamArn": stream_arn, **({"ExclusiveStartShardId": start} if start else {})}
            description = self._streams("describe_stream", params, stream_arn)["StreamDescription"]
            shards += [s["ShardId"] for s in description.get("Shards", [])]
            start = description.get("LastEvaluatedShardId")
            if not start:
                return shards

    def _read(self, stream_arn: str, shard: str, after: int) -> list[dict]:
        """Every record of the shard after sequence ``after`` (0 = from the trim horizon)."""
        return [lambda_event_record(r, stream_arn) for r in read_shard(self._streams, stream_arn, shard, after)]

    def _prewarm(self, doc: dict) -> None:
        try:
            target = self.service._target(doc["_function"], doc.get("_qualifier"))
            self.service.invoker.pool(target).prewarm()
        except Exception:  # a cold first batch is the only cost of failing here
            log.debug("prewarm of %s failed", doc["FunctionArn"], exc_info=True)

    # --- draining -------------------------------------------------------------------------------
    async def _drain(self, lane: Lane) -> None:
        try:
            while lane.buffer and enabled(self.mappings.get(lane.uuid)):
                doc = self.mappings[lane.uuid]
                await self._window(lane, doc)
                if not await self._process(lane, self._take(lane, doc)):
                    return
        finally:
            lane.running = False

    async def _window(self, lane: Lane, doc: dict) -> None:
        deadline = lane.first_arrival + doc["MaximumBatchingWindowInSeconds"]
        while len(lane.buffer) < doc["BatchSize"] and deadline > self.clock.now():
            lane.arrived = asyncio.Event()
            try:
                await asyncio.wait_for(lane.arrived.wait(), deadline - self.clock.now())
            except asyncio.TimeoutError:
                return
            finally:
                lane.arrived = None

    def _take(self, lane: Lane, doc: dict) -> list[dict]:
        batch, size = [], 0
        while lane.buffer and len(batch) < doc["BatchSize"]:
            grow = len(json.dumps(lane.buffer[0]))
            if batch and size + grow > MAX_PAYLOAD:
                break
            batch.append(lane.buffer.popleft())
            size += grow
        lane.first_arrival = self.clock.now()
        return batch

    async def _process(self, lane: Lane, batch: list[dict]) -> bool:
        """Deliver one batch AWS's way; False when the lane has to pause (mapping off, function gone)."""
        tries = Tries()
        while batch:
            doc = self.mappings.get(lane.uuid)
            if not enabled(doc):
                lane.buffer.extendleft(reversed(batch))
                return False
            batch = await self._drop_expired(lane, doc, batch)
            if not batch:
                return True
            result, failed = await self._invoke(doc, batch)
            if result in ("throttled", "missing"):
                if not await self._not_invoked(lane, doc, batch, result):
                    return False
                continue
            if failed is None:
                self._checkpoint(lane, batch[-1])
                self._note(doc, "OK")
                return True
            batch = await self._after_failure(lane, doc, batch, failed, result, tries)
        return True

    async def _not_invoked(self, lane: Lane, doc: dict, batch: list[dict], why: str) -> bool:
        """Throttles are retried without counting; a missing function pauses the lane."""
        if why == "throttled":
            await self.clock.sleep(THROTTLE_DELAY)
            return True
        lane.buffer.extendleft(reversed(batch))
        self._note(doc, "PROBLEM: Function not found.")
        return False

    async def _after_failure(self, lane: Lane, doc: dict, batch: list[dict], failed: int, result,
                             tries: "Tries") -> list[dict]:
        """The batch to try next after a function error: checkpoint reported successes, bisect, or
        give up (OnFailure) once MaximumRetryAttempts are spent; wait before a plain retry."""
        if failed:
            self._checkpoint(lane, batch[failed - 1])
            batch = batch[failed:]
        tries.count, tries.last = tries.count + 1, result
        self._note(doc, "PROBLEM: Function call failed")
        if doc["BisectBatchOnFunctionError"] and len(batch) > 1:
            half = len(batch) // 2
            lane.buffer.extendleft(reversed(batch[half:]))
            tries.count = 0
            return batch[:half]
        if 0 <= doc["MaximumRetryAttempts"] < tries.count:
            await self._discard(lane, doc, batch, "RetryAttemptsExhausted", tries.count, tries.last)
            return []
        await self.clock.sleep(min(2.0 ** (tries.count - 1), MAX_RETRY_DELAY))
        return batch

    async def _invoke(self, doc: dict, batch: list[dict]):
        payload = json.dumps({"Records": batch}).encode()
        try:
            result, _ = await self.clock.run_blocking(self.service.run_invocation, doc["_function"],
                                                      doc.get("_qualifier"), payload)
        except AwsError as exc:
            return ("missing" if exc.code == "ResourceNotFoundException" else "throttled"), None
        if result.function_error:
            return result, 0
        if "ReportBatchItemFailures" in (doc.get("FunctionResponseTypes") or []):
            return result, failed_from(result.payload, batch)
        return result, None

    async def _drop_expired(self, lane: Lane, doc: dict, batch: list[dict]) -> list[dict]:
        limit = doc.get("MaximumRecordAgeInSeconds", -1)
        if limit is None or limit < 0:
            return batch
        now = self.clock.now()
        cut = 0
        while cut < len(batch) and now - batch[cut]["dynamodb"]["ApproximateCreationDateTime"] > limit:
            cut += 1
        if cut:
            await self._discard(lane, doc, batch[:cut], "RecordAgeExceeded", 0, None)
        return batch[cut:]

    async def _discard(self, lane: Lane, doc: dict, batch: list[dict], condition: str, attempts: int, last) -> None:
        self._checkpoint(lane, batch[-1])
        target = ((doc.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        if target:
            record = failure_record(doc, lane.shard, batch, condition, attempts, self.clock.now(), last)
            await self.clock.run_blocking(destinations.deliver, self.service, target, record, False,
                                          doc["FunctionArn"])

    def _checkpoint(self, lane: Lane, record: dict) -> None:
        self.store.set_position(lane.uuid, lane.shard, record["dynamodb"]["SequenceNumber"])

    def _note(self, doc: dict, text: str) -> None:
        if doc.get("LastProcessingResult") == text:
            return
        doc["LastProcessingResult"] = text
        stored = self.store.mapping(doc["UUID"])
        if stored is not None:
            stored["LastProcessingResult"] = text
            self.store.put_mapping(stored)


def failed_from(payload: bytes, batch: list[dict]) -> int | None:
    """ReportBatchItemFailures: index of the first failed record, None for full success, 0 when unreadable."""
    try:
        body = json.loads(payload) if payload else None
    except ValueError:
        return 0
    failures = body.get("batchItemFailures") if isinstance(body, dict) else None
    if not failures:
        return None
    index = {r["dynamodb"]["SequenceNumber"]: i for i, r in enumerate(batch)}
    found = []
    for failure in failures if isinstance(failures, list) else [None]:
        ident = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(ident, str) or ident not in index:
            return 0
        found.append(index[ident])
    return min(found)


def read_shard(call, stream_arn: str, shard: str, after: int) -> list[dict]:
    """GetShardIterator (AFTER_SEQUENCE_NUMBER, else TRIM_HORIZON) then GetRecords to the shard's current end."""
    base = {"StreamArn": stream_arn, "ShardId": shard}
    try:
        if not after:
            raise AwsError("TrimHorizon")
        iterator = call("get_shard_iterator", {**base, "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                                               "SequenceNumber": str(after)}, stream_arn)["ShardIterator"]
    except AwsError:
        iterator = call("get_shard_iterator", {**base, "ShardIteratorType": "TRIM_HORIZON"}, stream_arn)["ShardIterator"]
    records = []
    while iterator:
        out = call("get_records", {"ShardIterator": iterator, "Limit": 1000}, stream_arn)
        records += [r for r in out.get("Records", []) if sequence(r) > after]
        if not out.get("Records"):
            break
        iterator = out.get("NextShardIterator")
    return records
