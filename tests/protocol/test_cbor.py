"""Smithy RPC v2 CBOR against botocore's own RpcV2CBORSerializer and RpcV2CBORParser.

botocore 1.43 lists CloudWatch's protocols as [smithy-rpc-v2-cbor, json, query]
but its clients pick by botocore's own priority (json first), so a stock client
speaks json.  The end-to-end tests therefore also build a real boto3 client from
a copy of CloudWatch's model that lists only smithy-rpc-v2-cbor: that client
sends CBOR, and the same fake service must answer both.
"""
import json
from datetime import datetime, timezone

import boto3
import botocore.loaders
import botocore.session
import cbor2
import pytest
from botocore import parsers, serialize
from botocore.awsrequest import HeadersDict
from botocore.config import Config

from lowcloud import services
from lowcloud.errors import AwsError
from lowcloud.protocol import cbor_
from lowcloud.protocol.dispatch import Dispatcher
from lowcloud.protocol.http import HttpRequest
from lowcloud.protocol.inprocess import IN_PROCESS_ENDPOINT, bind
from lowcloud.protocol.model import operation, protocol_of, service_model

T = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
T_MS = datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=timezone.utc)
T_LATER = datetime(2024, 5, 6, 7, 9, 9, tzinfo=timezone.utc)  # clients send whole seconds (botocore serialize.py:196)
AUTH = "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/monitoring/aws4_request"
PATH = "/service/GraniteServiceVersion20100801/operation/"

REQUESTS = [
    ("PutMetricData", {"Namespace": "App", "MetricData": [
        {"MetricName": "Latency", "Timestamp": T, "Value": 12.5, "Unit": "Milliseconds",
         "Dimensions": [{"Name": "Host", "Value": "a"}], "StorageResolution": 1},
        {"MetricName": "Count", "Timestamp": T, "Values": [1.0, 2.25, -3.5], "Counts": [1.0, 2.0, 1.0]}]}),
    ("GetMetricData", {"MetricDataQueries": [
        {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "App", "MetricName": "Latency"}, "Period": 60, "Stat": "Sum"},
         "ReturnData": True}, {"Id": "e1", "Expression": "m1*2", "ReturnData": False}],
        "StartTime": T, "EndTime": T, "ScanBy": "TimestampDescending", "MaxDatapoints": 100}),
    ("DescribeAlarms", {"AlarmNames": ["a", "b"], "StateValue": "ALARM", "MaxRecords": 10}),
    ("PutMetricAlarm", {"AlarmName": "high", "MetricName": "Latency", "Namespace": "App", "Statistic": "Average",
                        "Period": 60, "EvaluationPeriods": 3, "Threshold": 99.5, "ActionsEnabled": False,
                        "ComparisonOperator": "GreaterThanThreshold", "Tags": [{"Key": "k", "Value": "v"}]}),
]


def _as_http(op_model, params) -> HttpRequest:
    wire = serialize.create_serializer("smithy-rpc-v2-cbor", include_validation=False).serialize_to_request(
        params, op_model)
    headers = {k.lower(): v for k, v in wire["headers"].items()}
    return HttpRequest(wire["method"], wire["url_path"], "", headers, wire["body"])


@pytest.mark.parametrize("op,params", REQUESTS, ids=[o for o, _ in REQUESTS])
def test_request_roundtrip(op, params):
    op_model = operation("cloudwatch", op)
    req = _as_http(op_model, params)
    assert cbor_.is_request(req) and cbor_.route(req.path) == ("GraniteServiceVersion20100801", op)
    assert cbor_.parse(req, op_model) == params


RESPONSES = [
    ("GetMetricData", {"MetricDataResults": [{"Id": "m1", "Label": "Latency", "Timestamps": [T, T_MS],
                                              "Values": [1.5, -2.0], "StatusCode": "Complete"}],
                       "Messages": [{"Code": "c", "Value": "v"}], "NextToken": "n"}),
    ("DescribeAlarms", {"MetricAlarms": [{"AlarmName": "high", "AlarmArn": "arn:aws:cloudwatch:us-east-1:0:alarm:high",
                                          "StateValue": "OK", "StateUpdatedTimestamp": T_MS, "Threshold": 99.5,
                                          "EvaluationPeriods": 3, "ActionsEnabled": True,
                                          "Dimensions": [{"Name": "Host", "Value": "a"}]}], "CompositeAlarms": []}),
    ("ListMetrics", {"Metrics": [{"Namespace": "App", "MetricName": "Latency", "Dimensions": []}]}),
    ("GetMetricWidgetImage", {"MetricWidgetImage": b"\x89PNG\x00\xff"}),
    ("PutMetricData", {}),
]


def _botocore_parse(resp, shape):
    parser = parsers.create_parser("smithy-rpc-v2-cbor")
    return parser.parse({"status_code": resp.status, "headers": HeadersDict(resp.headers),
                         "body": resp.body_bytes()}, shape)


@pytest.mark.parametrize("op,output", RESPONSES, ids=[o for o, _ in RESPONSES])
def test_response_roundtrip(op, output):
    op_model = operation("cloudwatch", op)
    resp = cbor_.serialize(dict(output), op_model, "cloudwatch", "req-1")
    assert resp.status == 200 and resp.headers["smithy-protocol"] == "rpc-v2-cbor"
    assert resp.headers["Content-Type"] == "application/cbor"
    parsed = _botocore_parse(resp, op_model.output_shape)
    metadata = parsed.pop("ResponseMetadata")
    assert op_model.output_shape is None or metadata["RequestId"] == "req-1"  # botocore reads it only with a shape
    assert parsed == output


def test_timestamps_go_out_as_tag_1_doubles():
    resp = cbor_.serialize({"MetricDataResults": [{"Id": "m", "Timestamps": [T]}]}, operation("cloudwatch", "GetMetricData"),
                           "cloudwatch", "r")
    raw = cbor2.loads(resp.body, tag_hook=lambda _d, tag: ("tag", tag.tag, tag.value))
    assert raw["MetricDataResults"][0]["Timestamps"] == [T]  # cbor2 decodes tag 1 itself
    assert bytes.fromhex("c1fb") in resp.body  # tag 1 over a float64


@pytest.mark.parametrize("code,status,wire,query_code", [
    ("ResourceNotFound", 404, "ResourceNotFound", "ResourceNotFound"),
    ("InvalidParameterValue", 400, "InvalidParameterValueException", "InvalidParameterValue"),
    ("InvalidParameterValueException", 400, "InvalidParameterValueException", "InvalidParameterValue"),
    ("ConflictException", 409, "ConflictException", "ConflictException"),
])
def test_modeled_errors_parse_with_query_code_and_status(code, status, wire, query_code):
    model = service_model("cloudwatch")
    resp = cbor_.serialize_error(AwsError(code, "it is gone"), model, "cloudwatch", "req-1")
    parsed = _botocore_parse(resp, None)
    assert resp.status == status
    assert cbor2.loads(resp.body)["__type"] == wire
    assert resp.headers["x-amzn-query-error"] == f"{query_code};Sender"
    assert parsed["Error"]["Code"] == query_code and parsed["Error"]["Message"] == "it is gone"


def test_unmodeled_error_without_model():
    resp = cbor_.serialize_error(AwsError("UnrecognizedClientException", "no"), None, None, "r")
    parsed = _botocore_parse(resp, None)
    assert resp.status == 400 and "x-amzn-query-error" not in resp.headers
    assert parsed["Error"] == {"Code": "UnrecognizedClientException", "Message": "no"}


def test_protocol_of_follows_botocore_priority():
    """CloudWatch lists CBOR first, but botocore (and so lowcloud's default) picks json."""
    model = service_model("cloudwatch")
    assert model.metadata["protocols"][0] == "smithy-rpc-v2-cbor"
    assert protocol_of(model) == model.resolved_protocol == "json"


# --- through the dispatcher ----------------------------------------------------
@pytest.fixture
def fake_cloudwatch(monkeypatch):
    monkeypatch.setitem(services.REGISTRY, "cloudwatch", "tests.protocol.fake_cloudwatch:FakeCloudWatch")


def _raw(dispatcher, op, body, headers=None, path=None):
    hdrs = {"smithy-protocol": "rpc-v2-cbor", "content-type": "application/cbor", "authorization": AUTH,
            **(headers or {})}
    resp = dispatcher.handle(HttpRequest("POST", path or PATH + op, "", hdrs, body))
    return resp, _botocore_parse(resp, None) if resp.status >= 300 else cbor2.loads(resp.body)


BAD_BODIES = [
    ("garbage", b"\xff\xff", "SerializationException"),
    ("truncated", b"\xa1\x69Namespace", "SerializationException"),
    ("trailing", cbor2.dumps({"Namespace": "A"}) + b"\x00", "SerializationException"),
    ("not a map", cbor2.dumps(["Namespace"]), "SerializationException"),
    ("int for string", cbor2.dumps({"Namespace": 5, "MetricData": []}), "SerializationException"),
    ("bool for double", cbor2.dumps({"Namespace": "A", "MetricData": [{"MetricName": "m", "Value": True}]}),
     "SerializationException"),
    ("string for timestamp", cbor2.dumps({"Namespace": "A", "MetricData": [{"MetricName": "m", "Timestamp": "x"}]}),
     "SerializationException"),
    ("bad tag 1", b"\xa1\x69Namespace\xc1\x61x", "SerializationException"),
    ("missing required", cbor2.dumps({"MetricData": []}), "ValidationException"),
    ("enum", cbor2.dumps({"Namespace": "A", "MetricData": [{"MetricName": "m", "Unit": "Parsecs"}]}),
     "ValidationException"),
]


@pytest.mark.parametrize("name,body,code", BAD_BODIES, ids=[n for n, _, _ in BAD_BODIES])
def test_bad_requests_answer_4xx_in_cbor(cloud, fake_cloudwatch, name, body, code):
    resp, parsed = _raw(Dispatcher(cloud), "PutMetricData", body)
    assert resp.status == 400 and resp.headers["smithy-protocol"] == "rpc-v2-cbor"
    # newer botocore reports a query-compatible service's code from x-amzn-query-error
    query_code = resp.headers.get("x-amzn-query-error", "").split(";")[0]
    assert parsed["Error"]["Code"] in (code, query_code), parsed
    assert cbor2.loads(resp.body)["__type"].endswith(code)
    assert cloud.service("cloudwatch").points == []


@pytest.mark.parametrize("path,status,code", [
    (PATH + "NoSuchOperation", 404, "UnknownOperationException"),
    ("/service/NotAService/operation/ListMetrics", 400, "UnrecognizedClientException"),
    ("/service/DynamoDB_20120810/operation/ListTables", 400, "UnrecognizedClientException"),  # json-only service
    ("/", 404, "UnknownOperationException"),
])
def test_unroutable_requests_answer_4xx_in_cbor(cloud, fake_cloudwatch, path, status, code):
    resp, parsed = _raw(Dispatcher(cloud), "", b"\xa0", path=path)
    assert resp.status == status and resp.headers["Content-Type"] == "application/cbor"
    assert parsed["Error"]["Code"] == code


def test_empty_body_is_an_empty_input(cloud, fake_cloudwatch):
    resp, doc = _raw(Dispatcher(cloud), "ListMetrics", b"")
    assert resp.status == 200 and doc == {"Metrics": []}


def test_unimplemented_operation_is_not_a_500(cloud, fake_cloudwatch):
    resp, parsed = _raw(Dispatcher(cloud), "DescribeAlarms", b"\xa0")
    assert resp.status == 501 and parsed["Error"]["Code"] == "NotImplemented"


# --- real boto3 clients, in-process and over HTTP ---------------------------------
@pytest.fixture(scope="module")
def cbor_session(tmp_path_factory):
    """A botocore session whose CloudWatch model lists only smithy-rpc-v2-cbor, so its clients send CBOR."""
    root = tmp_path_factory.mktemp("models")
    doc = botocore.session.get_session().get_component("data_loader").load_service_model("cloudwatch", "service-2")
    doc = {**doc, "metadata": {**doc["metadata"], "protocols": ["smithy-rpc-v2-cbor"]}}
    folder = root / "cloudwatch" / doc["metadata"]["apiVersion"]
    folder.mkdir(parents=True)
    (folder / "service-2.json").write_text(json.dumps(doc))
    session = botocore.session.get_session()
    session.register_component("data_loader", botocore.loaders.create_loader(str(root)))
    return boto3.session.Session(botocore_session=session)


def _cbor_client(session, endpoint, sent):
    client = session.client("cloudwatch", region_name="us-east-1", endpoint_url=endpoint, aws_access_key_id="test",
                            aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))
    client.meta.events.register_first("before-send", lambda request, **_: sent.append(
        {k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}))
    return client


def _exercise(client):
    """Put, list, read back with timestamps and doubles, and catch a modeled error."""
    client.put_metric_data(Namespace="App", MetricData=[
        {"MetricName": "Latency", "Timestamp": T, "Values": [1.5, 2.25], "Dimensions": [{"Name": "Host", "Value": "a"}]},
        {"MetricName": "Latency", "Timestamp": T_LATER, "Value": 4.0, "Dimensions": [{"Name": "Host", "Value": "a"}]}])
    metrics = client.list_metrics(Namespace="App")["Metrics"]
    assert metrics == [{"Namespace": "App", "MetricName": "Latency", "Dimensions": [{"Name": "Host", "Value": "a"}]}]
    stats = client.get_metric_statistics(Namespace="App", MetricName="Latency", StartTime=T,
                                         EndTime=datetime(2024, 5, 7, tzinfo=timezone.utc), Period=60,
                                         Statistics=["Sum", "SampleCount", "Maximum"])
    assert [(p["Timestamp"], p["Sum"], p["SampleCount"], p["Maximum"]) for p in stats["Datapoints"]] == [
        (T, 3.75, 2.0, 2.25), (T_LATER, 4.0, 1.0, 4.0)]
    with pytest.raises(client.exceptions.ResourceNotFound) as info:
        client.get_dashboard(DashboardName="nope")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert info.value.response["Error"]["Message"] == "Dashboard nope does not exist"
    with pytest.raises(client.exceptions.InvalidParameterValueException) as info:
        client.put_metric_data(Namespace="AWS/EC2", MetricData=[{"MetricName": "m", "Value": 1.0}])
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert info.value.response["Error"]["Type"] == "Sender"  # from x-amzn-query-error (awsQueryCompatible)


def test_in_process_cbor_client(cloud, fake_cloudwatch, cbor_session):
    sent = []
    client = _cbor_client(cbor_session, IN_PROCESS_ENDPOINT, sent)
    bind(client, cloud)
    _exercise(client)
    assert sent and all(h["smithy-protocol"] == "rpc-v2-cbor" for h in sent)


def test_http_cbor_client(fake_cloudwatch, cbor_session, gateway_url):
    sent = []
    _exercise(_cbor_client(cbor_session, gateway_url, sent))
    assert sent and all(h["content-type"] == "application/cbor" for h in sent)


def test_stock_in_process_client_speaks_json_to_the_same_service(fake_cloudwatch, cloud):
    """What botocore 1.43 really sends for CloudWatch: awsJson1.0 with x-amzn-query-mode."""
    client = cloud.client("cloudwatch")
    assert client.meta.service_model.resolved_protocol == "json"
    _exercise(client)


def test_stock_http_client(fake_cloudwatch, http_client):
    _exercise(http_client("cloudwatch"))
