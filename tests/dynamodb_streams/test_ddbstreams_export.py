"""PITR settings and ExportTableToPointInTime / DescribeExport / ListExports, with the S3 layout."""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re

import pytest

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb.export import EXPORT_DURATION_SECONDS
from lowcloud.services.dynamodb.export_formats import decode_lines
from ddbstreams_fakes import request

R = request("dynamodb")
ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/"
PITR_ON = {"PointInTimeRecoveryEnabled": True}


def error(fn, *args, **kwargs) -> AwsError:
    with pytest.raises(AwsError) as info:
        fn(*args, **kwargs)
    return info.value


def item(i: int) -> dict:
    """An item using every attribute type, varied by ``i``."""
    return {"pk": {"S": f"user#{i:05d}"}, "sk": {"N": str(i % 7)}, "name": {"S": f"名前 {i} \"q\"\n"},
            "score": {"N": f"{i}.{i % 10}5"}, "neg": {"N": str(-i * 1000)}, "raw": {"B": bytes([i % 256, 0, 255])},
            "ok": {"BOOL": i % 2 == 0}, "none": {"NULL": True}, "tags": {"SS": [f"t{i % 3}", "all"]},
            "nums": {"NS": [str(i), "0.5"]}, "blobs": {"BS": [b"\x01", bytes([i % 200 + 2])]},
            "list": {"L": [{"S": "x"}, {"N": str(i)}, {"M": {"deep": {"L": [{"BOOL": False}]}}}]},
            "map": {"M": {"a": {"S": ""}, "b": {"NS": ["1"]}, "c": {"M": {}}}}}


def settle(cloud, ddb, arn: str) -> dict:
    cloud.clock.advance(EXPORT_DURATION_SECONDS)
    return ddb.describe_export({"ExportArn": arn}, R)["ExportDescription"]


def export(ddb, table: str, **extra) -> dict:
    params = {"TableArn": ARN + table, "S3Bucket": "lake", **extra}
    return ddb.export_table_to_point_in_time(params, R)["ExportDescription"]


@pytest.fixture
def users(env):
    cloud, ddb, s3, _ = env
    ddb.create_table("Users", keys=(("pk", "S"), ("sk", "N")))
    ddb.update_continuous_backups({"TableName": "Users", "PointInTimeRecoverySpecification": PITR_ON}, R)
    s3.buckets["lake"] = {}
    return cloud, ddb, s3


def test_pitr_settings(env):
    cloud, ddb, _, _ = env
    ddb.create_table("Users")
    off = ddb.describe_continuous_backups({"TableName": "Users"}, R)["ContinuousBackupsDescription"]
    assert off == {"ContinuousBackupsStatus": "ENABLED",
                   "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}
    cloud.clock.advance(600)
    on = ddb.update_continuous_backups({"TableName": "Users", "PointInTimeRecoverySpecification":
                                        {"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 7}}, R)
    pitr = on["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED" and pitr["RecoveryPeriodInDays"] == 7
    assert pitr["EarliestRestorableDateTime"].timestamp() == 1_700_000_600
    cloud.clock.advance(8 * 86400)
    described = ddb.describe_continuous_backups({"TableName": "Users"}, R)["ContinuousBackupsDescription"]
    pitr = described["PointInTimeRecoveryDescription"]
    now = cloud.clock.now()
    assert pitr["EarliestRestorableDateTime"].timestamp() == now - 7 * 86400
    assert pitr["LatestRestorableDateTime"].timestamp() == now - 300
    err = error(ddb.describe_continuous_backups, {"TableName": "Nope"}, R)
    assert (err.code, err.message) == ("TableNotFoundException", "Table not found: Nope")


def test_pitr_off_is_refused_with_aws_message(env):
    cloud, ddb, s3, _ = env
    ddb.create_table("Users")
    err = error(export, ddb, "Users")
    assert (err.code, err.message) == ("PointInTimeRecoveryUnavailableException",
                                       "Point in time recovery is not enabled for table 'Users'")
    err = error(export, ddb, "Missing")
    assert (err.code, err.message) == ("TableNotFoundException", f"Table not found: {ARN}Missing")
    assert error(export, ddb, "Users", S3Bucket="-bad-").code == "ValidationException"


@pytest.mark.parametrize("fmt", ["DYNAMODB_JSON", "ION"])
def test_full_export_reads_back_exactly(users, fmt):
    """2,000 items here; the 10,000-item run goes through the real core in test_ddbstreams_e2e."""
    cloud, ddb, s3 = users
    items = [item(i) for i in range(2_000)]
    for it in items:
        ddb.put("Users", it)
    started = export(ddb, "Users", ExportFormat=fmt, S3Prefix="ddb/users/", ClientToken="tok-" + fmt)
    assert started["ExportStatus"] == "IN_PROGRESS" and started["ExportFormat"] == fmt and "ExportType" not in started
    export_id = started["ExportArn"].rsplit("/", 1)[1]
    assert re.fullmatch(r"\d{14}-[0-9a-f]{8}", export_id) and started["ExportArn"] == f"{ARN}Users/export/{export_id}"
    assert s3.buckets["lake"] == {}  # nothing lands before the export's time has passed
    done = settle(cloud, ddb, started["ExportArn"])
    assert done["ExportStatus"] == "COMPLETED" and done["ItemCount"] == 2_000 and done["BilledSizeBytes"] > 0
    base = f"ddb/users/AWSDynamoDB/{export_id}"
    objects = s3.buckets["lake"]
    assert done["ExportManifest"] == f"{base}/manifest-summary.json"
    data_keys = [k for k in objects if k.startswith(f"{base}/data/")]
    names = ("_started", "manifest-files.json", "manifest-files.md5", "manifest-summary.json", "manifest-summary.md5")
    assert set(objects) == {f"{base}/{n}" for n in names} | set(data_keys)
    assert objects[f"{base}/_started"] == b""
    (data_key,) = data_keys
    assert re.fullmatch(rf"{base}/data/[a-z2-7]{{26}}\.{'ion' if fmt == 'ION' else 'json'}\.gz", data_key)
    read_back = decode_lines(objects[data_key], fmt)
    assert sorted((r["Item"] for r in read_back), key=lambda x: x["pk"]["S"]) == items
    files = [json.loads(line) for line in objects[f"{base}/manifest-files.json"].decode().splitlines()]
    body = objects[data_key]
    assert files == [{"itemCount": 2_000, "md5Checksum": base64.b64encode(hashlib.md5(body).digest()).decode(),
                      "etag": hashlib.md5(body).hexdigest(), "dataFileS3Key": data_key}]
    summary = json.loads(objects[f"{base}/manifest-summary.json"])
    assert summary["itemCount"] == 2_000 and summary["outputFormat"] == fmt and summary["s3Prefix"] == "ddb/users/"
    assert summary["manifestFilesS3Key"] == f"{base}/manifest-files.json"
    assert summary["exportArn"] == started["ExportArn"]
    assert summary["exportTime"] == "2023-11-14T22:13:20.000Z" and summary["endTime"] == "2023-11-14T22:14:20.000Z"
    for stem in ("manifest-files", "manifest-summary"):
        assert objects[f"{base}/{stem}.md5"] == base64.b64encode(hashlib.md5(objects[f"{base}/{stem}.json"]).digest())


def test_ion_lines_use_aws_type_mapping(users):
    cloud, ddb, s3 = users
    ddb.put("Users", {"pk": {"S": "order#1"}, "sk": {"N": "1"}, "total": {"N": "19.99"}, "tags": {"SS": ["a", "b"]},
                      "raw": {"B": b"hello"}, "note": {"NULL": True}, "paid": {"BOOL": True}})
    done = settle(cloud, ddb, export(ddb, "Users", ExportFormat="ION")["ExportArn"])
    data = next(v for k, v in s3.buckets["lake"].items() if "/data/" in k)
    line = gzip.decompress(data).decode()
    assert line == ('$ion_1_0 {Item:{pk:"order#1",sk:1d0,total:19.99,tags:$dynamodb_SS::["a","b"],'
                    'raw:{{aGVsbG8=}},note:null,paid:true}}\n')
    assert done["ExportStatus"] == "COMPLETED"


def test_export_at_past_time_is_exact(users):
    cloud, ddb, s3 = users
    for i in range(3):
        ddb.put("Users", item(i))
    cloud.clock.advance(100)
    moment = cloud.clock.now()
    cloud.clock.advance(100)
    ddb.put("Users", {**item(0), "name": {"S": "changed"}})
    ddb.delete("Users", item(1))
    ddb.put("Users", item(9))
    started = export(ddb, "Users", ExportTime=moment)
    assert started["ExportTime"].timestamp() == moment
    settle(cloud, ddb, started["ExportArn"])
    data = next(v for k, v in s3.buckets["lake"].items() if "/data/" in k)
    exported = sorted((r["Item"] for r in decode_lines(data, "DYNAMODB_JSON")), key=lambda x: x["pk"]["S"])
    assert exported == [item(i) for i in range(3)]
    err = error(export, ddb, "Users", ExportTime=moment - 1000)
    assert (err.code, err.message) == ("InvalidExportTimeException", "Export Time is invalid")


@pytest.mark.parametrize("view", ["NEW_AND_OLD_IMAGES", "NEW_IMAGE"])
def test_incremental_export_net_changes(users, view):
    cloud, ddb, s3 = users
    ddb.put("Users", item(1))
    ddb.put("Users", item(2))
    cloud.clock.advance(60)
    start = cloud.clock.now()
    ddb.put("Users", item(3))                                   # insert
    ddb.put("Users", {**item(1), "name": {"S": "v2"}})          # update ...
    ddb.put("Users", {**item(1), "name": {"S": "v3"}})          # ... twice: one net change
    ddb.delete("Users", item(2))                                # delete
    ddb.put("Users", item(4))
    ddb.delete("Users", item(4))                                # insert + delete inside the window: nothing
    cloud.clock.advance(20 * 60)
    spec = {"ExportFromTime": start, "ExportToTime": cloud.clock.now(), "ExportViewType": view}
    started = export(ddb, "Users", ExportType="INCREMENTAL_EXPORT", IncrementalExportSpecification=spec)
    assert started["ExportType"] == "INCREMENTAL_EXPORT"
    assert started["IncrementalExportSpecification"]["ExportViewType"] == view
    export_id = started["ExportArn"].rsplit("/", 1)[1]
    done = settle(cloud, ddb, started["ExportArn"])
    assert done["ItemCount"] == 3
    data_key = next(k for k in s3.buckets["lake"] if "/data/" in k)
    assert data_key.startswith("AWSDynamoDB/data/")
    assert f"AWSDynamoDB/{export_id}/manifest-summary.json" in s3.buckets["lake"]
    records = {r["Keys"]["pk"]["S"]: r for r in decode_lines(s3.buckets["lake"][data_key], "DYNAMODB_JSON")}
    assert set(records) == {"user#00001", "user#00002", "user#00003"}
    assert records["user#00003"]["NewImage"] == item(3) and "OldImage" not in records["user#00003"]
    assert records["user#00001"]["NewImage"]["name"] == {"S": "v3"}
    assert ("OldImage" in records["user#00001"]) == (view == "NEW_AND_OLD_IMAGES")
    assert ("OldImage" in records["user#00002"]) == (view == "NEW_AND_OLD_IMAGES")
    assert "NewImage" not in records["user#00002"]
    assert int(records["user#00003"]["Metadata"]["WriteTimestampMicros"]["N"]) == int(start * 1_000_000)
    summary = json.loads(s3.buckets["lake"][f"AWSDynamoDB/{export_id}/manifest-summary.json"])
    assert summary["exportType"] == "INCREMENTAL_EXPORT" and summary["outputView"] == view
    short = {"ExportFromTime": start, "ExportToTime": start + 60}
    err = error(export, ddb, "Users", ExportType="INCREMENTAL_EXPORT", IncrementalExportSpecification=short)
    assert err.code == "InvalidExportTimeException" and err.message.startswith("Difference between export period")


def test_missing_bucket_fails_like_aws(users):
    cloud, ddb, s3 = users
    started = export(ddb, "Users", S3Bucket="no-such-bucket")
    assert started["ExportStatus"] == "IN_PROGRESS"
    done = settle(cloud, ddb, started["ExportArn"])
    assert done["ExportStatus"] == "FAILED" and done["FailureCode"] == "S3NoSuchBucket"
    assert "The specified bucket does not exist" in done["FailureMessage"] and "ExportManifest" not in done
    summary = ddb.list_exports({"TableArn": ARN + "Users"}, R)["ExportSummaries"]
    assert summary == [{"ExportArn": started["ExportArn"], "ExportStatus": "FAILED", "ExportType": "FULL_EXPORT"}]


def test_empty_table_exports_an_empty_file(users):
    cloud, ddb, s3 = users
    done = settle(cloud, ddb, export(ddb, "Users")["ExportArn"])
    assert (done["ItemCount"], done["BilledSizeBytes"]) == (0, 0)
    data = next(v for k, v in s3.buckets["lake"].items() if "/data/" in k)
    assert gzip.decompress(data) == b""


def test_client_token_idempotency(users):
    cloud, ddb, s3 = users
    first = export(ddb, "Users", ClientToken="t1")
    again = export(ddb, "Users", ClientToken="t1")
    assert again == first
    err = error(export, ddb, "Users", ClientToken="t1", ExportFormat="ION")
    assert err.code == "ExportConflictException" and err.message.startswith("Duplicate request detected")
    assert export(ddb, "Users")["ExportArn"] != first["ExportArn"]


def test_describe_and_list_exports(users):
    cloud, ddb, s3 = users
    ddb.create_table("Other")
    ddb.update_continuous_backups({"TableName": "Other", "PointInTimeRecoverySpecification": PITR_ON}, R)
    arns = []
    for i in range(5):
        arns.append(export(ddb, "Users" if i % 2 == 0 else "Other")["ExportArn"])
        cloud.clock.advance(1)
    pages, token = [], None
    while True:
        page = ddb.list_exports({"MaxResults": 2, **({"NextToken": token} if token else {})}, R)
        pages.append([s["ExportArn"] for s in page["ExportSummaries"]])
        token = page.get("NextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [2, 2, 1] and sum(pages, []) == sorted(arns, reverse=True)
    only = [s["ExportArn"] for s in ddb.list_exports({"TableArn": ARN + "Other"}, R)["ExportSummaries"]]
    assert only == sorted(arns[1::2], reverse=True)
    unknown = arns[0][:-8] + "00000000"
    assert error(ddb.describe_export, {"ExportArn": unknown}, R).code == "ExportNotFoundException"
    bad = error(ddb.describe_export, {"ExportArn": ARN + "Users"}, R)
    assert (bad.code, bad.message) == ("ValidationException", "Invalid Export ARN")
    denied = error(ddb.describe_export, {"ExportArn": "arn:aws:dynamodb:qwerty:000000000000:table/Users"}, R)
    assert (denied.code, denied.message) == ("AccessDeniedException", "Access is denied")


def test_in_progress_export_resumes_after_restart(tmp_path, fakes_resolvable):
    from lowcloud.cloud import Cloud
    from lowcloud.clock import VirtualClock
    from ddbstreams_fakes import install

    with Cloud(data_dir=tmp_path, clock=VirtualClock(start=1_700_000_000, auto=False), seed=1) as cloud:
        ddb, s3 = install(cloud)
        ddb.create_table("Users")
        ddb.update_continuous_backups({"TableName": "Users", "PointInTimeRecoverySpecification": PITR_ON}, R)
        ddb.put("Users", {"pk": {"S": "a"}})
        arn = export(ddb, "Users")["ExportArn"]
    with Cloud(data_dir=tmp_path, clock=VirtualClock(start=1_700_000_030, auto=False), seed=2) as cloud:
        ddb, s3 = install(cloud)
        s3.buckets["lake"] = {}
        assert ddb.describe_export({"ExportArn": arn}, R)["ExportDescription"]["ExportStatus"] == "IN_PROGRESS"
        cloud.clock.advance(30)
        assert ddb.describe_export({"ExportArn": arn}, R)["ExportDescription"]["ItemCount"] == 1


def test_exports_of_a_deleted_table_are_no_longer_listed_under_its_arn(users):
    cloud, ddb, s3 = users
    started = export(ddb, "Users")
    assert [x["ExportArn"] for x in ddb.list_exports({"TableArn": ARN + "Users"}, R)["ExportSummaries"]] == \
        [started["ExportArn"]]
    ddb.delete_table("Users")
    assert ddb.list_exports({"TableArn": ARN + "Users"}, R)["ExportSummaries"] == []
    assert ddb.describe_export({"ExportArn": started["ExportArn"]}, R)["ExportDescription"]["TableArn"] == ARN + "Users"


@pytest.mark.parametrize("extra, message", [
    ({"ClientToken": ""}, "1 validation error detected: Value '' at 'clientToken' failed to satisfy constraint: "
                          "Member must satisfy regular expression pattern: ^[^\\$]+$"),
    ({"S3BucketOwner": "12345"}, "1 validation error detected: Value '12345' at 's3BucketOwner' failed to satisfy "
                                 "constraint: Member must satisfy regular expression pattern: [0-9]{12}"),
    ({"TableArn": "Users"}, "tableArn is not a valid ARN"),
])
def test_export_request_shape_errors(users, extra, message):
    cloud, ddb, s3 = users
    err = error(export, ddb, "Users", **extra)
    assert (err.code, err.message) == ("ValidationException", message)
