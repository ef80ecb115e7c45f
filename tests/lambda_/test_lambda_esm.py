"""DynamoDB stream event source mappings: lifecycle, record shape, order, retries, filters, restarts."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from lowcloud.cloud import Cloud
from lowcloud.clock import VirtualClock
from lambda_helpers import TRUST, make_zip

RECORDER = """
import json, os
def handler(event, context):
    keys = [r['dynamodb']['Keys']['pk']['S'] for r in event['Records']]
    with open(os.path.join(os.environ['OUT_DIR'], 'batches.jsonl'), 'a') as out:
        out.write(json.dumps({'keys': keys, 'records': event['Records'], 'fn': context.function_name}) + '\\n')
    mode = os.environ.get('MODE', '')
    if mode == 'poison' and 'poison' in keys:
        raise ValueError('poison record')
    if mode == 'report':
        flag = os.path.join(os.environ['OUT_DIR'], 'reported')
        if 'k2' in keys and not os.path.exists(flag):
            open(flag, 'w').close()
            seq = event['Records'][keys.index('k2')]['dynamodb']['SequenceNumber']
            return {'batchItemFailures': [{'itemIdentifier': seq}]}
    return 'Successfully processed.'
"""


def batches(tmp_path, function: str | None = None) -> list[list[str]]:
    path = tmp_path / "batches.jsonl"
    seen = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    return [b["keys"] for b in seen if function in (None, b["fn"])]


def stream_table(cloud, name="orders", view="NEW_AND_OLD_IMAGES") -> str:
    ddb = cloud.client("dynamodb")
    desc = ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                            BillingMode="PAY_PER_REQUEST",
                            StreamSpecification={"StreamEnabled": True, "StreamViewType": view})["TableDescription"]
    return desc["LatestStreamArn"]


def put(cloud, table, key, **attrs):
    item = {"pk": {"S": key}, **{k: {"S": v} for k, v in attrs.items()}}
    cloud.client("dynamodb").put_item(TableName=table, Item=item)


@pytest.fixture
def consumer(deploy, tmp_path):
    def create(name="consumer", mode=""):
        return deploy(name, {"app.py": RECORDER},
                      Environment={"Variables": {"OUT_DIR": str(tmp_path), "MODE": mode}})["FunctionArn"]
    return create


def test_mapping_lifecycle_and_lambda_record_shape(cloud, lam, consumer, tmp_path):
    stream = stream_table(cloud)
    consumer()
    created = lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="consumer",
                                              StartingPosition="LATEST", Enabled=True)
    assert created["State"] == "Creating" and created["BatchSize"] == 100
    assert created["LastProcessingResult"] == "No records processed"
    assert (created["MaximumRetryAttempts"], created["MaximumRecordAgeInSeconds"]) == (-1, -1)
    assert created["FunctionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:consumer"
    put(cloud, "orders", "k1", status="NEW")
    cloud.clock.run_until_idle()
    assert batches(tmp_path) == [["k1"]]
    record = json.loads((tmp_path / "batches.jsonl").read_text())["records"][0]
    assert record["eventName"] == "INSERT" and record["eventVersion"] == "1.1"
    assert record["eventSource"] == "aws:dynamodb" and record["awsRegion"] == "us-east-1"
    assert record["eventSourceARN"] == stream and len(record["eventID"]) == 32
    data = record["dynamodb"]
    assert data["Keys"] == {"pk": {"S": "k1"}} and data["NewImage"] == {"pk": {"S": "k1"}, "status": {"S": "NEW"}}
    assert "OldImage" not in data and data["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert isinstance(data["ApproximateCreationDateTime"], float) and data["SizeBytes"] > 0
    got = lam.get_event_source_mapping(UUID=created["UUID"])
    assert got["State"] == "Enabled" and got["LastProcessingResult"] == "OK"
    listed = lam.list_event_source_mappings(FunctionName="consumer")["EventSourceMappings"]
    assert [m["UUID"] for m in listed] == [created["UUID"]]
    disabled = lam.update_event_source_mapping(UUID=created["UUID"], Enabled=False)
    assert disabled["State"] == "Disabling"
    assert lam.get_event_source_mapping(UUID=created["UUID"])["State"] == "Disabled"
    assert lam.delete_event_source_mapping(UUID=created["UUID"])["State"] == "Deleting"
    with pytest.raises(ClientError) as exc:
        lam.get_event_source_mapping(UUID=created["UUID"])
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_latest_skips_old_records_trim_horizon_reads_them(cloud, lam, consumer, tmp_path):
    stream = stream_table(cloud)
    put(cloud, "orders", "old")
    consumer("latest")
    consumer("horizon")
    lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="latest", StartingPosition="LATEST")
    lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="horizon", StartingPosition="TRIM_HORIZON")
    put(cloud, "orders", "new")
    cloud.clock.run_until_idle()
    assert batches(tmp_path, "latest") == [["new"]]
    assert [key for batch in batches(tmp_path, "horizon") for key in batch] == ["old", "new"]


def test_batches_keep_shard_order_and_batch_size(cloud, lam, consumer, tmp_path):
    stream = stream_table(cloud)
    consumer()
    for i in range(5):
        put(cloud, "orders", f"k{i}")
    lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="consumer", StartingPosition="TRIM_HORIZON",
                                    BatchSize=2)
    cloud.clock.run_until_idle()
    assert batches(tmp_path) == [["k0", "k1"], ["k2", "k3"], ["k4"]]


def test_failing_batch_blocks_the_shard_until_retries_run_out(cloud, lam, consumer, tmp_path):
    stream = stream_table(cloud)
    consumer(mode="poison")
    put(cloud, "orders", "poison")
    put(cloud, "orders", "after")
    started = cloud.clock.now()
    mapping = lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="consumer",
                                              StartingPosition="TRIM_HORIZON", MaximumRetryAttempts=2)
    cloud.clock.run_until_idle()
    assert batches(tmp_path) == [["poison", "after"]] * 3, "the same batch: one attempt and two retries"
    assert cloud.clock.now() > started, "retries wait on the clock"
    problem = lam.get_event_source_mapping(UUID=mapping["UUID"])["LastProcessingResult"]
    assert problem == "PROBLEM: Function call failed"
    put(cloud, "orders", "later")
    cloud.clock.run_until_idle()
    assert batches(tmp_path)[3:] == [["later"]], "the discarded batch no longer blocks the shard"
    assert lam.get_event_source_mapping(UUID=mapping["UUID"])["LastProcessingResult"] == "OK"


def test_bisect_isolates_the_poison_record(cloud, lam, consumer, tmp_path):
    stream = stream_table(cloud)
    consumer(mode="poison")
    for key in ("a", "poison", "b", "c"):
        put(cloud, "orders", key)
    lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="consumer", StartingPosition="TRIM_HORIZON",
                                    BisectBatchOnFunctionError=True, MaximumRetryAttempts=0)
    cloud.clock.run_until_idle()
    seen = batches(tmp_path)
    assert seen[0] == ["a", "poison", "b", "c"]
    delivered = [key for batch in seen if "poison" not in batch for key in batch]
    assert delivered == ["a", "b", "c"]


def test_report_batch_item_failures_retries_from_the_failed_record(cloud, lam, consumer, tmp_path):
    stream = stream_table(cloud)
    consumer(mode="report")
    for key in ("k1", "k2", "k3"):
        put(cloud, "orders", key)
    lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="consumer", StartingPosition="TRIM_HORIZON",
                                    FunctionResponseTypes=["ReportBatchItemFailures"])
    cloud.clock.run_until_idle()
    assert batches(tmp_path) == [["k1", "k2", "k3"], ["k2", "k3"]]


def test_filter_criteria_drop_unmatched_records(cloud, lam, consumer, tmp_path):
    stream = stream_table(cloud)
    consumer()
    pattern = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["NEW"]}}}}
    lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="consumer", StartingPosition="LATEST",
                                    FilterCriteria={"Filters": [{"Pattern": json.dumps(pattern)}]})
    put(cloud, "orders", "k1", status="OLD")
    put(cloud, "orders", "k2", status="NEW")
    put(cloud, "orders", "k2", status="NEW", extra="modify")
    cloud.clock.run_until_idle()
    assert batches(tmp_path) == [["k2"]]
    with pytest.raises(ClientError) as exc:
        lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="consumer", StartingPosition="LATEST",
                                        FilterCriteria={"Filters": [{"Pattern": "{not json"}]})
    assert exc.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_batching_window_waits_on_the_clock(cloud, lam, consumer, tmp_path):
    stream = stream_table(cloud)
    consumer()
    lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="consumer", StartingPosition="LATEST",
                                    MaximumBatchingWindowInSeconds=30)
    started = cloud.clock.now()
    put(cloud, "orders", "k1")
    cloud.clock.run_until_idle()
    assert batches(tmp_path) == [["k1"]] and cloud.clock.now() - started >= 30


def test_mapping_errors(cloud, lam, consumer):
    stream = stream_table(cloud)
    consumer()
    first = lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="consumer", StartingPosition="LATEST")
    with pytest.raises(ClientError) as exc:
        lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="consumer", StartingPosition="LATEST")
    error = exc.value.response["Error"]
    assert error["Code"] == "ResourceConflictException"
    assert error["Message"] == (f'The event source arn (" {stream} ") and function (" consumer ") provided mapping '
                                f"already exists. Please update or delete the existing mapping with UUID {first['UUID']}")
    with pytest.raises(ClientError) as exc:
        lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="ghost", StartingPosition="LATEST")
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        lam.get_event_source_mapping(UUID="00000000-0000-4000-8000-000000000000")
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_position_survives_a_restart(tmp_path):
    data, out = tmp_path / "data", tmp_path / "out"
    out.mkdir()
    with Cloud(data_dir=data, clock=VirtualClock(start=1_700_000_000), seed=7) as cloud:
        role = cloud.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
        stream = stream_table(cloud)
        cloud.client("lambda").create_function(
            FunctionName="consumer", Runtime="python3.12", Role=role, Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": RECORDER})}, Environment={"Variables": {"OUT_DIR": str(out)}})
        cloud.client("lambda").create_event_source_mapping(EventSourceArn=stream, FunctionName="consumer",
                                                           StartingPosition="LATEST")
        put(cloud, "orders", "before-restart")
        cloud.clock.run_until_idle()
    with Cloud(data_dir=data, clock=VirtualClock(start=1_700_000_100), seed=8) as cloud:
        put(cloud, "orders", "while-lambda-was-down")
        cloud.client("lambda").list_functions()
        put(cloud, "orders", "after-restart")
        cloud.clock.run_until_idle()
    keys = [key for batch in batches(out) for key in batch]
    assert keys == ["before-restart", "while-lambda-was-down", "after-restart"]


def test_records_older_than_maximum_record_age_are_dropped(cloud, lam, consumer, tmp_path):
    stream = stream_table(cloud)
    consumer(mode="poison")
    put(cloud, "orders", "poison")
    started = cloud.clock.now()
    lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="consumer", StartingPosition="TRIM_HORIZON",
                                    MaximumRecordAgeInSeconds=60)
    cloud.clock.run_until_idle()
    attempts = len(batches(tmp_path))
    assert attempts > 1 and 60 <= cloud.clock.now() - started < 200, "retried until the record was too old"
    put(cloud, "orders", "fresh")
    cloud.clock.run_until_idle()
    assert batches(tmp_path)[attempts:] == [["fresh"]]
