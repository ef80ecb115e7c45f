"""Logs Insights: queries over JSON and text events, result shapes, statistics, definitions."""
import json

import pytest
from botocore.exceptions import ClientError

NOW_MS = 1_700_000_000_000  # 2023-11-14 22:13:20 UTC
GROUP = "/svc/checkout"
START, END = NOW_MS // 1000 - 3600, NOW_MS // 1000


def seed(logs, group=GROUP):
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="api-1")
    messages = [json.dumps({"level": "ERROR" if i % 4 == 0 else "INFO", "ms": 10 * i, "route": f"/r{i % 2}",
                            "user": {"id": f"u{i % 3}"}}) for i in range(8)]
    messages += ["GET /health 200 took=3ms", "POST /pay 500 took=120ms"]
    events = [{"timestamp": NOW_MS - 600_000 + 60_000 * i, "message": m} for i, m in enumerate(messages)]
    logs.put_log_events(logGroupName=group, logStreamName="api-1", logEvents=events)
    return messages


def run(logs, query, **kw):
    if "logGroupNames" not in kw:
        kw.setdefault("logGroupName", GROUP)
    query_id = logs.start_query(startTime=START, endTime=END, queryString=query, **kw)["queryId"]
    return logs.get_query_results(queryId=query_id)


def as_dicts(out):
    return [{f["field"]: f["value"] for f in row} for row in out["results"]]


def test_fields_sort_limit_and_result_shape(cloud):
    logs = cloud.client("logs")
    messages = seed(logs)
    out = run(logs, "fields @timestamp, @message | sort @timestamp desc | limit 2")
    assert out["status"] == "Complete"
    assert out["statistics"]["recordsScanned"] == 10.0 and out["statistics"]["recordsMatched"] == 10.0
    assert out["statistics"]["bytesScanned"] == float(sum(len(m) for m in messages))
    first = out["results"][0]
    assert [f["field"] for f in first] == ["@timestamp", "@message", "@ptr"]
    assert first[0]["value"] == "2023-11-14 22:12:20.000"
    assert [r["@message"] for r in as_dicts(out)] == [messages[9], messages[8]]


def test_filter_on_json_fields_and_comparisons(cloud):
    logs = cloud.client("logs")
    seed(logs)
    out = as_dicts(run(logs, "filter level = 'ERROR' and ms >= 40 | fields ms, user.id | sort ms asc"))
    assert [(r["ms"], r["user.id"]) for r in out] == [("40", "u1")]
    out = as_dicts(run(logs, "filter route in ['/r1'] and not user.id = 'u0' | fields ms | sort ms"))
    assert [r["ms"] for r in out] == ["10", "50", "70"]
    out = as_dicts(run(logs, "filter @message like /took=\\d{3}ms/ | fields @message"))
    assert [r["@message"] for r in out] == ["POST /pay 500 took=120ms"]
    out = as_dicts(run(logs, 'filter @message like "GET" | fields @logStream, @log'))
    assert out[0]["@logStream"] == "api-1" and out[0]["@log"] == f"000000000000:{GROUP}"


def test_stats_with_grouping_and_bins(cloud):
    logs = cloud.client("logs")
    seed(logs)
    out = as_dicts(run(logs, "filter ispresent(ms) | stats count(*) as n, sum(ms), avg(ms), min(ms), max(ms) "
                             "by route | sort route"))
    assert out == [{"route": "/r0", "n": "4", "sum(ms)": "120", "avg(ms)": "30", "min(ms)": "0", "max(ms)": "60"},
                   {"route": "/r1", "n": "4", "sum(ms)": "160", "avg(ms)": "40", "min(ms)": "10", "max(ms)": "70"}]
    binned = run(logs, "stats count(*) by bin(5m)")
    assert [[f["field"] for f in row] for row in binned["results"]] == [["bin(5m)", "count(*)"]] * 3
    assert {r["bin(5m)"]: r["count(*)"] for r in as_dicts(binned)} == {
        "2023-11-14 22:10:00.000": "3", "2023-11-14 22:05:00.000": "5", "2023-11-14 22:00:00.000": "2"}
    assert binned["statistics"]["recordsMatched"] == 10.0


def test_parse_glob_and_regex(cloud):
    logs = cloud.client("logs")
    seed(logs)
    out = as_dicts(run(logs, 'parse @message "* * * took=*ms" as verb, path, code, took '
                             "| filter ispresent(verb) | display verb, path, took | sort took desc"))
    assert out[0] == {"verb": "POST", "path": "/pay", "took": "120", "@ptr": out[0]["@ptr"]}
    assert [r["took"] for r in out] == ["120", "3"]
    out = as_dicts(run(logs, r"parse @message /(?<method>[A-Z]+) \S+ (?<status>\d{3})/ | filter status >= 500 "
                             "| stats count(*) as failures by method"))
    assert out == [{"method": "POST", "failures": "1"}]


def test_computed_fields_and_dedup(cloud):
    logs = cloud.client("logs")
    seed(logs)
    out = as_dicts(run(logs, "filter ispresent(ms) | fields ms * 2 as doubled, toupper(level) as lvl "
                             "| sort doubled | dedup lvl"))
    assert [(r["lvl"], r["doubled"]) for r in out] == [("ERROR", "0"), ("INFO", "20")]


def test_time_range_and_several_groups(cloud):
    logs = cloud.client("logs")
    seed(logs)
    seed(logs, "/svc/other")
    both = run(logs, "stats count(*)", logGroupNames=[GROUP, "/svc/other"])
    assert as_dicts(both) == [{"count(*)": "20"}]
    query_id = logs.start_query(logGroupName=GROUP, startTime=NOW_MS // 1000 - 120, endTime=END,
                                queryString="fields @message")["queryId"]
    assert len(logs.get_query_results(queryId=query_id)["results"]) == 2


def test_limit_parameter_caps_rows(cloud):
    logs = cloud.client("logs")
    seed(logs)
    assert len(run(logs, "fields @message", limit=3)["results"]) == 3


def test_query_errors(cloud):
    logs = cloud.client("logs")
    seed(logs)
    with pytest.raises(ClientError) as info:
        run(logs, "fields @message | frobnicate")
    error = info.value.response
    assert error["Error"]["Code"] == "MalformedQueryException"
    assert error["queryCompileError"]["location"]["startCharOffset"] == 18
    with pytest.raises(ClientError) as info:
        run(logs, "fields @message", logGroupName="/does/not/exist")
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as info:
        logs.get_query_results(queryId="00000000-0000-0000-0000-000000000000")
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_describe_and_stop_queries_over_http(cloud, http_client):
    seed(cloud.client("logs"))
    logs = http_client("logs")
    query_id = logs.start_query(logGroupName=GROUP, startTime=START, endTime=END,
                                queryString="stats count(*)")["queryId"]
    (info,) = logs.describe_queries(logGroupName=GROUP)["queries"]
    assert info == {"queryLanguage": "CWLI", "queryId": query_id, "queryString": "stats count(*)",
                    "status": "Complete", "createTime": NOW_MS, "logGroupName": GROUP}
    assert logs.describe_queries(status="Running")["queries"] == []
    assert logs.stop_query(queryId=query_id)["success"] is False
    assert as_dicts(logs.get_query_results(queryId=query_id)) == [{"count(*)": "10"}]


def test_query_definitions(cloud):
    logs = cloud.client("logs")
    first = logs.put_query_definition(name="errors", queryString="filter level = 'ERROR'",
                                      logGroupNames=[GROUP])["queryDefinitionId"]
    logs.put_query_definition(name="all", queryString="fields @message")
    logs.put_query_definition(name="errors", queryDefinitionId=first, queryString="filter level = 'FATAL'")
    found = logs.describe_query_definitions()["queryDefinitions"]
    assert [d["name"] for d in found] == ["all", "errors"]
    assert found[1]["queryString"] == "filter level = 'FATAL'" and found[1]["queryDefinitionId"] == first
    prefixed = logs.describe_query_definitions(queryDefinitionNamePrefix="err")["queryDefinitions"]
    assert [d["queryDefinitionId"] for d in prefixed] == [first]
    assert logs.delete_query_definition(queryDefinitionId=first)["success"] is True
    with pytest.raises(ClientError) as info:
        logs.delete_query_definition(queryDefinitionId=first)
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_log_group_fields(cloud):
    logs = cloud.client("logs")
    seed(logs)
    fields = {f["name"]: f["percent"] for f in logs.get_log_group_fields(logGroupName=GROUP)["logGroupFields"]}
    assert fields["@message"] == 100 and fields["@timestamp"] == 100
    assert fields["level"] == 80 and fields["user.id"] == 80


def test_cli_start_query(aws_cli, cloud):
    seed(cloud.client("logs"))
    started = json.loads(aws_cli("logs", "start-query", "--log-group-name", GROUP, "--start-time", str(START),
                                 "--end-time", str(END), "--query-string",
                                 "filter level = 'ERROR' | stats count(*) as errors").stdout)
    out = json.loads(aws_cli("logs", "get-query-results", "--query-id", started["queryId"]).stdout)
    assert out["status"] == "Complete"
    assert out["results"] == [[{"field": "errors", "value": "2"}]]


def test_arithmetic_over_aggregates_second_stats_and_comments(cloud):
    logs = cloud.client("logs")
    seed(logs)
    query = ("# minutes with traffic\n"
             "FIELDS ms | FILTER ispresent(ms)\n"
             "| STATS sum(ms) / 10 AS tens BY bin(5m)\n"
             "| STATS max(tens) AS peak, count(*) AS bins")
    assert as_dicts(run(logs, query)) == [{"peak": "20", "bins": "3"}]  # bins of 10, 200 and 70 ms
    out = as_dicts(run(logs, "stats count(*) as n by level | sort n desc | filter n > 2"))
    assert out == [{"level": "INFO", "n": "6"}]
    out = as_dicts(run(logs, "filter ispresent(ms) | stats pct(ms, 50) as p50, count_distinct(user.id) as users"))
    assert out == [{"p50": "30", "users": "3"}]


def test_stats_needs_aggregates(cloud):
    logs = cloud.client("logs")
    seed(logs)
    with pytest.raises(ClientError) as info:
        run(logs, "stats ms by route")
    assert info.value.response["Error"]["Code"] == "MalformedQueryException"
    assert info.value.response["queryCompileError"]["message"] == info.value.response["Error"]["Message"]


def test_lambda_report_lines_have_discovered_fields(cloud):
    logs = cloud.client("logs")
    logs.create_log_group(logGroupName="/aws/lambda/fn")
    logs.create_log_stream(logGroupName="/aws/lambda/fn", logStreamName="s")
    report = ("REPORT RequestId: 8f5e\tDuration: 12.50 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\t"
              "Max Memory Used: 40 MB\tInit Duration: 100.25 ms\t\n")
    logs.put_log_events(logGroupName="/aws/lambda/fn", logStreamName="s", logEvents=[
        {"timestamp": NOW_MS - 5, "message": "START RequestId: 8f5e Version: $LATEST\n"},
        {"timestamp": NOW_MS - 1, "message": report}])
    out = as_dicts(run(logs, "filter @type = 'REPORT' | stats max(@memorySize / 1000 / 1000) as mb, "
                             "avg(@duration) as d, sum(@billedDuration) as billed, max(@initDuration) as init",
                       logGroupName="/aws/lambda/fn"))
    assert out == [{"mb": "128", "d": "12.5", "billed": "13", "init": "100.25"}]
    out = as_dicts(run(logs, "fields @requestId, @maxMemoryUsed | filter ispresent(@requestId)",
                       logGroupName="/aws/lambda/fn"))
    assert [(r["@requestId"], r["@maxMemoryUsed"]) for r in out] == [("8f5e", "40000000")]


def test_get_log_record_follows_ptr(cloud, http_client):
    seed(cloud.client("logs"))
    logs = http_client("logs")
    (row,) = as_dicts(run(logs, "filter ms = 30 | fields ms"))
    record = logs.get_log_record(logRecordPointer=row["@ptr"])["logRecord"]
    assert record["ms"] == "30" and record["user.id"] == "u0" and record["@logStream"] == "api-1"
    assert record["@timestamp"] == str(NOW_MS - 600_000 + 3 * 60_000)
    with pytest.raises(ClientError) as info:
        logs.get_log_record(logRecordPointer="not-a-pointer")
    assert info.value.response["Error"]["Code"] == "InvalidParameterException"


def test_queries_and_definitions_survive_restart(tmp_path):
    from lowcloud.cloud import Cloud
    from lowcloud.clock import VirtualClock
    with Cloud(data_dir=tmp_path, clock=VirtualClock(start=NOW_MS / 1000)) as first:
        logs = first.client("logs")
        seed(logs)
        run(logs, "stats count(*)")
        started = logs.describe_queries()["queries"][0]["queryId"]
        definition = logs.put_query_definition(name="saved", queryString="fields @message")["queryDefinitionId"]
    with Cloud(data_dir=tmp_path, clock=VirtualClock(start=NOW_MS / 1000)) as second:
        logs = second.client("logs")
        assert as_dicts(logs.get_query_results(queryId=started)) == [{"count(*)": "10"}]
        assert [d["queryDefinitionId"] for d in logs.describe_query_definitions()["queryDefinitions"]] == [definition]


def test_sort_is_aws_natural_order(cloud):
    logs = cloud.client("logs")
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName="s")
    values = ["v10", "3", "v9", "@x", "A1", "12", "a1", "#"]
    logs.put_log_events(logGroupName=GROUP, logStreamName="s", logEvents=[
        {"timestamp": NOW_MS - 100 + i, "message": json.dumps({"k": v})} for i, v in enumerate(values)])
    ascending = [r["k"] for r in as_dicts(run(logs, "fields k | sort k asc"))]
    assert ascending == ["#", "@x", "A1", "a1", "v9", "v10", "3", "12"]
    assert [r["k"] for r in as_dicts(run(logs, "fields k | sort k desc"))] == list(reversed(ascending))
