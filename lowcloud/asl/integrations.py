"""Optimized service integrations (``arn:aws:states:::<service>:<action>``).

Each takes the task's parameters (the target API's own member names), calls the
service in-process and returns what Step Functions returns: the API response
plus ``SdkHttpMetadata``/``SdkResponseMetadata`` (Java SDK v1 style, timestamps
as epoch millis), with the special cases AWS documents: lambda:invoke parses the
function's payload and turns a function error into the function's
``errorType``; sns/sqs/events serialise object payloads; ``.sync`` waits for the
job (child execution, Athena query) to finish.  Service errors are named
``<Prefix>.<Code>Exception`` with the Java SDK cause text (tasks.api_failure).
"""
from __future__ import annotations

import json
from email.utils import formatdate

from lowcloud.asl import history as H
from lowcloud.asl.calls import ApiError, call_api
from lowcloud.asl.interpreter import dumps, located

# states service name -> (error prefix, Java SDK service name, botocore service, content type)
SERVICES = {
    "lambda": ("Lambda", "AWSLambda", "lambda", "application/json"),
    "dynamodb": ("DynamoDB", "AmazonDynamoDBv2", "dynamodb", "application/x-amz-json-1.0"),
    "sns": ("SNS", "AmazonSNS", "sns", "text/xml"),
    "sqs": ("SQS", "AmazonSQS", "sqs", "application/x-amz-json-1.0"),
    "states": ("StepFunctions", "AWSStepFunctions", "stepfunctions", "application/x-amz-json-1.0"),
    "athena": ("Athena", "AmazonAthena", "athena", "application/x-amz-json-1.1"),
    "glue": ("Glue", "AWSGlue", "glue", "application/x-amz-json-1.1"),
    "events": ("EventBridge", "AmazonCloudWatchEvents", "events", "application/x-amz-json-1.1"),
    "s3": ("S3", "Amazon S3", "s3", "application/xml"),
}
ATHENA_DONE = ("SUCCEEDED", "FAILED", "CANCELLED")


def service_info(service: str):
    return SERVICES.get(service, (service[:1].upper() + service[1:], service, service, "application/json"))


async def call(runner, call_, res, base):
    handler = _HANDLERS.get((res.service, res.action))
    if handler is None:
        return await generic(runner.env, res.service, res.action, call_.params)
    return await handler(runner, call_, res)


async def api(env, service: str, operation: str, params) -> tuple[dict, str]:
    """Call with PascalCase parameters (matched to the model's member names); PascalCase result."""
    from lowcloud.asl.sdk import to_model, to_pascal
    from lowcloud.asl.tasks import api_failure
    from lowcloud.protocol.model import service_model
    prefix, long_name, botocore_name, _ = service_info(service)
    try:
        op = service_model(botocore_name).operation_model(operation)
    except Exception:
        op = None
    params = params if isinstance(params, dict) else {}
    if op is not None:
        params = to_model(op.input_shape, params)
    try:
        result, request_id = await call_api(env, botocore_name, operation, params, timestamps="millis")
    except ApiError as err:
        raise api_failure(err, prefix, long_name) from None
    return (to_pascal(op.output_shape, result) if op is not None else result), request_id


async def generic(env, service: str, action: str, params) -> dict:
    result, rid = await api(env, service, action[:1].upper() + action[1:], params)
    return with_metadata(env, service, result, rid)


def with_metadata(env, service: str, result: dict, request_id: str, extra: dict | None = None) -> dict:
    """The response plus SdkHttpMetadata / SdkResponseMetadata as Step Functions adds them."""
    content_type = service_info(service)[3]
    headers = {"Connection": "keep-alive", "Content-Length": str(len(dumps(result).encode("utf-8"))),
               "Content-Type": content_type, "Date": formatdate(env.clock.now(), usegmt=True),
               "x-amzn-RequestId": request_id, **(extra or {})}
    if service == "dynamodb":
        headers.update({"Server": "Server", "x-amz-crc32": str(env.ids.randint(0, 2 ** 32 - 1))})
    return {**result, "SdkHttpMetadata": {"AllHttpHeaders": {k: [v] for k, v in headers.items()},
                                          "HttpHeaders": headers, "HttpStatusCode": 200},
            "SdkResponseMetadata": {"RequestId": request_id}}


def submitted(call_, res, response: dict) -> None:
    """The TaskSubmitted event a .sync task records once its job started."""
    call_.emit("TaskSubmitted", {"resourceType": res.resource_type, "resource": res.resource_name,
                                 **H.data("output", dumps(response))})


# --- Lambda ---------------------------------------------------------------------------

def payload_bytes(payload) -> bytes:
    """lambda:invoke sends a string Payload as is, anything else (null included) as JSON."""
    return payload.encode("utf-8") if isinstance(payload, str) else dumps(payload).encode("utf-8")


def parse_payload(text: str):
    if text == "":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def function_error(text: str):
    """A function error as the task's error: its errorType (Lambda.Unknown without one), cause = payload."""
    doc = parse_payload(text)
    error = doc.get("errorType") if isinstance(doc, dict) and isinstance(doc.get("errorType"), str) else None
    return located(error or "Lambda.Unknown", text)


async def lambda_invoke(runner, call_, res):
    params = dict(call_.params) if isinstance(call_.params, dict) else {}
    params["Payload"] = payload_bytes(params["Payload"]) if "Payload" in params else b"{}"
    result, rid = await api(runner.env, "lambda", "Invoke", params)
    text = result.get("Payload") or ""
    if result.get("FunctionError"):
        raise function_error(text)
    version = result.get("ExecutedVersion", "$LATEST")
    out = {"ExecutedVersion": version, "Payload": parse_payload(text), "StatusCode": result.get("StatusCode", 200)}
    return with_metadata(runner.env, "lambda", out, rid, {
        "X-Amz-Executed-Version": version, "x-amzn-Remapped-Content-Length": "0",
        "X-Amzn-Trace-Id": f"root=1-{runner.env.ids.hex(8)}-{runner.env.ids.hex(24)};sampled=0"})


async def invoke_function(env, arn: str, payload):
    """A plain Lambda ARN as a Task resource: the function's parsed output."""
    result, _ = await api(env, "lambda", "Invoke", {"FunctionName": arn, "Payload": payload_bytes(payload)})
    text = result.get("Payload") or ""
    if result.get("FunctionError"):
        raise function_error(text)
    return parse_payload(text)


# --- messaging ----------------------------------------------------------------------

def _serialised(params, key: str) -> dict:
    params = dict(params) if isinstance(params, dict) else {}
    if key in params and not isinstance(params[key], str):
        params[key] = dumps(params[key])
    return params


async def sns_publish(runner, call_, res):
    result, rid = await api(runner.env, "sns", "Publish", _serialised(call_.params, "Message"))
    return with_metadata(runner.env, "sns", result, rid)


async def sqs_send(runner, call_, res):
    result, rid = await api(runner.env, "sqs", "SendMessage", _serialised(call_.params, "MessageBody"))
    return with_metadata(runner.env, "sqs", result, rid)


async def events_put(runner, call_, res):
    params = dict(call_.params) if isinstance(call_.params, dict) else {}
    params["Entries"] = [_serialised(e, "Detail") for e in params.get("Entries") or []]
    result, rid = await api(runner.env, "events", "PutEvents", params)
    if result.get("FailedEntryCount"):
        raise located("EventBridge.FailedEntry", dumps(result))
    return with_metadata(runner.env, "events", result, rid)


# --- DynamoDB ------------------------------------------------------------------------

def _dynamodb(operation: str):
    async def handler(runner, call_, res):
        result, rid = await api(runner.env, "dynamodb", operation, call_.params)
        return with_metadata(runner.env, "dynamodb", result, rid)
    return handler


# --- Step Functions -------------------------------------------------------------------

async def states_start(runner, call_, res):
    params = _serialised(call_.params, "Input")
    params.setdefault("Input", "{}")
    if params["Input"] is None:
        params["Input"] = "{}"
    result, rid = await api(runner.env, "states", "StartExecution", params)
    if res.pattern not in ("sync", "sync:2"):
        return with_metadata(runner.env, "states", result, rid)
    submitted(call_, res, with_metadata(runner.env, "states", result, rid))
    described = await runner.env.await_execution(result["ExecutionArn"])
    return child_result(described, parsed=res.pattern == "sync:2")


def child_result(d: dict, parsed: bool) -> dict:
    """A finished child execution as states:startExecution.sync(:2) returns it (or fails with)."""
    out = {"ExecutionArn": d["executionArn"], "StateMachineArn": d["stateMachineArn"], "Name": d["name"],
           "Status": d["status"], "StartDate": d["startDate"], "StopDate": d.get("stopDate"),
           "Input": d.get("input"), "InputDetails": {"Included": True}}
    if parsed:
        out["Input"] = parse_payload(out["Input"] or "")
    if d["status"] == "SUCCEEDED":
        out["Output"] = parse_payload(d.get("output") or "") if parsed else d.get("output")
        out["OutputDetails"] = {"Included": True}
        return out
    if d.get("error") is not None:
        out["Error"] = d["error"]
    if d.get("cause") is not None:
        out["Cause"] = d["cause"]
    raise located("States.TaskFailed", dumps(out))


# --- Athena -----------------------------------------------------------------------------

async def athena_start(runner, call_, res):
    env = runner.env
    result, rid = await api(env, "athena", "StartQueryExecution", call_.params)
    if res.pattern != "sync":
        return with_metadata(env, "athena", result, rid)
    submitted(call_, res, with_metadata(env, "athena", result, rid))
    delay = 0.5
    while True:
        got, rid = await api(env, "athena", "GetQueryExecution", {"QueryExecutionId": result["QueryExecutionId"]})
        state = got.get("QueryExecution", {}).get("Status", {}).get("State")
        if state in ATHENA_DONE:
            break
        await env.clock.sleep(delay)
        delay = min(delay * 2, 5.0)
    if state != "SUCCEEDED":
        raise located("States.TaskFailed", dumps(got))
    return with_metadata(env, "athena", got, rid)


_HANDLERS = {
    ("lambda", "invoke"): lambda_invoke,
    ("sns", "publish"): sns_publish,
    ("sqs", "sendMessage"): sqs_send,
    ("events", "putEvents"): events_put,
    ("dynamodb", "getItem"): _dynamodb("GetItem"),
    ("dynamodb", "putItem"): _dynamodb("PutItem"),
    ("dynamodb", "updateItem"): _dynamodb("UpdateItem"),
    ("dynamodb", "deleteItem"): _dynamodb("DeleteItem"),
    ("states", "startExecution"): states_start,
    ("athena", "startQueryExecution"): athena_start,
}
