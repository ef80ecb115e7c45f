"""AWS Step Functions (botocore ``stepfunctions``): the service class and shared helpers.

The operations live in two mixins named for what they manage: machines.py
(state machines, versions, aliases, activities, tags, validation) and runs.py
(executions, history, task tokens, activity workers, TestState, map runs).
common.py holds what both need (ARNs, names, pagination).  The engine itself is
lowcloud.asl; executions.py drives it.
"""
from __future__ import annotations

from lowcloud.services.base import Service
from lowcloud.services.stepfunctions.executions import Executions
from lowcloud.services.stepfunctions.machines import MachineOps
from lowcloud.services.stepfunctions.runs import RunOps
from lowcloud.services.stepfunctions.store import Store
from lowcloud.services.stepfunctions.teststate import TestStateOps


class StepFunctions(MachineOps, RunOps, TestStateOps, Service):
    name = "stepfunctions"

    def __init__(self, cloud, region: str):
        super().__init__(cloud, region)
        self.store = Store(cloud.storage.database(self.db_name()))
        self.executions = Executions(self, self.store)
        self.executions.resume_all()

    def states_arn(self, kind: str, rest: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account}:{kind}:{rest}"

    def close(self) -> None:
        """Cancel execution timeouts; running executions stay RUNNING in storage and resume next time."""
        for live in list(self.executions.live.values()):
            if live.timer is not None:
                live.timer.cancel()
