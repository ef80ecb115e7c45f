"""`lowcloud up` as a real process: serve, SIGKILL right after acknowledged PUTs, restart, data intact."""
import json
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


def _client(name, port):
    return boto3.client(name, endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def test_acknowledged_objects_survive_sigkill(tmp_path):
    port = free_port()
    proc = _start(tmp_path / "data", port)
    bodies = {f"obj/{i}": os.urandom(1000 + i * 37) for i in range(20)}
    try:
        s3 = _client("s3", port)
        s3.create_bucket(Bucket="durable")
        for key, body in bodies.items():
            s3.put_object(Bucket="durable", Key=key, Body=body)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    proc = _start(tmp_path / "data", port)
    try:
        s3 = _client("s3", port)
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


def test_waiting_execution_resumes_after_sigkill(tmp_path):
    """A Standard execution in a Wait, killed with the server, finishes after restart at its original due time."""
    port = free_port()
    proc = _start(tmp_path / "data", port)
    definition = {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 3, "Next": "Done"},
                                                "Done": {"Type": "Pass", "Result": {"resumed": True}, "End": True}}}
    try:
        sfn = _client("stepfunctions", port)
        arn = sfn.create_state_machine(name="resume", definition=json.dumps(definition),
                                       roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
        started = sfn.describe_execution(executionArn=execution)["startDate"]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    proc = _start(tmp_path / "data", port)
    try:
        sfn = _client("stepfunctions", port)
        deadline = time.time() + 30
        while (desc := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING" and time.time() < deadline:
            time.sleep(0.1)
        assert desc["status"] == "SUCCEEDED" and json.loads(desc["output"]) == {"resumed": True}
        events = sfn.get_execution_history(executionArn=execution)["events"]
        exited = next(e for e in events if e["type"] == "WaitStateExited")
        assert (exited["timestamp"] - started).total_seconds() >= 3
    finally:
        proc.terminate()
        proc.wait(10)
