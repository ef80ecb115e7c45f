"""Seed 003: DynamoDB Streams -> Lambda, set up with the author's AWS CLI steps (as API calls).

create-table with a NEW_AND_OLD_IMAGES stream, create-role + put-role-policy, a
Python function from a zip, an event source mapping at LATEST, put-item, then
the function's CloudWatch Logs: START, the printed records, END, REPORT.
"""
from __future__ import annotations

import io
import json
import zipfile

SEED = "003"
TITLE = "DynamoDB Streams trigger a Lambda (AWS CLI steps)"
HANDLER = """import json
print('Loading function')
def lambda_handler(event, context):
    for key in event.keys():
        print(event[key])
    return 'Successfully processed.'
"""
TRUST = {"Version": "2012-10-17", "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow",
                                                 "Principal": {"Service": "lambda.amazonaws.com"}}]}
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
    "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams",
    "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]}]}


def zip_of(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


def run(cloud, console) -> None:
    ddb, iam, lam, logs = (cloud.client(n) for n in ("dynamodb", "iam", "lambda", "logs"))
    table = ddb.create_table(AttributeDefinitions=[{"AttributeName": "name", "AttributeType": "S"}], TableName="test",
                             KeySchema=[{"AttributeName": "name", "KeyType": "HASH"}],
                             StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
                             ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    console.print(f"create-table: {table['TableDescription']['TableStatus']}, stream {table['TableDescription']['LatestStreamArn']}")
    role = iam.create_role(RoleName="lambda_invoke_by_dynamodb", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="dynamodb-access-by-lambda", PolicyDocument=json.dumps(POLICY))
    lam.create_function(FunctionName="test", Runtime="python3.12", Role=role["Arn"], Handler="example.lambda_handler",
                        Code={"ZipFile": zip_of({"example.py": HANDLER})})
    lam.get_waiter("function_active_v2").wait(FunctionName="test", WaiterConfig={"Delay": 1})
    stream_arn = ddb.describe_table(TableName="test")["Table"]["LatestStreamArn"]
    mapping = lam.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName="test", Enabled=True,
                                              StartingPosition="LATEST")
    console.print(f"event source mapping {mapping['UUID']}: {mapping['State']}")
    _wait_enabled(cloud, lam, mapping["UUID"])
    ddb.put_item(TableName="test", Item={"name": {"S": "test3"}})
    for message in _function_log(cloud, logs, "/aws/lambda/test"):
        console.print("  " + message.rstrip("\n"))


def _wait_enabled(cloud, lam, uuid: str) -> None:
    for _ in range(200):
        if lam.get_event_source_mapping(UUID=uuid)["State"] == "Enabled":
            return
        cloud.clock.advance(1)
    raise RuntimeError("event source mapping never became Enabled")


def _function_log(cloud, logs, group: str) -> list[str]:
    """The newest stream's messages once a REPORT line has arrived."""
    import time
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        streams = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime", descending=True).get("logStreams", []) \
            if logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] else []
        if streams:
            events = logs.get_log_events(logGroupName=group, logStreamName=streams[0]["logStreamName"],
                                         startFromHead=True)["events"]
            messages = [e["message"] for e in events]
            if any(m.startswith("REPORT") for m in messages):
                return messages
        time.sleep(0.05)
    raise RuntimeError("the function's log never showed a REPORT line")
