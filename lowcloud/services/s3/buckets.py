"""Buckets: create (with S3's location-constraint rules), delete, head, list,
location, versioning state, tags and notification configuration.

The bucket namespace is global, so S3 is one global service with one table of
buckets; each bucket remembers the region it was created in, which is what
GetBucketLocation, HeadBucket and the object events report.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import json
import re

from lowcloud.errors import AwsError
from lowcloud.services.s3 import config_kinds, creation, errors, notifications, tagging
from lowcloud.services.s3.objects import to_datetime

_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_BAD_RUNS = ("..", ".-", "-.")  # a label may not be empty, nor start or end with a hyphen
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


def owner_id(account: str) -> str:
    """The account's canonical user id (64 hex digits, stable per account)."""
    return hashlib.sha256(f"lowcloud-canonical-{account}".encode()).hexdigest()


def owner(account: str) -> dict:
    return {"ID": owner_id(account)}


def check_name(name: str) -> None:
    if (not _NAME.match(name) or any(run in name for run in _BAD_RUNS) or name.startswith(_RESERVED_PREFIXES)
            or name.endswith(_RESERVED_SUFFIXES) or _is_ip(name)):
        raise errors.invalid_bucket_name(name)


def _is_ip(name: str) -> bool:
    try:
        ipaddress.IPv4Address(name)
        return True
    except ValueError:
        return False


def bucket_region(request_region: str, location: str | None) -> str:
    """The region a CreateBucket lands in, or AWS's refusal of the constraint."""
    if not location:
        if request_region != "us-east-1":
            raise _illegal_constraint("unspecified")
        return "us-east-1"
    region = "eu-west-1" if location == "EU" else location
    if location == "us-east-1" or (location != "EU" and not _REGION.match(location)):
        raise AwsError("InvalidLocationConstraint", "The specified location-constraint is not valid",
                       status=400, LocationConstraint=location)
    if request_region != "us-east-1" and region != request_region:
        raise _illegal_constraint(location)
    return region


def _illegal_constraint(location: str) -> AwsError:
    return AwsError("IllegalLocationConstraintException", f"The {location} location constraint is incompatible "
                    "for the region specific endpoint this request was sent to.", status=400)


def create_bucket(svc, params: dict, req) -> dict:
    name = params["Bucket"]
    check_name(name)
    location = (params.get("CreateBucketConfiguration") or {}).get("LocationConstraint")
    region = bucket_region(req.region, location)
    versioning = "Enabled" if params.get("ObjectLockEnabledForBucket") else None  # Object Lock implies it
    creation.check(svc, params)
    with svc.store.db.transaction() as conn:
        existing = conn.execute("SELECT region FROM buckets WHERE name = ?", (name,)).fetchone()
        if existing is None:
            conn.execute("INSERT INTO buckets(name, region, location, created, versioning) VALUES (?, ?, ?, ?, ?)",
                         (name, region, location or None, svc.clock.now(), versioning))
    if existing is not None and not (existing[0] == "us-east-1" and req.region == "us-east-1"):
        raise errors.bucket_already_owned(name)
    if existing is None:
        creation.apply(svc, params)
    return {"Location": f"/{name}" if region == "us-east-1" else f"http://{name}.s3.amazonaws.com/"}


def require(svc, name: str):
    bucket = svc.store.bucket(name)
    if bucket is None:
        raise errors.no_such_bucket(name)
    return bucket


def delete_bucket(svc, params: dict, req) -> dict:
    name = params["Bucket"]
    store = svc.store
    with store.db.transaction() as conn:
        if conn.execute("SELECT 1 FROM buckets WHERE name = ?", (name,)).fetchone() is None:
            raise errors.no_such_bucket(name)
        if conn.execute("SELECT 1 FROM objects WHERE bucket = ? LIMIT 1", (name,)).fetchone():
            raise errors.bucket_not_empty(name)
        part_blobs = [r[0] for r in conn.execute(
            "SELECT blob FROM parts WHERE upload_id IN (SELECT upload_id FROM uploads WHERE bucket = ?)", (name,))]
        conn.execute("DELETE FROM parts WHERE upload_id IN (SELECT upload_id FROM uploads WHERE bucket = ?)",
                     (name,))
        conn.execute("DELETE FROM uploads WHERE bucket = ?", (name,))
        conn.execute("DELETE FROM completed_uploads WHERE bucket = ?", (name,))
        conn.execute("DELETE FROM buckets WHERE name = ?", (name,))
    store.delete_blobs(part_blobs)
    return {}  # 204 No Content: the model's responseCode


def head_bucket(svc, params: dict, req) -> dict:
    bucket = require(svc, params["Bucket"])
    return {"BucketRegion": bucket.region, "AccessPointAlias": False}


def get_bucket_location(svc, params: dict, req) -> dict:
    bucket = require(svc, params["Bucket"])
    return {"LocationConstraint": bucket.location}


def list_buckets(svc, params: dict, req) -> dict:
    max_buckets = params.get("MaxBuckets")
    if max_buckets is not None and not 1 <= max_buckets <= 10000:
        raise errors.invalid_argument("Argument max-buckets must be an integer between 1 and 10000.",
                                      "max-buckets", str(max_buckets))
    after = _token_value(params.get("ContinuationToken"))
    prefix, region = params.get("Prefix") or "", params.get("BucketRegion")
    found = [b for b in svc.store.buckets() if b.name.startswith(prefix) and b.name > after
             and (region is None or b.region == region)]
    page = found[:max_buckets or 10000]
    paged = any(params.get(p) is not None for p in ("MaxBuckets", "ContinuationToken", "Prefix", "BucketRegion"))
    out = {"Buckets": [_listed(b, paged) for b in page], "Owner": owner(svc.account)}
    if len(found) > len(page):
        out["ContinuationToken"] = base64.urlsafe_b64encode(page[-1].name.encode()).decode()
    if params.get("Prefix") is not None:
        out["Prefix"] = params["Prefix"]
    return out


def _listed(bucket, with_region: bool) -> dict:
    item = {"Name": bucket.name, "CreationDate": to_datetime(bucket.created)}
    if with_region:
        item["BucketRegion"] = bucket.region
    return item


def _token_value(token: str | None) -> str:
    if token is None:
        return ""
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, ValueError):
        raise errors.invalid_argument("The continuation token provided is incorrect", "continuation-token",
                                      token) from None


def put_bucket_versioning(svc, params: dict, req) -> dict:
    status = (params.get("VersioningConfiguration") or {}).get("Status")
    bucket = require(svc, params["Bucket"])
    if status not in ("Enabled", "Suspended"):
        raise errors.malformed_xml()
    if status == "Suspended" and config_kinds.object_lock_enabled(svc, bucket):
        raise AwsError("InvalidBucketState", "An Object Lock configuration is present on this bucket, so the "
                       "versioning state cannot be changed.", status=409, BucketName=bucket.name)
    svc.store.db.execute("UPDATE buckets SET versioning = ? WHERE name = ?", (status, bucket.name))
    return {}


def get_bucket_versioning(svc, params: dict, req) -> dict:
    bucket = require(svc, params["Bucket"])
    return {"Status": bucket.versioning} if bucket.versioning else {}


def put_bucket_tagging(svc, params: dict, req) -> dict:
    bucket = require(svc, params["Bucket"])
    tags = tagging.from_tag_set((params.get("Tagging") or {}).get("TagSet"), tagging.MAX_BUCKET_TAGS)
    svc.store.db.execute("UPDATE buckets SET tags = ? WHERE name = ?", (json.dumps(tags), bucket.name))
    return {"__status__": 204}


def get_bucket_tagging(svc, params: dict, req) -> dict:
    bucket = require(svc, params["Bucket"])
    tags = json.loads(bucket.tags) if bucket.tags else None
    if not tags:
        raise AwsError("NoSuchTagSet", "The TagSet does not exist", status=404, BucketName=bucket.name)
    return {"TagSet": tagging.to_tag_set(tags)}


def delete_bucket_tagging(svc, params: dict, req) -> dict:
    bucket = require(svc, params["Bucket"])
    svc.store.db.execute("UPDATE buckets SET tags = NULL WHERE name = ?", (bucket.name,))
    return {}  # 204 No Content: the model's responseCode


def put_bucket_notification_configuration(svc, params: dict, req) -> dict:
    bucket = require(svc, params["Bucket"])
    config = notifications.normalized(params.get("NotificationConfiguration") or {}, svc.cloud.ids)
    svc.store.db.execute("UPDATE buckets SET notification = ? WHERE name = ?", (json.dumps(config), bucket.name))
    return {}


def get_bucket_notification_configuration(svc, params: dict, req) -> dict:
    return notifications.configuration_of(require(svc, params["Bucket"]))
