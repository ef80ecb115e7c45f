"""Metric filters, TestMetricFilter, the logs.metric fact, and resource policies."""
import json

import pytest
from botocore.exceptions import ClientError

NOW_MS = 1_700_000_000_000
GROUP = "/app/orders"


def make_group(logs, name=GROUP, stream="web-1"):
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName=stream)


def put(logs, messages, group=GROUP, stream="web-1"):
    events = [{"timestamp": NOW_MS - 1000 + i, "message": m} for i, m in enumerate(messages)]
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)


def latency_filter(logs, name="latency", **transformation):
    spec = {"metricName": "Latency", "metricNamespace": "Orders", "metricValue": "$.latency", **transformation}
    logs.put_metric_filter(logGroupName=GROUP, filterName=name, filterPattern='{ $.path = "/checkout*" }',
                           metricTransformations=[spec])


def error_code(call):
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def test_put_describe_delete_metric_filter(cloud):
    logs = cloud.client("logs")
    make_group(logs)
    latency_filter(logs, unit="Milliseconds")
    logs.put_metric_filter(logGroupName=GROUP, filterName="errors", filterPattern="?ERROR ?FATAL",
                           metricTransformations=[{"metricName": "Errors", "metricNamespace": "Orders",
                                                   "metricValue": "1", "defaultValue": 0.0}])
    found = logs.describe_metric_filters(logGroupName=GROUP)["metricFilters"]
    assert [f["filterName"] for f in found] == ["errors", "latency"]
    assert found[1]["metricTransformations"] == [{"metricName": "Latency", "metricNamespace": "Orders",
                                                  "metricValue": "$.latency", "unit": "Milliseconds"}]
    assert found[1]["logGroupName"] == GROUP and found[1]["creationTime"] == NOW_MS
    assert logs.describe_log_groups()["logGroups"][0]["metricFilterCount"] == 2
    logs.create_log_group(logGroupName="/app/billing")
    logs.put_metric_filter(logGroupName="/app/billing", filterName="audit", filterPattern="",
                           metricTransformations=[{"metricName": "Lines", "metricNamespace": "Billing",
                                                   "metricValue": "1"}])
    everywhere = logs.describe_metric_filters()["metricFilters"]  # ASCII order of filter names
    assert [(f["logGroupName"], f["filterName"]) for f in everywhere] == [
        ("/app/billing", "audit"), (GROUP, "errors"), (GROUP, "latency")]
    logs.delete_log_group(logGroupName="/app/billing")
    by_metric = logs.describe_metric_filters(metricName="Errors", metricNamespace="Orders")["metricFilters"]
    assert [f["filterName"] for f in by_metric] == ["errors"]
    prefixed = logs.describe_metric_filters(logGroupName=GROUP, filterNamePrefix="lat")["metricFilters"]
    assert [f["filterName"] for f in prefixed] == ["latency"]
    ignored = logs.describe_metric_filters(filterNamePrefix="lat")["metricFilters"]  # needs logGroupName
    assert [f["filterName"] for f in ignored] == ["errors", "latency"]
    logs.delete_metric_filter(logGroupName=GROUP, filterName="errors")
    assert error_code(lambda: logs.delete_metric_filter(logGroupName=GROUP, filterName="errors")) == (
        "ResourceNotFoundException", "The specified metric filter does not exist.")
    assert [f["filterName"] for f in logs.describe_metric_filters()["metricFilters"]] == ["latency"]


def test_metric_filter_errors(cloud):
    logs = cloud.client("logs")
    assert error_code(lambda: latency_filter(logs))[0] == "ResourceNotFoundException"
    make_group(logs)
    code, message = error_code(lambda: logs.put_metric_filter(
        logGroupName=GROUP, filterName="bad", filterPattern="{ $.x = ",
        metricTransformations=[{"metricName": "m", "metricNamespace": "n", "metricValue": "1"}]))
    assert (code, message) == ("InvalidParameterException", "Invalid filter pattern")
    for transformation in ({"dimensions": {"A": "$.a", "B": "$.b", "C": "$.c", "D": "$.d"}},
                           {"dimensions": {"Path": "$.path"}, "defaultValue": 0.0},
                           {"metricValue": "lots"}):
        spec = {"metricName": "m", "metricNamespace": "n", "metricValue": "$.v", **transformation}
        code, _ = error_code(lambda: logs.put_metric_filter(logGroupName=GROUP, filterName="f", filterPattern="",
                                                            metricTransformations=[spec]))
        assert code == "InvalidParameterException"
    assert logs.describe_metric_filters(logGroupName=GROUP)["metricFilters"] == []
    code, message = error_code(lambda: logs.describe_metric_filters(metricName="Latency"))
    assert code == "InvalidParameterException"
    assert message.endswith("you must also include the metricNamespace parameter.")


def test_metric_filter_limit_is_100_per_group(cloud):
    logs = cloud.client("logs")
    make_group(logs)
    for i in range(100):
        latency_filter(logs, name=f"f{i:03d}")
    latency_filter(logs, name="f000")  # replacing one does not count
    assert error_code(lambda: latency_filter(logs, name="one-too-many")) == (
        "LimitExceededException", "Resource limit exceeded.")
    page = logs.describe_metric_filters(logGroupName=GROUP)
    assert len(page["metricFilters"]) == 50 and page["nextToken"]
    rest = logs.describe_metric_filters(logGroupName=GROUP, nextToken=page["nextToken"])
    assert rest["metricFilters"][0]["filterName"] == "f050" and len(rest["metricFilters"]) == 50


@pytest.mark.parametrize("pattern,messages,expected", [
    ("ERROR", ["ERROR one", "INFO two", "an ERROR"], [1, 3]),
    ('"disk full" -ignored', ["disk full now", "disk full ignored", "disk"], [1]),
    ("?WARN ?FATAL", ["WARN a", "FATAL b", "INFO c"], [1, 2]),
    ('{ $.status >= 500 && $.method = "GET" }', ['{"status": 503, "method": "GET"}',
                                                 '{"status": 200, "method": "GET"}', "not json"], [1]),
    ("{ $.user.name = Al* || $.tags[0] = \"vip\" }", ['{"user": {"name": "Alice"}}', '{"tags": ["vip"]}',
                                                      '{"user": {"name": "Bob"}}'], [1, 2]),
    ("{ $.error IS NULL }", ['{"error": null}', '{"error": "x"}', "{}"], [1]),
    ("{ $.trace NOT EXISTS }", ['{"a": 1}', '{"trace": "t"}'], [1]),
    ("{ $.trace EXISTS }", ['{"a": 1}', '{"trace": "t"}'], [2]),
    ("[ip, user, verb=GET, status=4*, size > 100]", ["10.0.0.1 bob GET 404 512", "10.0.0.1 bob GET 200 512",
                                                     "10.0.0.1 bob GET 404 12"], [1]),
    ("%time(out|d out)%", ["request timed out", "timeout reached", "fine"], [1, 2]),
])
def test_test_metric_filter_pattern_syntax(cloud, pattern, messages, expected):
    logs = cloud.client("logs")
    matches = logs.test_metric_filter(filterPattern=pattern, logEventMessages=messages)["matches"]
    assert [m["eventNumber"] for m in matches] == expected
    assert [m["eventMessage"] for m in matches] == [messages[i - 1] for i in expected]


def test_test_metric_filter_extracts_delimited_fields(http_client):
    logs = http_client("logs")
    out = logs.test_metric_filter(filterPattern="[ip, user, ..., status, bytes]",
                                  logEventMessages=["127.0.0.1 frank GET /index 200 2326"])
    assert out["matches"] == [{"eventNumber": 1, "eventMessage": "127.0.0.1 frank GET /index 200 2326",
                               "extractedValues": {"$ip": "127.0.0.1", "$user": "frank", "$status": "200",
                                                   "$bytes": "2326"}}]
    code = error_code(lambda: logs.test_metric_filter(filterPattern="[a, ..., ...]", logEventMessages=["x"]))
    assert code == ("InvalidParameterException", "Invalid filter pattern")


def test_filter_log_events_uses_the_same_engine(cloud):
    logs = cloud.client("logs")
    make_group(logs)
    put(logs, ["10.0.0.1 GET 500", "10.0.0.2 GET 200", '{"latency": 900}'])
    found = logs.filter_log_events(logGroupName=GROUP, filterPattern="[ip, verb, code=5*]")["events"]
    assert [e["message"] for e in found] == ["10.0.0.1 GET 500"]
    found = logs.filter_log_events(logGroupName=GROUP, filterPattern="{ $.latency > 500 }")["events"]
    assert [e["message"] for e in found] == ['{"latency": 900}']


def collect_metrics(cloud):
    facts = []
    cloud.fabric.subscribe("logs.metric", facts.append)
    return facts


def test_matching_events_publish_logs_metric_facts(cloud):
    facts = collect_metrics(cloud)
    logs = cloud.client("logs")
    make_group(logs)
    logs.put_metric_filter(
        logGroupName=GROUP, filterName="latency", filterPattern='{ $.path = "/checkout*" }',
        metricTransformations=[{"metricName": "Latency", "metricNamespace": "Orders", "metricValue": "$.latency",
                                "unit": "Milliseconds", "dimensions": {"Path": "$.path"}}])
    put(logs, ['{"path": "/checkout/pay", "latency": 120}', '{"path": "/home", "latency": 5}',
               '{"path": "/checkout", "latency": 80.5}'])
    cloud.clock.run_until_idle()
    assert [(f["namespace"], f["name"], f["value"], f["dimensions"], f["unit"], f["timestamp"]) for f in facts] == [
        ("Orders", "Latency", 120.0, {"Path": "/checkout/pay"}, "Milliseconds", NOW_MS - 1000),
        ("Orders", "Latency", 80.5, {"Path": "/checkout"}, "Milliseconds", NOW_MS - 998)]
    assert facts[0]["logGroupName"] == GROUP and facts[0]["filterName"] == "latency"


def test_default_value_is_emitted_for_a_batch_without_matches(cloud):
    facts = collect_metrics(cloud)
    logs = cloud.client("logs")
    make_group(logs)
    logs.put_metric_filter(logGroupName=GROUP, filterName="errors", filterPattern="[level=ERROR, ...]",
                           metricTransformations=[{"metricName": "Errors", "metricNamespace": "Orders",
                                                   "metricValue": "1", "defaultValue": 0}])
    put(logs, ["INFO all good", "DEBUG fine"])
    put(logs, ["ERROR broken pipe", "ERROR again"])
    cloud.clock.run_until_idle()
    assert [f["value"] for f in facts] == [0.0, 1.0, 1.0]


def test_metric_filter_with_delimited_value(cloud):
    facts = collect_metrics(cloud)
    logs = cloud.client("logs")
    make_group(logs)
    logs.put_metric_filter(logGroupName=GROUP, filterName="bytes", filterPattern="[ip, verb, status, bytes]",
                           metricTransformations=[{"metricName": "Bytes", "metricNamespace": "Web",
                                                   "metricValue": "$bytes", "dimensions": {"Status": "$status"}}])
    put(logs, ["1.2.3.4 GET 200 1500", "not a four field line"])
    cloud.clock.run_until_idle()
    assert [(f["value"], f["dimensions"]) for f in facts] == [(1500.0, {"Status": "200"})]


def test_metric_filters_survive_restart_and_go_with_their_group(tmp_path):
    from lowcloud.cloud import Cloud
    from lowcloud.clock import VirtualClock
    with Cloud(data_dir=tmp_path, clock=VirtualClock(start=NOW_MS / 1000)) as first:
        logs = first.client("logs")
        make_group(logs)
        latency_filter(logs)
        logs.put_resource_policy(policyName="p", policyDocument='{"Version": "2012-10-17", "Statement": []}')
    with Cloud(data_dir=tmp_path, clock=VirtualClock(start=NOW_MS / 1000)) as second:
        logs = second.client("logs")
        assert [f["filterName"] for f in logs.describe_metric_filters()["metricFilters"]] == ["latency"]
        assert [p["policyName"] for p in logs.describe_resource_policies()["resourcePolicies"]] == ["p"]
        logs.delete_log_group(logGroupName=GROUP)
        assert logs.describe_metric_filters()["metricFilters"] == []


def test_cli_put_metric_filter(aws_cli, cloud):
    make_group(cloud.client("logs"))
    transformation = json.dumps([{"metricName": "Hits", "metricNamespace": "Web", "metricValue": "1"}])
    aws_cli("logs", "put-metric-filter", "--log-group-name", GROUP, "--filter-name", "hits",
            "--filter-pattern", "GET", "--metric-transformations", transformation)
    out = json.loads(aws_cli("logs", "describe-metric-filters", "--log-group-name", GROUP).stdout)
    assert out["metricFilters"][0]["filterName"] == "hits"
    assert out["metricFilters"][0]["metricTransformations"][0]["metricValue"] == "1"


# --- resource policies -------------------------------------------------------------------
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "es.amazonaws.com"},
    "Action": ["logs:PutLogEvents", "logs:CreateLogStream"], "Resource": "arn:aws:logs:*"}]})


def test_resource_policies_round_trip(http_client):
    logs = http_client("logs")
    out = logs.put_resource_policy(policyName="search-slow-logs", policyDocument=POLICY)["resourcePolicy"]
    assert out["policyName"] == "search-slow-logs" and out["policyDocument"] == POLICY
    assert out["lastUpdatedTime"] == NOW_MS
    listed = logs.describe_resource_policies()["resourcePolicies"]
    assert [p["policyName"] for p in listed] == ["search-slow-logs"]
    logs.delete_resource_policy(policyName="search-slow-logs")
    assert logs.describe_resource_policies()["resourcePolicies"] == []
    assert error_code(lambda: logs.delete_resource_policy(policyName="search-slow-logs")) == (
        "ResourceNotFoundException", "Policy with name [search-slow-logs] does not exist")


def test_resource_policy_limit_and_bad_documents(cloud):
    logs = cloud.client("logs")
    for i in range(10):
        logs.put_resource_policy(policyName=f"p{i}", policyDocument=POLICY)
    logs.put_resource_policy(policyName="p3", policyDocument=POLICY)  # an update is not a new policy
    assert error_code(lambda: logs.put_resource_policy(policyName="p10", policyDocument=POLICY)) == (
        "LimitExceededException", "Resource limit exceeded.")
    logs.delete_resource_policy(policyName="p0")
    assert error_code(lambda: logs.put_resource_policy(policyName="x", policyDocument="{not json"))[0] == (
        "InvalidParameterException")
    too_big = json.dumps({"Version": "2012-10-17", "Statement": [], "Pad": "x" * 52000})
    assert error_code(lambda: logs.put_resource_policy(policyName="x", policyDocument=too_big))[0] == (
        "InvalidParameterException")
