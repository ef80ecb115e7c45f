"""Reading the change log the DynamoDB core writes: streams, shards, iterators, record pages.

The store is the SQLite file of ``lowcloud.services.dynamodb.streams``; this
module only reads it (and applies the 24 h retention first).  A shard iterator
is an opaque string carrying the stream ARN, the shard, the position (the last
sequence number already delivered) and when it was issued, so GetRecords needs
no server-side iterator state and iterators survive a restart; they expire 15
minutes after issue as AWS's do.
"""
from __future__ import annotations

import base64
import binascii
import json
import re

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb.streams import (
    constraint_error, decode_record, last_sequence, parse_sequence_number, sequence_number, to_datetime,
    trim_expired)

ITERATOR_TTL_SECONDS = 15 * 60
MAX_GET_RECORDS = 1000
MAX_PAGE_BYTES = 1024 * 1024
MAX_LIST = 100
STREAM_ARN = re.compile(r"^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table/[A-Za-z0-9_.-]{1,255}/stream/\S+$")
SEQUENCE_TYPES = ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER")


def check_limit(value, path: str, high: int) -> int:
    if value is None:
        return high
    if value < 1:
        raise constraint_error(value, path, "Member must have value greater than or equal to 1")
    if value > high:
        raise constraint_error(value, path, f"Member must have value less than or equal to {high}")
    return value


def check_stream_arn(arn: str, path: str = "streamArn") -> str:
    if not STREAM_ARN.match(arn or ""):
        raise AwsError("ValidationException", f"Invalid {path[0].upper() + path[1:]}: {arn}")
    return arn


def stream_not_found(arn: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"Requested resource not found: Stream: {arn} not found")


# --- ListStreams / DescribeStream --------------------------------------------------------
def list_streams(db, table_name: str | None, start: str | None, limit: int) -> tuple[list[dict], str | None]:
    args = []
    where = _filtered(["1=1"], args, ("table_name=?", table_name), ("arn > ?", start))
    rows = db.all(f"SELECT arn, table_name, label FROM streams WHERE {where} ORDER BY arn LIMIT ?",
                  (*args, limit + 1))
    streams = [{"StreamArn": a, "TableName": t, "StreamLabel": label} for a, t, label in rows[:limit]]
    return streams, (streams[-1]["StreamArn"] if len(rows) > limit else None)


def _filtered(where: list, args: list, *optional: tuple) -> str:
    """The WHERE text: ``where`` plus each optional (clause, value) that has a value (appended to ``args``)."""
    for clause, value in optional:
        if value:
            where.append(clause)
            args.append(value)
    return " AND ".join(where)


def stream_row(db, arn: str) -> dict:
    row = db.one("SELECT arn, table_name, label, view_type, key_schema, created, status FROM streams WHERE arn=?",
                 (arn,))
    if row is None:
        raise stream_not_found(arn)
    keys = ("arn", "table_name", "label", "view_type", "key_schema", "created", "status")
    return dict(zip(keys, row))


def describe_stream(db, arn: str, start_shard: str | None, limit: int, child_of: str | None) -> dict:
    stream = stream_row(db, arn)
    args = [arn]
    where = _filtered(["stream_arn=?"], args, ("shard_id > ?", start_shard), ("parent_shard_id=?", child_of))
    rows = db.all(f"SELECT shard_id, parent_shard_id, start_seq, end_seq FROM shards WHERE {where} "
                  "ORDER BY shard_id LIMIT ?", (*args, limit + 1))
    out = {"StreamArn": arn, "StreamLabel": stream["label"], "StreamStatus": stream["status"],
           "StreamViewType": stream["view_type"], "CreationRequestDateTime": to_datetime(stream["created"]),
           "TableName": stream["table_name"], "KeySchema": json.loads(stream["key_schema"]),
           "Shards": [_shard(*row) for row in rows[:limit]]}
    if len(rows) > limit:
        out["LastEvaluatedShardId"] = rows[limit - 1][0]
    return out


def _shard(shard_id, parent, start, end) -> dict:
    span = {"StartingSequenceNumber": sequence_number(start)}
    if end is not None:
        span["EndingSequenceNumber"] = sequence_number(end)
    shard = {"ShardId": shard_id, "SequenceNumberRange": span}
    if parent:
        shard["ParentShardId"] = parent
    return shard


# --- iterators ---------------------------------------------------------------------------
def shard_row(db, arn: str, shard_id: str) -> tuple:
    """(start_seq, end_seq, trimmed_upto) of a shard of the stream; ResourceNotFound otherwise."""
    row = db.one("SELECT start_seq, end_seq, trimmed_upto FROM shards WHERE shard_id=? AND stream_arn=?",
                 (shard_id, arn))
    if row is None:
        raise AwsError("ResourceNotFoundException",
                       f"Requested resource not found: Shard: {shard_id} in Stream: {arn} not found")
    return row


def iterator_position(db, shard: tuple, kind: str, number: str | None) -> int:
    """The last sequence row id already 'delivered' for a new iterator of ``kind``."""
    start, end, trimmed = shard
    if kind in SEQUENCE_TYPES:
        seq = _parse_number(number)
        if seq <= trimmed if kind == "AT_SEQUENCE_NUMBER" else seq < trimmed:
            raise trimmed_error()
        return seq - 1 if kind == "AT_SEQUENCE_NUMBER" else seq
    if number is not None:
        raise AwsError("ValidationException", f"Invalid SequenceNumber for ShardIteratorType {kind}: "
                                              "SequenceNumber must not be provided")
    if kind == "TRIM_HORIZON":
        return max(start - 1, trimmed)
    with db.lock:
        return end if end is not None else last_sequence(db.conn)


def check_sequence_request(kind: str, number: str | None) -> None:
    if kind in SEQUENCE_TYPES and number is None:
        raise AwsError("ValidationException", f"SequenceNumber must be provided for ShardIteratorType {kind}")


def _parse_number(number: str) -> int:
    try:
        return parse_sequence_number(number)
    except ValueError:
        raise AwsError("ValidationException", f"Invalid SequenceNumber: {number}") from None


def trimmed_error() -> AwsError:
    return AwsError("TrimmedDataAccessException", "The data you are trying to access has been trimmed")


def make_iterator(arn: str, shard_id: str, after: int, issued: float) -> str:
    payload = json.dumps([shard_id, after, round(issued, 3)], separators=(",", ":")).encode()
    return f"{arn}|1|{base64.urlsafe_b64encode(payload).decode()}"


def parse_iterator(text: str) -> tuple[str, str, int, float]:
    """(stream arn, shard id, position, issued) of an iterator; ValidationException when it is not one."""
    try:
        arn, version, payload = text.rsplit("|", 2)
        shard_id, after, issued = json.loads(base64.urlsafe_b64decode(payload.encode()))
        if version != "1" or not STREAM_ARN.match(arn) or not isinstance(shard_id, str) \
                or not isinstance(after, int) or not isinstance(issued, (int, float)):
            raise ValueError(text)
        return arn, shard_id, after, float(issued)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise AwsError("ValidationException", "Invalid ShardIterator") from None


# --- GetRecords --------------------------------------------------------------------------
def read_records(db, iterator: str, limit: int, now: float) -> dict:
    arn, shard_id, after, issued = parse_iterator(iterator)
    if now - issued > ITERATOR_TTL_SECONDS:
        raise AwsError("ExpiredIteratorException", "Shard iterator has expired")
    trim_expired(db, now)
    stream_row(db, arn)
    _start, end, trimmed = shard_row(db, arn, shard_id)
    if after < trimmed:
        raise trimmed_error()
    rows = _page(db, shard_id, after, limit)
    position = rows[-1][0] if rows else after
    out = {"Records": [decode_record(seq, body) for seq, body in rows]}
    exhausted = end is not None and not db.one("SELECT 1 FROM records WHERE shard_id=? AND seq > ? LIMIT 1",
                                               (shard_id, position))
    if not exhausted:
        out["NextShardIterator"] = make_iterator(arn, shard_id, position, now)
    return out


def _page(db, shard_id: str, after: int, limit: int) -> list[tuple[int, str]]:
    """Up to ``limit`` records after ``after``, cut at 1 MB (always at least one)."""
    rows = db.all("SELECT seq, body FROM records WHERE shard_id=? AND seq > ? ORDER BY seq LIMIT ?",
                  (shard_id, after, limit))
    total, page = 0, []
    for seq, body in rows:
        total += len(body)
        if page and total > MAX_PAGE_BYTES:
            break
        page.append((seq, body))
    return page
