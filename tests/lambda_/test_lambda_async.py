"""Asynchronous invocation: queued, retried on the clock per the event invoke config, destinations."""
from __future__ import annotations

import json

from lambda_helpers import TRUST, make_zip

from lowcloud.cloud import Cloud
from lowcloud.clock import VirtualClock

RECORDER = """
import json, os
def handler(event, context):
    with open(os.path.join(os.environ['OUT_DIR'], os.environ['OUT_FILE']), 'a') as out:
        out.write(json.dumps({'event': event, 'id': context.aws_request_id}) + '\\n')
    if os.environ.get('FAIL'):
        raise RuntimeError('always fails')
    return {'ok': True}
"""


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def recorder(deploy, name, tmp_path, fail=False):
    variables = {"OUT_DIR": str(tmp_path), "OUT_FILE": f"{name}.jsonl", **({"FAIL": "1"} if fail else {})}
    return deploy(name, {"app.py": RECORDER}, Environment={"Variables": variables})["FunctionArn"]


def test_failed_event_is_retried_then_sent_to_on_failure(cloud, lam, deploy, tmp_path):
    recorder(deploy, "failing", tmp_path, fail=True)
    sink = recorder(deploy, "sink", tmp_path)
    lam.put_function_event_invoke_config(FunctionName="failing", MaximumRetryAttempts=1,
                                         DestinationConfig={"OnFailure": {"Destination": sink}})
    started = cloud.clock.now()
    out = lam.invoke(FunctionName="failing", InvocationType="Event", Payload=b'{"order": 7}')
    assert out["StatusCode"] == 202
    cloud.clock.run_until_idle()
    attempts = lines(tmp_path / "failing.jsonl")
    assert [a["event"] for a in attempts] == [{"order": 7}, {"order": 7}]
    assert attempts[0]["id"] == attempts[1]["id"] == out["ResponseMetadata"]["RequestId"]
    assert cloud.clock.now() - started >= 60, "the retry waited a minute of clock time"
    (delivered,) = lines(tmp_path / "sink.jsonl")
    record = delivered["event"]
    assert record["requestContext"] == {"requestId": attempts[0]["id"], "condition": "RetriesExhausted",
                                        "functionArn": "arn:aws:lambda:us-east-1:000000000000:function:failing:$LATEST",
                                        "approximateInvokeCount": 2}
    assert record["requestPayload"] == {"order": 7} and record["version"] == "1.0"
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    assert record["responsePayload"]["errorType"] == "RuntimeError"


def test_default_async_config_tries_three_times(cloud, lam, deploy, tmp_path):
    recorder(deploy, "thrice", tmp_path, fail=True)
    started = cloud.clock.now()
    lam.invoke(FunctionName="thrice", InvocationType="Event", Payload=b"{}")
    cloud.clock.run_until_idle()
    assert len(lines(tmp_path / "thrice.jsonl")) == 3
    assert cloud.clock.now() - started >= 180, "one minute, then two minutes between attempts"


def test_success_goes_to_on_success(cloud, lam, deploy, tmp_path):
    recorder(deploy, "works", tmp_path)
    sink = recorder(deploy, "oksink", tmp_path)
    lam.put_function_event_invoke_config(FunctionName="works", DestinationConfig={"OnSuccess": {"Destination": sink}})
    lam.invoke(FunctionName="works", InvocationType="Event", Payload=b'{"a": 1}')
    cloud.clock.run_until_idle()
    (delivered,) = lines(tmp_path / "oksink.jsonl")
    assert delivered["event"]["requestContext"]["condition"] == "Success"
    assert delivered["event"]["responsePayload"] == {"ok": True}


def test_queued_events_survive_a_restart(tmp_path):
    data, out = tmp_path / "data", tmp_path / "out"
    out.mkdir()
    with Cloud(data_dir=data, clock=VirtualClock(start=1_700_000_000, auto=False), seed=3) as cloud:
        role = cloud.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
        cloud.client("lambda").create_function(
            FunctionName="failing", Runtime="python3.12", Role=role, Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": RECORDER})},
            Environment={"Variables": {"OUT_DIR": str(out), "OUT_FILE": "failing.jsonl", "FAIL": "1"}})
        cloud.client("lambda").invoke(FunctionName="failing", InvocationType="Event", Payload=b'{"n": 1}')
        cloud.clock.run_until_idle()
        assert len(lines(out / "failing.jsonl")) == 1, "the first retry waits a minute that never passes here"
    with Cloud(data_dir=data, clock=VirtualClock(start=1_700_000_000), seed=4) as cloud:
        cloud.client("lambda").list_functions()
        cloud.clock.run_until_idle()
    attempts = lines(out / "failing.jsonl")
    assert len(attempts) == 3 and len({a["id"] for a in attempts}) == 1
