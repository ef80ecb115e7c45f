"""Point-in-time recovery and exports to S3: the operations DynamoDB's api.py delegates here.

PITR settings live beside the change log (``streams.open_store``) because the
ChangeLog must know, per write, whether to keep history.  An export is decided
and its data computed when it is requested (so later writes or a PITR switch
cannot change it), kept as one gzipped blob, and written to S3 by a task that
waits on the Cloud's clock for ``export_duration`` (``EXPORT_DURATION_SECONDS``
by default); exports still IN_PROGRESS when a Cloud restarts are re-armed.
Error codes and messages follow AWS's (see tests/dynamodb_streams for the
sources of each wording).
"""
from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import threading
from datetime import datetime, timezone

from botocore.utils import parse_timestamp

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb.export import (
    EXPORT_DURATION_SECONDS, ExportFailure, data_file_name, incremental_records, snapshot_records, write_export)
from lowcloud.services.dynamodb.export_formats import encode_lines
from lowcloud.services.dynamodb.streams import constraint_error, open_store, to_datetime

log = logging.getLogger("lowcloud.dynamodb.backups")

DEFAULT_RECOVERY_DAYS = 35
LATEST_RESTORABLE_LAG_SECONDS = 300  # AWS: "LatestRestorableDateTime is typically 5 minutes before the current time"
CLIENT_TOKEN_SECONDS = 8 * 3600
INCREMENTAL_MIN_SECONDS, INCREMENTAL_MAX_SECONDS = 15 * 60, 24 * 3600
MAX_LIST_EXPORTS = 25
S3_BUCKET = re.compile(r"^[a-z0-9A-Z]+[.\-\w]*[a-z0-9A-Z]+$")
TABLE_ARN = re.compile(r"^arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):(\d{12}):table/([A-Za-z0-9_.-]{3,255})$")
EXPORT_RESOURCE = re.compile(r"^table/[A-Za-z0-9_.-]{3,255}/export/\d{14}-[0-9a-f]{8}$")
FINGERPRINT = ("TableArn", "ExportTime", "S3Bucket", "S3BucketOwner", "S3Prefix", "S3SseAlgorithm", "S3SseKmsKeyId",
               "ExportFormat", "ExportType", "IncrementalExportSpecification")
OPTIONAL_ECHO = ("S3BucketOwner", "S3Prefix", "S3SseAlgorithm", "S3SseKmsKeyId")


def epoch_of(value) -> float | None:
    """A request timestamp (datetime, epoch number or text) as epoch seconds."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    return parse_timestamp(str(value)).timestamp()


def _fingerprint(params: dict) -> str:
    plain = {f: params.get(f) for f in FINGERPRINT}
    plain["ExportFormat"] = plain["ExportFormat"] or "DYNAMODB_JSON"
    plain["ExportType"] = plain["ExportType"] or "FULL_EXPORT"
    plain["ExportTime"] = epoch_of(plain["ExportTime"])
    spec = plain["IncrementalExportSpecification"]
    if spec:
        plain["IncrementalExportSpecification"] = {k: epoch_of(v) if k.endswith("Time") else v for k, v in spec.items()}
    return json.dumps(plain, sort_keys=True)


def _check_export_request(params: dict) -> None:
    """The model's patterns the request validator enforces, and a TableArn that is no ARN at all."""
    if params.get("ClientToken") is not None and not re.match(r"^[^$]+$", params["ClientToken"]):
        raise constraint_error(params["ClientToken"], "clientToken",
                               "Member must satisfy regular expression pattern: ^[^\\$]+$")
    if params.get("S3BucketOwner") is not None and not re.fullmatch(r"[0-9]{12}", params["S3BucketOwner"]):
        raise constraint_error(params["S3BucketOwner"], "s3BucketOwner",
                               "Member must satisfy regular expression pattern: [0-9]{12}")
    if not params["TableArn"].startswith("arn:"):
        raise AwsError("ValidationException", "tableArn is not a valid ARN")


def _description_out(desc: dict) -> dict:
    out = dict(desc)
    for field in ("StartTime", "EndTime", "ExportTime"):
        if field in out:
            out[field] = to_datetime(out[field])
    spec = out.get("IncrementalExportSpecification")
    if spec:
        out["IncrementalExportSpecification"] = {k: to_datetime(v) if k.endswith("Time") else v
                                                 for k, v in spec.items()}
    return out


class Backups:
    def __init__(self, service, s3_put=None):
        self.service = service
        self.db = open_store(service.cloud, service.region)
        self.blobs = service.cloud.storage.blobs(service.db_name() + "-exports")
        self.export_duration = EXPORT_DURATION_SECONDS
        self._s3_put = s3_put or (lambda params: service.call("s3", "put_object", params))
        self._lock = threading.Lock()
        for export_id, due in self.db.all("SELECT export_id, due FROM exports WHERE status='IN_PROGRESS'"):
            self._schedule(export_id, due)

    @property
    def clock(self):
        return self.service.clock

    # --- point-in-time recovery ---------------------------------------------------------
    def update_continuous_backups(self, params: dict, req=None) -> dict:
        name = params["TableName"]
        self._table(name)
        spec = params["PointInTimeRecoverySpecification"]
        if spec.get("PointInTimeRecoveryEnabled"):
            self._enable(name, spec.get("RecoveryPeriodInDays"))
        else:
            self._disable(name)
        return {"ContinuousBackupsDescription": self._backups_description(name)}

    def describe_continuous_backups(self, params: dict, req=None) -> dict:
        self._table(params["TableName"])
        return {"ContinuousBackupsDescription": self._backups_description(params["TableName"])}

    def _table(self, name: str) -> dict:
        try:
            return self.service.describe(name)
        except AwsError as err:
            if err.code == "ResourceNotFoundException":
                raise AwsError("TableNotFoundException", f"Table not found: {name}") from None
            raise

    def _pitr(self, name: str) -> tuple | None:
        row = self.db.one("SELECT period_days, enabled_at FROM pitr WHERE table_name=? AND enabled=1", (name,))
        return tuple(row) if row else None

    def _enable(self, name: str, period: int | None) -> None:
        with self.db.transaction() as conn:
            if self._pitr(name):
                if period:
                    conn.execute("UPDATE pitr SET period_days=? WHERE table_name=?", (period, name))
                return
            conn.execute("INSERT OR REPLACE INTO pitr(table_name, enabled, period_days, enabled_at) VALUES (?,1,?,?)",
                         (name, period or DEFAULT_RECOVERY_DAYS, self.clock.now()))

    def _disable(self, name: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE pitr SET enabled=0 WHERE table_name=?", (name,))
            conn.execute("DELETE FROM pitr_log WHERE table_name=?", (name,))

    def recovery_window(self, name: str) -> tuple[float, float] | None:
        """(earliest restorable, now) while PITR is on; None when it is off."""
        pitr = self._pitr(name)
        if pitr is None:
            return None
        now = self.clock.now()
        return max(pitr[1], now - pitr[0] * 86400), now

    def _backups_description(self, name: str) -> dict:
        window, pitr = self.recovery_window(name), {"PointInTimeRecoveryStatus": "DISABLED"}
        if window:
            earliest, now = window
            pitr = {"PointInTimeRecoveryStatus": "ENABLED", "RecoveryPeriodInDays": self._pitr(name)[0],
                    "EarliestRestorableDateTime": to_datetime(earliest),
                    "LatestRestorableDateTime": to_datetime(max(earliest, now - LATEST_RESTORABLE_LAG_SECONDS))}
        return {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": pitr}

    # --- ExportTableToPointInTime ---------------------------------------------------------
    def export_table_to_point_in_time(self, params: dict, req=None) -> dict:
        if not S3_BUCKET.match(params["S3Bucket"]):
            raise constraint_error(params["S3Bucket"], "s3Bucket", "Member must satisfy regular expression pattern: "
                                   + S3_BUCKET.pattern)
        _check_export_request(params)
        table = self._table_of_arn(params["TableArn"])
        token, fingerprint = params.get("ClientToken") or self.service.cloud.ids.uuid(), _fingerprint(params)
        earlier = self._by_token(token)
        if earlier:
            if earlier[0] != fingerprint:
                raise AwsError("ExportConflictException", "Duplicate request detected with different parameters")
            return {"ExportDescription": _description_out(earlier[1])}
        window = self.recovery_window(table["TableName"])
        if window is None:
            raise AwsError("PointInTimeRecoveryUnavailableException",
                           f"Point in time recovery is not enabled for table '{table['TableName']}'")
        desc = self._start(params, table, token, fingerprint, window)
        return {"ExportDescription": _description_out(desc)}

    def _table_of_arn(self, arn: str) -> dict:
        m = TABLE_ARN.match(arn)
        if not m or m.group(1) != self.service.region or m.group(2) != self.service.account:
            raise AwsError("TableNotFoundException", f"Table not found: {arn}")
        try:
            return self.service.describe(m.group(3))
        except AwsError as err:
            if err.code == "ResourceNotFoundException":
                raise AwsError("TableNotFoundException", f"Table not found: {arn}") from None
            raise

    def _by_token(self, token: str) -> tuple[str, dict] | None:
        row = self.db.one("SELECT request, description FROM exports WHERE client_token=? AND created > ? "
                          "ORDER BY created DESC LIMIT 1", (token, self.clock.now() - CLIENT_TOKEN_SECONDS))
        return (row[0], json.loads(row[1])) if row else None

    def _start(self, params: dict, table: dict, token: str, fingerprint: str, window: tuple) -> dict:
        now, ids = self.clock.now(), self.service.cloud.ids
        export_format = params.get("ExportFormat") or "DYNAMODB_JSON"
        desc = self._initial_description(params, table, token, now, ids.hex(8))
        if params.get("ExportType") == "INCREMENTAL_EXPORT":
            spec = desc["IncrementalExportSpecification"] = self._incremental_spec(params, window)
            records, billed = incremental_records(self.db, table, spec["ExportFromTime"], spec["ExportToTime"],
                                                  spec["ExportViewType"])
            export_time = spec["ExportToTime"]
        else:
            export_time = desc["ExportTime"] = self._export_time(params, window)
            records, billed = snapshot_records(self.service, self.db, table, export_time)
        body, count = encode_lines(records, export_format)
        job = {"data_name": data_file_name(ids, export_format), "item_count": count, "billed_size": billed,
               "export_time": export_time}
        self._store(desc, job, body, fingerprint, now)
        return desc

    def _initial_description(self, params: dict, table: dict, token: str, now: float, suffix: str) -> dict:
        export_id = f"{int(now * 1000):014d}-{suffix}"
        desc = {"ExportArn": f"{table['TableArn']}/export/{export_id}", "ExportStatus": "IN_PROGRESS",
                "StartTime": round(now, 3), "TableArn": table["TableArn"], "TableId": table.get("TableId"),
                "ClientToken": token, "S3Bucket": params["S3Bucket"]}
        desc.update({f: params[f] for f in OPTIONAL_ECHO if params.get(f) is not None})
        desc["ExportFormat"] = params.get("ExportFormat") or "DYNAMODB_JSON"
        if params.get("ExportType"):
            desc["ExportType"] = params["ExportType"]  # AWS echoes ExportType only when it was sent
        return {k: v for k, v in desc.items() if v is not None}

    def _export_time(self, params: dict, window: tuple) -> float:
        earliest, now = window
        at = epoch_of(params.get("ExportTime"))
        if at is None:
            return now
        if not earliest <= at <= now:
            raise AwsError("InvalidExportTimeException", "Export Time is invalid")
        return at

    def _incremental_spec(self, params: dict, window: tuple) -> dict:
        earliest, now = window
        spec = params.get("IncrementalExportSpecification") or {}
        if spec.get("ExportFromTime") is None:
            raise AwsError("ValidationException", "ExportFromTime must be provided for an incremental export")
        start, end = epoch_of(spec["ExportFromTime"]), epoch_of(spec.get("ExportToTime")) or now
        if not INCREMENTAL_MIN_SECONDS <= end - start <= INCREMENTAL_MAX_SECONDS:
            raise AwsError("InvalidExportTimeException", "Difference between export period start time and end time "
                                                         "must be between 15 minutes and 24 hours")
        if start < earliest or end > now:
            raise AwsError("InvalidExportTimeException", "Export Time is invalid")
        return {"ExportFromTime": start, "ExportToTime": end,
                "ExportViewType": spec.get("ExportViewType") or "NEW_AND_OLD_IMAGES"}

    def _store(self, desc: dict, job: dict, body: bytes, fingerprint: str, now: float) -> None:
        export_id, due = desc["ExportArn"].rsplit("/", 1)[-1], now + self.export_duration
        self.blobs.write(export_id, body)
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO exports(export_id, arn, table_arn, client_token, status, due, created, request, "
                         "description, job) VALUES (?,?,?,?,'IN_PROGRESS',?,?,?,?,?)",
                         (export_id, desc["ExportArn"], desc["TableArn"], desc["ClientToken"], due, now, fingerprint,
                          json.dumps(desc), json.dumps(job)))
        self._schedule(export_id, due)

    # --- running an export on the clock ------------------------------------------------------
    def _schedule(self, export_id: str, due: float) -> None:
        self.clock.call_at(due, self._fire, export_id)

    def _fire(self, export_id: str) -> None:
        """On the clock's loop: write the export in a worker thread (virtual time waits for it)."""
        self.clock.loop.create_task(self.clock.run_blocking(self.complete, export_id))

    def complete(self, export_id: str) -> None:
        """Write an IN_PROGRESS export's objects and settle it COMPLETED or FAILED (once)."""
        with self._lock:
            row = self.db.one("SELECT description, job FROM exports WHERE export_id=? AND status='IN_PROGRESS'",
                              (export_id,))
            if row is None:
                return
            desc, job = json.loads(row[0]), json.loads(row[1])
            desc.update(self._outcome(export_id, desc, job))
            with self.db.transaction() as conn:
                conn.execute("UPDATE exports SET status=?, description=? WHERE export_id=?",
                             (desc["ExportStatus"], json.dumps(desc), export_id))
            self.blobs.delete(export_id)

    def _outcome(self, export_id: str, desc: dict, job: dict) -> dict:
        now = self.clock.now()
        try:
            written = write_export(self._s3_put, desc, job, self.blobs.read(export_id), now)
            return {**written, "ExportStatus": "COMPLETED"}
        except ExportFailure as failure:
            return {"ExportStatus": "FAILED", "FailureCode": failure.code, "FailureMessage": failure.message,
                    "EndTime": now}
        except Exception:  # the export must settle even when something unexpected breaks
            log.exception("export %s failed", export_id)
            return {"ExportStatus": "FAILED", "FailureCode": "UNKNOWN", "FailureMessage": "Internal error",
                    "EndTime": now}

    # --- DescribeExport / ListExports -----------------------------------------------------
    def describe_export(self, params: dict, req=None) -> dict:
        arn = self._check_export_arn(params["ExportArn"])
        row = self.db.one("SELECT description FROM exports WHERE arn=?", (arn,))
        if row is None:
            raise AwsError("ExportNotFoundException", f"Export not found: {arn}")
        return {"ExportDescription": _description_out(json.loads(row[0]))}

    def _check_export_arn(self, arn: str) -> str:
        parts = arn.split(":", 5)
        if len(parts) != 6:
            raise AwsError("ValidationException", "Invalid Export ARN")
        _, partition, service, region, account, resource = parts
        if (partition, service, region, account) != ("aws", "dynamodb", self.service.region, self.service.account):
            raise AwsError("AccessDeniedException", "Access is denied", status=400)
        if not EXPORT_RESOURCE.match(resource):
            raise AwsError("ValidationException", "Invalid Export ARN")
        return arn

    def list_exports(self, params: dict, req=None) -> dict:
        """Newest first (ARNs carry the start time); a TableArn lists only the current table's exports."""
        limit = params.get("MaxResults") or MAX_LIST_EXPORTS
        where, args = ["1=1"], []
        if params.get("TableArn"):
            where.append("table_arn=? AND json_extract(description, '$.TableId') IS ?")
            args += [params["TableArn"], self._current_table_id(params["TableArn"])]
        if params.get("NextToken"):
            where.append("arn < ?")
            args.append(self._token_arn(params["NextToken"]))
        rows = self.db.all(f"SELECT arn, status, description FROM exports WHERE {' AND '.join(where)} "
                           "ORDER BY arn DESC LIMIT ?", (*args, limit + 1))
        out = {"ExportSummaries": [{"ExportArn": arn, "ExportStatus": status,
                                    "ExportType": json.loads(desc).get("ExportType", "FULL_EXPORT")}
                                   for arn, status, desc in rows[:limit]]}
        if len(rows) > limit:
            out["NextToken"] = base64.urlsafe_b64encode(rows[limit - 1][0].encode()).decode()
        return out

    def _current_table_id(self, arn: str) -> str:
        """The TableId of the table now behind ``arn`` ("" when there is none: a deleted table's
        exports are no longer listed under its ARN)."""
        try:
            return self._table_of_arn(arn).get("TableId") or ""
        except AwsError:
            return ""

    @staticmethod
    def _token_arn(token: str) -> str:
        try:
            return base64.urlsafe_b64decode(token.encode()).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise AwsError("ValidationException", "Invalid NextToken") from None
