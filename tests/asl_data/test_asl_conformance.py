"""Replays AWS-recorded Pass/Choice/Succeed/Fail executions through the data functions.

Each case id names the LocalStack snapshot test whose AWS recording it came from
(see README.md for provenance).
"""
from __future__ import annotations

import json
import pathlib

import pytest

from mini_runner import matches, run

CASES = [json.loads(line) for line in
         (pathlib.Path(__file__).parent / "conformance_cases.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_recorded_execution(case):
    expected = case["expected"]
    got = run(case["definition"], case["input"])
    assert got["status"] == expected["status"], got
    if expected["status"] == "SUCCEEDED":
        assert matches(expected["output"], got["output"]), (expected["output"], got["output"])
    else:
        assert got["error"] == expected["error"]
        if expected.get("cause") is None:
            assert got["cause"] in (None, "")
        else:
            assert matches(expected["cause"], got["cause"]), got["cause"]
