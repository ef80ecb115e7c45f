"""Executions and what talks to running ones: start, describe, list, stop, history,
task tokens, activity workers, TestState.

StartExecution is idempotent by name while the execution runs with the same
input (AWS's exactly-once rule); EXPRESS executions have ``express:`` ARNs that
Describe/Stop/GetExecutionHistory refuse with AWS's InvalidArn text.  Calls that
must wait on the clock's loop (StartSyncExecution, StopExecution,
GetActivityTask) go through ``clock.run``.
"""
from __future__ import annotations

import json
import math
from datetime import datetime, timezone

from lowcloud.asl import history as H
from lowcloud.errors import AwsError
from lowcloud.services.stepfunctions.common import NO_EXECUTION, NOT_FOUND, check_name, page, parse_arn
from lowcloud.services.stepfunctions.executions import describe


def _dt(epoch):
    return None if epoch is None else datetime.fromtimestamp(epoch, timezone.utc)


def parse_input(text) -> str:
    """The execution input as JSON text, or AWS's InvalidExecutionInput (Jackson's wording)."""
    if text is None:
        return "{}"
    if text.strip() == "":
        raise AwsError("InvalidExecutionInput", "Invalid State Machine Execution Input: 'Invalid execution input.'")
    try:
        json.loads(text)
    except ValueError as exc:
        raise AwsError("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{_jackson(text, exc)}'")
    return text


def _jackson(text: str, exc: ValueError) -> str:
    stripped = text.strip()
    if stripped[:1] == "{" and "'" in stripped[1:3]:
        return "Unexpected character (''' (code 39)): was expecting double-quote to start field name"
    token = stripped.split()[0] if stripped else ""
    if token and token[0].isalpha():
        return (f"Unrecognized token '{token}': was expecting (JSON String, Number, Array, Object or token "
                "'null', 'true' or 'false')")
    return str(exc)


class RunOps:
    # --- starting ----------------------------------------------------------------------------
    def _new_row(self, target: dict, name: str, input_text: str, arn: str) -> dict:
        machine = target["machine"]
        return {"arn": arn, "machine_arn": machine["arn"], "name": name, "status": "RUNNING", "input": input_text,
                "output": None, "error": None, "cause": None, "start": self.clock.now(), "stop": None,
                "version_arn": target["version"], "alias_arn": target["alias"], "definition": target["definition"],
                "role_arn": target["role"], "machine_name": machine["name"], "checkpoint": None,
                "map_run_arn": None, "seq": self.store.next_seq()}

    def start_execution(self, params: dict, req) -> dict:
        target = self.target(params.get("stateMachineArn"))
        name = params.get("name") or self.cloud.ids.uuid()
        check_name(name)
        input_text = parse_input(params.get("input"))
        machine = target["machine"]
        if machine["type"] == "EXPRESS":
            arn = self.states_arn("express", f"{machine['name']}:{name}:{self.cloud.ids.uuid()}")
            row = self._new_row(target, name, input_text, arn)
            self.executions.start(row, target["definition"], input_text, True, target["role"], machine["arn"],
                                  machine["name"], logging_json=machine.get("logging"))
            return {"executionArn": arn, "startDate": _dt(row["start"])}
        arn = self.states_arn("execution", f"{machine['name']}:{name}")
        existing = self.store.row("executions", arn)
        if existing is not None:
            if existing["status"] == "RUNNING" and existing["input"] == input_text:
                return {"executionArn": arn, "startDate": _dt(existing["start"])}
            raise AwsError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
        row = self._new_row(target, name, input_text, arn)
        self.executions.start(row, target["definition"], input_text, False, target["role"], machine["arn"],
                              machine["name"], logging_json=machine.get("logging"))
        return {"executionArn": arn, "startDate": _dt(row["start"])}

    def start_sync_execution(self, params: dict, req) -> dict:
        target = self.target(params.get("stateMachineArn"))
        machine = target["machine"]
        if machine["type"] != "EXPRESS":
            raise AwsError("StateMachineTypeNotSupported", "This operation is not supported by this type of "
                                                           "state machine")
        name = params.get("name") or self.cloud.ids.uuid()
        check_name(name)
        input_text = parse_input(params.get("input"))
        arn = self.states_arn("express", f"{machine['name']}:{name}:{self.cloud.ids.uuid()}")
        row = self._new_row(target, name, input_text, arn)
        live = self.executions.start(row, target["definition"], input_text, True, target["role"], machine["arn"],
                                     machine["name"], sync=True, logging_json=machine.get("logging"))
        self._wait_on_loop(self.executions._drive(live))
        return self._sync_result(row)

    def _sync_result(self, row: dict) -> dict:
        out = {k: v for k, v in describe(row).items() if not k.startswith("redrive")}
        out.pop("stateMachineVersionArn", None)
        out.pop("stateMachineAliasArn", None)
        millis = max(100, int(math.ceil((row["stop"] - row["start"]) * 10)) * 100)
        out["billingDetails"] = {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": millis}
        return out

    def _wait_on_loop(self, coro):
        if self.clock.in_loop():
            coro.close()
            raise AwsError("ServiceException", "StepFunctions cannot wait on its own clock thread", status=500)
        return self.clock.run(coro)

    # --- looking at executions -------------------------------------------------------------
    def execution_row(self, arn: str) -> dict:
        parse_arn(arn, "execution")
        return self.store.existing("executions", arn, NO_EXECUTION)

    def describe_execution(self, params: dict, req) -> dict:
        out = describe(self.execution_row(params.get("executionArn")))
        if params.get("includedData") == "METADATA_ONLY":
            for key in ("input", "output", "inputDetails", "outputDetails"):
                out.pop(key, None)
        return out

    def stop_execution(self, params: dict, req) -> dict:
        row = self.execution_row(params.get("executionArn"))
        if row["status"] == "RUNNING":
            stopped = self._wait_on_loop(self.executions.stop(row["arn"], params.get("error"), params.get("cause")))
            if stopped is not None:
                return {"stopDate": _dt(stopped)}
            row = self.execution_row(row["arn"])
        return {"stopDate": _dt(row["stop"] if row["stop"] is not None else self.clock.now())}

    def list_executions(self, params: dict, req) -> dict:
        if params.get("mapRunArn"):
            sql, args = "SELECT * FROM executions WHERE map_run_arn = ?", [params["mapRunArn"]]
        else:
            arn = params.get("stateMachineArn")
            kind, parts = parse_arn(arn, "stateMachine")
            machine = self.machine_row(self.states_arn("stateMachine", parts[0]) if len(parts) > 1 else arn)
            if machine["type"] == "EXPRESS":
                raise AwsError("StateMachineTypeNotSupported", "This operation is not supported by this type of "
                                                               "state machine")
            column = "machine_arn" if len(parts) == 1 else ("version_arn" if parts[1].isdigit() else "alias_arn")
            sql, args = f"SELECT * FROM executions WHERE {column} = ? AND map_run_arn IS NULL", [arn]
        if params.get("statusFilter"):
            sql += " AND status = ?"
            args.append(params["statusFilter"])
        rows = self.store.rows(sql + " ORDER BY seq DESC", tuple(args))
        return page([_listed(r) for r in rows], params, "executions")

    def get_execution_history(self, params: dict, req) -> dict:
        row = self.execution_row(params.get("executionArn"))
        events = self.executions.events(row["arn"])
        if params.get("reverseOrder"):
            events = events[::-1]
        include = params.get("includeExecutionData", True)
        result = page(events, params, "events")
        result["events"] = [H.to_api(e, include is not False) for e in result["events"]]
        return result

    def describe_state_machine_for_execution(self, params: dict, req) -> dict:
        row = self.execution_row(params.get("executionArn"))
        machine = self.store.row("machines", row["machine_arn"]) or {}
        out = {"stateMachineArn": row["version_arn"] or row["machine_arn"], "name": row["machine_name"],
               "definition": row["definition"], "roleArn": row["role_arn"],
               "updateDate": _dt(machine.get("updated") or machine.get("created") or row["start"]),
               "loggingConfiguration": json.loads(machine.get("logging") or '{"level": "OFF", '
                                                                        '"includeExecutionData": false}'),
               "tracingConfiguration": json.loads(machine.get("tracing") or '{"enabled": false}')}
        if machine.get("revision_id"):
            out["revisionId"] = machine["revision_id"]
        if row.get("map_run_arn"):
            out["mapRunArn"] = row["map_run_arn"]
        return out

    # --- task tokens and activity workers ----------------------------------------------------
    def _resolve(self, token: str, outcome: tuple) -> dict:
        callbacks = self.executions.callbacks
        if self.clock.in_loop():
            callbacks.resolve(token, outcome)
        else:
            async def deliver():
                callbacks.resolve(token, outcome)
            self.clock.run(deliver())
        return {}

    def send_task_success(self, params: dict, req) -> dict:
        output = params.get("output")
        try:
            json.loads(output)
        except (TypeError, ValueError):
            raise AwsError("InvalidOutput", f"Invalid State Machine Execution Output: '{output}'")
        return self._resolve(params.get("taskToken"), ("success", output))

    def send_task_failure(self, params: dict, req) -> dict:
        return self._resolve(params.get("taskToken"), ("failure", params.get("error"), params.get("cause")))

    def send_task_heartbeat(self, params: dict, req) -> dict:
        return self._resolve(params.get("taskToken"), ("heartbeat",))

    def redrive_execution(self, params: dict, req) -> dict:
        row = self.execution_row(params.get("executionArn"))
        if row["status"] in ("SUCCEEDED", "RUNNING") or not row.get("checkpoint"):
            reason = f"Execution is {row['status']} and cannot be redriven" if row["status"] in (
                "SUCCEEDED", "RUNNING") else "Execution failed before entering a state and cannot be redriven"
            raise AwsError("ExecutionNotRedrivable", reason)
        return {"redriveDate": _dt(self.executions.redrive(row))}

    # --- map runs ---------------------------------------------------------------------------------
    def _map_run_row(self, arn: str) -> dict:
        parse_arn(arn, "mapRun")
        return self.store.existing("map_runs", arn, NOT_FOUND, resourceName=arn)

    def describe_map_run(self, params: dict, req) -> dict:
        row = self._map_run_row(params.get("mapRunArn"))
        running = row["total"] - row["succeeded"] - row["failed"] if row["status"] == "RUNNING" else 0
        counts = {"pending": 0, "running": running, "succeeded": row["succeeded"], "failed": row["failed"],
                  "timedOut": 0, "aborted": 0, "total": row["total"], "resultsWritten": row["succeeded"]
                  + row["failed"], "failuresNotRedrivable": 0, "pendingRedrive": 0}
        out = {"mapRunArn": row["arn"], "executionArn": row["execution_arn"], "status": row["status"],
               "startDate": _dt(row["start"]), "maxConcurrency": row["max_concurrency"],
               "toleratedFailurePercentage": row["tolerated_percentage"],
               "toleratedFailureCount": row["tolerated_count"], "itemCounts": counts,
               "executionCounts": dict(counts), "redriveCount": 0}
        if row["stop"] is not None:
            out["stopDate"] = _dt(row["stop"])
        return out

    def list_map_runs(self, params: dict, req) -> dict:
        execution = self.execution_row(params.get("executionArn"))
        rows = self.store.rows("SELECT * FROM map_runs WHERE execution_arn = ? ORDER BY seq DESC",
                               (execution["arn"],))
        items = [{"executionArn": r["execution_arn"], "mapRunArn": r["arn"],
                  "stateMachineArn": execution["machine_arn"], "startDate": _dt(r["start"])}
                 | ({"stopDate": _dt(r["stop"])} if r["stop"] is not None else {}) for r in rows]
        return page(items, params, "mapRuns")

    def update_map_run(self, params: dict, req) -> dict:
        row = self._map_run_row(params.get("mapRunArn"))
        values = {}
        for key, col in (("maxConcurrency", "max_concurrency"), ("toleratedFailureCount", "tolerated_count"),
                         ("toleratedFailurePercentage", "tolerated_percentage")):
            if params.get(key) is not None:
                values[col] = params[key]
        if not values:
            raise AwsError("ValidationException", "At least one of the parameters maxConcurrency, "
                                                  "toleratedFailurePercentage or toleratedFailureCount must be "
                                                  "specified")
        self.store.update("map_runs", row["arn"], values)
        return {}

    def get_activity_task(self, params: dict, req) -> dict:
        arn = params.get("activityArn")
        self._activity_row(arn)
        waiter = self._wait_on_loop(self.executions.callbacks.poll(arn, params.get("workerName")))
        if waiter is None:
            return {}
        return {"taskToken": waiter.token, "input": waiter.input}


def _listed(r: dict) -> dict:
    item = {"executionArn": r["arn"], "stateMachineArn": r["machine_arn"], "name": r["name"], "status": r["status"],
            "startDate": _dt(r["start"])}
    if r["status"] != "RUNNING" and r["stop"] is not None:
        item["stopDate"] = _dt(r["stop"])
    for key, col in (("stateMachineVersionArn", "version_arn"), ("stateMachineAliasArn", "alias_arn"),
                     ("mapRunArn", "map_run_arn")):
        if r.get(col):
            item[key] = r[col]
    item["redriveCount"] = r.get("redrive_count") or 0
    if r.get("redrive_date") is not None:
        item["redriveDate"] = _dt(r["redrive_date"])
    return item
