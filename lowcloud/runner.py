"""``lowcloud run``: start one execution and follow it through the Step Functions API.

It speaks only the public API (a boto3 client, in-process or over HTTP), so what
it shows is exactly what any AWS client would see: state transitions from
GetExecutionHistory as they happen, then the output or the error and cause.
"""
from __future__ import annotations

import json
import os
import time

from rich.console import Console

ROLE = "arn:aws:iam::000000000000:role/lowcloud-run"
POLL_SECONDS = 0.05


def run_execution(console: Console, target: str, input_text: str, fast: bool, endpoint: str | None,
                  make_cloud) -> int:
    """Run TARGET with INPUT; return the process exit code (0 succeeded, 1 otherwise)."""
    try:
        json.loads(input_text)
    except ValueError as exc:
        console.print(f"[red]--input is not JSON[/]: {exc}")
        return 2
    cloud = None if endpoint else make_cloud()
    try:
        sfn = _client(cloud, endpoint)
        arn = _state_machine_arn(sfn, target)
        execution = sfn.start_execution(stateMachineArn=arn, input=input_text)["executionArn"]
        return _follow(console, sfn, execution)
    finally:
        if cloud is not None:
            cloud.close()


def _client(cloud, endpoint: str | None):
    if cloud is not None:
        return cloud.client("stepfunctions")
    import boto3
    return boto3.client("stepfunctions", endpoint_url=endpoint, region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
                        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
                        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"))


def _state_machine_arn(sfn, target: str) -> str:
    """An ARN as given, a definition file created as a machine, or a machine found by name."""
    if target.startswith("arn:"):
        return target
    if os.path.isfile(target):
        with open(target, encoding="utf-8") as f:
            definition = f.read()
        name = os.path.basename(target).split(".")[0] or "lowcloud-run"
        return sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE)["stateMachineArn"]
    for page in sfn.get_paginator("list_state_machines").paginate():
        for machine in page["stateMachines"]:
            if machine["name"] == target:
                return machine["stateMachineArn"]
    raise SystemExit(f"no state machine or definition file named {target!r}")


def _follow(console: Console, sfn, execution: str) -> int:
    seen = 0
    while True:
        events = sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
        for event in events[seen:]:
            _show(console, event)
        seen = len(events)
        desc = sfn.describe_execution(executionArn=execution)
        if desc["status"] != "RUNNING":
            return _finish(console, sfn, execution, desc, seen)
        time.sleep(POLL_SECONDS)


def _finish(console, sfn, execution, desc, seen) -> int:
    for event in sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"][seen:]:
        _show(console, event)
    if desc["status"] == "SUCCEEDED":
        console.print_json(desc.get("output") or "null")
        return 0
    console.print(f"[red]{desc['status']}[/] error={desc.get('error')!r} cause={desc.get('cause')!r}")
    return 1


def _show(console: Console, event: dict) -> None:
    details = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
    name = details.get("name", "")
    stamp = event["timestamp"].strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    console.print(f"[dim]{stamp}[/] {event['type']:<28} {name}")
