"""DynamoDB stream records as a Lambda event sees them, and the on-failure record.

The Streams API returns records boto3-shaped (``ApproximateCreationDateTime`` a
datetime, binary attributes as bytes, ``userIdentity`` with model casing
``Type``/``PrincipalId``).  Lambda's event carries the JSON form: epoch seconds as a
number, base64 binaries, doc casing ``type``/``principalId``, plus
``eventSourceARN``.  When a batch is discarded, Lambda sends its destination an
invocation record with ``DDBStreamBatchInfo`` instead of the data.
"""
from __future__ import annotations

import base64
from datetime import datetime

from lowcloud.services.lambda_.names import iso_z


def lambda_record(record: dict, stream_arn: str) -> dict:
    data = dict(record["dynamodb"])
    data["ApproximateCreationDateTime"] = epoch(data.get("ApproximateCreationDateTime"))
    for image in ("Keys", "NewImage", "OldImage"):
        if image in data:
            data[image] = {name: _wire_value(value) for name, value in data[image].items()}
    out = {k: v for k, v in record.items() if k not in ("dynamodb", "userIdentity", "eventSourceARN")}
    out["dynamodb"] = data
    who = record.get("userIdentity")
    if who:
        out["userIdentity"] = {"type": who.get("Type", who.get("type")),
                               "principalId": who.get("PrincipalId", who.get("principalId"))}
    out["eventSourceARN"] = stream_arn
    return out


def epoch(moment) -> float:
    if isinstance(moment, datetime):
        return float(int(moment.timestamp()))
    return float(moment or 0)


def _wire_value(value: dict) -> dict:
    (kind, inner), = value.items()
    if kind == "B":
        return {"B": _b64(inner)}
    if kind == "BS":
        return {"BS": [_b64(v) for v in inner]}
    if kind == "M":
        return {"M": {k: _wire_value(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_wire_value(v) for v in inner]}
    return {kind: inner}


def _b64(data) -> str:
    return base64.b64encode(data).decode() if isinstance(data, (bytes, bytearray)) else data


def sequence(record: dict) -> int:
    return int(record["dynamodb"]["SequenceNumber"])


def failure_record(mapping: dict, shard: str, batch: list[dict], condition: str, attempts: int, now: float,
                   last_result=None) -> dict:
    """The invocation record an OnFailure destination receives for a discarded batch."""
    record = {"requestContext": {"requestId": last_result.request_id if last_result else "",
                                 "functionArn": mapping["FunctionArn"], "condition": condition,
                                 "approximateInvokeCount": attempts}}
    if last_result is not None:
        response = {"statusCode": last_result.status_code, "executedVersion": last_result.executed_version}
        if last_result.function_error:
            response["functionError"] = last_result.function_error
        record["responseContext"] = response
    record.update(version="1.0", timestamp=iso_z(now))
    first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
    record["DDBStreamBatchInfo"] = {
        "shardId": shard, "startSequenceNumber": first["SequenceNumber"], "endSequenceNumber": last["SequenceNumber"],
        "approximateArrivalOfFirstRecord": iso_z(first["ApproximateCreationDateTime"], millis=False),
        "approximateArrivalOfLastRecord": iso_z(last["ApproximateCreationDateTime"], millis=False),
        "batchSize": len(batch), "streamArn": mapping["EventSourceArn"]}
    return record
