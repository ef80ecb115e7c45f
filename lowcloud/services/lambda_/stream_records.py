"""DynamoDB stream records as a Lambda event sees them, and the on-failure record.

The Streams API returns records boto3-shaped (``ApproximateCreationDateTime`` a
datetime, binary attributes as bytes, ``userIdentity`` with model casing
``Type``/``PrincipalId``).  Lambda's event carries the JSON form: epoch seconds as a
number, base64 binaries, doc casing ``type``/``principalId``, plus
``eventSourceARN``; that conversion is DynamoDB's own
``lowcloud.services.dynamodb.streams.lambda_event_record`` (esm.py calls it).
When a batch is discarded, Lambda sends its destination an invocation record
with ``DDBStreamBatchInfo`` instead of the data.
"""
from __future__ import annotations

from lowcloud.services.lambda_.names import iso_z


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
