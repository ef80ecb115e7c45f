"""Distributed Map: a map run of child executions, items from S3 or the input, results to S3.

The parent history shows only MapStateStarted, MapRunStarted and MapRunSucceeded /
MapRunFailed (AWS's shape); each item runs as a child execution of the item
processor on the same loop with its own context and no history kept here.
Failures are counted against ToleratedFailureCount/Percentage; exceeding them fails
the run with States.ExceedToleratedFailureThreshold.  ItemReader reads JSON, JSONL,
CSV or an object listing through the S3 service; ItemBatcher groups items;
ResultWriter writes manifest.json and SUCCEEDED_/FAILED_ files like AWS.
"""
from __future__ import annotations

import asyncio
import csv
import io
import json

from lowcloud.asl import history as H
from lowcloud.asl import paths
from lowcloud.asl.branches import finish_state, guarded, item_input, map_input, map_items, max_concurrency
from lowcloud.asl.calls import ApiError, call_api
from lowcloud.asl.errors import StatesError, compact_json
from lowcloud.asl.interpreter import Frame, Run, Visit, dumps, iso_millis, located
from lowcloud.asl.jsonata import evaluate_template

THRESHOLD = "States.ExceedToleratedFailureThreshold"


async def run_distributed(v: Visit, resume=None):
    return await guarded(v, "MapStateFailed", lambda: _distributed(v))


async def _distributed(v: Visit):
    data, scope = map_input(v)
    items = await _items(v, data, scope)
    v.run.emit(v.frame, "MapStateStarted", {"length": len(items)})
    limits = _tolerance(v, data, scope), max_concurrency(v, data, scope) or 1000
    result = await _map_run(v, data, scope, items, *limits)
    return finish_state(v, scope, result)


# --- tolerance ------------------------------------------------------------------------

def _tolerance(v: Visit, data, scope) -> tuple[int, float]:
    raw = v.state.raw
    count = _tolerance_value(v, raw, "ToleratedFailureCount", data, scope, int, "integer")
    pct = _tolerance_value(v, raw, "ToleratedFailurePercentage", data, scope, float, "float")
    if not 0 <= pct <= 100:
        raise v.locate(StatesError("States.Runtime", "ToleratedFailurePercentage must be between 0 and 100."))
    return int(count), float(pct)


def _tolerance_value(v: Visit, raw: dict, key: str, data, scope, kind, noun: str):
    try:
        if key + "Path" in raw:
            value = paths.read_path(raw[key + "Path"], data, scope, key + "Path")
            number = _number(value, kind)
            if number is None:
                shown = value if isinstance(value, str) else compact_json(value)
                raise StatesError("States.Runtime", f"The {key}Path field refers to value \"{shown}\" "
                                                    f"which is not a valid {noun}: {raw[key + 'Path']}")
            return number
        value = raw.get(key, 0)
        if isinstance(value, str):
            value = evaluate_template(value, v.states_var(scope.context), scope, key)
        return value
    except StatesError as err:
        raise v.locate(err)


def _number(value, kind):
    """An integer/float field value (numeric strings included, as AWS parses them), else None."""
    if isinstance(value, bool):
        return None
    try:
        number = kind(value) if isinstance(value, (str, int, float)) else None
    except ValueError:
        return None
    if number is not None and kind is int and isinstance(value, float) and not value.is_integer():
        return None
    return number


# --- items ------------------------------------------------------------------------------

async def _items(v: Visit, data, scope) -> list:
    reader = v.state.raw.get("ItemReader")
    items = await read_items(v, reader, data, scope) if reader else map_items(v, data, scope)
    batcher = v.state.raw.get("ItemBatcher")
    return _batches(v, items, batcher, data, scope) if batcher else items


async def read_items(v: Visit, reader: dict, data, scope) -> list:
    params = reader.get("Parameters") or reader.get("Arguments") or {}
    if v.state.jsonata:
        params = evaluate_template(params, v.states_var(scope.context), scope, "ItemReader")
    else:
        params = paths.apply_payload_template(params, data, scope, "ItemReader")
    config = reader.get("ReaderConfig") or {}
    limit = _max_items(v, config, data, scope)
    resource = reader.get("Resource", "")
    try:
        if resource.endswith("s3:listObjectsV2"):
            items = await _listing(v.run.env, params)
        else:
            text = await _object_text(v.run.env, params)
            items = parse_items(text, config)
    except ApiError as err:
        raise located("States.ItemReaderFailed", err.message)
    return items[:limit] if limit else items


def _max_items(v: Visit, config: dict, data, scope) -> int:
    value = config.get("MaxItems", 0)
    if "MaxItemsPath" in config:
        value = paths.read_path(config["MaxItemsPath"], data, scope, "MaxItemsPath")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise located("States.ItemReaderFailed", "field MaxItems must be positive")
    return value


async def _object_text(env, params: dict) -> str:
    result, _ = await call_api(env, "s3", "GetObject", {"Bucket": params.get("Bucket"), "Key": params.get("Key")})
    body = result.get("Body", "")
    return body if isinstance(body, str) else str(body)


async def _listing(env, params: dict) -> list:
    items, token = [], None
    while True:
        args = {k: params[k] for k in ("Bucket", "Prefix") if k in params}
        if token:
            args["ContinuationToken"] = token
        page, _ = await call_api(env, "s3", "ListObjectsV2", args)
        items += [{k: o[k] for k in ("Etag", "ETag", "Key", "LastModified", "Size", "StorageClass") if k in o}
                  for o in page.get("Contents", [])]
        token = page.get("NextContinuationToken")
        if not page.get("IsTruncated") or not token:
            return items


def parse_items(text: str, config: dict) -> list:
    kind = config.get("InputType", "JSON")
    if kind == "JSON":
        doc = json.loads(text)
        if not isinstance(doc, list):
            raise located("States.ItemReaderFailed", "Attempting to map over non-iterable node.")
        return doc
    if kind == "JSONL":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    if kind == "CSV":
        return _csv_items(text, config)
    raise located("States.ItemReaderFailed", f"Unsupported InputType: {kind}")


def _csv_items(text: str, config: dict) -> list:
    delimiter = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}.get(
        config.get("CSVDelimiter", "COMMA"), ",")
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if r]
    if config.get("CSVHeaderLocation", "FIRST_ROW") == "GIVEN":
        headers = config.get("CSVHeaders") or []
    else:
        headers, rows = (rows[0], rows[1:]) if rows else ([], [])
    if len(set(headers)) != len(headers):
        raise located("States.ItemReaderFailed", "CSV headers cannot contain duplicates.")
    return [dict(zip(headers, row)) for row in rows]


def _batches(v: Visit, items: list, batcher: dict, data, scope) -> list:
    size = batcher.get("MaxItemsPerBatch")
    if "MaxItemsPerBatchPath" in batcher:
        size = paths.read_path(batcher["MaxItemsPerBatchPath"], data, scope, "MaxItemsPerBatchPath")
    max_bytes = batcher.get("MaxInputBytesPerBatch") or 262144
    extra = batcher.get("BatchInput") or {}
    batches, current = [], []
    for item in items:
        too_big = len(dumps({"Items": current + [item], **extra}).encode()) > max_bytes
        if current and ((size and len(current) >= size) or too_big):
            batches.append(current)
            current = []
        current.append(item)
    if current:
        batches.append(current)
    return [{**extra, "Items": b} for b in batches]


# --- the map run --------------------------------------------------------------------------

async def _map_run(v: Visit, data, scope, items: list, tolerance: tuple, limit: int):
    run = v.run
    label = v.state.raw.get("Label") or v.state.name
    run_id = run.ids.uuid()
    machine_name = run.context["StateMachine"]["Name"]
    region_account = run.context["StateMachine"]["Id"].split(":")[3:5]
    arn = f"arn:aws:states:{region_account[0]}:{region_account[1]}:mapRun:{machine_name}/{label}:{run_id}"
    run.emit(v.frame, "MapRunStarted", {"mapRunArn": arn})
    record = getattr(run.env, "record_map_run", None) or (lambda *args: None)
    execution = run.context["Execution"]["Id"]
    record(arn, execution, "RUNNING", {"total": len(items)}, limit, tolerance)
    inputs = [item_input(v, data, i, item, scope) for i, item in enumerate(items)]
    outcomes = await _children(v, arn, inputs, limit)
    failed = [o for o in outcomes if o[0] != "SUCCEEDED"]
    exceeded = _exceeds(len(failed), len(outcomes), tolerance)
    counts = {"succeeded": len(outcomes) - len(failed), "failed": len(failed), "total": len(outcomes)}
    record(arn, execution, "FAILED" if exceeded else "SUCCEEDED", counts, limit, tolerance)
    if exceeded:
        cause = "The specified tolerated failure threshold was exceeded"
        run.emit(v.frame, "MapRunFailed", H.failure(THRESHOLD, cause))
        raise located(THRESHOLD, cause)
    writer = v.state.raw.get("ResultWriter")
    result = await _write_results(v, writer, arn, run_id, outcomes, inputs) if writer else \
        [o[1] for o in outcomes]
    run.emit(v.frame, "MapRunSucceeded")
    run.emit(v.frame, "MapStateSucceeded")
    return result


def _exceeds(failed: int, total: int, tolerance: tuple) -> bool:
    count, pct = tolerance
    if failed == 0:
        return False
    if count and failed <= count:
        return False
    if pct and total and failed * 100.0 / total <= pct:
        return False
    return True


async def _children(v: Visit, map_run_arn: str, inputs: list, limit: int) -> list:
    sem = asyncio.Semaphore(limit)

    async def child(index: int, value):
        async with sem:
            return await _child(v, map_run_arn, index, value)
    return await asyncio.gather(*(child(i, value) for i, value in enumerate(inputs)))


async def _child(v: Visit, map_run_arn: str, index: int, value) -> tuple:
    """One child execution: (status, output, error output, execution ARN, name)."""
    parent = v.run
    name = parent.ids.uuid()
    exec_arn = map_run_arn.replace(":mapRun:", ":execution:", 1).rsplit(":", 1)[0] + f":{name}"
    config = (v.state.raw.get("ItemProcessor") or {}).get("ProcessorConfig") or {}
    durable = getattr(parent.env, "run_child_execution", None)
    if durable is not None and config.get("ExecutionType", "STANDARD") == "STANDARD":
        return (*await durable(exec_arn, name, map_run_arn, _processor_text(v), value), exec_arn, name)
    context = {"Execution": {"Id": exec_arn, "Input": value, "Name": name,
                             "RoleArn": parent.context["Execution"]["RoleArn"],
                             "StartTime": iso_millis(parent.clock.now()), "RedriveCount": 0},
               "StateMachine": parent.context["StateMachine"]}
    child = Run(v.state.processor, context, parent.env, H.History(parent.clock, keep=False))
    frame = Frame(variables=dict(v.frame.variables), kind="child")
    try:
        return ("SUCCEEDED", await child.run_machine(v.state.processor, value, frame), None, exec_arn, name)
    except StatesError as err:
        return ("FAILED", None, {"Error": err.error, "Cause": err.cause}, exec_arn, name)


def _processor_text(v: Visit) -> str:
    """The item processor as a state machine definition of its own (what child executions run)."""
    doc = {k: val for k, val in v.state.processor.raw.items() if k != "ProcessorConfig"}
    if v.state.processor.ql == "JSONata":
        doc["QueryLanguage"] = "JSONata"
    return dumps(doc)


async def _write_results(v: Visit, writer: dict, arn: str, run_id: str, outcomes: list, inputs: list) -> dict:
    params = writer.get("Parameters") or writer.get("Arguments") or {}
    bucket, prefix = params.get("Bucket"), (params.get("Prefix") or "").rstrip("/")
    base = f"{prefix}/{run_id}" if prefix else run_id
    env = v.run.env
    files = []
    for status in ("SUCCEEDED", "FAILED"):
        chosen = [_result_entry(v, arn, o, inputs[i]) for i, o in enumerate(outcomes) if o[0] == status]
        key = f"{base}/{status}_0.json"
        await _put(env, bucket, key, dumps(chosen))
        files.append({"Key": key, "Size": len(dumps(chosen))})
    manifest = {"DestinationBucket": bucket, "MapRunArn": arn,
                "ResultFiles": {"FAILED": [files[1]], "PENDING": [], "SUCCEEDED": [files[0]]}}
    await _put(env, bucket, f"{base}/manifest.json", dumps(manifest))
    return {"MapRunArn": arn, "ResultWriterDetails": {"Bucket": bucket, "Key": f"{base}/manifest.json"}}


def _result_entry(v: Visit, arn: str, outcome: tuple, value) -> dict:
    entry = {"ExecutionArn": outcome[3], "Input": dumps(value), "InputDetails": {"Included": True},
             "Name": outcome[4], "Status": outcome[0]}
    if outcome[0] == "SUCCEEDED":
        entry["Output"] = dumps(outcome[1])
        entry["OutputDetails"] = {"Included": True}
    else:
        entry.update(outcome[2])
    return entry


async def _put(env, bucket: str, key: str, text: str) -> None:
    try:
        await call_api(env, "s3", "PutObject", {"Bucket": bucket, "Key": key, "Body": text})
    except ApiError as err:
        raise located("States.ResultWriterFailed", err.message)
