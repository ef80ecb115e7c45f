"""Helpers for the Step Functions tests: ``Runner`` runs one-shot machines on the VirtualClock."""
from __future__ import annotations

import itertools
import json

ROLE = "arn:aws:iam::000000000000:role/sfn"


class Runner:
    """Create a machine, run it to the end on the VirtualClock, return (describe, history events)."""

    def __init__(self, cloud, sfn):
        self.cloud, self.sfn = cloud, sfn
        self.count = itertools.count()

    def machine(self, definition: dict, kind: str = "STANDARD", name: str | None = None) -> str:
        name = name or f"m{next(self.count)}"
        return self.sfn.create_state_machine(name=name, roleArn=ROLE, definition=json.dumps(definition),
                                             type=kind)["stateMachineArn"]

    def start(self, arn: str, value=None, name: str | None = None) -> str:
        kwargs = {"name": name} if name else {}
        return self.sfn.start_execution(stateMachineArn=arn, input=json.dumps({} if value is None else value),
                                        **kwargs)["executionArn"]

    def finish(self, execution: str) -> tuple[dict, list]:
        self.cloud.clock.run_until_idle()
        described = self.sfn.describe_execution(executionArn=execution)
        events = self.sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
        return described, events

    def __call__(self, definition: dict, value=None) -> tuple[dict, list]:
        return self.finish(self.start(self.machine(definition), value))


def output(described: dict):
    return json.loads(described["output"])


def types(events: list) -> list:
    return [e["type"] for e in events]


def work(sfn, activity_arn: str, answer, worker: str = "worker-1") -> dict:
    """One activity worker turn: poll once, answer with ``answer(input)``; returns the task (or {})."""
    task = sfn.get_activity_task(activityArn=activity_arn, workerName=worker)
    if not task.get("taskToken"):
        return task
    reply = answer(json.loads(task["input"]))
    if reply is None:
        return task
    if reply[0] == "success":
        sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps(reply[1]))
    elif reply[0] == "failure":
        sfn.send_task_failure(taskToken=task["taskToken"], error=reply[1], cause=reply[2])
    return task
