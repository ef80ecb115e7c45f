"""Bucket configuration subresources: defaults of a new bucket, round trips, AWS's errors."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of

from lowcloud.services.s3 import cors

OWNER_ONLY_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Sid": "ReadForRoot", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
    "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::test-bucket/*"}]}
PUBLIC_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::test-bucket/*"}]}
CORS_RULES = [{"AllowedHeaders": ["*"], "AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["https://*.example.org"],
               "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 600}]


def _error(call, **kwargs):
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return (*error_of(excinfo), excinfo.value.response["Error"].get("Message"))


def _clean(response: dict) -> dict:
    response.pop("ResponseMetadata", None)
    return response


# --- a new bucket's defaults -----------------------------------------------------------
def test_new_bucket_has_sse_s3_default_encryption(s3, bucket):
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules == [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]


def test_new_bucket_blocks_all_public_access(s3, bucket):
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                     "RestrictPublicBuckets": True}


def test_new_bucket_enforces_bucket_owner(s3, bucket):
    controls = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
    assert controls == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}


def test_new_bucket_settings_without_delete(s3, bucket):
    assert _clean(s3.get_bucket_logging(Bucket=bucket)) == {}
    assert _clean(s3.get_bucket_accelerate_configuration(Bucket=bucket)) == {}
    assert _clean(s3.get_bucket_request_payment(Bucket=bucket)) == {"Payer": "BucketOwner"}


@pytest.mark.parametrize("operation,code,message", [
    ("get_bucket_policy", "NoSuchBucketPolicy", "The bucket policy does not exist"),
    ("get_bucket_policy_status", "NoSuchBucketPolicy", "The bucket policy does not exist"),
    ("get_bucket_cors", "NoSuchCORSConfiguration", "The CORS configuration does not exist"),
    ("get_bucket_lifecycle_configuration", "NoSuchLifecycleConfiguration",
     "The lifecycle configuration does not exist"),
    ("get_bucket_website", "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"),
    ("get_object_lock_configuration", "ObjectLockConfigurationNotFoundError",
     "Object Lock configuration does not exist for this bucket"),
    ("get_bucket_replication", "ReplicationConfigurationNotFoundError", "The replication configuration was not found"),
])
def test_new_bucket_has_no_such_configuration(s3, bucket, operation, code, message):
    assert _error(getattr(s3, operation), Bucket=bucket) == (code, 404, message)


@pytest.mark.parametrize("operation", ["get_bucket_cors", "get_bucket_encryption", "get_bucket_acl",
                                       "get_public_access_block", "put_bucket_accelerate_configuration"])
def test_configuration_of_missing_bucket(s3, operation):
    extra = {"AccelerateConfiguration": {"Status": "Enabled"}} if operation.startswith("put") else {}
    assert _error(getattr(s3, operation), Bucket="no-such-bucket-here", **extra)[:2] == ("NoSuchBucket", 404)


def test_empty_analytics_metrics_inventory_tiering_lists(s3, bucket):
    for operation in ("list_bucket_analytics_configurations", "list_bucket_metrics_configurations",
                      "list_bucket_inventory_configurations", "list_bucket_intelligent_tiering_configurations"):
        assert _clean(getattr(s3, operation)(Bucket=bucket)) == {"IsTruncated": False}


# --- policy ---------------------------------------------------------------------------------
def test_policy_round_trip_and_delete(s3, bucket):
    text = json.dumps(OWNER_ONLY_POLICY)
    put = s3.put_bucket_policy(Bucket=bucket, Policy=text)
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == OWNER_ONLY_POLICY
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": False}
    assert s3.delete_bucket_policy(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert _error(s3.get_bucket_policy, Bucket=bucket)[:2] == ("NoSuchBucketPolicy", 404)


@pytest.mark.parametrize("policy,message", [
    ("not json at all", "Policies must be valid JSON and the first byte must be '{'"),
    ('{"Version": "2012-10-17"}', "Missing required field Statement"),
    ('{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::test-bucket/*"}]}',
     "Missing required field Principal"),
    ('{"Statement": [{"Effect": "Permit", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}',
     "Invalid effect: Permit"),
    ('{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", '
     '"Resource": "arn:aws:s3:::test-bucket"}]}', "Policy has invalid action"),
    ('{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", '
     '"Resource": "arn:aws:s3:::another-bucket/*"}]}', "Policy has invalid resource"),
])
def test_malformed_policies(s3, bucket, policy, message):
    assert _error(s3.put_bucket_policy, Bucket=bucket, Policy=policy) == ("MalformedPolicy", 400, message)


def test_public_policy_is_blocked_until_block_public_access_is_lifted(s3, bucket):
    code, status, message = _error(s3.put_bucket_policy, Bucket=bucket, Policy=json.dumps(PUBLIC_POLICY))
    assert (code, status) == ("AccessDenied", 403)
    assert "BlockPublicPolicy" in message
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"BlockPublicPolicy": False})
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(PUBLIC_POLICY))
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": True}


# --- CORS -----------------------------------------------------------------------------------
def test_cors_round_trip_and_delete(s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": CORS_RULES})
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == CORS_RULES
    assert s3.delete_bucket_cors(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert _error(s3.get_bucket_cors, Bucket=bucket)[:2] == ("NoSuchCORSConfiguration", 404)


@pytest.mark.parametrize("rule,message", [
    ({"AllowedMethods": ["PATCH"], "AllowedOrigins": ["*"]},
     "Found unsupported HTTP method in CORS config. Unsupported method is PATCH"),
    ({"AllowedMethods": ["GET"], "AllowedOrigins": ["https://*.a.*.org"]},
     'AllowedOrigin "https://*.a.*.org" can not have more than one wildcard.'),
])
def test_invalid_cors_rules(s3, bucket, rule, message):
    assert _error(s3.put_bucket_cors, Bucket=bucket, CORSConfiguration={"CORSRules": [rule]}) == \
        ("InvalidRequest", 400, message)


def test_cors_preflight_and_response_headers():
    rules = CORS_RULES
    allowed = cors.preflight(rules, "https://app.example.org", "PUT", "Content-Type, X-Amz-Date")
    assert allowed["Access-Control-Allow-Origin"] == "https://app.example.org"
    assert allowed["Access-Control-Allow-Methods"] == "GET, PUT"
    assert allowed["Access-Control-Allow-Headers"] == "content-type, x-amz-date"
    assert allowed["Access-Control-Max-Age"] == "600"
    with pytest.raises(Exception) as excinfo:
        cors.preflight(rules, "https://evil.example.com", "GET", None)
    assert excinfo.value.code == "AccessForbidden" and excinfo.value.status == 403
    assert cors.response_headers(rules, "https://x.example.org", "GET")["Access-Control-Expose-Headers"] == "ETag"
    assert cors.response_headers(rules, "https://x.example.org", "DELETE") == {}


# --- lifecycle --------------------------------------------------------------------------------
def test_lifecycle_round_trip_assigns_missing_ids(s3, bucket):
    midnight = datetime(2031, 3, 1, tzinfo=timezone.utc)
    rules = [{"ID": "expire-logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 7}},
             {"Status": "Disabled", "Filter": {"Tag": {"Key": "tier", "Value": "cold"}},
              "Transitions": [{"Date": midnight, "StorageClass": "GLACIER"}]},
             {"ID": "abort-uploads", "Status": "Enabled", "Filter": {},
              "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3}}]
    put = s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    assert put["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert got["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    assert got["Rules"][0] == rules[0]
    assert got["Rules"][1]["ID"] and got["Rules"][1]["Transitions"][0]["Date"] == midnight
    assert got["Rules"][2]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 3}
    s3.delete_bucket_lifecycle(Bucket=bucket)
    assert _error(s3.get_bucket_lifecycle_configuration, Bucket=bucket)[:2] == ("NoSuchLifecycleConfiguration", 404)


@pytest.mark.parametrize("rules,code", [
    ([{"ID": "x" * 256, "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}}], "InvalidArgument"),
    ([{"ID": "twin", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}},
      {"ID": "twin", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 2}}], "InvalidArgument"),
    ([{"ID": "r", "Status": "enabled", "Filter": {}, "Expiration": {"Days": 1}}], "MalformedXML"),
    ([{"ID": "r", "Status": "Enabled", "Expiration": {"Days": 1}}], "MalformedXML"),
    ([{"ID": "r", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 0}}], "InvalidArgument"),
    ([{"ID": "r", "Status": "Enabled", "Filter": {}}], "InvalidRequest"),
    ([{"ID": "r", "Status": "Enabled", "Filter": {},
       "Expiration": {"Date": datetime(2031, 1, 1, 12, 0, tzinfo=timezone.utc)}}], "InvalidArgument"),
    ([{"ID": "r", "Status": "Enabled", "Filter": {}, "Transitions": [{"Days": 5, "StorageClass": "STANDARD_IA"}]}],
     "InvalidArgument"),
    ([{"ID": "r", "Status": "Enabled", "Filter": {"Tag": {"Key": "a", "Value": "b"}},
       "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}], "InvalidRequest"),
])
def test_invalid_lifecycle_rules(s3, bucket, rules, code):
    assert _error(s3.put_bucket_lifecycle_configuration, Bucket=bucket,
                  LifecycleConfiguration={"Rules": rules})[:2] == (code, 400)


# --- encryption, public access block, ownership -----------------------------------------------
def test_encryption_round_trip_and_delete_restores_sse_s3(s3, bucket):
    kms = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/k"},
                      "BucketKeyEnabled": True}]}
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=kms)
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"] == kms
    s3.delete_bucket_encryption(Bucket=bucket)
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}


def test_encryption_rejects_key_for_sse_s3_and_unknown_algorithm(s3, bucket):
    with_key = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256", "KMSMasterKeyID": "k"}}]}
    assert _error(s3.put_bucket_encryption, Bucket=bucket,
                  ServerSideEncryptionConfiguration=with_key)[:2] == ("InvalidArgument", 400)
    unknown = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "ROT13"}}]}
    assert _error(s3.put_bucket_encryption, Bucket=bucket,
                  ServerSideEncryptionConfiguration=unknown)[:2] == ("MalformedXML", 400)


def test_public_access_block_put_fills_false_and_delete_removes(s3, bucket):
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"BlockPublicAcls": True})
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": False, "RestrictPublicBuckets": False}
    s3.delete_public_access_block(Bucket=bucket)
    assert _error(s3.get_public_access_block, Bucket=bucket) == (
        "NoSuchPublicAccessBlockConfiguration", 404, "The public access block configuration was not found")


def test_ownership_controls_round_trip_and_delete(s3, bucket):
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "ObjectWriter"}]
    s3.delete_bucket_ownership_controls(Bucket=bucket)
    assert _error(s3.get_bucket_ownership_controls, Bucket=bucket) == (
        "OwnershipControlsNotFoundError", 404, "The bucket ownership controls were not found")


# --- website, logging, accelerate, request payment, object lock, replication --------------------------
def test_website_round_trip_and_validation(s3, bucket):
    site = {"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "404.html"}}
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=site)
    assert _clean(s3.get_bucket_website(Bucket=bucket)) == site
    assert _error(s3.put_bucket_website, Bucket=bucket,
                  WebsiteConfiguration={"ErrorDocument": {"Key": "e.html"}})[:2] == ("InvalidArgument", 400)
    s3.delete_bucket_website(Bucket=bucket)
    assert _error(s3.get_bucket_website, Bucket=bucket)[:2] == ("NoSuchWebsiteConfiguration", 404)


def test_logging_accelerate_and_request_payment(s3, bucket):
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": bucket, "TargetPrefix": "access/"}})
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"] == {"TargetBucket": bucket,
                                                                      "TargetPrefix": "access/"}
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={})
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    assert _error(s3.put_bucket_logging, Bucket=bucket, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": "missing-target-bucket", "TargetPrefix": ""}})[:2] == \
        ("InvalidTargetBucketForLogging", 400)
    s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "Requester"})
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "Requester"


def test_object_lock_and_replication_need_versioning(s3, bucket):
    lock = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 5}}}
    assert _error(s3.put_object_lock_configuration, Bucket=bucket, ObjectLockConfiguration=lock)[:2] == \
        ("InvalidBucketState", 409)
    replication = {"Role": "arn:aws:iam::000000000000:role/replicator", "Rules": [{
        "ID": "all", "Priority": 1, "Status": "Enabled", "Filter": {},
        "DeleteMarkerReplication": {"Status": "Disabled"},
        "Destination": {"Bucket": "arn:aws:s3:::replica-bucket"}}]}
    assert _error(s3.put_bucket_replication, Bucket=bucket, ReplicationConfiguration=replication)[:2] == \
        ("InvalidRequest", 400)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=lock)
    assert s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == lock
    s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration=replication)
    assert s3.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"] == replication


def test_metrics_configuration_by_id(s3, bucket):
    config = {"Id": "whole-bucket"}
    s3.put_bucket_metrics_configuration(Bucket=bucket, Id="whole-bucket", MetricsConfiguration=config)
    assert s3.get_bucket_metrics_configuration(Bucket=bucket, Id="whole-bucket")["MetricsConfiguration"] == config
    assert s3.list_bucket_metrics_configurations(Bucket=bucket)["MetricsConfigurationList"] == [config]
    assert _error(s3.get_bucket_metrics_configuration, Bucket=bucket, Id="other")[:2] == ("NoSuchConfiguration", 404)
    s3.delete_bucket_metrics_configuration(Bucket=bucket, Id="whole-bucket")
    assert "MetricsConfigurationList" not in s3.list_bucket_metrics_configurations(Bucket=bucket)


def test_missing_required_element_is_malformed_xml(s3, bucket):
    assert _error(s3.put_bucket_request_payment, Bucket=bucket,
                  RequestPaymentConfiguration={"Payer": "Nobody"})[:2] == ("MalformedXML", 400)


# --- bucket deletion drops configuration ---------------------------------------------------------
def test_recreated_bucket_starts_with_defaults(local_s3, cloud):
    local_s3.create_bucket(Bucket="reborn-bucket")
    local_s3.put_bucket_cors(Bucket="reborn-bucket", CORSConfiguration={"CORSRules": CORS_RULES})
    local_s3.delete_public_access_block(Bucket="reborn-bucket")
    local_s3.delete_bucket(Bucket="reborn-bucket")
    cloud.clock.advance(5)
    local_s3.create_bucket(Bucket="reborn-bucket")
    assert _error(local_s3.get_bucket_cors, Bucket="reborn-bucket")[:2] == ("NoSuchCORSConfiguration", 404)
    assert local_s3.get_public_access_block(Bucket="reborn-bucket")["PublicAccessBlockConfiguration"][
        "BlockPublicPolicy"] is True


def test_aws_cli_reads_default_encryption_and_puts_cors(aws_cli, tmp_path):
    aws_cli("s3api", "create-bucket", "--bucket", "cli-config-bucket")
    encryption = json.loads(aws_cli("s3api", "get-bucket-encryption", "--bucket", "cli-config-bucket").stdout)
    assert encryption["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"}
    (tmp_path / "cors.json").write_text(json.dumps({"CORSRules": CORS_RULES}))
    aws_cli("s3api", "put-bucket-cors", "--bucket", "cli-config-bucket", "--cors-configuration", "file://cors.json")
    got = json.loads(aws_cli("s3api", "get-bucket-cors", "--bucket", "cli-config-bucket").stdout)
    assert got["CORSRules"] == CORS_RULES
    missing = aws_cli("s3api", "get-bucket-policy", "--bucket", "cli-config-bucket", check=False)
    assert missing.returncode != 0 and "NoSuchBucketPolicy" in missing.stderr


# --- hooks for CreateBucket and for an HTTP front end ------------------------------------------
def test_creation_hooks_apply_requested_configuration(local_s3, service):
    from lowcloud.errors import AwsError
    from lowcloud.services.s3 import config_kinds, creation

    with pytest.raises(AwsError) as excinfo:
        creation.check(service, {"Bucket": "acl-at-create", "ACL": "public-read"})
    assert excinfo.value.code == "InvalidBucketAclWithObjectOwnership"
    with pytest.raises(AwsError) as excinfo:
        creation.check(service, {"Bucket": "acl-at-create", "ACL": "public-read", "ObjectOwnership": "ObjectWriter"})
    assert excinfo.value.code == "InvalidBucketAclWithBlockPublicAccessError"
    params = {"Bucket": "acl-at-create", "ACL": "log-delivery-write", "ObjectOwnership": "ObjectWriter",
              "ObjectLockEnabledForBucket": True}
    creation.check(service, params)
    local_s3.create_bucket(Bucket="acl-at-create", ObjectLockEnabledForBucket=True)
    creation.apply(service, params)
    assert local_s3.get_bucket_ownership_controls(Bucket="acl-at-create")["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "ObjectWriter"}]
    assert len(local_s3.get_bucket_acl(Bucket="acl-at-create")["Grants"]) == 3
    assert local_s3.get_object_lock_configuration(Bucket="acl-at-create")["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled"}
    assert config_kinds.object_lock_enabled(service, service.store.bucket("acl-at-create"))


def test_bucket_cors_rules_for_the_gateway(local_s3, service):
    local_s3.create_bucket(Bucket="cors-rules-bucket")
    assert cors.bucket_rules(service, "cors-rules-bucket") is None
    assert cors.bucket_rules(service, "no-such-cors-bucket") is None
    local_s3.put_bucket_cors(Bucket="cors-rules-bucket", CORSConfiguration={"CORSRules": CORS_RULES})
    rules = cors.bucket_rules(service, "cors-rules-bucket")
    assert cors.preflight(rules, "https://www.example.org", "GET", None)["Access-Control-Allow-Origin"] == \
        "https://www.example.org"


def test_deleting_a_bucket_drops_its_configuration_at_once(local_s3, service):
    local_s3.create_bucket(Bucket="same-instant-bucket")
    local_s3.put_bucket_website(Bucket="same-instant-bucket",
                                WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
    local_s3.delete_bucket(Bucket="same-instant-bucket")
    local_s3.create_bucket(Bucket="same-instant-bucket")  # same virtual instant: only the deletion can tell
    assert _error(local_s3.get_bucket_website, Bucket="same-instant-bucket")[:2] == ("NoSuchWebsiteConfiguration", 404)
    rows = service.store.db.all("SELECT kind FROM bucket_configs WHERE bucket = ?", ("same-instant-bucket",))
    assert rows == []
