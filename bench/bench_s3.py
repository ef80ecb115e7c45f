"""S3: 1,000 x 1 KiB put/get in-process against moto, and a 64 MiB PUT over HTTP against the wire limit."""
from __future__ import annotations

import os
import time

from common import Result, lowcloud_cloud, moto_client, rate

TITLE = "S3"
N = 1000
BODY = os.urandom(1024)


def _put_get(s3) -> tuple[float, float]:
    s3.create_bucket(Bucket="bench")
    put = rate(lambda i: s3.put_object(Bucket="bench", Key=f"k/{i}", Body=BODY), N)
    get = rate(lambda i: s3.get_object(Bucket="bench", Key=f"k/{i}")["Body"].read(), N)
    return put, get


def _http_put_mb_s(data_dir: str | None) -> float:
    import boto3
    from boto3.s3.transfer import TransferConfig
    from lowcloud.protocol.gateway import ServerThread
    cloud = lowcloud_cloud(data_dir=data_dir)
    server = ServerThread(cloud, port=0).start()
    try:
        s3 = boto3.client("s3", endpoint_url=server.url, region_name="us-east-1")
        s3.create_bucket(Bucket="big")
        body = os.urandom(64 << 20)
        best = 0.0
        for _ in range(2):
            start = time.perf_counter()
            s3.put_object(Bucket="big", Key="blob", Body=body)
            best = max(best, 64 / (time.perf_counter() - start))
        return best
    finally:
        server.stop()
        cloud.close()


def run() -> list[Result]:
    cloud = lowcloud_cloud()
    try:
        ours_put, ours_get = _put_get(cloud.client("s3"))
    finally:
        cloud.close()
    with moto_client("s3") as s3:
        moto_put, moto_get = _put_get(s3)
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        mb_s = _http_put_mb_s(tmp)
    return [
        Result("put_object 1 KiB, in-process", ours_put, moto_put, "ops/s", 3),
        Result("get_object 1 KiB, in-process", ours_get, moto_get, "ops/s", 3),
        Result("put_object 64 MiB over HTTP, on disk (MB/s)", mb_s, 200, "ops/s", 1, peer_name="200 MB/s"),
    ]
