"""Bucket notification configuration, and the object facts S3 publishes.

S3 never delivers events itself: after every committed create or removal it
publishes one fact on the fabric topic ``s3.object`` carrying everything an
EventBridge "Object Created"/"Object Deleted" event or a classic S3 event
notification record needs, plus the bucket's notification configuration at
that moment.  ``eventbridge_event`` and ``notification_record`` turn a fact into
those two wire shapes, so subscribers (events, lambda, sqs, sns) share one
rendering.
"""
from __future__ import annotations

import fnmatch
import json
from datetime import datetime, timezone
from urllib.parse import quote_plus

from lowcloud.services.s3 import errors

TOPIC = "s3.object"
CONFIG_KINDS = (("TopicConfigurations", "TopicArn"), ("QueueConfigurations", "QueueArn"),
                ("LambdaFunctionConfigurations", "LambdaFunctionArn"))
EVENT_TYPES = (
    "s3:ReducedRedundancyLostObject", "s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload", "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated", "s3:ObjectRestore:*",
    "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete", "s3:Replication:*",
    "s3:Replication:OperationFailedReplication", "s3:Replication:OperationNotTracked",
    "s3:Replication:OperationMissedThreshold", "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:LifecycleExpiration:*", "s3:LifecycleExpiration:Delete", "s3:LifecycleExpiration:DeleteMarkerCreated",
    "s3:LifecycleTransition", "s3:IntelligentTiering", "s3:ObjectTagging:*", "s3:ObjectTagging:Put",
    "s3:ObjectTagging:Delete", "s3:ObjectAcl:Put")
REASONS = {"Put": "PutObject", "Copy": "CopyObject", "CompleteMultipartUpload": "CompleteMultipartUpload",
           "Post": "PostObject", "Delete": "DeleteObject", "DeleteMarkerCreated": "DeleteObject"}


def normalized(configuration: dict, ids) -> dict:
    """The configuration as stored and echoed: validated, each entry given an Id."""
    out: dict = {}
    for kind, arn_field in CONFIG_KINDS:
        entries = configuration.get(kind) or []
        if entries:
            out[kind] = [_entry(entry, arn_field, ids) for entry in entries]
    if configuration.get("EventBridgeConfiguration") is not None:
        out["EventBridgeConfiguration"] = {}
    return out


def _entry(entry: dict, arn_field: str, ids) -> dict:
    events = entry.get("Events") or []
    for event in events:
        if event not in EVENT_TYPES:
            raise errors.invalid_argument("The event is not supported for notifications", event, event)
    out = {"Id": entry.get("Id") or ids.chars(40, "abcdefghijklmnopqrstuvwxyz0123456789-"),
           arn_field: entry[arn_field], "Events": list(events)}
    rules = ((entry.get("Filter") or {}).get("Key") or {}).get("FilterRules")
    if rules:
        out["Filter"] = {"Key": {"FilterRules": _filter_rules(rules)}}
    return out


def _filter_rules(rules: list) -> list:
    seen = set()
    out = []
    for rule in rules:
        name = (rule.get("Name") or "").lower()
        if name not in ("prefix", "suffix"):
            raise errors.invalid_argument("filter rule name must be either prefix or suffix",
                                          "FilterRule", rule.get("Name"))
        if name in seen:
            raise errors.invalid_argument(f"Cannot specify more than one {name} rule in a filter.",
                                          "FilterRule", rule.get("Name"))
        seen.add(name)
        out.append({"Name": name.capitalize(), "Value": rule.get("Value", "")})
    return out


def configuration_of(bucket) -> dict:
    return json.loads(bucket.notification) if bucket.notification else {}


def fact(*, bucket, key: str, event: str, account: str, req, time: float, sequencer: str,
         size: int | None = None, etag: str | None = None, version_id: str | None = None) -> dict:
    """The ``s3.object`` fact for one created or removed object (``event`` like "ObjectCreated:Put")."""
    configuration = configuration_of(bucket)
    deleted = event.startswith("ObjectRemoved")
    return {
        "event_name": event, "detail_type": "Object Deleted" if deleted else "Object Created",
        "reason": REASONS[event.split(":", 1)[1]],
        "deletion_type": ("Delete Marker Created" if event.endswith("DeleteMarkerCreated")
                          else "Permanently Deleted") if deleted else None,
        "bucket": bucket.name, "bucket_arn": f"arn:aws:s3:::{bucket.name}", "region": bucket.region,
        "account": account, "key": key, "size": size, "etag": etag, "version_id": version_id,
        "sequencer": sequencer, "request_id": req.request_id, "requester": req.account or account,
        "source_ip_address": req.extra.get("source_ip") or "127.0.0.1", "time": time,
        "eventbridge": "EventBridgeConfiguration" in configuration, "configuration": configuration,
    }


def eventbridge_event(f: dict, event_id: str) -> dict:
    """The EventBridge event (default bus) for an ``s3.object`` fact."""
    obj = {"key": f["key"]}
    if f["size"] is not None:
        obj["size"] = f["size"]
    if f["etag"]:
        obj["etag"] = f["etag"]
    if f["version_id"]:
        obj["version-id"] = f["version_id"]
    obj["sequencer"] = f["sequencer"]
    detail = {"version": "0", "bucket": {"name": f["bucket"]}, "object": obj, "request-id": f["request_id"],
              "requester": f["requester"], "source-ip-address": f["source_ip_address"], "reason": f["reason"]}
    if f["deletion_type"]:
        detail["deletion-type"] = f["deletion_type"]
    when = datetime.fromtimestamp(int(f["time"]), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"version": "0", "id": event_id, "detail-type": f["detail_type"], "source": "aws.s3",
            "account": f["account"], "time": when, "region": f["region"], "resources": [f["bucket_arn"]],
            "detail": detail}


def notification_record(f: dict, configuration_id: str) -> dict:
    """One record of a classic S3 event notification (``{"Records": [...]}``) for a fact."""
    obj = {"key": quote_plus(f["key"], safe="/"), "sequencer": f["sequencer"]}
    if f["size"] is not None:
        obj.update(size=f["size"], eTag=f["etag"])
    if f["version_id"]:
        obj["versionId"] = f["version_id"]
    when = datetime.fromtimestamp(int(f["time"] * 1000) / 1000, tz=timezone.utc)
    return {
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": f["region"],
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
        "eventName": f["event_name"], "userIdentity": {"principalId": f"AWS:{f['requester']}"},
        "requestParameters": {"sourceIPAddress": f["source_ip_address"]},
        "responseElements": {"x-amz-request-id": f["request_id"], "x-amz-id-2": f["request_id"]},
        "s3": {"s3SchemaVersion": "1.0", "configurationId": configuration_id,
               "bucket": {"name": f["bucket"], "ownerIdentity": {"principalId": f["account"]},
                          "arn": f["bucket_arn"]},
               "object": obj},
    }


def matching(f: dict) -> list[tuple[str, dict]]:
    """(kind, configuration entry) pairs of the fact's bucket whose events and filters match it."""
    found = []
    for kind, _ in CONFIG_KINDS:
        for entry in f["configuration"].get(kind, []):
            if _event_matches(entry["Events"], f["event_name"]) and _filter_matches(entry, f["key"]):
                found.append((kind, entry))
    return found


def _event_matches(events: list, event_name: str) -> bool:
    return any(fnmatch.fnmatchcase(f"s3:{event_name}", pattern) for pattern in events)


def _filter_matches(entry: dict, key: str) -> bool:
    for rule in entry.get("Filter", {}).get("Key", {}).get("FilterRules", []):
        if rule["Name"] == "Prefix" and not key.startswith(rule["Value"]):
            return False
        if rule["Name"] == "Suffix" and not key.endswith(rule["Value"]):
            return False
    return True
