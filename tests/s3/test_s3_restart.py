"""Objects survive a clean restart and a SIGKILL right after PUTs were answered."""
from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import textwrap

from boto3.s3.transfer import TransferConfig

from lowcloud.cloud import Cloud
from lowcloud.clock import VirtualClock

MiB = 1024 * 1024


def _cloud(path):
    return Cloud(data_dir=path, clock=VirtualClock(start=1_700_000_000), seed=3)


def test_objects_survive_close_and_reopen(tmp_path):
    big = os.urandom(12 * MiB)
    with _cloud(tmp_path) as cloud:
        s3 = cloud.client("s3")
        s3.create_bucket(Bucket="durable")
        s3.put_object(Bucket="durable", Key="small.txt", Body=b"small", ContentType="text/plain",
                      Metadata={"a": "b"})
        s3.put_object(Bucket="durable", Key="empty", Body=b"")
        s3.upload_fileobj(io.BytesIO(big), "durable", "big.bin",
                          Config=TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB))
        s3.put_bucket_versioning(Bucket="durable", VersioningConfiguration={"Status": "Enabled"})
        v1 = s3.put_object(Bucket="durable", Key="versioned", Body=b"v1")["VersionId"]
        s3.put_object(Bucket="durable", Key="versioned", Body=b"v2")
        etag = s3.head_object(Bucket="durable", Key="big.bin")["ETag"]
    with _cloud(tmp_path) as cloud:
        s3 = cloud.client("s3")
        small = s3.get_object(Bucket="durable", Key="small.txt")
        assert small["Body"].read() == b"small" and small["Metadata"] == {"a": "b"}
        assert small["ContentType"] == "text/plain"
        assert s3.get_object(Bucket="durable", Key="empty")["Body"].read() == b""
        got = s3.get_object(Bucket="durable", Key="big.bin")
        assert hashlib.sha256(got["Body"].read()).digest() == hashlib.sha256(big).digest()
        assert got["ETag"] == etag
        assert s3.get_object(Bucket="durable", Key="versioned")["Body"].read() == b"v2"
        assert s3.get_object(Bucket="durable", Key="versioned", VersionId=v1)["Body"].read() == b"v1"
        assert s3.get_bucket_versioning(Bucket="durable")["Status"] == "Enabled"


CHILD = textwrap.dedent("""
    import sys
    from lowcloud.cloud import Cloud
    from lowcloud.clock import SystemClock
    cloud = Cloud(data_dir=sys.argv[1], clock=SystemClock(), seed=5)
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="crash")
    i = 0
    while True:
        body = (f"object {i} " * (1 + i % 50)).encode()
        s3.put_object(Bucket="crash", Key=f"k/{i}", Body=body)
        print(i, flush=True)
        i += 1
""")


def test_acknowledged_puts_survive_sigkill(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)], stdout=subprocess.PIPE, env=env)
    acked = [int(child.stdout.readline()) for _ in range(40)]
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert acked == list(range(40))
    with _cloud(tmp_path) as cloud:
        s3 = cloud.client("s3")
        for i in acked:
            body = (f"object {i} " * (1 + i % 50)).encode()
            assert s3.get_object(Bucket="crash", Key=f"k/{i}")["Body"].read() == body
