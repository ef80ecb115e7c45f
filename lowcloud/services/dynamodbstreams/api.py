"""The ``dynamodbstreams`` API: thin operations over ``reader`` and the shared change-log store.

DynamoDB Streams is its own endpoint and boto3 client but reads what the
DynamoDB core's ChangeLog writes, in the same region's SQLite file; the only
call back into DynamoDB is DescribeTable, to tell an unknown table from one
without streams in ListStreams.
"""
from __future__ import annotations

from lowcloud.errors import AwsError
from lowcloud.services.base import Request, Service
from lowcloud.services.dynamodb.streams import open_store, trim_expired
from lowcloud.services.dynamodbstreams import reader


class DynamoDBStreams(Service):
    name = "dynamodbstreams"

    def __init__(self, cloud, region: str):
        super().__init__(cloud, region)
        self.db = open_store(cloud, region)

    def _fresh(self) -> None:
        trim_expired(self.db, self.clock.now())

    def list_streams(self, params: dict, req: Request) -> dict:
        limit = reader.check_limit(params.get("Limit"), "limit", reader.MAX_LIST)
        table, start = params.get("TableName"), params.get("ExclusiveStartStreamArn")
        if start is not None:
            reader.check_stream_arn(start, "exclusiveStartStreamArn")
        self._fresh()
        streams, last = reader.list_streams(self.db, table, start, limit)
        if table and not streams and not start:
            self._require_table(table)
        out = {"Streams": streams}
        if last:
            out["LastEvaluatedStreamArn"] = last
        return out

    def _require_table(self, table: str) -> None:
        try:
            self.call("dynamodb", "describe_table", {"TableName": table})
        except AwsError as err:
            if err.code == "ResourceNotFoundException":
                raise AwsError("ResourceNotFoundException",
                               f"Requested resource not found: Table: {table} not found") from None
            raise

    def describe_stream(self, params: dict, req: Request) -> dict:
        arn = reader.check_stream_arn(params["StreamArn"])
        limit = reader.check_limit(params.get("Limit"), "limit", reader.MAX_LIST)
        shard_filter = params.get("ShardFilter") or {}
        child_of = shard_filter.get("ShardId") if shard_filter.get("Type") == "CHILD_SHARDS" else None
        self._fresh()
        return {"StreamDescription": reader.describe_stream(self.db, arn, params.get("ExclusiveStartShardId"),
                                                            limit, child_of)}

    def get_shard_iterator(self, params: dict, req: Request) -> dict:
        arn = reader.check_stream_arn(params["StreamArn"])
        kind, number = params["ShardIteratorType"], params.get("SequenceNumber")
        reader.check_sequence_request(kind, number)
        self._fresh()
        reader.stream_row(self.db, arn)
        shard = reader.shard_row(self.db, arn, params["ShardId"])
        after = reader.iterator_position(self.db, shard, kind, number)
        return {"ShardIterator": reader.make_iterator(arn, params["ShardId"], after, self.clock.now())}

    def get_records(self, params: dict, req: Request) -> dict:
        limit = reader.check_limit(params.get("Limit"), "limit", reader.MAX_GET_RECORDS)
        return reader.read_records(self.db, params["ShardIterator"], limit, self.clock.now())
