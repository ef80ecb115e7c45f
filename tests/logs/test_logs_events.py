"""PutLogEvents rules, GetLogEvents paging tokens, FilterLogEvents, retention on the clock, the fabric fact."""
import pytest
from botocore.exceptions import ClientError

NOW_MS = 1_700_000_000_000
DAY_MS = 86_400_000


@pytest.fixture
def logs(cloud):
    client = cloud.client("logs")
    client.create_log_group(logGroupName="g")
    client.create_log_stream(logGroupName="g", logStreamName="s")
    return client


def put(logs, messages, start=NOW_MS - 60_000, stream="s"):
    events = [{"timestamp": start + i, "message": m} for i, m in enumerate(messages)]
    return logs.put_log_events(logGroupName="g", logStreamName=stream, logEvents=events)


def messages(response):
    return [e["message"] for e in response["events"]]


def error_of(exc_info):
    return exc_info.value.response["Error"]["Code"], exc_info.value.response["Error"]["Message"]


def test_put_then_get_returns_events_with_ingestion_time(logs):
    out = put(logs, ["START", "hello", "END"])
    assert "rejectedLogEventsInfo" not in out
    got = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True)
    assert got["events"][0] == {"timestamp": NOW_MS - 60_000, "message": "START", "ingestionTime": NOW_MS}
    assert messages(got) == ["START", "hello", "END"]
    assert got["nextForwardToken"].startswith("f/") and len(got["nextForwardToken"]) == 58
    assert got["nextBackwardToken"].startswith("b/") and len(got["nextBackwardToken"]) == 58


def test_put_rejects_out_of_order_batches_and_missing_targets(logs):
    with pytest.raises(ClientError) as exc:
        logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=[
            {"timestamp": NOW_MS, "message": "b"}, {"timestamp": NOW_MS - 1, "message": "a"}])
    assert error_of(exc) == ("InvalidParameterException",
                             "Log events in a single PutLogEvents request must be in chronological order.")
    with pytest.raises(ClientError) as exc:
        put(logs, ["x"], stream="nope")
    assert error_of(exc) == ("ResourceNotFoundException", "The specified log stream does not exist.")
    with pytest.raises(ClientError) as exc:
        logs.put_log_events(logGroupName="nope", logStreamName="s", logEvents=[{"timestamp": NOW_MS, "message": "x"}])
    assert error_of(exc) == ("ResourceNotFoundException", "The specified log group does not exist.")
    assert logs.get_log_events(logGroupName="g", logStreamName="s")["events"] == []


def test_put_rejects_oversized_batches(logs):
    big = "x" * 600_000
    with pytest.raises(ClientError) as exc:
        put(logs, [big, big])
    assert error_of(exc) == ("InvalidParameterException", "Upload too large: 1200052 bytes exceeds limit of 1048576")


def test_too_old_too_new_and_expired_events_are_reported(logs):
    logs.put_retention_policy(logGroupName="g", retentionInDays=1)
    events = [{"timestamp": NOW_MS - 15 * DAY_MS, "message": "ancient"},
              {"timestamp": NOW_MS - 2 * DAY_MS, "message": "expired"},
              {"timestamp": NOW_MS, "message": "fine"},
              {"timestamp": NOW_MS + 3 * 3_600_000, "message": "future"}]
    out = logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=events)
    assert out["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1, "expiredLogEventEndIndex": 2,
                                            "tooNewLogEventStartIndex": 3}
    assert messages(logs.get_log_events(logGroupName="g", logStreamName="s")) == ["fine"]


def test_forward_paging_ends_on_the_same_token(logs):
    put(logs, [f"m{i}" for i in range(5)])
    page = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True, limit=2)
    seen = messages(page)
    while True:
        nxt = logs.get_log_events(logGroupName="g", logStreamName="s", nextToken=page["nextForwardToken"], limit=2)
        if not nxt["events"]:
            assert nxt["nextForwardToken"] == page["nextForwardToken"]
            break
        seen += messages(nxt)
        page = nxt
    assert seen == [f"m{i}" for i in range(5)]
    put(logs, ["late"], start=NOW_MS)
    tail = logs.get_log_events(logGroupName="g", logStreamName="s", nextToken=page["nextForwardToken"])
    assert messages(tail) == ["late"]


def test_default_read_is_the_latest_events_then_backward(logs):
    put(logs, [f"m{i}" for i in range(5)])
    latest = logs.get_log_events(logGroupName="g", logStreamName="s", limit=2)
    assert messages(latest) == ["m3", "m4"]
    back = logs.get_log_events(logGroupName="g", logStreamName="s", nextToken=latest["nextBackwardToken"], limit=2)
    assert messages(back) == ["m1", "m2"]
    back = logs.get_log_events(logGroupName="g", logStreamName="s", nextToken=back["nextBackwardToken"], limit=2)
    assert messages(back) == ["m0"]
    end = logs.get_log_events(logGroupName="g", logStreamName="s", nextToken=back["nextBackwardToken"], limit=2)
    assert end["events"] == [] and end["nextBackwardToken"] == back["nextBackwardToken"]
    again = logs.get_log_events(logGroupName="g", logStreamName="s", nextToken=end["nextForwardToken"], limit=2)
    assert messages(again) == ["m0", "m1"]


def test_time_window_is_start_inclusive_end_exclusive(logs):
    put(logs, ["a", "b", "c", "d"], start=NOW_MS - 100)
    got = logs.get_log_events(logGroupName="g", logStreamName="s", startTime=NOW_MS - 99, endTime=NOW_MS - 97,
                              startFromHead=True)
    assert messages(got) == ["b", "c"]


def test_bad_tokens_are_rejected(logs):
    for token in ["x/123", "f/12", "b/" + "9" * 55 + "x"]:
        with pytest.raises(ClientError) as exc:
            logs.get_log_events(logGroupName="g", logStreamName="s", nextToken=token)
        assert error_of(exc) == ("InvalidParameterException", "The specified nextToken is invalid.")
    with pytest.raises(ClientError) as exc:
        logs.filter_log_events(logGroupName="g", nextToken="not-a-token")
    assert error_of(exc) == ("InvalidParameterException", "The specified nextToken is invalid.")


def test_retention_applies_on_the_clock(logs, cloud):
    put(logs, ["old"], start=NOW_MS - 1000)
    logs.put_retention_policy(logGroupName="g", retentionInDays=1)
    assert messages(logs.get_log_events(logGroupName="g", logStreamName="s")) == ["old"]
    cloud.clock.advance(DAY_MS / 1000 + 60)
    put(logs, ["new"], start=int(cloud.clock.now() * 1000))
    assert messages(logs.get_log_events(logGroupName="g", logStreamName="s")) == ["new"]
    assert messages(logs.filter_log_events(logGroupName="g")) == ["new"]
    assert logs.describe_log_groups()["logGroups"][0]["storedBytes"] == 3


def test_accepted_batches_are_published_on_the_fabric(logs, cloud):
    facts = []
    cloud.fabric.subscribe("logs.events", facts.append)
    put(logs, ["one", "two"])
    cloud.clock.run_until_idle()
    fact, = facts
    assert fact["logGroupName"] == "g" and fact["logStreamName"] == "s"
    assert [e["message"] for e in fact["logEvents"]] == ["one", "two"]
    ids = [e["eventId"] for e in logs.filter_log_events(logGroupName="g")["events"]]
    assert [e["id"] for e in fact["logEvents"]] == ids


def test_filter_log_events_across_streams(logs):
    logs.create_log_stream(logGroupName="g", logStreamName="other")
    put(logs, ["ERROR disk full", "INFO ok"], start=NOW_MS - 1000)
    put(logs, ["ERROR timeout"], start=NOW_MS - 999, stream="other")
    out = logs.filter_log_events(logGroupName="g", filterPattern="ERROR")
    assert [(e["logStreamName"], e["message"]) for e in out["events"]] == [
        ("s", "ERROR disk full"), ("other", "ERROR timeout")]
    assert out["searchedLogStreams"] == [] and "nextToken" not in out
    assert set(out["events"][0]) == {"logStreamName", "timestamp", "message", "ingestionTime", "eventId"}
    only = logs.filter_log_events(logGroupName="g", logStreamNames=["other"])
    assert messages(only) == ["ERROR timeout"]
    prefixed = logs.filter_log_events(logGroupName="g", logStreamNamePrefix="ot", filterPattern="-timeout")
    assert messages(prefixed) == []
    window = logs.filter_log_events(logGroupName="g", startTime=NOW_MS - 999, endTime=NOW_MS - 999)
    assert messages(window) == ["INFO ok", "ERROR timeout"]
    with pytest.raises(ClientError) as exc:
        logs.filter_log_events(logGroupName="g", logStreamNames=["s"], logStreamNamePrefix="s")
    assert error_of(exc)[0] == "InvalidParameterException"


def test_filter_log_events_pages_with_next_token(logs):
    put(logs, [f"line {i}" for i in range(7)])
    first = logs.filter_log_events(logGroupName="g", limit=3)
    assert messages(first) == ["line 0", "line 1", "line 2"] and first["nextToken"]
    pages = logs.get_paginator("filter_log_events").paginate(logGroupName="g", filterPattern='"line"',
                                                            PaginationConfig={"PageSize": 3})
    assert [e["message"] for p in pages for e in p["events"]] == [f"line {i}" for i in range(7)]


def test_filter_pattern_errors_are_invalid_parameter(logs):
    for pattern in ['{ $.a = }', '[a, b', '"unterminated', '{ a = 1 }']:
        with pytest.raises(ClientError) as exc:
            logs.filter_log_events(logGroupName="g", filterPattern=pattern)
        assert error_of(exc)[0] == "InvalidParameterException"


def test_events_and_tokens_survive_a_restart(tmp_path):
    from lowcloud.cloud import Cloud
    from lowcloud.clock import VirtualClock
    with Cloud(data_dir=tmp_path, clock=VirtualClock(start=1_700_000_000), seed=1) as first:
        logs = first.client("logs")
        logs.create_log_group(logGroupName="g")
        logs.create_log_stream(logGroupName="g", logStreamName="s")
        put(logs, ["before"])
        token = logs.get_log_events(logGroupName="g", logStreamName="s")["nextForwardToken"]
    with Cloud(data_dir=tmp_path, clock=VirtualClock(start=1_700_000_100), seed=2) as second:
        logs = second.client("logs")
        put(logs, ["after"], start=NOW_MS + 50_000)
        assert messages(logs.get_log_events(logGroupName="g", logStreamName="s", nextToken=token)) == ["after"]
        assert logs.describe_log_groups()["logGroups"][0]["storedBytes"] == len("before") + len("after")
