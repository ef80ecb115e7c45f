"""What an export contains and the objects it leaves in S3.

The data is fixed when the export is requested: a FULL export is the table as
it was at ``ExportTime`` (today's items with every later change from the PITR
log undone, newest first), an INCREMENTAL export is each changed item's net
change over ``[ExportFromTime, ExportToTime)``.  The gzipped data file is kept
in a blob until the export's clock timer fires; then the objects are written
through the S3 API in AWS's order (``_started``, data, ``manifest-files``,
``manifest-summary``, each manifest with its ``.md5``) so a consumer that
waits for the summary or for COMPLETED sees a whole export.  Any S3 error
turns into AWS's ``FailureCode`` (``S3`` + the S3 error code).
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
from datetime import datetime, timezone

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb.export_formats import (
    DATA_NAME_ALPHABET, compact_json, item_size, key_string)

log = logging.getLogger("lowcloud.dynamodb.export")

EXPORT_DURATION_SECONDS = 60.0  # virtual seconds from request to COMPLETED; Backups.export_duration overrides
MANIFEST_VERSION = "2020-06-30"
MICROS = 1_000_000


class ExportFailure(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


# --- what is exported ---------------------------------------------------------------
def key_names(table_desc: dict) -> list[str]:
    return [k["AttributeName"] for k in table_desc["KeySchema"]]


def snapshot_records(service, db, table_desc: dict, at: float) -> tuple[list[dict], int]:
    """``{"Item": ...}`` records of the table as it was at ``at``, and their billed size."""
    name = table_desc["TableName"]
    later = db.all("SELECT key, old FROM pitr_log WHERE table_name=? AND ts > ? ORDER BY id DESC", (name, at))
    items = list(service.scan_all(name))
    if later:
        items = _rolled_back(items, later, key_names(table_desc))
    size = table_desc.get("TableSizeBytes") if not later else None
    return [{"Item": item} for item in items], size if size is not None else sum(map(item_size, items))


def _rolled_back(items: list[dict], later: list[tuple], names: list[str]) -> list[dict]:
    """Undo ``later`` changes (newest first) on today's items: each key gets its old image back."""
    by_key = {key_string(item, names): item for item in items}
    for key, old in later:
        if old is None:
            by_key.pop(key, None)
        else:
            by_key[key] = json.loads(old)
    return list(by_key.values())


def incremental_records(db, table_desc: dict, start: float, end: float, view: str) -> tuple[list[dict], int]:
    """One record per item changed in ``[start, end)``: its net change, shaped per ``view``."""
    names, net = key_names(table_desc), {}
    for key, ts, old, new in db.all("SELECT key, ts, old, new FROM pitr_log WHERE table_name=? AND ts >= ? "
                                    "AND ts < ? ORDER BY id", (table_desc["TableName"], start, end)):
        first_old = net[key][0] if key in net else old
        net[key] = (first_old, new, ts)
    records = [_change(dict(zip(names, json.loads(key))), old, new, ts, view)
               for key, (old, new, ts) in net.items() if old is not None or new is not None]
    return records, sum(len(compact_json(r)) for r in records)


def _change(keys: dict, old: str | None, new: str | None, ts: float, view: str) -> dict:
    record = {"Metadata": {"WriteTimestampMicros": {"N": str(int(round(ts * MICROS)))}}, "Keys": keys}
    if new is not None:
        record["NewImage"] = json.loads(new)
    if old is not None and view == "NEW_AND_OLD_IMAGES":
        record["OldImage"] = json.loads(old)
    return record


def data_file_name(ids, export_format: str) -> str:
    return ids.chars(26, DATA_NAME_ALPHABET) + (".ion.gz" if export_format == "ION" else ".json.gz")


# --- where it goes ----------------------------------------------------------------------
def export_root(prefix: str | None) -> str:
    """``{prefix}/AWSDynamoDB`` (a trailing ``/`` on the prefix is dropped)."""
    prefix = (prefix or "").rstrip("/")
    return f"{prefix}/AWSDynamoDB" if prefix else "AWSDynamoDB"


def export_base(prefix: str | None, export_id: str) -> str:
    return f"{export_root(prefix)}/{export_id}"


def data_key(prefix: str | None, export_id: str, name: str, incremental: bool) -> str:
    """Full exports keep data beside their manifests; incremental ones share ``AWSDynamoDB/data``."""
    folder = export_root(prefix) if incremental else export_base(prefix, export_id)
    return f"{folder}/data/{name}"


def iso_millis(epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def md5_b64(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body).digest()).decode("ascii")


# --- writing it -------------------------------------------------------------------------
class S3Writer:
    """put_object through the S3 API with the export's destination settings."""

    def __init__(self, put, desc: dict):
        self._put, self._desc = put, desc

    def put(self, key: str, body: bytes) -> str:
        params = {"Bucket": self._desc["S3Bucket"], "Key": key, "Body": body}
        params.update(self._encryption())
        if self._desc.get("S3BucketOwner"):
            params["ExpectedBucketOwner"] = self._desc["S3BucketOwner"]
        try:
            answer = self._put(params) or {}
        except AwsError as err:
            raise ExportFailure(f"S3{err.code}", _failure_message(err)) from None
        return str(answer.get("ETag") or hashlib.md5(body).hexdigest()).strip('"')

    def _encryption(self) -> dict:
        algorithm = self._desc.get("S3SseAlgorithm")
        if algorithm == "KMS":
            kms = {"ServerSideEncryption": "aws:kms"}
            if self._desc.get("S3SseKmsKeyId"):
                kms["SSEKMSKeyId"] = self._desc["S3SseKmsKeyId"]
            return kms
        return {"ServerSideEncryption": "AES256"} if algorithm == "AES256" else {}


def _failure_message(err: AwsError) -> str:
    if err.code == "NoSuchBucket":
        return "The specified bucket does not exist"
    return err.message or err.code


def write_export(put, desc: dict, job: dict, body: bytes, end_time: float) -> dict:
    """Write every object of a finished export; returns the fields COMPLETED adds to the description."""
    s3 = S3Writer(put, desc)
    export_id = desc["ExportArn"].rsplit("/", 1)[-1]
    base = export_base(desc.get("S3Prefix"), export_id)
    s3.put(f"{base}/_started", b"")
    key = data_key(desc.get("S3Prefix"), export_id, job["data_name"], desc.get("ExportType") == "INCREMENTAL_EXPORT")
    etag = s3.put(key, body)
    files = compact_json({"itemCount": job["item_count"], "md5Checksum": md5_b64(body), "etag": etag,
                          "dataFileS3Key": key}) + "\n"
    _put_with_md5(s3, f"{base}/manifest-files", files.encode("utf-8"))
    summary = _summary(desc, job, f"{base}/manifest-files.json", end_time)
    _put_with_md5(s3, f"{base}/manifest-summary", compact_json(summary).encode("utf-8"))
    return {"EndTime": end_time, "ExportManifest": f"{base}/manifest-summary.json",
            "ItemCount": job["item_count"], "BilledSizeBytes": job["billed_size"]}


def _put_with_md5(s3: S3Writer, stem: str, body: bytes) -> None:
    s3.put(f"{stem}.json", body)
    s3.put(f"{stem}.md5", md5_b64(body).encode("ascii"))


def _summary(desc: dict, job: dict, files_key: str, end_time: float) -> dict:
    summary = {"version": MANIFEST_VERSION, "exportArn": desc["ExportArn"], "startTime": iso_millis(desc["StartTime"]),
               "endTime": iso_millis(end_time), "tableArn": desc["TableArn"], "tableId": desc.get("TableId"),
               "exportTime": iso_millis(job["export_time"]), "s3Bucket": desc["S3Bucket"],
               "s3Prefix": desc.get("S3Prefix"), "s3SseAlgorithm": desc.get("S3SseAlgorithm"),
               "s3SseKmsKeyId": desc.get("S3SseKmsKeyId"), "manifestFilesS3Key": files_key,
               "billedSizeBytes": job["billed_size"], "itemCount": job["item_count"],
               "outputFormat": desc.get("ExportFormat", "DYNAMODB_JSON")}
    spec = desc.get("IncrementalExportSpecification")
    if spec:
        summary.update(exportType="INCREMENTAL_EXPORT", exportFromTime=iso_millis(spec["ExportFromTime"]),
                       exportToTime=iso_millis(spec["ExportToTime"]), outputView=spec["ExportViewType"])
    return summary
