"""`lowcloud up` as a real process: serve, SIGKILL right after acknowledged PUTs, restart, data intact."""
import os
import signal
import subprocess
import sys
import time

import boto3
import pytest
import requests

from lowcloud.protocol.gateway import free_port


def _start(data_dir, port):
    proc = subprocess.Popen([sys.executable, "-m", "lowcloud.cli", "up", "--data-dir", str(data_dir), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/_lowcloud/health", timeout=1).ok:
                return proc
        except requests.ConnectionError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"lowcloud up did not start: {proc.stdout.read().decode()}")


def _s3(port):
    return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def test_acknowledged_objects_survive_sigkill(tmp_path):
    port = free_port()
    proc = _start(tmp_path / "data", port)
    bodies = {f"obj/{i}": os.urandom(1000 + i * 37) for i in range(20)}
    try:
        s3 = _s3(port)
        s3.create_bucket(Bucket="durable")
        for key, body in bodies.items():
            s3.put_object(Bucket="durable", Key=key, Body=body)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    proc = _start(tmp_path / "data", port)
    try:
        s3 = _s3(port)
        for key, body in bodies.items():
            assert s3.get_object(Bucket="durable", Key=key)["Body"].read() == body
    finally:
        proc.terminate()
        proc.wait(10)


def test_version_and_status(tmp_path):
    out = subprocess.run([sys.executable, "-m", "lowcloud.cli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and "lowcloud" in out.stdout
    port = free_port()
    proc = _start(tmp_path / "data", port)
    try:
        status = subprocess.run([sys.executable, "-m", "lowcloud.cli", "status", "--endpoint", f"http://127.0.0.1:{port}"],
                                capture_output=True, text=True, timeout=30)
        assert status.returncode == 0 and "s3" in status.stdout
    finally:
        proc.terminate()
        proc.wait(10)
    down = subprocess.run([sys.executable, "-m", "lowcloud.cli", "status", "--endpoint", f"http://127.0.0.1:{port}"],
                          capture_output=True, text=True, timeout=30)
    assert down.returncode == 1
