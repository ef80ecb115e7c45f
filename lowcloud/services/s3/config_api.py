"""The S3 operations on bucket configuration, ACLs and object attributes, as a mixin.

``S3`` inherits ``BucketConfigApi`` so these operations are found the way
every other one is (a method named by botocore's snake_case name), while
their code stays out of ``api.py``.  Each method names the configuration kind
(``config_kinds``) and hands it to the generic store-and-echo operations of
``bucket_config``; the few with more to do say so.
"""
from __future__ import annotations

from lowcloud.services.base import Request
from lowcloud.services.s3 import acl, attributes, bucket_config, config_kinds as kinds, lifecycle, policy

_put, _get, _delete = bucket_config.put, bucket_config.get, bucket_config.delete


class BucketConfigApi:
    # policy
    def put_bucket_policy(self, params: dict, req: Request) -> dict:
        return {**_put(self, kinds.POLICY, params), "__status__": 204}

    def get_bucket_policy(self, params: dict, req: Request) -> dict:
        return _get(self, kinds.POLICY, params)

    def delete_bucket_policy(self, params: dict, req: Request) -> dict:
        return _delete(self, kinds.POLICY, params)

    def get_bucket_policy_status(self, params: dict, req: Request) -> dict:
        text = _get(self, kinds.POLICY, params)["Policy"]
        return {"PolicyStatus": {"IsPublic": policy.is_public(text)}}

    # CORS
    def put_bucket_cors(self, params: dict, req: Request) -> dict:
        return _put(self, kinds.CORS, params)

    def get_bucket_cors(self, params: dict, req: Request) -> dict:
        return _get(self, kinds.CORS, params)

    def delete_bucket_cors(self, params: dict, req: Request) -> dict:
        return _delete(self, kinds.CORS, params)

    # lifecycle (stored and returned; lowcloud does not expire or transition objects)
    def put_bucket_lifecycle_configuration(self, params: dict, req: Request) -> dict:
        _put(self, kinds.LIFECYCLE, params)
        size = params.get("TransitionDefaultMinimumObjectSize") or lifecycle.DEFAULT_MINIMUM_SIZE
        return {"TransitionDefaultMinimumObjectSize": size}

    def get_bucket_lifecycle_configuration(self, params: dict, req: Request) -> dict:
        return _get(self, kinds.LIFECYCLE, params)

    def delete_bucket_lifecycle(self, params: dict, req: Request) -> dict:
        return _delete(self, kinds.LIFECYCLE, params)

    # default encryption (Delete restores SSE-S3, which every bucket now has)
    def put_bucket_encryption(self, params: dict, req: Request) -> dict:
        return _put(self, kinds.ENCRYPTION, params)

    def get_bucket_encryption(self, params: dict, req: Request) -> dict:
        return _get(self, kinds.ENCRYPTION, params)

    def delete_bucket_encryption(self, params: dict, req: Request) -> dict:
        return _delete(self, kinds.ENCRYPTION, params)

    # Block Public Access
    def put_public_access_block(self, params: dict, req: Request) -> dict:
        return _put(self, kinds.PUBLIC_ACCESS_BLOCK, params)

    def get_public_access_block(self, params: dict, req: Request) -> dict:
        return _get(self, kinds.PUBLIC_ACCESS_BLOCK, params)

    def delete_public_access_block(self, params: dict, req: Request) -> dict:
        return _delete(self, kinds.PUBLIC_ACCESS_BLOCK, params)

    # Object Ownership
    def put_bucket_ownership_controls(self, params: dict, req: Request) -> dict:
        acl.check_ownership_change(self, params)
        return _put(self, kinds.OWNERSHIP, params)

    def get_bucket_ownership_controls(self, params: dict, req: Request) -> dict:
        return _get(self, kinds.OWNERSHIP, params)

    def delete_bucket_ownership_controls(self, params: dict, req: Request) -> dict:
        return _delete(self, kinds.OWNERSHIP, params)

    # website
    def put_bucket_website(self, params: dict, req: Request) -> dict:
        return _put(self, kinds.WEBSITE, params)

    def get_bucket_website(self, params: dict, req: Request) -> dict:
        return _get(self, kinds.WEBSITE, params)

    def delete_bucket_website(self, params: dict, req: Request) -> dict:
        return _delete(self, kinds.WEBSITE, params)

    # replication
    def put_bucket_replication(self, params: dict, req: Request) -> dict:
        return _put(self, kinds.REPLICATION, params)

    def get_bucket_replication(self, params: dict, req: Request) -> dict:
        return _get(self, kinds.REPLICATION, params)

    def delete_bucket_replication(self, params: dict, req: Request) -> dict:
        return _delete(self, kinds.REPLICATION, params)

    # settings without a Delete
    def put_bucket_logging(self, params: dict, req: Request) -> dict:
        return _put(self, kinds.LOGGING, params)

    def get_bucket_logging(self, params: dict, req: Request) -> dict:
        return _get(self, kinds.LOGGING, params)

    def put_bucket_accelerate_configuration(self, params: dict, req: Request) -> dict:
        return _put(self, kinds.ACCELERATE, params)

    def get_bucket_accelerate_configuration(self, params: dict, req: Request) -> dict:
        return _get(self, kinds.ACCELERATE, params)

    def put_bucket_request_payment(self, params: dict, req: Request) -> dict:
        return _put(self, kinds.REQUEST_PAYMENT, params)

    def get_bucket_request_payment(self, params: dict, req: Request) -> dict:
        return _get(self, kinds.REQUEST_PAYMENT, params)

    def put_object_lock_configuration(self, params: dict, req: Request) -> dict:
        return _put(self, kinds.OBJECT_LOCK, params)

    def get_object_lock_configuration(self, params: dict, req: Request) -> dict:
        return _get(self, kinds.OBJECT_LOCK, params)

    # analytics, metrics, inventory and intelligent-tiering configurations, by Id
    def put_bucket_analytics_configuration(self, params: dict, req: Request) -> dict:
        return bucket_config.put_by_id(self, kinds.ANALYTICS, params)

    def get_bucket_analytics_configuration(self, params: dict, req: Request) -> dict:
        return bucket_config.get_by_id(self, kinds.ANALYTICS, params)

    def delete_bucket_analytics_configuration(self, params: dict, req: Request) -> dict:
        return bucket_config.delete_by_id(self, kinds.ANALYTICS, params)

    def list_bucket_analytics_configurations(self, params: dict, req: Request) -> dict:
        return bucket_config.list_by_id(self, kinds.ANALYTICS, params, "AnalyticsConfigurationList")

    def put_bucket_metrics_configuration(self, params: dict, req: Request) -> dict:
        return bucket_config.put_by_id(self, kinds.METRICS, params)

    def get_bucket_metrics_configuration(self, params: dict, req: Request) -> dict:
        return bucket_config.get_by_id(self, kinds.METRICS, params)

    def delete_bucket_metrics_configuration(self, params: dict, req: Request) -> dict:
        return bucket_config.delete_by_id(self, kinds.METRICS, params)

    def list_bucket_metrics_configurations(self, params: dict, req: Request) -> dict:
        return bucket_config.list_by_id(self, kinds.METRICS, params, "MetricsConfigurationList")

    def put_bucket_inventory_configuration(self, params: dict, req: Request) -> dict:
        return bucket_config.put_by_id(self, kinds.INVENTORY, params)

    def get_bucket_inventory_configuration(self, params: dict, req: Request) -> dict:
        return bucket_config.get_by_id(self, kinds.INVENTORY, params)

    def delete_bucket_inventory_configuration(self, params: dict, req: Request) -> dict:
        return bucket_config.delete_by_id(self, kinds.INVENTORY, params)

    def list_bucket_inventory_configurations(self, params: dict, req: Request) -> dict:
        return bucket_config.list_by_id(self, kinds.INVENTORY, params, "InventoryConfigurationList")

    def put_bucket_intelligent_tiering_configuration(self, params: dict, req: Request) -> dict:
        return bucket_config.put_by_id(self, kinds.INTELLIGENT_TIERING, params)

    def get_bucket_intelligent_tiering_configuration(self, params: dict, req: Request) -> dict:
        return bucket_config.get_by_id(self, kinds.INTELLIGENT_TIERING, params)

    def delete_bucket_intelligent_tiering_configuration(self, params: dict, req: Request) -> dict:
        return bucket_config.delete_by_id(self, kinds.INTELLIGENT_TIERING, params)

    def list_bucket_intelligent_tiering_configurations(self, params: dict, req: Request) -> dict:
        return bucket_config.list_by_id(self, kinds.INTELLIGENT_TIERING, params,
                                        "IntelligentTieringConfigurationList")

    # ACLs
    def get_bucket_acl(self, params: dict, req: Request) -> dict:
        return acl.get_bucket_acl(self, params, req)

    def put_bucket_acl(self, params: dict, req: Request) -> dict:
        return acl.put_bucket_acl(self, params, req)

    def get_object_acl(self, params: dict, req: Request) -> dict:
        return acl.get_object_acl(self, params, req)

    def put_object_acl(self, params: dict, req: Request) -> dict:
        return acl.put_object_acl(self, params, req)

    # object attributes
    def get_object_attributes(self, params: dict, req: Request) -> dict:
        return attributes.get_object_attributes(self, params, req)
