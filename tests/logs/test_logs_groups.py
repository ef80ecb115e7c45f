"""Log groups and streams through boto3 in-process: shapes, AWS error texts, paging, retention, tags."""
import pytest
from botocore.exceptions import ClientError

NOW_MS = 1_700_000_000_000
ARN = "arn:aws:logs:us-east-1:000000000000:log-group"


@pytest.fixture
def logs(cloud):
    return cloud.client("logs")


def error_of(exc_info):
    return exc_info.value.response["Error"]["Code"], exc_info.value.response["Error"]["Message"]


def test_created_group_is_described_like_aws(logs):
    logs.create_log_group(logGroupName="/aws/lambda/etl")
    group, = logs.describe_log_groups()["logGroups"]
    assert group == {"logGroupName": "/aws/lambda/etl", "creationTime": NOW_MS, "metricFilterCount": 0,
                     "arn": f"{ARN}:/aws/lambda/etl:*", "storedBytes": 0, "logGroupClass": "STANDARD",
                     "logGroupArn": f"{ARN}:/aws/lambda/etl"}


def test_duplicate_and_missing_groups_use_aws_texts(logs):
    logs.create_log_group(logGroupName="g")
    with pytest.raises(ClientError) as exc:
        logs.create_log_group(logGroupName="g")
    assert error_of(exc) == ("ResourceAlreadyExistsException", "The specified log group already exists")
    with pytest.raises(ClientError) as exc:
        logs.delete_log_group(logGroupName="nope")
    assert error_of(exc) == ("ResourceNotFoundException", "The specified log group does not exist.")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_group_name_pattern_is_enforced(logs):
    with pytest.raises(ClientError) as exc:
        logs.create_log_group(logGroupName="bad name")
    assert error_of(exc) == ("InvalidParameterException",
                             "1 validation error detected: Value 'bad name' at 'logGroupName' failed to satisfy "
                             "constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+")


def test_prefix_pattern_and_identifier_filters(logs):
    for name in ["/aws/lambda/a", "/aws/lambda/b", "/app/DataLogs", "/app/datalogs"]:
        logs.create_log_group(logGroupName=name)
    by_prefix = logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"]
    assert [g["logGroupName"] for g in by_prefix] == ["/aws/lambda/a", "/aws/lambda/b"]
    by_pattern = logs.describe_log_groups(logGroupNamePattern="DataLogs")["logGroups"]
    assert by_pattern == [{"logGroupName": "/app/DataLogs", "creationTime": NOW_MS, "arn": f"{ARN}:/app/DataLogs:*"}]
    by_ident = logs.describe_log_groups(logGroupIdentifiers=[f"{ARN}:/aws/lambda/b", "/app/datalogs"])["logGroups"]
    assert [g["logGroupName"] for g in by_ident] == ["/app/datalogs", "/aws/lambda/b"]
    foreign = "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/a"
    assert logs.describe_log_groups(logGroupIdentifiers=[foreign])["logGroups"] == []
    with pytest.raises(ClientError) as exc:
        logs.describe_log_groups(logGroupNamePrefix="/a", logGroupNamePattern="x")
    assert error_of(exc)[0] == "InvalidParameterException"


def test_describe_log_groups_pages(logs):
    names = [f"group-{i:02d}" for i in range(7)]
    for name in reversed(names):
        logs.create_log_group(logGroupName=name)
    first = logs.describe_log_groups(limit=3)
    assert [g["logGroupName"] for g in first["logGroups"]] == names[:3] and first["nextToken"]
    pages = logs.get_paginator("describe_log_groups").paginate(PaginationConfig={"PageSize": 3})
    seen = [g["logGroupName"] for p in pages for g in p["logGroups"]]
    assert seen == names
    with pytest.raises(ClientError) as exc:
        logs.describe_log_groups(limit=51)
    assert error_of(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        logs.describe_log_groups(nextToken="garbage!")
    assert error_of(exc) == ("InvalidParameterException", "The specified nextToken is invalid.")


def test_retention_policy_set_and_removed(logs):
    logs.create_log_group(logGroupName="g")
    logs.put_retention_policy(logGroupName="g", retentionInDays=7)
    assert logs.describe_log_groups()["logGroups"][0]["retentionInDays"] == 7
    logs.delete_retention_policy(logGroupName="g")
    assert "retentionInDays" not in logs.describe_log_groups()["logGroups"][0]
    with pytest.raises(ClientError) as exc:
        logs.put_retention_policy(logGroupName="g", retentionInDays=2)
    code, message = error_of(exc)
    assert code == "InvalidParameterException"
    assert message.startswith("1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy "
                              "constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30,")
    with pytest.raises(ClientError) as exc:
        logs.put_retention_policy(logGroupName="missing", retentionInDays=1)
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_tags_new_and_legacy_apis(logs):
    logs.create_log_group(logGroupName="g", tags={"team": "data"})
    arn = f"{ARN}:g"
    logs.tag_resource(resourceArn=arn, tags={"env": "dev"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "dev", "team": "data"}
    logs.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert logs.list_tags_log_group(logGroupName="g")["tags"] == {"env": "dev"}
    logs.tag_log_group(logGroupName="g", tags={"a": "1"})
    logs.untag_log_group(logGroupName="g", tags=["env"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "1"}
    with pytest.raises(ClientError) as exc:  # the model's ARN pattern has no room for ":*"
        logs.list_tags_for_resource(resourceArn=f"{arn}:*")
    assert error_of(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        logs.list_tags_for_resource(resourceArn=f"{ARN}:missing")
    assert error_of(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        logs.tag_resource(resourceArn=arn, tags={f"k{i}": "v" for i in range(50)})
    assert error_of(exc)[0] == "TooManyTagsException"


def test_streams_create_describe_delete(logs):
    with pytest.raises(ClientError) as exc:
        logs.create_log_stream(logGroupName="g", logStreamName="s")
    assert error_of(exc) == ("ResourceNotFoundException", "The specified log group does not exist.")
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="2024/06/10/[$LATEST]abc")
    with pytest.raises(ClientError) as exc:
        logs.create_log_stream(logGroupName="g", logStreamName="2024/06/10/[$LATEST]abc")
    assert error_of(exc) == ("ResourceAlreadyExistsException", "The specified log stream already exists")
    stream, = logs.describe_log_streams(logGroupName="g")["logStreams"]
    assert stream == {"logStreamName": "2024/06/10/[$LATEST]abc", "creationTime": NOW_MS, "storedBytes": 0,
                      "arn": f"{ARN}:g:log-stream:2024/06/10/[$LATEST]abc"}
    logs.delete_log_stream(logGroupName="g", logStreamName="2024/06/10/[$LATEST]abc")
    with pytest.raises(ClientError) as exc:
        logs.delete_log_stream(logGroupName="g", logStreamName="2024/06/10/[$LATEST]abc")
    assert error_of(exc) == ("ResourceNotFoundException", "The specified log stream does not exist.")
    with pytest.raises(ClientError) as exc:
        logs.create_log_stream(logGroupName="g", logStreamName="a:b")
    assert error_of(exc)[0] == "InvalidParameterException"


def test_stream_fields_after_events(logs):
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    token = logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=[
        {"timestamp": NOW_MS - 5000, "message": "one"}, {"timestamp": NOW_MS - 1000, "message": "two"}])
    stream, = logs.describe_log_streams(logGroupName="g")["logStreams"]
    assert stream["firstEventTimestamp"] == NOW_MS - 5000
    assert stream["lastEventTimestamp"] == NOW_MS - 1000
    assert stream["lastIngestionTime"] == NOW_MS
    assert stream["uploadSequenceToken"] == token["nextSequenceToken"]
    assert len(token["nextSequenceToken"]) == 56
    assert logs.describe_log_groups()["logGroups"][0]["storedBytes"] == 6


def test_stream_ordering_and_paging(logs, cloud):
    logs.create_log_group(logGroupName="g")
    for i, name in enumerate(["c", "a", "b", "d"]):
        logs.create_log_stream(logGroupName="g", logStreamName=name)
        logs.put_log_events(logGroupName="g", logStreamName=name,
                            logEvents=[{"timestamp": NOW_MS - 10_000 + i, "message": name}])
    names = lambda **kw: [s["logStreamName"] for s in logs.describe_log_streams(logGroupName="g", **kw)["logStreams"]]
    assert names() == ["a", "b", "c", "d"]
    assert names(descending=True) == ["d", "c", "b", "a"]
    assert names(orderBy="LastEventTime") == ["c", "a", "b", "d"]
    assert names(orderBy="LastEventTime", descending=True) == ["d", "b", "a", "c"]
    assert names(logStreamNamePrefix="b") == ["b"]
    pages = logs.get_paginator("describe_log_streams").paginate(
        logGroupName="g", orderBy="LastEventTime", descending=True, PaginationConfig={"PageSize": 1})
    assert [s["logStreamName"] for p in pages for s in p["logStreams"]] == ["d", "b", "a", "c"]
    with pytest.raises(ClientError) as exc:
        logs.describe_log_streams(logGroupName="g", orderBy="LastEventTime", logStreamNamePrefix="a")
    assert error_of(exc) == ("InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.")


def test_group_identifier_accepts_name_or_arn(logs):
    logs.create_log_group(logGroupName="/aws/lambda/f")
    logs.create_log_stream(logGroupName="/aws/lambda/f", logStreamName="s")
    for ident in [f"{ARN}:/aws/lambda/f", "/aws/lambda/f"]:
        assert logs.describe_log_streams(logGroupIdentifier=ident)["logStreams"][0]["logStreamName"] == "s"
    with pytest.raises(ClientError) as exc:  # the model's identifier pattern has no room for ":*"
        logs.describe_log_streams(logGroupIdentifier=f"{ARN}:/aws/lambda/f:*")
    assert error_of(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        logs.describe_log_streams(logGroupIdentifier=f"{ARN}:/aws/lambda/f", logGroupName="/aws/lambda/f")
    assert error_of(exc) == ("InvalidParameterException",
                             "LogGroup name and LogGroup ARN are mutually exclusive parameters.")
    with pytest.raises(ClientError) as exc:
        logs.describe_log_streams(logGroupIdentifier="arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/f")
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_deleting_a_group_removes_its_streams_and_events(logs):
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=[{"timestamp": NOW_MS, "message": "x"}])
    logs.delete_log_group(logGroupName="g")
    logs.create_log_group(logGroupName="g")
    assert logs.describe_log_streams(logGroupName="g")["logStreams"] == []
    assert logs.filter_log_events(logGroupName="g")["events"] == []
    assert logs.describe_log_groups()["logGroups"][0]["storedBytes"] == 0
