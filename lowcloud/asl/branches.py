"""Parallel and inline Map: child frames run by the same step loop.

Branches and iterations are coroutines on the clock's loop (asyncio tasks,
bounded by a semaphore for MaxConcurrency; a MaxConcurrency of 1 runs them in
a plain loop, which also keeps history in AWS's order).  The first failure
cancels the siblings; a cancelled child's current Task/Wait/Map/Parallel state
records its ``*StateAborted`` event, as AWS does.  Children see a copy of the
outer variables (read-only for the outer scope, AWS's scoping rule).
Distributed Map reuses ``map_items`` and ``run_items`` (distributed.py).
"""
from __future__ import annotations

import asyncio

from lowcloud.asl import paths
from lowcloud.asl.definition import ABSENT, processor_mode
from lowcloud.asl.errors import StatesError
from lowcloud.asl.interpreter import Frame, Visit, dumps, located
from lowcloud.asl.jsonata import evaluate_template, evaluate_typed


async def gather_or_cancel(coros, limit: int = 0):
    """Run coroutines concurrently (at most ``limit`` at once, 0 = no limit); first error wins."""
    if limit == 1:
        return await _in_order(coros)
    sem = asyncio.Semaphore(limit) if limit > 0 else None

    async def bounded(c):
        async with sem:
            return await c

    tasks = [asyncio.ensure_future(bounded(c) if sem else c) for c in coros]
    try:
        return await asyncio.gather(*tasks)
    except BaseException:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def _in_order(coros: list) -> list:
    results = []
    try:
        for c in coros:
            results.append(await c)
    finally:
        for c in coros[len(results) + 1:]:
            c.close()
    return results


# --- Parallel --------------------------------------------------------------------

async def guarded(v: Visit, failed_event: str, body):
    """Run a Parallel/Map body; a failure records ``failed_event`` (not for States.Runtime), then Catch."""
    try:
        output, assigned = await body()
    except StatesError as err:
        if err.error != "States.Runtime":
            v.run.emit(v.frame, failed_event)
        return v.run.try_catch(v, err)
    return v.exit(output, assigned)


async def run_parallel(v: Visit, resume=None):
    return await guarded(v, "ParallelStateFailed", lambda: _parallel(v))


async def _parallel(v: Visit):
    data, scope = _state_input(v, "Arguments")
    results = await v.run.retrying(v, lambda: _branches(v, data))
    return finish_state(v, scope, results)


async def _branches(v: Visit, data):
    run = v.run
    started = run.emit(v.frame, "ParallelStateStarted")
    frames = [v.frame.child(started, "branch") for _ in v.state.branches]
    coros = [run.run_machine(b, data, f) for b, f in zip(v.state.branches, frames)]
    try:
        results = await gather_or_cancel(coros)
    except StatesError as err:
        v.frame.last = max(f.last for f in frames)
        raise located(err.error, err.cause)
    v.frame.last = max(f.last for f in frames)
    run.history.add("ParallelStateSucceeded", v.frame.last)  # AWS chains the exit to the branches, not to it
    return results


def _state_input(v: Visit, template_field: str):
    """The state's effective input: InputPath+Parameters (JSONPath) or Arguments (JSONata)."""
    scope = v.scope()
    try:
        if v.state.jsonata:
            if v.state.arguments is ABSENT:
                return v.input, scope
            return evaluate_template(v.state.arguments, v.states_var(scope.context), scope, template_field), scope
        return v.run.effective_input(v, scope), scope
    except StatesError as err:
        raise v.locate(err)


def finish_state(v: Visit, scope, result):
    """ResultSelector/ResultPath/OutputPath (JSONPath) or Output/Assign (JSONata) of a Parallel/Map result."""
    try:
        if v.state.jsonata:
            return v.run.finish_jsonata(v, scope, result, result)
        return v.run.finish_jsonpath(v, scope, result)
    except StatesError as err:
        raise v.locate(err)


# --- Map -------------------------------------------------------------------------

async def run_map(v: Visit, resume=None):
    if processor_mode(v.state) == "DISTRIBUTED":
        from lowcloud.asl.distributed import run_distributed
        return await run_distributed(v, resume)
    return await guarded(v, "MapStateFailed", lambda: _inline_map(v))


async def _inline_map(v: Visit):
    data, scope = map_input(v)
    items = map_items(v, data, scope)
    limit = max_concurrency(v, data, scope)
    results = await v.run.retrying(v, lambda: _iterations(v, data, items, limit))
    return finish_state(v, scope, results)


def map_input(v: Visit):
    """The Map state's effective input: InputPath applied (JSONPath) or the raw input (JSONata)."""
    scope = v.scope()
    if v.state.jsonata:
        return v.input, scope
    try:
        return paths.apply_input_path(v.input, v.state.input_path, scope), scope
    except StatesError as err:
        raise v.locate(err)


def map_items(v: Visit, data, scope) -> list:
    """Items (JSONata) or ItemsPath (JSONPath) of the effective input; must be an array."""
    raw = v.state.raw
    try:
        if v.state.jsonata:
            if "Items" in raw:
                return evaluate_typed(raw["Items"], v.states_var(scope.context), scope, "Items", "array")
            items = data
        else:
            items = paths.read_path(raw.get("ItemsPath", "$"), data, scope, "ItemsPath")
        if not isinstance(items, list):
            raise StatesError("States.QueryEvaluationError", f"Map state input must be an array but was: "
                                                             f"{dumps(items)}")
        return items
    except StatesError as err:
        raise v.locate(err)


def max_concurrency(v: Visit, data, scope) -> int:
    raw = v.state.raw
    try:
        if "MaxConcurrencyPath" in raw:
            value = paths.read_path(raw["MaxConcurrencyPath"], data, scope, "MaxConcurrencyPath")
        elif v.state.jsonata and isinstance(raw.get("MaxConcurrency"), str):
            value = evaluate_template(raw["MaxConcurrency"], v.states_var(scope.context), scope, "MaxConcurrency")
        else:
            value = raw.get("MaxConcurrency", 0)
    except StatesError as err:
        raise v.locate(err)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise v.locate(StatesError("States.Runtime", f"The MaxConcurrencyPath field refers to value "
                                                     f"\"{dumps(value)}\" which is not a valid integer"))
    return value


def item_input(v: Visit, data, index: int, item, scope):
    """What one iteration receives: ItemSelector/Parameters applied, or the item itself."""
    raw = v.state.raw
    selector = raw.get("ItemSelector", raw.get("Parameters", ABSENT))
    if selector is ABSENT:
        return item
    ctx = {**scope.context, "Map": {"Item": {"Index": index, "Value": item}}}
    sub = type(scope)(ctx, scope.variables, scope.ids, scope.state_name)
    try:
        if v.state.jsonata:
            return evaluate_template(selector, v.states_var(ctx), sub, "ItemSelector")
        return paths.apply_payload_template(selector, data, sub, "ItemSelector")
    except StatesError as err:
        raise v.locate(err)


async def _iterations(v: Visit, data, items: list, limit: int):
    """Run the iterations; previousEventIds follow AWS: iteration markers chain to the inner events."""
    run = v.run
    started = run.emit(v.frame, "MapStateStarted", {"length": len(items)})
    scope = v.scope()
    inputs = [item_input(v, data, i, item, scope) for i, item in enumerate(items)]
    marker = {"last": started, "done": started}
    coros = [_iteration(v, i, items[i], inputs[i], marker) for i in range(len(items))]
    try:
        results = await gather_or_cancel(coros, limit)
    except StatesError as err:
        v.frame.last = marker["last"]
        raise located(err.error, err.cause)
    v.frame.last = marker["done"]
    run.history.add("MapStateSucceeded", v.frame.last)
    return results


async def _iteration(v: Visit, index: int, item, value, marker: dict):
    run, name = v.run, v.state.name
    detail = {"index": index, "name": name}
    first = run.emit(v.frame, "MapIterationStarted", detail, prev=marker["last"])
    frame = v.frame.child(first, "iteration", {"Index": index, "Value": item})
    try:
        result = await run.run_machine(v.state.processor, value, frame)
    except StatesError:
        marker["last"] = frame.last
        run.emit(frame, "MapIterationFailed", detail)
        raise
    except asyncio.CancelledError:
        run.emit(frame, "MapIterationAborted", detail)
        raise
    marker["last"] = frame.last
    marker["done"] = run.emit(frame, "MapIterationSucceeded", detail)
    return result


ABORTABLE = frozenset({"Task", "Wait", "Map", "Parallel"})


def aborted_event(state, frame: Frame, cancelled: bool):
    """The ``*StateAborted`` event type a failing/cancelled child state records, if any."""
    if frame.kind == "execution" or state.type not in ABORTABLE:
        return None
    if cancelled or frame.kind == "branch":
        return state.type + "StateAborted"
    return None

