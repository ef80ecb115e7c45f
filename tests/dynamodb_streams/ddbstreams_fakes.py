"""Small stand-ins for the DynamoDB core and S3, speaking the contract the change log relies on.

The fake DynamoDB keeps items in a dict and calls ChangeLog exactly as the core
promises to (after each committed change, in write order; on_table_updated /
on_table_deleted).  The fake S3 answers put_object like S3 (ETag, NoSuchBucket).
Both are installed into a Cloud's service table so ``Service.call`` reaches them.
"""
from __future__ import annotations

import hashlib
from copy import deepcopy

from lowcloud.errors import AwsError
from lowcloud.services.base import Request, Service
from lowcloud.services.dynamodb.backups import Backups
from lowcloud.services.dynamodb.export_formats import key_string
from lowcloud.services.dynamodb.streams import ChangeLog, stream_label


class FakeDynamo(Service):
    name = "dynamodb"

    def __init__(self, cloud, region):
        super().__init__(cloud, region)
        self.tables: dict[str, dict] = {}
        self.changelog = ChangeLog(self)
        self.backups = Backups(self)

    # --- the contract ----------------------------------------------------------------
    def describe(self, name: str) -> dict:
        if name not in self.tables:
            raise AwsError("ResourceNotFoundException", f"Requested resource not found: Table: {name} not found")
        return deepcopy(self.tables[name]["desc"])

    def scan_all(self, name: str):
        return [dict(i) for i in self.tables[name]["items"].values()]

    def describe_table(self, params, req):
        return {"Table": self.describe(params["TableName"])}

    # --- test helpers --------------------------------------------------------------------
    def create_table(self, name: str, keys=(("pk", "S"),), view: str | None = None) -> dict:
        desc = {"TableName": name, "TableArn": self.arn(f"table/{name}"), "TableId": self.cloud.ids.uuid(),
                "KeySchema": [{"AttributeName": k, "KeyType": "HASH" if i == 0 else "RANGE"}
                              for i, (k, _) in enumerate(keys)],
                "CreationDateTime": self.clock.now()}
        self.tables[name] = {"desc": desc, "items": {}}
        if view:
            self._stream_on(desc, view)
        self.changelog.on_table_updated(deepcopy(desc))
        return desc

    def _stream_on(self, desc: dict, view: str) -> None:
        label = stream_label(self.clock.now())
        desc.update(StreamSpecification={"StreamEnabled": True, "StreamViewType": view},
                    LatestStreamLabel=label, LatestStreamArn=f"{desc['TableArn']}/stream/{label}")

    def set_stream(self, name: str, view: str | None) -> None:
        desc = self.tables[name]["desc"]
        if view:
            self._stream_on(desc, view)
        else:
            desc["StreamSpecification"] = {"StreamEnabled": False}
        self.changelog.on_table_updated(deepcopy(desc))

    def delete_table(self, name: str) -> None:
        desc = self.tables.pop(name)["desc"]
        self.changelog.on_table_deleted(desc)

    def _key(self, name: str, item: dict) -> tuple[str, dict]:
        names = [k["AttributeName"] for k in self.tables[name]["desc"]["KeySchema"]]
        return key_string(item, names), {n: item[n] for n in names}

    def put(self, name: str, item: dict, identity=None) -> None:
        table = self.tables[name]
        key, keys = self._key(name, item)
        old = table["items"].get(key)
        if old == item:
            return
        table["items"][key] = item
        self.changelog.record(table["desc"], "MODIFY" if old else "INSERT", keys, old, item, identity)

    def delete(self, name: str, key_item: dict, identity=None) -> None:
        table = self.tables[name]
        key, keys = self._key(name, key_item)
        old = table["items"].pop(key, None)
        if old is not None:
            self.changelog.record(table["desc"], "REMOVE", keys, old, None, identity)

    # --- delegated operations, as the core's api.py does --------------------------------
    def update_continuous_backups(self, params, req):
        return self.backups.update_continuous_backups(params, req)

    def describe_continuous_backups(self, params, req):
        return self.backups.describe_continuous_backups(params, req)

    def export_table_to_point_in_time(self, params, req):
        return self.backups.export_table_to_point_in_time(params, req)

    def describe_export(self, params, req):
        return self.backups.describe_export(params, req)

    def list_exports(self, params, req):
        return self.backups.list_exports(params, req)


class FakeS3(Service):
    name = "s3"
    global_service = True

    def __init__(self, cloud, region):
        super().__init__(cloud, region)
        self.buckets: dict[str, dict[str, bytes]] = {}

    def put_object(self, params, req):
        bucket = self.buckets.get(params["Bucket"])
        if bucket is None:
            raise AwsError("NoSuchBucket", "The specified bucket does not exist", status=404)
        body = params["Body"]
        bucket[params["Key"]] = body if isinstance(body, bytes) else body.read()
        return {"ETag": '"' + hashlib.md5(bucket[params["Key"]]).hexdigest() + '"'}


def install(cloud, fake_s3: bool = True) -> tuple[FakeDynamo, FakeS3 | None]:
    """Put the fakes where ``cloud.service`` looks first (the Cloud's instance table)."""
    ddb = FakeDynamo(cloud, cloud.region)
    cloud._services[("dynamodb", cloud.region)] = ddb
    s3 = FakeS3(cloud, cloud.region) if fake_s3 else None
    if s3:
        cloud._services[("s3", "")] = s3
    return ddb, s3


def request(service: str = "dynamodbstreams", operation: str = "") -> Request:
    return Request(service=service, operation=operation, region="us-east-1", account="000000000000", request_id="r")
