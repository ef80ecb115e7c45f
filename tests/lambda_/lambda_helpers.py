"""Helpers shared by the Lambda tests: zips built in the test, the execution role's trust policy, calls."""
from __future__ import annotations

import io
import json
import zipfile

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def make_zip(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def invoke_json(lam, name: str, event=None, **kwargs):
    """Invoke synchronously; (response, decoded payload)."""
    out = lam.invoke(FunctionName=name, Payload=json.dumps(event if event is not None else {}).encode(), **kwargs)
    body = out["Payload"].read()
    return out, (json.loads(body) if body else None)


def log_messages(cloud, name: str) -> list[str]:
    logs = cloud.client("logs")
    events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    return [e["message"] for e in events]
