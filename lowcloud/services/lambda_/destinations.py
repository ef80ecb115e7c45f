"""Delivering invocation records to destinations and dead-letter queues, through their APIs.

Asynchronous invocations (OnSuccess / OnFailure, DeadLetterConfig) and event source
mappings (OnFailure) hand a JSON record to SQS, SNS, another function or an
EventBridge bus.  Each goes through that service's own API via ``Service.call``;
when the target service is not served, or refuses, the record is dropped with a
warning - as Lambda counts a ``DestinationDeliveryFailures`` and moves on.
"""
from __future__ import annotations

import json
import logging

from lowcloud.errors import AwsError
from lowcloud.services.lambda_.names import arn_parts

log = logging.getLogger("lowcloud.lambda")


def deliver(service, destination: str, record: dict, success: bool, function_arn: str) -> bool:
    """Send ``record`` to the destination ARN; True when the target service took it."""
    parts = arn_parts(destination)
    send = _SENDERS.get(parts[2]) if len(parts) == 6 else None
    if send is None:
        return False
    try:
        send(service, destination, parts[3] or service.region, json.dumps(record), success, function_arn)
    except AwsError as exc:
        log.warning("Lambda could not deliver to %s: %s %s", destination, exc.code, exc.message)
        return False
    return True


def _to_sqs(service, arn: str, region: str, body: str, success: bool, function_arn: str) -> None:
    _send_sqs(service, arn, region, body, None)


def _to_sns(service, arn: str, region: str, body: str, success: bool, function_arn: str) -> None:
    service.call("sns", "publish", {"TopicArn": arn, "Message": body}, region=region)


def _to_lambda(service, arn: str, region: str, body: str, success: bool, function_arn: str) -> None:
    service.call("lambda", "invoke", {"FunctionName": arn, "InvocationType": "Event", "Payload": body.encode()},
                 region=region)


def _to_events(service, arn: str, region: str, body: str, success: bool, function_arn: str) -> None:
    detail = f"Lambda Function Invocation Result - {'Success' if success else 'Failure'}"
    entry = {"Source": "lambda", "DetailType": detail, "Detail": body, "EventBusName": arn, "Resources": [function_arn]}
    service.call("events", "put_events", {"Entries": [entry]}, region=region)


_SENDERS = {"sqs": _to_sqs, "sns": _to_sns, "lambda": _to_lambda, "events": _to_events}


def dead_letter(service, target: str, payload: bytes, request_id: str, error_message: str) -> bool:
    """The original event to the function's DeadLetterConfig target, with AWS's message attributes."""
    parts = arn_parts(target)
    if len(parts) < 6:
        return False
    attributes = {"RequestID": {"DataType": "String", "StringValue": request_id},
                  "ErrorCode": {"DataType": "Number", "StringValue": "200"},
                  "ErrorMessage": {"DataType": "String", "StringValue": error_message[:1024] or "Unhandled"}}
    body = payload.decode("utf-8", "replace")
    try:
        if parts[2] == "sqs":
            _send_sqs(service, target, parts[3], body, attributes)
        elif parts[2] == "sns":
            service.call("sns", "publish", {"TopicArn": target, "Message": body, "MessageAttributes": attributes},
                         region=parts[3])
        else:
            return False
    except AwsError as exc:
        log.warning("Lambda could not send to its dead-letter target %s: %s %s", target, exc.code, exc.message)
        return False
    return True


def _send_sqs(service, queue_arn: str, region: str, body: str, attributes: dict | None) -> None:
    parts = arn_parts(queue_arn)
    url = service.call("sqs", "get_queue_url", {"QueueName": parts[5], "QueueOwnerAWSAccountId": parts[4]},
                       region=region)["QueueUrl"]
    params = {"QueueUrl": url, "MessageBody": body}
    if attributes:
        params["MessageAttributes"] = attributes
    service.call("sqs", "send_message", params, region=region)
