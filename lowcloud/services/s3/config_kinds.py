"""The bucket configurations lowcloud stores, each as one ``bucket_config.Kind``.

Defaults are those of a bucket created today: SSE-S3 default encryption,
Block Public Access fully on and ObjectOwnership BucketOwnerEnforced (ACLs
disabled), the bucket owner paying for requests.  The small validators here
carry the checks particular to one configuration; CORS, lifecycle and policy
have modules of their own.
"""
from __future__ import annotations

from lowcloud.errors import AwsError
from lowcloud.services.s3 import bucket_config, config_store, cors, errors, lifecycle, policy
from lowcloud.services.s3.bucket_config import (BLOCK_ALL, DEFAULT_ENCRYPTION, DEFAULT_OWNERSHIP, Kind,
                                                not_found)

KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


def _encryption(svc, bucket, doc: dict, params: dict) -> dict:
    rules = doc.get("Rules") or []
    bucket_config.malformed_unless(len(rules) == 1)
    by_default = rules[0].get("ApplyServerSideEncryptionByDefault") or {}
    if by_default.get("KMSMasterKeyID") and by_default.get("SSEAlgorithm") not in KMS_ALGORITHMS:
        raise errors.invalid_argument("a KMSMasterKeyID is not applicable if the default sse algorithm is not "
                                      "aws:kms or aws:kms:dsse", "ApplyServerSideEncryptionByDefault")
    return {"Rules": [{"BucketKeyEnabled": False, **rule} for rule in rules]}


def _public_access_block(svc, bucket, doc: dict, params: dict) -> dict:
    return {name: bool(doc.get(name, False)) for name in BLOCK_ALL}


def _ownership(svc, bucket, doc: dict, params: dict) -> dict:
    bucket_config.malformed_unless(len(doc.get("Rules") or []) == 1)
    return doc


def _website(svc, bucket, doc: dict, params: dict) -> dict:
    if doc.get("RedirectAllRequestsTo"):
        if any(doc.get(k) for k in ("IndexDocument", "ErrorDocument", "RoutingRules")):
            raise errors.invalid_request("RedirectAllRequestsTo cannot be provided in conjunction with other "
                                         "Routing Rules.")
        return doc
    suffix = (doc.get("IndexDocument") or {}).get("Suffix")
    if suffix is None:
        raise errors.invalid_argument("A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo "
                                      "is empty", "IndexDocument")
    if not suffix or "/" in suffix:
        raise errors.invalid_argument("The IndexDocument Suffix is not well formed", "IndexDocument", suffix)
    return doc


def _logging(svc, bucket, doc: dict, params: dict) -> dict:
    enabled = doc.get("LoggingEnabled")
    if enabled and svc.store.bucket(enabled["TargetBucket"]) is None:
        raise AwsError("InvalidTargetBucketForLogging", "The target bucket for logging does not exist",
                       status=400, TargetBucket=enabled["TargetBucket"])
    return {"LoggingEnabled": enabled} if enabled else {}


def _accelerate(svc, bucket, doc: dict, params: dict) -> dict:
    if "." in bucket.name:
        raise errors.invalid_request("S3 Transfer Acceleration is not supported for buckets with periods (.) in "
                                     "their names")
    bucket_config.malformed_unless("Status" in doc)
    return doc


def _versioning_required(bucket, message: str, code: str = "InvalidRequest", status: int = 400) -> None:
    if bucket.versioning != "Enabled":
        raise AwsError(code, message, status=status, BucketName=bucket.name)


def _object_lock(svc, bucket, doc: dict, params: dict) -> dict:
    _versioning_required(bucket, "Versioning must be 'Enabled' on the bucket to apply a Object Lock "
                         "configuration", "InvalidBucketState", 409)
    bucket_config.malformed_unless(doc.get("ObjectLockEnabled") == "Enabled")
    retention = (doc.get("Rule") or {}).get("DefaultRetention")
    if "Rule" in doc:
        bucket_config.malformed_unless(bool(retention) and "Mode" in retention and
                                       (("Days" in retention) != ("Years" in retention)))
        period = retention.get("Days", retention.get("Years"))
        if period <= 0:
            raise errors.invalid_argument("Default retention period must be a positive integer value",
                                          "Days" if "Days" in retention else "Years", str(period))
    return doc


def _replication(svc, bucket, doc: dict, params: dict) -> dict:
    _versioning_required(bucket, "Versioning must be 'Enabled' on the bucket to apply a replication "
                         "configuration")
    bucket_config.malformed_unless(bool(doc.get("Rules")))
    return doc


def _policy(svc, bucket, text: str, params: dict) -> str:
    text = policy.validated(svc, bucket, text, params)
    if public_access_block(svc, bucket).get("BlockPublicPolicy") and policy.is_public(text):
        raise policy.public_policy_blocked(svc.account, bucket.name)
    return text


def public_access_block(svc, bucket) -> dict:
    """The bucket's Block Public Access settings; all off once deleted."""
    return config_store.load(svc, bucket, PUBLIC_ACCESS_BLOCK.name, absent=BLOCK_ALL) or {}


def object_ownership(svc, bucket) -> str:
    """BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter (the last once controls are deleted)."""
    found = config_store.load(svc, bucket, OWNERSHIP.name, absent=DEFAULT_OWNERSHIP)
    return found["Rules"][0]["ObjectOwnership"] if found else "ObjectWriter"


def object_lock_enabled(svc, bucket) -> bool:
    """Whether Object Lock is on (versioning can then no longer be suspended)."""
    return config_store.load(svc, bucket, OBJECT_LOCK.name) is not None


POLICY = Kind("policy", "PutBucketPolicy", "GetBucketPolicy",
              not_found("NoSuchBucketPolicy", "The bucket policy does not exist"), validate=_policy)
CORS = Kind(cors.KIND, "PutBucketCors", "GetBucketCors",
            not_found("NoSuchCORSConfiguration", "The CORS configuration does not exist"), validate=cors.validated)
LIFECYCLE = Kind("lifecycle", "PutBucketLifecycleConfiguration", "GetBucketLifecycleConfiguration",
                 not_found("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"),
                 validate=lifecycle.validated)
ENCRYPTION = Kind("encryption", "PutBucketEncryption", "GetBucketEncryption", default=DEFAULT_ENCRYPTION,
                  validate=_encryption)
PUBLIC_ACCESS_BLOCK = Kind("public_access_block", "PutPublicAccessBlock", "GetPublicAccessBlock",
                           not_found("NoSuchPublicAccessBlockConfiguration",
                                     "The public access block configuration was not found"),
                           default=BLOCK_ALL, validate=_public_access_block)
OWNERSHIP = Kind("ownership", "PutBucketOwnershipControls", "GetBucketOwnershipControls",
                 not_found("OwnershipControlsNotFoundError", "The bucket ownership controls were not found"),
                 default=DEFAULT_OWNERSHIP, validate=_ownership)
WEBSITE = Kind("website", "PutBucketWebsite", "GetBucketWebsite",
               not_found("NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"),
               validate=_website)
LOGGING = Kind("logging", "PutBucketLogging", "GetBucketLogging", validate=_logging)
ACCELERATE = Kind("accelerate", "PutBucketAccelerateConfiguration", "GetBucketAccelerateConfiguration",
                  validate=_accelerate)
REQUEST_PAYMENT = Kind("request_payment", "PutBucketRequestPayment", "GetBucketRequestPayment",
                       default={"Payer": "BucketOwner"})
OBJECT_LOCK = Kind("object_lock", "PutObjectLockConfiguration", "GetObjectLockConfiguration",
                   not_found("ObjectLockConfigurationNotFoundError",
                             "Object Lock configuration does not exist for this bucket"), validate=_object_lock)
REPLICATION = Kind("replication", "PutBucketReplication", "GetBucketReplication",
                   not_found("ReplicationConfigurationNotFoundError", "The replication configuration was not found"),
                   validate=_replication)
ANALYTICS = Kind("analytics", "PutBucketAnalyticsConfiguration", "GetBucketAnalyticsConfiguration")
METRICS = Kind("metrics", "PutBucketMetricsConfiguration", "GetBucketMetricsConfiguration")
INVENTORY = Kind("inventory", "PutBucketInventoryConfiguration", "GetBucketInventoryConfiguration")
INTELLIGENT_TIERING = Kind("intelligent_tiering", "PutBucketIntelligentTieringConfiguration",
                           "GetBucketIntelligentTieringConfiguration")
