"""Executions in flight: start, drive on the clock's loop, stop, persist, resume.

``Executions`` is the engine's window on the world (the ``env`` the ASL
interpreter and TaskRunner see): clock, ids, cloud, task tokens, child
executions.  Each STANDARD execution's events are buffered and written to
SQLite in one transaction whenever the execution yields to the loop (a Wait,
a task, a timer) and when it ends, together with its checkpoint: the top-level
state it is in, that state's input and the variables.  A restarted Cloud
re-enters that state (a Wait keeps its original due time), which is the
"resume from history" durability DESIGN.md asks for, at top-level-state grain.
EXPRESS executions keep no history (AWS has none) and touch no storage.
"""
from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timezone

from lowcloud.asl import history as H
from lowcloud.asl.callbacks import Callbacks
from lowcloud.asl.definition import load
from lowcloud.asl.errors import StatesError
from lowcloud.asl.interpreter import Frame, Run, dumps, iso_millis
from lowcloud.asl.tasks import TaskRunner
from lowcloud.services.stepfunctions.cwlogs import ExecutionLog

log = logging.getLogger("lowcloud.stepfunctions")
EXPRESS_MAX_SECONDS = 300
TERMINAL_EVENTS = {"SUCCEEDED": "ExecutionSucceeded", "FAILED": "ExecutionFailed",
                   "TIMED_OUT": "ExecutionTimedOut", "ABORTED": "ExecutionAborted"}


class Live:
    """One execution while it runs."""

    __slots__ = ("row", "history", "pending", "checkpoint", "flush_due", "task", "stop_reason", "waiters",
                 "express", "machine", "context", "input", "timer", "dirty")

    def __init__(self, row: dict, machine, context: dict, input_value, express: bool):
        self.row, self.machine, self.context, self.input = row, machine, context, input_value
        self.express = express
        self.history = None
        self.pending: list = []
        self.checkpoint = None
        self.flush_due = False
        self.dirty = False
        self.task = None
        self.stop_reason = None
        self.waiters: list = []
        self.timer = None


class ExecEnv:
    """The engine's env for one execution: shared services plus this execution's checkpoint hooks."""

    __slots__ = ("manager", "live", "clock", "ids", "tasks")

    def __init__(self, manager: "Executions", live: Live):
        self.manager, self.live = manager, live
        self.clock, self.ids, self.tasks = manager.clock, manager.ids, manager.tasks

    def __getattr__(self, name):
        return getattr(self.manager, name)

    def checkpoint(self, state: str, value, variables: dict) -> None:
        live = self.live
        if live.express:
            return
        live.checkpoint = {"state": state, "input": value, "variables": dict(variables),
                           "count": live.history.count}
        self.manager.schedule_flush(live)

    async def run_child_execution(self, arn: str, name: str, map_run_arn: str, definition: str, value) -> tuple:
        """A Distributed Map's STANDARD child: a real execution (listable by map run) run to its end."""
        parent = self.live.row
        machine_arn = arn.replace(":execution:", ":stateMachine:", 1).rsplit(":", 1)[0]
        label = machine_arn.rsplit(":", 1)[1]
        row = {"arn": arn, "machine_arn": machine_arn, "name": name, "status": "RUNNING", "input": dumps(value),
               "output": None, "error": None, "cause": None, "start": self.clock.now(), "stop": None,
               "version_arn": None, "alias_arn": None, "definition": definition, "role_arn": parent["role_arn"],
               "machine_name": label, "checkpoint": None, "map_run_arn": map_run_arn,
               "seq": self.manager.store.next_seq()}
        self.manager.start(row, definition, row["input"], False, parent["role_arn"], machine_arn, label)
        done = await self.manager.await_execution(arn)
        if done["status"] == "SUCCEEDED":
            return "SUCCEEDED", json.loads(done["output"]), None
        failure = {"Error": done.get("error"), "Cause": done.get("cause")}
        return done["status"], None, {k: v for k, v in failure.items() if v is not None}

    def waiting_until(self, due: float) -> None:
        if self.live.checkpoint is not None:
            self.live.checkpoint["due"] = due
            self.manager.schedule_flush(self.live)


class Executions:
    def __init__(self, service, store):
        self.service, self.store = service, store
        self.cloud = service.cloud
        self.clock, self.ids = service.clock, service.cloud.ids
        self.region, self.account = service.region, service.account
        self.callbacks = Callbacks(self.clock, self.ids)
        self.tasks = TaskRunner(self)
        self.live: dict[str, Live] = {}
        self._machines: dict[str, object] = {}

    # --- env for integrations ---------------------------------------------------------
    def activity_exists(self, arn: str) -> bool:
        return self.store.row("activities", arn) is not None

    async def await_execution(self, arn: str) -> dict:
        """A child execution's DescribeExecution (dates as epoch millis) once it has finished."""
        live = self.live.get(arn)
        if live is not None:
            fut = self.clock.loop.create_future()
            live.waiters.append(fut)
            return await fut
        row = self.store.row("executions", arn)
        return jsonable_describe(describe(row))

    def machine(self, definition: str):
        found = self._machines.get(definition)
        if found is None:
            if len(self._machines) > 256:
                self._machines.clear()
            found = self._machines[definition] = load(definition)
        return found

    # --- start ---------------------------------------------------------------------------
    def start(self, row: dict, machine_def: str, input_text: str, express: bool, role_arn: str,
              machine_arn: str, machine_name: str, sync: bool = False, logging_json: str | None = None) -> Live:
        """Register and launch an execution; returns its Live (already running on the loop)."""
        input_value = json.loads(input_text)
        context = {"Execution": {"Id": row["arn"], "Input": input_value, "Name": row["name"], "RoleArn": role_arn,
                                 "StartTime": iso_millis(row["start"])},
                   "StateMachine": {"Id": machine_arn, "Name": machine_name}}
        if not sync:
            context["Execution"]["RedriveCount"] = 0
        live = Live(row, self.machine(machine_def), context, input_value, express)
        live.history = H.History(self.clock, keep=not express, on_event=None if express else
                                 (lambda e, lv=live: self._pending(lv, e)),
                                 log=ExecutionLog.for_machine(self.service, logging_json, row["arn"], machine_name))
        started = {**H.data("input", input_text), "roleArn": role_arn}
        for key, col in (("stateMachineVersionArn", "version_arn"), ("stateMachineAliasArn", "alias_arn")):
            if row.get(col):
                started[key] = row[col]
        live.history.add("ExecutionStarted", 0, started)
        if not express:
            events, live.pending = live.pending, []
            self.store.start_execution(row, events)
            self.live[row["arn"]] = live
        if not sync:
            self.publish(live)
            self.clock.spawn(self._drive(live))
        return live

    def resume_all(self) -> None:
        """Re-enter every STANDARD execution a previous Cloud left RUNNING."""
        for row in self.store.running():
            if row.get("map_run_arn"):  # its parent re-enters the Map state and starts fresh children
                self.store.update("executions", row["arn"], {"status": "ABORTED", "stop": self.clock.now()})
                continue
            try:
                self._resume(row)
            except Exception:  # a broken row must not stop the service from starting
                log.exception("could not resume %s", row["arn"])

    def _resume(self, row: dict, redrive: bool = False) -> None:
        """Re-enter the checkpointed top-level state (restart) or the failed one (RedriveExecution)."""
        machine = self.machine(row["definition"])
        input_value = json.loads(row["input"])
        context = {"Execution": {"Id": row["arn"], "Input": input_value, "Name": row["name"],
                                 "RoleArn": row["role_arn"], "StartTime": iso_millis(row["start"]),
                                 "RedriveCount": row.get("redrive_count") or 0},
                   "StateMachine": {"Id": row["machine_arn"], "Name": row["machine_name"]}}
        live = Live(row, machine, context, input_value, False)
        checkpoint = json.loads(row["checkpoint"]) if row.get("checkpoint") else None
        if not redrive:
            self.store.truncate_events(row["arn"], checkpoint["count"] if checkpoint else 1)
        events = self.store.events(row["arn"])
        machine_row = self.store.row("machines", row["machine_arn"]) or {}
        live.history = H.History(self.clock, True, events, lambda e, lv=live: self._pending(lv, e),
                                 ExecutionLog.for_machine(self.service, machine_row.get("logging"), row["arn"],
                                                          row["machine_name"], row.get("redrive_count") or 0))
        if redrive:
            live.history.add("ExecutionRedriven", 0, {"redriveCount": row["redrive_count"]})
            checkpoint = {**checkpoint, "count": live.history.count, "due": None}
        live.checkpoint = checkpoint
        self.live[row["arn"]] = live
        self.clock.spawn(self._drive(live, checkpoint))
        if redrive:
            self.publish(live)

    def redrive(self, row: dict) -> float:
        """RedriveExecution: run a failed/aborted/timed-out execution again from the state it stopped in."""
        now = self.clock.now()
        row.update(status="RUNNING", output=None, error=None, cause=None, stop=None,
                   redrive_count=(row.get("redrive_count") or 0) + 1, redrive_date=now)
        self.store.update("executions", row["arn"], {k: row[k] for k in (
            "status", "output", "error", "cause", "stop", "redrive_count", "redrive_date")})
        self._resume(row, redrive=True)
        return now

    def record_map_run(self, arn: str, execution_arn: str, status: str, counts: dict, max_concurrency: int,
                       tolerance: tuple) -> None:
        existing = self.store.row("map_runs", arn)
        now = self.clock.now()
        self.store.insert("map_runs", {
            "arn": arn, "execution_arn": execution_arn, "status": status,
            "start": existing["start"] if existing else now, "stop": None if status == "RUNNING" else now,
            "max_concurrency": max_concurrency, "tolerated_count": tolerance[0],
            "tolerated_percentage": tolerance[1], "succeeded": counts.get("succeeded", 0),
            "failed": counts.get("failed", 0), "total": counts.get("total", 0),
            "seq": existing["seq"] if existing else self.store.next_seq()})

    # --- driving -----------------------------------------------------------------------------
    async def _drive(self, live: Live, checkpoint: dict | None = None):
        live.task = asyncio.current_task()
        self._arm_timeout(live)
        run = Run(live.machine, live.context, ExecEnv(self, live), live.history)
        frame = Frame(last=0 if checkpoint is None else live.history.count)
        start, value, resume = None, live.input, None
        if checkpoint is not None:
            start, value = checkpoint["state"], checkpoint["input"]
            frame.variables = dict(checkpoint.get("variables") or {})
            resume = {"due": checkpoint.get("due")}
        outcome = await self._outcome(live, run, frame, value, start, resume)
        return self._finish(live, *outcome)

    async def _outcome(self, live: Live, run: Run, frame: Frame, value, start, resume) -> tuple:
        """Run to the end; (status, output, error, cause) with the terminal event recorded."""
        try:
            if live.stop_reason is not None:
                raise asyncio.CancelledError()
            output = dumps(await run.run_machine(live.machine, value, frame, start, resume))
            live.history.add("ExecutionSucceeded", frame.last, H.data("output", output))
            return "SUCCEEDED", output, None, None
        except StatesError as err:
            live.history.add("ExecutionFailed", frame.last, H.failure(err.error, err.cause))
            return "FAILED", None, err.error, err.cause
        except asyncio.CancelledError:
            status, error, cause = live.stop_reason or ("ABORTED", None, None)
            live.history.add(TERMINAL_EVENTS[status], 0 if status == "ABORTED" else frame.last,
                             H.failure(error, cause))
            return status, None, error, cause
        except Exception as exc:  # an engine bug must end the execution, not the loop
            log.exception("execution %s crashed", live.row["arn"])
            cause = f"Internal error: {type(exc).__name__}: {exc}"
            live.history.add("ExecutionFailed", frame.last, H.failure("States.Runtime", cause))
            return "FAILED", None, "States.Runtime", cause

    def _arm_timeout(self, live: Live) -> None:
        """The definition's TimeoutSeconds; an Express execution never outlives five minutes."""
        seconds = live.machine.timeout_seconds
        if live.express:
            seconds = min(seconds, EXPRESS_MAX_SECONDS) if isinstance(seconds, int) and seconds > 0 \
                else EXPRESS_MAX_SECONDS
        if isinstance(seconds, int) and seconds > 0:
            due = live.row["start"] + seconds
            live.timer = self.clock.loop.call_later(max(0.0, due - self.clock.now()), self._time_out, live)

    def _time_out(self, live: Live) -> None:
        if live.task is not None and not live.task.done() and live.stop_reason is None:
            live.stop_reason = ("TIMED_OUT", "States.Timeout", None)
            live.task.cancel()

    def _finish(self, live: Live, status: str, output, error, cause) -> dict:
        if live.timer is not None:
            live.timer.cancel()
        row = live.row
        row.update(status=status, output=output, error=error, cause=cause, stop=self.clock.now())
        if not live.express:
            events, live.pending = live.pending, []
            final = {k: row[k] for k in ("status", "output", "error", "cause", "stop")}
            keep = json.dumps(live.checkpoint, separators=(",", ":")) if status != "SUCCEEDED" and live.checkpoint \
                else None
            row["checkpoint"] = keep
            self.store.save_progress(row["arn"], events, keep, final)
            self.live.pop(row["arn"], None)
        described = describe(row)
        for fut in live.waiters:
            if not fut.done():
                fut.set_result(jsonable_describe(described))
        self.publish(live)
        return described

    # --- persistence ---------------------------------------------------------------------------
    def _pending(self, live: Live, event: dict) -> None:
        live.pending.append(event)
        self.schedule_flush(live)

    def schedule_flush(self, live: Live) -> None:
        live.dirty = True
        if not live.flush_due:
            live.flush_due = True
            self.clock.loop.call_soon(self._flush, live)

    def _flush(self, live: Live) -> None:
        live.flush_due = False
        if not live.dirty or live.row["arn"] not in self.live:
            return
        live.dirty = False
        events, live.pending = live.pending, []
        checkpoint = json.dumps(live.checkpoint, separators=(",", ":")) if live.checkpoint else None
        self.store.save_progress(live.row["arn"], events, checkpoint)

    # --- stop / queries ------------------------------------------------------------------------
    async def stop(self, arn: str, error, cause) -> float | None:
        """StopExecution on the loop: cancel the run and wait until it has recorded ExecutionAborted."""
        live = self.live.get(arn)
        if live is None:
            return None
        if live.stop_reason is None:
            live.stop_reason = ("ABORTED", error, cause)
        if live.task is not None and not live.task.done():
            live.task.cancel()
            try:
                await asyncio.shield(live.task)
            except BaseException:
                pass
        return live.row.get("stop")

    def events(self, arn: str) -> list[dict]:
        live = self.live.get(arn)
        if live is not None:
            return list(live.history.events)
        return self.store.events(arn)

    def publish(self, live: Live) -> None:
        self.cloud.fabric.publish("states.execution", describe(live.row))


def _dt(epoch) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, timezone.utc)


def describe(row: dict) -> dict:
    """DescribeExecution's answer for an execution row."""
    out = {"executionArn": row["arn"], "stateMachineArn": row["machine_arn"], "name": row["name"],
           "status": row["status"], "startDate": _dt(row["start"]), "input": row["input"],
           "inputDetails": {"included": True}}
    if row.get("stop") is not None and row["status"] != "RUNNING":
        out["stopDate"] = _dt(row["stop"])
    if row["status"] == "SUCCEEDED":
        out["output"] = row["output"]
        out["outputDetails"] = {"included": True}
    for key in ("error", "cause"):
        if row.get(key) is not None:
            out[key] = row[key]
    for key, col in (("stateMachineVersionArn", "version_arn"), ("stateMachineAliasArn", "alias_arn"),
                     ("mapRunArn", "map_run_arn")):
        if row.get(col):
            out[key] = row[col]
    out.update(redrive_fields(row))
    return out


def redrive_fields(row: dict) -> dict:
    out = {"redriveCount": row.get("redrive_count") or 0}
    if row.get("redrive_date") is not None:
        out["redriveDate"] = _dt(row["redrive_date"])
    if row["status"] in ("SUCCEEDED", "RUNNING"):
        out["redriveStatus"] = "NOT_REDRIVABLE"
        out["redriveStatusReason"] = f"Execution is {row['status']} and cannot be redriven"
    elif row.get("checkpoint"):
        out["redriveStatus"] = "REDRIVABLE"
    else:
        out["redriveStatus"] = "NOT_REDRIVABLE"
        out["redriveStatusReason"] = "Execution failed before entering a state and cannot be redriven"
    return out


def jsonable_describe(d: dict) -> dict:
    """Describe output with dates as epoch millis (how integrations hand them to states)."""
    return {k: int(v.timestamp() * 1000) if isinstance(v, datetime) else v for k, v in d.items()}
