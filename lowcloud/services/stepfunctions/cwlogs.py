"""Execution history to CloudWatch Logs, as a state machine's ``loggingConfiguration`` asks.

Express executions keep no history in Step Functions: their log group is the only
record of them.  So every history event is handed here as it happens, filtered by
the configured level, shaped like AWS's log payload (string ids, a millisecond
``event_timestamp``, the event's details under ``details``) and written through the
CloudWatch Logs API in-process, one log stream per execution.  A delivery that
cannot be made (the log group was deleted) is dropped, as AWS drops it, never
failing the execution.
"""
from __future__ import annotations

import json
import logging
import re

from lowcloud.asl.history import details_key
from lowcloud.errors import AwsError

log = logging.getLogger("lowcloud.stepfunctions")

FATAL_EVENTS = frozenset({"ExecutionAborted", "ExecutionFailed", "ExecutionTimedOut"})
ERROR_EVENTS = FATAL_EVENTS | frozenset({
    "FailStateEntered", "LambdaFunctionFailed", "LambdaFunctionScheduleFailed", "LambdaFunctionStartFailed",
    "LambdaFunctionTimedOut", "MapStateAborted", "MapStateFailed", "MapIterationAborted", "MapIterationFailed",
    "MapRunAborted", "MapRunFailed", "ParallelStateAborted", "ParallelStateFailed", "TaskFailed",
    "TaskStartFailed", "TaskStateAborted", "TaskSubmitFailed", "TaskTimedOut", "WaitStateAborted",
    "ActivityFailed", "ActivityScheduleFailed", "ActivityTimedOut", "EvaluationFailed"})
LEVEL_EVENTS = {"ERROR": ERROR_EVENTS, "FATAL": FATAL_EVENTS}
DATA_KEYS = ("input", "inputDetails", "output", "outputDetails")
LOG_GROUP_ARN = re.compile(r"^arn:aws[\w-]*:logs:([a-z0-9-]+):(\d{12}):log-group:([^:]+):\*$")
VALIDATION_STREAM = "log_stream_created_by_aws_to_validate_log_delivery_subscriptions"


def check_configuration(config: dict | None) -> None:
    """CreateStateMachine/UpdateStateMachine's checks of a ``loggingConfiguration``."""
    if not config or config.get("level", "OFF") == "OFF" and not config.get("destinations"):
        return
    destinations = config.get("destinations") or []
    if len(destinations) != 1:
        raise _invalid("Must specify exactly one Log Destination.")
    arn = ((destinations[0] or {}).get("cloudWatchLogsLogGroup") or {}).get("logGroupArn") or ""
    if not LOG_GROUP_ARN.match(arn):
        raise _invalid("Invalid Log Group ARN.") if arn else _invalid("Must specify exactly one Log Destination.")


def _invalid(detail: str) -> AwsError:
    return AwsError("InvalidLoggingConfiguration", f"Invalid Logging Configuration: {detail}")


def destination(config: dict) -> tuple[str, str] | None:
    """(region, log group name) events go to, or None when logging is off."""
    if config.get("level", "OFF") == "OFF":
        return None
    arn = config["destinations"][0]["cloudWatchLogsLogGroup"]["logGroupArn"]
    region, _, group = LOG_GROUP_ARN.match(arn).groups()
    return region, group


def validate_delivery(svc, config: dict | None) -> None:
    """AWS checks it can deliver when logging is configured: the log group must exist, and
    a stream is created in it to prove delivery works."""
    where = destination(config or {})
    if where is None:
        return
    region, group = where
    try:
        svc.call("logs", "create_log_stream", {"logGroupName": group, "logStreamName": VALIDATION_STREAM}, region)
    except AwsError as exc:
        if exc.code == "ResourceNotFoundException":
            raise _invalid("Log Destination not found.") from None


class ExecutionLog:
    """The history-event sink of one execution whose state machine logs."""

    def __init__(self, svc, config: dict, execution_arn: str, machine_name: str, redrive_count: int = 0):
        self.svc = svc
        self.region, self.group = destination(config)
        self.wanted = LEVEL_EVENTS.get(config.get("level"))
        self.include_data = bool(config.get("includeExecutionData"))
        self.execution_arn, self.redrive_count = execution_arn, str(redrive_count)
        day = svc.clock.utcnow().strftime("%Y-%m-%d-%H-%M")
        self.stream = f"states/{machine_name}/{day}/{svc.cloud.ids.hex(8)}"
        self.stream_ready = False

    @classmethod
    def for_machine(cls, svc, logging_json: str | None, execution_arn: str, machine_name: str,
                    redrive_count: int = 0) -> "ExecutionLog | None":
        config = json.loads(logging_json or "{}")
        if destination(config) is None:
            return None
        return cls(svc, config, execution_arn, machine_name, redrive_count)

    def __call__(self, event: dict) -> None:
        if self.wanted is not None and event["type"] not in self.wanted:
            return
        when = int(event["timestamp"] * 1000)
        self._put(json.dumps(self.payload(event, when), separators=(",", ":")), when)

    def payload(self, event: dict, when: int) -> dict:
        details = dict(event.get(details_key(event["type"])) or {})
        if not self.include_data:
            for key in DATA_KEYS:
                details.pop(key, None)
        return {"id": str(event["id"]), "type": event["type"], "details": details,
                "previous_event_id": str(event["previousEventId"]), "event_timestamp": str(when),
                "execution_arn": self.execution_arn, "redrive_count": self.redrive_count}

    def _put(self, message: str, when: int) -> None:
        try:
            if not self.stream_ready:
                self._call("create_log_stream", {})
                self.stream_ready = True
            self._call("put_log_events", {"logEvents": [{"timestamp": when, "message": message}]})
        except AwsError as exc:
            log.warning("log delivery to %s dropped: %s", self.group, exc.message)

    def _call(self, operation: str, params: dict) -> None:
        params.update(logGroupName=self.group, logStreamName=self.stream)
        self.svc.call("logs", operation, params, self.region)
