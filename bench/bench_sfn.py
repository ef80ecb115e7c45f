"""Step Functions: a 100-Pass chain and an inline Map over 1,000 items, in-process, against moto.

moto runs state machines only with ``execute_state_machine``; it crashes on a second
StartExecution in one mock (moto 5.2.1), so each moto run gets a fresh mock.
Pollers sleep briefly between DescribeExecution calls so the clock thread is not
starved.  Latency is start-to-SUCCEEDED of the chain on lowcloud (target < 10 ms p50).
"""
from __future__ import annotations

import json
import statistics
import time

from common import Result, lowcloud_cloud, moto_client

TITLE = "Step Functions"
ROLE = "arn:aws:iam::000000000000:role/bench"
CHAIN = 100
ITEMS = 1000


def chain_definition() -> str:
    states = {f"P{i}": {"Type": "Pass", "Next": f"P{i + 1}"} for i in range(CHAIN - 1)}
    states[f"P{CHAIN - 1}"] = {"Type": "Pass", "End": True}
    return json.dumps({"StartAt": "P0", "States": states})


def map_definition() -> str:
    return json.dumps({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemsPath": "$.items", "End": True,
        "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}}}})


def run_once(sfn, definition: str, name: str, payload: dict) -> float:
    """Seconds from StartExecution to SUCCEEDED (polling DescribeExecution)."""
    arn = sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE)["stateMachineArn"]
    start = time.perf_counter()
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps(payload))["executionArn"]
    while (status := sfn.describe_execution(executionArn=execution)["status"]) == "RUNNING":
        time.sleep(0.0002)
    if status != "SUCCEEDED":
        raise RuntimeError(f"{name}: {status}")
    return time.perf_counter() - start


def measure(sfn, runs: int) -> tuple[float, float, list[float]]:
    chain = [run_once(sfn, chain_definition(), f"chain{i}", {}) for i in range(runs)]
    items = {"items": list(range(ITEMS))}
    mapped = min(run_once(sfn, map_definition(), f"map{i}", items) for i in range(2))
    return CHAIN / min(chain), ITEMS / mapped, chain


def _moto_once(definition: str, payload: dict) -> float:
    with moto_client("stepfunctions", stepfunctions={"execute_state_machine": True}) as sfn:
        return run_once(sfn, definition, "moto", payload)


def run() -> list[Result]:
    cloud = lowcloud_cloud()
    try:
        ours_chain, ours_map, latencies = measure(cloud.client("stepfunctions"), 20)
    finally:
        cloud.close()
    moto_chain = CHAIN / _moto_once(chain_definition(), {})
    moto_map = ITEMS / _moto_once(map_definition(), {"items": list(range(ITEMS))})
    p50 = statistics.median(latencies) * 1000
    return [
        Result("100-Pass chain, transitions/s", ours_chain, moto_chain, "ops/s", 20),
        Result("inline Map 1,000 items, items/s", ours_map, moto_map, "ops/s", 20),
        Result("100-Pass chain start->SUCCEEDED p50", p50, 0, "ms", 10, peer_name="limit"),
    ]
