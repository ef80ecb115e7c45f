"""Subscription filters: CRUD, AWS's limits and destination checks, and delivery to a Lambda function."""
import json
import sys
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lambda_"))
from lambda_helpers import TRUST, make_zip  # noqa: E402

GROUP = "/app/payments"
NOW_MS = 1_700_000_000_000
RECORDER = """
import base64, gzip, json, os
def handler(event, context):
    data = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    with open(os.path.join(os.environ["OUT_DIR"], "received.jsonl"), "a") as out:
        out.write(json.dumps({"keys": sorted(event), "data": data}) + "\\n")
"""
PRODUCER = """
def handler(event, context):
    print("ORDER", event["order"])
    return "done"
"""


@pytest.fixture
def lam(cloud):
    return cloud.client("lambda")


@pytest.fixture
def recorder(cloud, lam, tmp_path):
    """A Python function that decodes the awslogs payload and appends it to received.jsonl."""
    role = cloud.client("iam").create_role(RoleName="sub-role", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    arn = lam.create_function(FunctionName="recorder", Runtime="python3.12", Role=role, Handler="app.handler",
                              Code={"ZipFile": make_zip({"app.py": RECORDER})},
                              Environment={"Variables": {"OUT_DIR": str(tmp_path)}})["FunctionArn"]
    lam.add_permission(FunctionName="recorder", StatementId="from-logs", Action="lambda:InvokeFunction",
                       Principal="logs.amazonaws.com")
    return arn


def received(tmp_path) -> list[dict]:
    path = tmp_path / "received.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def make_group(logs, name=GROUP, stream="node-a"):
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName=stream)


def error_of(call):
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def subscribe(logs, arn, name="to-recorder", pattern="", group=GROUP):
    logs.put_subscription_filter(logGroupName=group, filterName=name, filterPattern=pattern, destinationArn=arn)


def test_put_describe_delete_and_the_two_filter_limit(cloud, recorder):
    logs = cloud.client("logs")
    make_group(logs)
    subscribe(logs, recorder, "first", "ERROR")
    subscribe(logs, recorder, "second")
    subscribe(logs, recorder, "first", "FATAL")  # updating at the limit is allowed
    assert error_of(lambda: subscribe(logs, recorder, "third")) == ("LimitExceededException",
                                                                    "Resource limit exceeded.")
    filters = logs.describe_subscription_filters(logGroupName=GROUP)["subscriptionFilters"]
    assert filters[0] == {"filterName": "first", "logGroupName": GROUP, "filterPattern": "FATAL",
                          "destinationArn": recorder, "distribution": "ByLogStream",
                          "applyOnTransformedLogs": False, "creationTime": NOW_MS}
    assert [f["filterName"] for f in filters] == ["first", "second"]
    prefixed = logs.describe_subscription_filters(logGroupName=GROUP, filterNamePrefix="sec")
    assert [f["filterName"] for f in prefixed["subscriptionFilters"]] == ["second"]
    logs.delete_subscription_filter(logGroupName=GROUP, filterName="first")
    assert error_of(lambda: logs.delete_subscription_filter(logGroupName=GROUP, filterName="first")) == (
        "ResourceNotFoundException", "The specified subscription filter does not exist.")
    assert error_of(lambda: logs.describe_subscription_filters(logGroupName="/nope"))[0] == (
        "ResourceNotFoundException")


def test_destination_checks(cloud, lam, recorder):
    logs = cloud.client("logs")
    make_group(logs)
    denied = ("InvalidParameterException", "Could not execute the lambda function. Make sure you have given "
                                           "CloudWatch Logs permission to execute your function.")
    missing = "arn:aws:lambda:us-east-1:000000000000:function:nobody"
    assert error_of(lambda: subscribe(logs, missing)) == denied
    lam.remove_permission(FunctionName="recorder", StatementId="from-logs")
    assert error_of(lambda: subscribe(logs, recorder)) == denied
    kinesis = "arn:aws:kinesis:us-east-1:000000000000:stream/audit"
    undeliverable = ("InvalidParameterException", "Could not deliver test message to specified destination. "
                                                  "Check if the destination is valid.")
    assert error_of(lambda: subscribe(logs, kinesis)) == undeliverable
    firehose = "arn:aws:firehose:us-east-1:000000000000:deliverystream/archive"
    assert error_of(lambda: subscribe(logs, firehose)) == undeliverable
    code, _ = error_of(lambda: logs.put_subscription_filter(logGroupName=GROUP, filterName="x", filterPattern="{",
                                                            destinationArn=recorder))
    assert code == "InvalidParameterException"
    assert logs.describe_subscription_filters(logGroupName=GROUP)["subscriptionFilters"] == []


def test_matching_batch_is_delivered_as_awslogs_payload(cloud, recorder, tmp_path):
    logs = cloud.client("logs")
    make_group(logs)
    subscribe(logs, recorder, "errors-only", "ERROR")
    events = [{"timestamp": NOW_MS - 30 + i, "message": m} for i, m in enumerate(["ERROR disk", "INFO ok",
                                                                                   "ERROR net"])]
    logs.put_log_events(logGroupName=GROUP, logStreamName="node-a", logEvents=events)
    logs.put_log_events(logGroupName=GROUP, logStreamName="node-a",
                        logEvents=[{"timestamp": NOW_MS, "message": "INFO nothing to send"}])
    cloud.clock.run_until_idle()
    (delivery,) = received(tmp_path)
    assert delivery["keys"] == ["awslogs"]
    data = delivery["data"]
    expected_ids = [e["eventId"] for e in logs.filter_log_events(logGroupName=GROUP, filterPattern="ERROR")["events"]]
    assert data == {"messageType": "DATA_MESSAGE", "owner": "000000000000", "logGroup": GROUP,
                    "logStream": "node-a", "subscriptionFilters": ["errors-only"],
                    "logEvents": [{"id": expected_ids[0], "timestamp": NOW_MS - 30, "message": "ERROR disk"},
                                  {"id": expected_ids[1], "timestamp": NOW_MS - 28, "message": "ERROR net"}]}


def test_each_filter_delivers_its_own_payload_over_http(cloud, http_client, recorder, tmp_path):
    logs = http_client("logs")
    make_group(logs)
    subscribe(logs, recorder, "all")
    subscribe(logs, recorder, "json-only", "{ $.level = \"warn\" }")
    logs.put_log_events(logGroupName=GROUP, logStreamName="node-a", logEvents=[
        {"timestamp": NOW_MS - 2, "message": "plain"}, {"timestamp": NOW_MS - 1, "message": '{"level": "warn"}'}])
    cloud.clock.run_until_idle()
    by_filter = {d["data"]["subscriptionFilters"][0]: d["data"]["logEvents"] for d in received(tmp_path)}
    assert [e["message"] for e in by_filter["all"]] == ["plain", '{"level": "warn"}']
    assert [e["message"] for e in by_filter["json-only"]] == ['{"level": "warn"}']


def test_lambda_function_logs_reach_a_subscription(cloud, lam, recorder, tmp_path):
    role = cloud.client("iam").get_role(RoleName="sub-role")["Role"]["Arn"]
    lam.create_function(FunctionName="producer", Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": make_zip({"app.py": PRODUCER})})
    logs = cloud.client("logs")
    logs.create_log_group(logGroupName="/aws/lambda/producer")
    subscribe(logs, recorder, "orders", "ORDER", group="/aws/lambda/producer")
    lam.invoke(FunctionName="producer", Payload=json.dumps({"order": 42}).encode())
    cloud.clock.run_until_idle()
    (delivery,) = received(tmp_path)
    assert delivery["data"]["logGroup"] == "/aws/lambda/producer"
    assert [e["message"].strip() for e in delivery["data"]["logEvents"]] == ["ORDER 42"]


def test_deleting_the_filter_stops_delivery(cloud, recorder, tmp_path):
    logs = cloud.client("logs")
    make_group(logs)
    subscribe(logs, recorder)
    logs.delete_subscription_filter(logGroupName=GROUP, filterName="to-recorder")
    logs.put_log_events(logGroupName=GROUP, logStreamName="node-a", logEvents=[{"timestamp": NOW_MS, "message": "x"}])
    cloud.clock.run_until_idle()
    assert received(tmp_path) == []


def test_cli_put_subscription_filter(aws_cli, cloud, recorder):
    make_group(cloud.client("logs"))
    aws_cli("logs", "put-subscription-filter", "--log-group-name", GROUP, "--filter-name", "cli",
            "--filter-pattern", "", "--destination-arn", recorder)
    out = json.loads(aws_cli("logs", "describe-subscription-filters", "--log-group-name", GROUP).stdout)
    assert [(f["filterName"], f["destinationArn"]) for f in out["subscriptionFilters"]] == [("cli", recorder)]


def test_space_delimited_pattern_adds_extracted_fields(cloud, recorder, tmp_path):
    logs = cloud.client("logs")
    make_group(logs)
    subscribe(logs, recorder, "access", "[ip, method, path, status=5*, ...]")
    logs.put_log_events(logGroupName=GROUP, logStreamName="node-a", logEvents=[
        {"timestamp": NOW_MS - 2, "message": "10.1.1.1 GET /ok 200 12ms"},
        {"timestamp": NOW_MS - 1, "message": "10.1.1.2 POST /pay 503 900ms"}])
    cloud.clock.run_until_idle()
    (delivery,) = received(tmp_path)
    (event,) = delivery["data"]["logEvents"]
    assert event["message"] == "10.1.1.2 POST /pay 503 900ms"
    assert event["extractedFields"] == {"ip": "10.1.1.2", "method": "POST", "path": "/pay", "status": "503"}


def test_a_batch_too_big_for_one_invocation_is_split(cloud, recorder, tmp_path):
    import random
    logs = cloud.client("logs")
    make_group(logs)
    subscribe(logs, recorder)
    noise = random.Random(7)
    messages = ["".join(noise.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(60_000)) for _ in range(8)]
    logs.put_log_events(logGroupName=GROUP, logStreamName="node-a",
                        logEvents=[{"timestamp": NOW_MS - 10 + i, "message": m} for i, m in enumerate(messages)])
    cloud.clock.run_until_idle()
    deliveries = received(tmp_path)
    assert len(deliveries) > 1
    delivered = [e["message"] for d in deliveries for e in d["data"]["logEvents"]]
    assert sorted(delivered) == sorted(messages)
