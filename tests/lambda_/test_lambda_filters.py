"""FilterCriteria patterns (the EventBridge matching subset) on DynamoDB stream records."""
from __future__ import annotations

import json

import pytest

from lowcloud.services.lambda_ import filters
from lowcloud.services.lambda_.esm import failed_from
from lowcloud.services.lambda_.stream_records import failure_record

RECORD = {"eventName": "INSERT", "awsRegion": "us-east-1",
          "dynamodb": {"Keys": {"pk": {"S": "order#1"}},
                       "NewImage": {"pk": {"S": "order#1"}, "status": {"S": "NEW"}, "qty": {"N": "5"},
                                    "tags": {"SS": ["a", "b"]}},
                       "SequenceNumber": "100000000000000000001", "ApproximateCreationDateTime": 1700000000.0},
          "userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"},
          "ip": "10.0.0.7", "size": 42, "flag": True, "nothing": None}


def match(pattern: dict) -> bool:
    return filters.matches(filters.parse(json.dumps(pattern)), RECORD)


@pytest.mark.parametrize("pattern", [
    {"eventName": ["INSERT", "MODIFY"]},
    {"dynamodb": {"NewImage": {"status": {"S": ["NEW"]}}}},
    {"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "order#"}]}}}},
    {"dynamodb": {"Keys": {"pk": {"S": [{"suffix": "#1"}]}}}},
    {"eventName": [{"equals-ignore-case": "insert"}]},
    {"eventName": [{"prefix": {"equals-ignore-case": "ins"}}]},
    {"dynamodb": {"Keys": {"pk": {"S": [{"wildcard": "order*1"}]}}}},
    {"eventName": [{"anything-but": ["REMOVE"]}]},
    {"eventName": [{"anything-but": {"prefix": "MOD"}}]},
    {"size": [{"numeric": [">", 40, "<=", 42]}]},
    {"dynamodb": {"NewImage": {"tags": {"SS": ["b"]}}}},
    {"dynamodb": {"OldImage": [{"exists": False}]}},
    {"userIdentity": {"type": ["Service"], "principalId": ["dynamodb.amazonaws.com"]}},
    {"ip": [{"cidr": "10.0.0.0/24"}]},
    {"flag": [True], "nothing": [None]},
    {"$or": [{"eventName": ["REMOVE"]}, {"size": [42]}]},
])
def test_patterns_that_match(pattern):
    assert match(pattern)


@pytest.mark.parametrize("pattern", [
    {"eventName": ["REMOVE"]},
    {"dynamodb": {"NewImage": {"status": {"S": ["OLD"]}}}},
    {"eventName": ["insert"]},
    {"size": ["42"]},
    {"size": [42.0]},
    {"flag": [1]},
    {"nothing": [""]},
    {"missing": [{"exists": True}]},
    {"eventName": [{"exists": False}]},
    {"eventName": [{"anything-but": "INSERT"}]},
    {"size": [{"numeric": ["<", 10]}]},
    {"ip": [{"cidr": "10.1.0.0/16"}]},
    {"dynamodb": {"Keys": {"pk": {"S": [{"wildcard": "order*2"}]}}}},
    {"$or": [{"eventName": ["REMOVE"]}, {"size": [1]}]},
])
def test_patterns_that_do_not_match(pattern):
    assert not match(pattern)


def test_no_filters_let_everything_through_and_filters_or_together():
    assert filters.matches_any([], RECORD)
    assert filters.matches_any([filters.parse('{"eventName": ["REMOVE"]}'), filters.parse('{"size": [42]}')], RECORD)


@pytest.mark.parametrize("text", ["{not json", "[]", '{"a": "x"}', '{"a": [{"prefix": 1}]}',
                                  '{"a": [{"numeric": [">", "x"]}]}', '{"a": [{"bogus": 1}]}',
                                  '{"a": [{"wildcard": "a**b"}]}', '{"$or": [{"a": [1]}]}',
                                  '{"a": [{"anything-but": [1, "x"]}]}'])
def test_invalid_patterns_are_rejected(text):
    with pytest.raises(filters.PatternError):
        filters.parse(text)


def test_report_batch_item_failures_rules():
    batch = [{"dynamodb": {"SequenceNumber": str(n)}} for n in (11, 12, 13)]
    assert failed_from(b"null", batch) is None
    assert failed_from(b'{"batchItemFailures": []}', batch) is None
    assert failed_from(b'{"batchItemFailures": [{"itemIdentifier": "13"}, {"itemIdentifier": "12"}]}', batch) == 1
    assert failed_from(b'{"batchItemFailures": [{"itemIdentifier": ""}]}', batch) == 0
    assert failed_from(b'{"batchItemFailures": [{"itemId": "12"}]}', batch) == 0


def test_on_failure_record_carries_the_batch_info():
    mapping = {"FunctionArn": "arn:aws:lambda:us-east-1:111122223333:function:f",
               "EventSourceArn": "arn:aws:dynamodb:us-east-1:111122223333:table/T/stream/2024-06-10T06:13:20.123"}
    batch = [{"dynamodb": {"SequenceNumber": "100000000000000000002", "ApproximateCreationDateTime": 1718000123.0}},
             {"dynamodb": {"SequenceNumber": "100000000000000000004", "ApproximateCreationDateTime": 1718000125.0}}]
    record = failure_record(mapping, "shardId-1", batch, "RetryAttemptsExhausted", 3, 1718000401.0)
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["version"] == "1.0" and record["timestamp"] == "2024-06-10T06:20:01.000Z"
    assert record["DDBStreamBatchInfo"] == {
        "shardId": "shardId-1", "startSequenceNumber": "100000000000000000002",
        "endSequenceNumber": "100000000000000000004", "approximateArrivalOfFirstRecord": "2024-06-10T06:15:23Z",
        "approximateArrivalOfLastRecord": "2024-06-10T06:15:25Z", "batchSize": 2, "streamArn": mapping["EventSourceArn"]}
