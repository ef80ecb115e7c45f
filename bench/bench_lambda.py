"""Lambda on the SystemClock: DynamoDB put-item -> the stream-mapped function's first line (p50/p95),
warm RequestResponse round trip, and cold start, against the targets (no peer runs functions this way;
AWS itself polls a stream shard 4 times a second, ~125 ms on average before the function even starts).

    python bench/bench_lambda.py
"""
from __future__ import annotations

import io
import json
import os
import statistics
import sys
import tempfile
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import Result  # noqa: E402

TITLE = "Lambda (SystemClock)"
SAMPLES = 60
FIRST_LINE = "import os, time\ndef handler(event, context):\n    now = time.time()\n" \
             "    with open(os.environ['OUT'], 'a') as out:\n        out.write(f'{now}\\n')\n    return None\n"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def _zip(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", text)
    return buffer.getvalue()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _stream_latency(cloud, out: str) -> list[float]:
    ddb, lam = cloud.client("dynamodb"), cloud.client("lambda")
    role = cloud.client("iam").create_role(RoleName="bench", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    stream = ddb.create_table(TableName="bench", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST",
                              StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
                              )["TableDescription"]["LatestStreamArn"]
    lam.create_function(FunctionName="first-line", Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": _zip(FIRST_LINE)}, Environment={"Variables": {"OUT": out}})
    lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="first-line", StartingPosition="LATEST")
    time.sleep(0.5)  # let the mapping pre-warm its worker, as a long-running pipeline would be
    delays = []
    for i in range(SAMPLES):
        seen = _count(out)
        sent = time.time()
        ddb.put_item(TableName="bench", Item={"pk": {"S": f"k{i}"}})
        while _count(out) == seen:
            time.sleep(0.0005)
        delays.append((float(open(out).read().split()[-1]) - sent) * 1000)
        time.sleep(0.02)
    return delays


def _count(path: str) -> int:
    try:
        with open(path) as f:
            return sum(1 for _ in f)
    except FileNotFoundError:
        return 0


def _invoke_latency(cloud) -> tuple[float, float]:
    lam = cloud.client("lambda")
    role = cloud.client("iam").create_role(RoleName="bench2", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    lam.create_function(FunctionName="echo", Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": _zip("def handler(e, c):\n    return e\n")})
    started = time.perf_counter()
    lam.invoke(FunctionName="echo", Payload=b"{}")
    cold = (time.perf_counter() - started) * 1000
    warm = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        lam.invoke(FunctionName="echo", Payload=b'{"x": 1}')
        warm.append((time.perf_counter() - started) * 1000)
    return cold, statistics.median(warm)


def run() -> list[Result]:
    from lowcloud.cloud import Cloud
    from lowcloud.clock import SystemClock
    with tempfile.TemporaryDirectory() as tmp:
        with Cloud(data_dir=os.path.join(tmp, "data"), clock=SystemClock(), seed=1) as cloud:
            delays = _stream_latency(cloud, os.path.join(tmp, "first-line.txt"))
            cold, warm = _invoke_latency(cloud)
    return [Result("put-item -> first line, p50", statistics.median(delays), 0, "ms", 50),
            Result("put-item -> first line, p95", _percentile(delays, 0.95), 0, "ms", 50),
            Result("warm invoke round trip, p50", warm, 0, "ms", 20),
            Result("cold invoke (python, first call)", cold, 0, "ms", 1000)]


if __name__ == "__main__":
    from common import print_results
    print_results(TITLE, run())
