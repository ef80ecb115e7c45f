"""Python functions running in worker processes: context, logs, env isolation, AWS's error shapes."""
from __future__ import annotations

import base64
import json
import os
import threading
import time

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from lambda_helpers import invoke_json, log_messages

CONTEXT_APP = """
import logging, os
print('Loading function')
logger = logging.getLogger()
logger.setLevel(logging.INFO)
COUNT = 0

def handler(event, context):
    global COUNT
    COUNT += 1
    print('event is', event)
    logger.info('info line')
    return {"count": COUNT, "request_id": context.aws_request_id, "name": context.function_name,
            "version": context.function_version, "memory": context.memory_limit_in_mb,
            "arn": context.invoked_function_arn, "group": context.log_group_name, "stream": context.log_stream_name,
            "remaining": context.get_remaining_time_in_millis(), "env": dict(os.environ)}
"""


def test_context_logs_and_warm_reuse(cloud, lam, deploy):
    deploy("ctx", {"app.py": CONTEXT_APP}, MemorySize=256, Timeout=7, Environment={"Variables": {"GREETING": "hi"}})
    out, body = invoke_json(lam, "ctx", {"k": 1}, LogType="Tail")
    assert out["StatusCode"] == 200 and "FunctionError" not in out and out["ExecutedVersion"] == "$LATEST"
    assert body["count"] == 1 and body["name"] == "ctx" and body["version"] == "$LATEST"
    assert body["memory"] == "256" and 0 < body["remaining"] <= 7000
    assert body["arn"] == "arn:aws:lambda:us-east-1:000000000000:function:ctx"
    assert body["group"] == "/aws/lambda/ctx" and body["stream"].startswith("2023/11/14/[$LATEST]")
    tail = base64.b64decode(out["LogResult"]).decode()
    rid = body["request_id"]
    assert tail.startswith(f"START RequestId: {rid} Version: $LATEST\n")
    assert f"event is {{'k': 1}}\n" in tail
    assert f"\t{rid}\tinfo line\n" in tail and "[INFO]\t" in tail
    assert f"END RequestId: {rid}\n" in tail
    assert f"REPORT RequestId: {rid}\tDuration: " in tail and "Memory Size: 256 MB\tMax Memory Used: " in tail
    assert "Init Duration: " in tail
    second = invoke_json(lam, "ctx", {}, LogType="Tail")
    assert second[1]["count"] == 2, "the warm worker is reused"
    assert "Init Duration" not in base64.b64decode(second[0]["LogResult"]).decode()
    messages = log_messages(cloud, "ctx")
    assert messages[0] == "Loading function\n"
    assert messages[1] == f"START RequestId: {rid} Version: $LATEST\n"
    assert sum(m.startswith("REPORT RequestId:") for m in messages) == 2


def test_worker_sees_only_its_own_environment(lam, deploy, monkeypatch):
    monkeypatch.setenv("LOWCLOUD_TEST_MARKER", "must-not-leak")
    deploy("envs", {"app.py": CONTEXT_APP}, Environment={"Variables": {"GREETING": "hi"}})
    env = invoke_json(lam, "envs")[1]["env"]
    assert "LOWCLOUD_TEST_MARKER" not in env and "PYTHONPATH" not in env
    assert env["GREETING"] == "hi"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "envs" and env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128" and env["AWS_REGION"] == "us-east-1"
    assert env["AWS_DEFAULT_REGION"] == "us-east-1" and env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert env["_HANDLER"] == "app.handler" and env["TZ"] == ":UTC"
    assert env["LAMBDA_TASK_ROOT"] and env["AWS_LAMBDA_RUNTIME_API"].startswith("127.0.0.1:")
    assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA") and env["AWS_SESSION_TOKEN"]
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/envs"
    assert "AWS_ENDPOINT_URL" not in env  # no gateway is serving in this test


def test_custom_exception_becomes_error_type(cloud, lam, deploy):
    app = "class CustomError(Exception):\n    pass\n\ndef handler(event, context):\n    raise CustomError('it broke')\n"
    deploy("raises", {"app.py": app})
    out, body = invoke_json(lam, "raises", LogType="Tail")
    assert out["FunctionError"] == "Unhandled" and out["StatusCode"] == 200
    assert body["errorType"] == "CustomError" and body["errorMessage"] == "it broke"
    assert body["requestId"] and isinstance(body["stackTrace"], list)
    assert 'line 5, in handler\n    raise CustomError' in body["stackTrace"][0]
    tail = base64.b64decode(out["LogResult"]).decode()
    assert "[ERROR] CustomError: it broke\nTraceback (most recent call last):\n" in tail


def test_import_error_and_missing_handler(lam, deploy):
    deploy("imports", {"app.py": "import missing_dep\n"})
    out, body = invoke_json(lam, "imports")
    assert out["FunctionError"] == "Unhandled"
    assert body == {"errorMessage": "Unable to import module 'app': No module named 'missing_dep'",
                    "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []}
    deploy("nohandler", {"app.py": "x = 1\n"}, handler="app.nothere")
    body = invoke_json(lam, "nohandler")[1]
    assert body["errorType"] == "Runtime.HandlerNotFound"
    assert body["errorMessage"] == "Handler 'nothere' missing on module 'app'"


def test_timeout_kills_the_worker(cloud, lam, deploy):
    app = "import time\nSTARTED = time.time()\ndef handler(e, c):\n    time.sleep(e.get('sleep', 0))\n    return STARTED\n"
    deploy("slow", {"app.py": app}, Timeout=1)
    first = invoke_json(lam, "slow")[1]
    began = time.monotonic()
    out, body = invoke_json(lam, "slow", {"sleep": 30}, LogType="Tail")
    assert 0.9 < time.monotonic() - began < 5
    assert out["FunctionError"] == "Unhandled" and body["errorType"] == "Sandbox.Timedout"
    assert body["errorMessage"].startswith("RequestId: ") and " Error: Task timed out after 1.0" in body["errorMessage"]
    tail = base64.b64decode(out["LogResult"]).decode()
    assert " Task timed out after 1.0" in tail and "Status: timeout" in tail
    assert invoke_json(lam, "slow")[1] != first, "a timed-out environment is not reused"


def test_exit_and_marshal_errors(lam, deploy):
    deploy("exits", {"app.py": "import os\ndef handler(e, c):\n    os._exit(3)\n"})
    body = invoke_json(lam, "exits")[1]
    assert body["errorType"] == "Runtime.ExitError"
    assert body["errorMessage"].endswith("Error: Runtime exited with error: exit status 3")
    deploy("marshal", {"app.py": "def handler(e, c):\n    return {1, 2}\n"})
    body = invoke_json(lam, "marshal")[1]
    assert body["errorType"] == "Runtime.MarshalError"
    assert body["errorMessage"] == "Unable to marshal response: Object of type set is not JSON serializable"


def test_invocation_types_and_payload_errors(lam, deploy):
    deploy("types", {"app.py": "def handler(e, c):\n    return e\n"})
    assert lam.invoke(FunctionName="types", InvocationType="DryRun")["StatusCode"] == 204
    assert lam.invoke(FunctionName="types", InvocationType="Event", Payload=b"{}")["StatusCode"] == 202
    assert invoke_json(lam, "types", [1, "two"])[1] == [1, "two"]
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName="types", Payload=b"{not json")
    assert exc.value.response["Error"]["Code"] == "InvalidRequestContentException"
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName="types", Payload=json.dumps({"x": "a" * (6 * 1024 * 1024)}).encode())
    assert exc.value.response["Error"]["Code"] == "RequestEntityTooLargeException"


def test_reserved_concurrency_throttles_and_parallel_workers(cloud, deploy):
    lam = cloud.client("lambda", config=Config(retries={"total_max_attempts": 1}))  # see throttles, no retry
    app = "import time, os\ndef handler(e, c):\n    time.sleep(0.4)\n    return os.getpid()\n"
    deploy("par", {"app.py": app})
    results, errors = [], []

    def call():
        try:
            results.append(invoke_json(lam, "par")[1])
        except ClientError as exc:
            errors.append(exc.response)

    threads = [threading.Thread(target=call) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(set(results)) == 2 and not errors, "concurrent invocations get their own workers"
    lam.put_function_concurrency(FunctionName="par", ReservedConcurrentExecutions=1)
    results.clear()
    threads = [threading.Thread(target=call) for _ in range(2)]
    [t.start() or time.sleep(0.1) for t in threads]
    [t.join() for t in threads]
    assert len(results) == 1 and len(errors) == 1
    assert errors[0]["Error"]["Code"] == "TooManyRequestsException"
    assert errors[0]["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert errors[0]["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"


def test_boto3_inside_the_function_reaches_lowcloud(cloud, lam, deploy, gateway_url):
    """Seed 002's handler: boto3.resource('dynamodb').Table(...).put_item inside the function."""
    ddb = cloud.client("dynamodb")
    ddb.create_table(TableName="tablename", KeySchema=[{"AttributeName": "tablekeyname", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "tablekeyname", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    main = ("import boto3\nimport datetime\n\ndynamodb = boto3.resource('dynamodb')\n\n"
            "def lambda_handler(event, context):\n    table = dynamodb.Table('tablename')\n\n"
            "    table.put_item(\n        Item={\n            'tablekeyname': 'tablekeyvalue'\n        }\n    )\n\n"
            "    return {\n        'statusCode': 200,\n        'body': 'Send Request success'\n    }\n")
    deploy("SendPutRequestToDynamoDB", {"main.py": main}, handler="main.lambda_handler", runtime="python3.6",
           Timeout=30)
    out, body = invoke_json(lam, "SendPutRequestToDynamoDB")
    assert body == {"statusCode": 200, "body": "Send Request success"}, body
    item = ddb.get_item(TableName="tablename", Key={"tablekeyname": {"S": "tablekeyvalue"}})["Item"]
    assert item == {"tablekeyname": {"S": "tablekeyvalue"}}
    assert os.environ.get("AWS_ENDPOINT_URL") != gateway_url
