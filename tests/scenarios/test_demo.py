"""The seed pipelines of `lowcloud demo`, end to end on a virtual clock (seeds 003, 002, 000)."""
import io

from rich.console import Console

from lowcloud.demo import run_demo


def test_demo_runs_every_served_seed_end_to_end():
    buffer = io.StringIO()
    ok = run_demo(Console(file=buffer, width=400), None)
    text = buffer.getvalue()
    assert ok, text
    # seed 003: the function's log shows START, the INSERT record from the stream, END and REPORT
    assert "START RequestId:" in text and "'eventName': 'INSERT'" in text and "'StreamViewType': 'NEW_AND_OLD_IMAGES'" in text
    assert "END RequestId:" in text and "REPORT RequestId:" in text
    # seed 002: three scheduled runs put the item
    assert text.count("Send Request success") == 3 and "'tablekeyname': {'S': 'tablekeyvalue'}" in text
    # seed 000: both export formats finished through the state machine and wrote data files
    assert "DYNAMODB_JSON: execution SUCCEEDED" in text and ".json.gz" in text
    assert "ION: execution SUCCEEDED" in text and ".ion.gz" in text
    for seed in ("003", "002", "000"):
        assert f"seed {seed} ok" in text
