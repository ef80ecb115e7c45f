"""Seed 003's CloudWatch Logs commands with the real AWS CLI against the gateway."""
import json

NOW_MS = 1_700_000_000_000
GROUP = "/aws/lambda/test"
STREAM = "2023/11/14/[$LATEST]3f9a0c1d2e4b5a6978c0d1e2f3a4b5c6"
REQUEST_ID = "0c9b2f3a-4d5e-4f60-8a7b-1c2d3e4f5a6b"


def write_invocation(cloud):
    """What the Lambda runtime writes for one invocation, through the in-process API it uses."""
    logs = cloud.service("logs")
    logs.create_log_group({"logGroupName": GROUP}, None)
    logs.create_log_stream({"logGroupName": GROUP, "logStreamName": STREAM}, None)
    lines = [f"START RequestId: {REQUEST_ID} Version: $LATEST\n", "[{'eventName': 'INSERT'}]\n",
             f"END RequestId: {REQUEST_ID}\n",
             f"REPORT RequestId: {REQUEST_ID}\tDuration: 10.99 ms\tBilled Duration: 11 ms\t"
             "Memory Size: 128 MB\tMax Memory Used: 53 MB\t\n"]
    events = [{"timestamp": NOW_MS + i, "message": line} for i, line in enumerate(lines)]
    logs.put_log_events({"logGroupName": GROUP, "logStreamName": STREAM, "logEvents": events}, None)
    return lines


def test_seed_003_reads_the_function_log(aws_cli, cloud):
    lines = write_invocation(cloud)
    streams = json.loads(aws_cli("logs", "describe-log-streams", "--log-group-name", GROUP).stdout)
    newest = sorted(next(iter(streams.values())), key=lambda s: s["creationTime"], reverse=True)[0]
    assert newest["logStreamName"] == STREAM
    out = json.loads(aws_cli("logs", "get-log-events", "--log-group-name", GROUP,
                             "--log-stream-name", newest["logStreamName"]).stdout)
    assert [e["message"] for e in out["events"]] == lines
    assert out["events"][0]["timestamp"] == NOW_MS and out["events"][0]["ingestionTime"] == NOW_MS
    assert out["nextForwardToken"].startswith("f/") and out["nextBackwardToken"].startswith("b/")


def test_cli_filter_and_errors(aws_cli, cloud):
    write_invocation(cloud)
    out = json.loads(aws_cli("logs", "filter-log-events", "--log-group-name", GROUP,
                             "--filter-pattern", "?START ?END").stdout)
    assert [e["message"].split()[0] for e in out["events"]] == ["START", "END"]
    failed = aws_cli("logs", "get-log-events", "--log-group-name", GROUP, "--log-stream-name", "nope", check=False)
    assert failed.returncode == 255  # awscli v1: 255 for service errors
    assert ("An error occurred (ResourceNotFoundException) when calling the GetLogEvents operation: "
            "The specified log stream does not exist.") in failed.stderr


def test_logs_over_http(http_client, cloud):
    write_invocation(cloud)
    remote = http_client("logs")
    assert remote.describe_log_groups()["logGroups"][0]["logGroupName"] == GROUP
    local = cloud.client("logs").get_log_events(logGroupName=GROUP, logStreamName=STREAM)
    over_http = remote.get_log_events(logGroupName=GROUP, logStreamName=STREAM)
    assert local["events"] == over_http["events"]
    assert local["nextForwardToken"] == over_http["nextForwardToken"]
