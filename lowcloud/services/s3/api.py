"""Amazon S3 as a lowcloud service: one thin method per operation.

Each method hands the boto3-shaped params to the module that computes the
answer (buckets, writes, reads, deletes, listing, multipart, tagging,
notifications) and returns the output-shaped dict.  S3 is global: one
instance, one SQLite database and one blob store for every region, since
bucket names are one namespace.
"""
from __future__ import annotations

from lowcloud.services.base import Request, Service
from lowcloud.services.s3 import (buckets, deletes, listing, multipart, object_tagging, reads, writes)
from lowcloud.services.s3.config_api import BucketConfigApi
from lowcloud.services.s3.state import Store


class S3(BucketConfigApi, Service):
    name = "s3"
    global_service = True

    def __init__(self, cloud, region: str):
        super().__init__(cloud, region)
        self.store = Store(cloud.storage.database(self.db_name()), cloud.storage.blobs("s3"))

    # buckets
    def create_bucket(self, params: dict, req: Request) -> dict:
        return buckets.create_bucket(self, params, req)

    def delete_bucket(self, params: dict, req: Request) -> dict:
        return buckets.delete_bucket(self, params, req)

    def head_bucket(self, params: dict, req: Request) -> dict:
        return buckets.head_bucket(self, params, req)

    def list_buckets(self, params: dict, req: Request) -> dict:
        return buckets.list_buckets(self, params, req)

    def get_bucket_location(self, params: dict, req: Request) -> dict:
        return buckets.get_bucket_location(self, params, req)

    def put_bucket_versioning(self, params: dict, req: Request) -> dict:
        return buckets.put_bucket_versioning(self, params, req)

    def get_bucket_versioning(self, params: dict, req: Request) -> dict:
        return buckets.get_bucket_versioning(self, params, req)

    def put_bucket_tagging(self, params: dict, req: Request) -> dict:
        return buckets.put_bucket_tagging(self, params, req)

    def get_bucket_tagging(self, params: dict, req: Request) -> dict:
        return buckets.get_bucket_tagging(self, params, req)

    def delete_bucket_tagging(self, params: dict, req: Request) -> dict:
        return buckets.delete_bucket_tagging(self, params, req)

    def put_bucket_notification_configuration(self, params: dict, req: Request) -> dict:
        return buckets.put_bucket_notification_configuration(self, params, req)

    def get_bucket_notification_configuration(self, params: dict, req: Request) -> dict:
        return buckets.get_bucket_notification_configuration(self, params, req)

    # objects
    def put_object(self, params: dict, req: Request) -> dict:
        return writes.put_object(self, params, req)

    def copy_object(self, params: dict, req: Request) -> dict:
        return writes.copy_object(self, params, req)

    def get_object(self, params: dict, req: Request) -> dict:
        return reads.get_object(self, params, req)

    def head_object(self, params: dict, req: Request) -> dict:
        return reads.head_object(self, params, req)

    def delete_object(self, params: dict, req: Request) -> dict:
        return deletes.delete_object(self, params, req)

    def delete_objects(self, params: dict, req: Request) -> dict:
        return deletes.delete_objects(self, params, req)

    def put_object_tagging(self, params: dict, req: Request) -> dict:
        return object_tagging.put_object_tagging(self, params, req)

    def get_object_tagging(self, params: dict, req: Request) -> dict:
        return object_tagging.get_object_tagging(self, params, req)

    def delete_object_tagging(self, params: dict, req: Request) -> dict:
        return object_tagging.delete_object_tagging(self, params, req)

    # listings
    def list_objects_v2(self, params: dict, req: Request) -> dict:
        return listing.list_objects_v2(self, params, req)

    def list_objects(self, params: dict, req: Request) -> dict:
        return listing.list_objects(self, params, req)

    def list_object_versions(self, params: dict, req: Request) -> dict:
        return listing.list_object_versions(self, params, req)

    # multipart uploads
    def create_multipart_upload(self, params: dict, req: Request) -> dict:
        return multipart.create_multipart_upload(self, params, req)

    def upload_part(self, params: dict, req: Request) -> dict:
        return multipart.upload_part(self, params, req)

    def upload_part_copy(self, params: dict, req: Request) -> dict:
        return multipart.upload_part_copy(self, params, req)

    def complete_multipart_upload(self, params: dict, req: Request) -> dict:
        return multipart.complete_multipart_upload(self, params, req)

    def abort_multipart_upload(self, params: dict, req: Request) -> dict:
        return multipart.abort_multipart_upload(self, params, req)

    def list_parts(self, params: dict, req: Request) -> dict:
        return multipart.list_parts(self, params, req)

    def list_multipart_uploads(self, params: dict, req: Request) -> dict:
        return multipart.list_multipart_uploads(self, params, req)
