"""Seed 003 end to end with the AWS CLI against the gateway, using the seed's own commands.

The author ran them with a profile whose region is ap-northeast-1; here each command
gets ``--region ap-northeast-1`` instead, and ``jq`` lookups are done in Python.
"""
from __future__ import annotations

import ast
import json
import re
import zipfile

REGION = ["--region", "ap-northeast-1"]
EXAMPLE_PY = """import json
print('Loading function')
def lambda_handler(event, context):
    for key in event.keys():
        print(event[key])
    return 'Successfully processed.'
"""


def test_seed_003_dynamodb_stream_to_lambda_logs(cloud, aws_cli, tmp_path):
    def aws(*args):
        out = aws_cli(*args, *REGION).stdout
        return json.loads(out) if out.strip() else None

    table = aws("dynamodb", "create-table", "--attribute-definitions", "AttributeName=name,AttributeType=S",
                "--table-name", "test", "--key-schema", "AttributeName=name,KeyType=HASH",
                "--stream-specification", "StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES",
                "--provisioned-throughput", "ReadCapacityUnits=1,WriteCapacityUnits=1")["TableDescription"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    aws("iam", "create-role", "--role-name", "lambda_invoke_by_dynamodb", "--assume-role-policy-document",
        '{"Version": "2012-10-17", "Statement":[{"Action": "sts:AssumeRole","Effect": "Allow","Principal": '
        '{"Service": "lambda.amazonaws.com"}}]}')
    aws("iam", "put-role-policy", "--role-name", "lambda_invoke_by_dynamodb", "--policy-name",
        "dynamodb-access-by-lambda", "--policy-document",
        '{"Version": "2012-10-17","Statement": [{"Effect": "Allow","Action": ["dynamodb:GetRecords",'
        '"dynamodb:GetShardIterator","dynamodb:DescribeStream","dynamodb:ListStreams","logs:CreateLogGroup",'
        '"logs:CreateLogStream","logs:PutLogEvents"],"Resource": "*"}]}')
    with zipfile.ZipFile(tmp_path / "HelloWorld.zip", "w") as archive:
        archive.writestr("example.py", EXAMPLE_PY)
    role_arn = aws("iam", "get-role", "--role-name", "lambda_invoke_by_dynamodb")["Role"]["Arn"]
    aws("lambda", "create-function", "--function-name", "test", "--runtime", "python3.7", "--role", role_arn,
        "--handler", "example.lambda_handler", "--zip-file", "fileb://HelloWorld.zip")
    stream_arn = aws("dynamodb", "describe-table", "--table-name", "test")["Table"]["LatestStreamArn"]
    mapping = aws("lambda", "create-event-source-mapping", "--event-source-arn", stream_arn, "--function-name",
                  "test", "--enabled", "--starting-position", "LATEST")
    assert mapping["State"] == "Creating" and mapping["BatchSize"] == 100
    assert mapping["LastProcessingResult"] == "No records processed"
    assert mapping["FunctionArn"] == "arn:aws:lambda:ap-northeast-1:000000000000:function:test"

    aws("dynamodb", "put-item", "--table-name", "test", "--item", '{"name":{"S":"test3"}}')
    cloud.clock.run_until_idle()

    streams = aws("logs", "describe-log-streams", "--log-group-name", "/aws/lambda/test")["logStreams"]
    newest = sorted(streams, key=lambda s: s["creationTime"], reverse=True)[0]["logStreamName"]
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", newest)
    out = aws("logs", "get-log-events", "--log-group-name", "/aws/lambda/test", "--log-stream-name", newest)
    messages = [e["message"] for e in out["events"]]
    assert out["nextForwardToken"].startswith("f/") and out["nextBackwardToken"].startswith("b/")
    start = next(i for i, m in enumerate(messages) if m.startswith("START RequestId: "))
    assert messages[:start] == ["Loading function\n"]
    request_id = re.fullmatch(r"START RequestId: (\S+) Version: \$LATEST\n", messages[start]).group(1)
    records = ast.literal_eval(messages[start + 1])
    assert messages[start + 2] == f"END RequestId: {request_id}\n"
    assert re.fullmatch(rf"REPORT RequestId: {request_id}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
                        r"Memory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t\n",
                        messages[start + 3])
    (record,) = records
    assert list(record) == ["eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb",
                            "eventSourceARN"]
    assert (record["eventName"], record["eventVersion"], record["eventSource"], record["awsRegion"]) == (
        "INSERT", "1.1", "aws:dynamodb", "ap-northeast-1")
    data = record["dynamodb"]
    assert list(data) == ["ApproximateCreationDateTime", "Keys", "NewImage", "SequenceNumber", "SizeBytes",
                          "StreamViewType"]
    assert data["Keys"] == {"name": {"S": "test3"}} and data["NewImage"] == {"name": {"S": "test3"}}
    assert data["StreamViewType"] == "NEW_AND_OLD_IMAGES" and record["eventSourceARN"] == stream_arn
    assert isinstance(data["ApproximateCreationDateTime"], float)
