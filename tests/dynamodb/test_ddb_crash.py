"""SIGKILL during a stream of acknowledged PutItems: every acknowledged item and its stream record survive."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from lowcloud.cloud import Cloud
from lowcloud.clock import VirtualClock

WRITER = textwrap.dedent("""
    import sys
    from lowcloud.cloud import Cloud
    from lowcloud.clock import VirtualClock
    cloud = Cloud(data_dir=sys.argv[1], clock=VirtualClock(start=1_700_000_000), seed=3)
    ddb = cloud.service("dynamodb")
    ddb.create_table({"TableName": "crash", "BillingMode": "PAY_PER_REQUEST",
                      "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                      "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                      "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}})
    print("ready", flush=True)
    i = 0
    while True:
        ddb.put_item({"TableName": "crash", "Item": {"pk": {"S": f"k{i}"}, "n": {"N": str(i)}}})
        print(i, flush=True)
        i += 1
""")


def test_acknowledged_puts_survive_sigkill(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.getcwd(), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True, env=env)
    acknowledged = []
    try:
        assert proc.stdout.readline().strip() == "ready"
        while len(acknowledged) < 300:
            acknowledged.append(int(proc.stdout.readline()))
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    with Cloud(data_dir=tmp_path, clock=VirtualClock(start=1_700_000_100), seed=4) as cloud:
        ddb = cloud.client("dynamodb")
        stored = set()
        for page in ddb.get_paginator("scan").paginate(TableName="crash"):
            stored |= {int(item["n"]["N"]) for item in page["Items"]}
        assert set(acknowledged) <= stored
        streams = cloud.client("dynamodbstreams")
        arn = ddb.describe_table(TableName="crash")["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        recorded = set()
        while iterator and len(recorded) < len(stored):
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            if not page["Records"]:
                break
            recorded |= {int(r["dynamodb"]["NewImage"]["n"]["N"]) for r in page["Records"]}
            iterator = page.get("NextShardIterator")
        assert set(acknowledged) <= recorded
