"""Task integrations against lowcloud's own services, through one table of resources.

Shapes and error names follow spec/sfn-integrations.md (recorded on AWS) and
https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html,
connect-lambda.html, connect-ddb.html, supported-services-awssdk.html, connect-stepfunctions.html.
"""
from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from sfn_helpers import output, types

LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
    "Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
HANDLER = """
def handler(event, context):
    if isinstance(event, dict) and event.get("fail"):
        raise ValueError("bad input")
    return {"echo": event}
"""


def machine(states: dict) -> dict:
    return {"StartAt": next(iter(states)), "States": states}


@pytest.fixture
def function(cloud):
    iam = cloud.client("iam")
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]["Arn"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", HANDLER)
    return cloud.client("lambda").create_function(FunctionName="echo", Runtime="python3.11", Role=role,
                                                  Handler="handler.handler",
                                                  Code={"ZipFile": buf.getvalue()})["FunctionArn"]


@pytest.fixture
def table(cloud):
    cloud.client("dynamodb").create_table(TableName="items", BillingMode="PAY_PER_REQUEST",
                                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                          KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    cloud.clock.run_until_idle()
    return "items"


def test_lambda_invoke_optimized_and_plain_arn(run, function):
    described, events = run(machine({
        "Invoke": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "ResultSelector": {
            "payload.$": "$.Payload", "status.$": "$.StatusCode", "version.$": "$.ExecutedVersion",
            "http.$": "$.SdkHttpMetadata.HttpStatusCode"},
            "Parameters": {"FunctionName": "echo", "Payload.$": "$"}, "Next": "Plain"},
        "Plain": {"Type": "Task", "Resource": function, "End": True}}), {"n": 1})
    assert output(described) == {"echo": {"payload": {"echo": {"n": 1}}, "status": 200, "version": "$LATEST",
                                          "http": 200}}
    assert types(events)[2:5] == ["TaskScheduled", "TaskStarted", "TaskSucceeded"]
    assert types(events)[7:10] == ["LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded"]
    scheduled = events[2]["taskScheduledEventDetails"]
    assert (scheduled["resourceType"], scheduled["resource"]) == ("lambda", "invoke")


def test_function_error_type_becomes_the_error_and_retries_count(run, function):
    described, events = run(machine({"Invoke": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
        "Parameters": {"FunctionName": "echo", "Payload": {"fail": True, "try.$": "$$.State.RetryCount"}},
        "Retry": [{"ErrorEquals": ["ValueError"], "MaxAttempts": 2, "IntervalSeconds": 1}]}}))
    assert described["error"] == "ValueError"
    cause = json.loads(described["cause"])
    assert (cause["errorType"], cause["errorMessage"]) == ("ValueError", "bad input")
    assert types(events).count("TaskFailed") == 3


def test_missing_function_is_lambda_resource_not_found(run, function):
    described, _ = run(machine({"Invoke": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                           "Parameters": {"FunctionName": "nope"}, "End": True}}))
    assert described["error"] == "Lambda.ResourceNotFoundException"
    assert re.fullmatch(r".* \(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; "
                        r"Request ID: [0-9a-f-]+; Proxy: null\)", described["cause"])


def test_dynamodb_optimized_and_aws_sdk(run, table):
    described, _ = run(machine({
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "ResultPath": "$.put",
                "Parameters": {"TableName": table, "Item": {"id": {"S": "1"}, "v": {"N": "7"}}}, "Next": "Get"},
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem", "ResultPath": "$.got",
                "Parameters": {"TableName": table, "Key": {"id": {"S": "1"}}}, "End": True}}))
    result = output(described)
    assert result["got"] == {"Item": {"id": {"S": "1"}, "v": {"N": "7"}}}  # aws-sdk: no metadata
    assert result["put"]["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert result["put"]["SdkHttpMetadata"]["HttpHeaders"]["Content-Type"] == "application/x-amz-json-1.0"


def test_dynamodb_errors_are_named_per_integration_style(run, table):
    optimized, _ = run(machine({"Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                                        "Parameters": {"TableName": "missing", "Item": {"id": {"S": "1"}}},
                                        "End": True}}))
    assert optimized["error"] == "DynamoDB.ResourceNotFoundException"
    assert "(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ResourceNotFoundException;" in \
        optimized["cause"]
    sdk, _ = run(machine({"Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
                                  "Parameters": {"TableName": "missing", "Key": {"id": {"S": "1"}}}, "End": True}}))
    assert sdk["error"] == "DynamoDb.ResourceNotFoundException"
    assert re.search(r"\(Service: DynamoDb, Status Code: 400, Request ID: [0-9a-f-]+\) \(SDK Attempt Count: 1\)$",
                     sdk["cause"])
    null_item, _ = run(machine({"Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                                        "Parameters": {"TableName": table, "Item.$": "$.none"}, "End": True}}),
                       {"none": None})
    assert null_item["error"] == "DynamoDB.AmazonDynamoDBException"
    assert null_item["cause"].startswith("1 validation error detected: Value null at 'item' failed to satisfy "
                                         "constraint: Member must not be null (Service: AmazonDynamoDBv2;")


def test_s3_aws_sdk_get_object_and_missing_key(run, cloud):
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="data")
    s3.put_object(Bucket="data", Key="a.txt", Body=b"hello")
    described, _ = run(machine({"Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                                        "Parameters": {"Bucket": "data", "Key.$": "$.key"},
                                        "ResultSelector": {"body.$": "$.Body", "length.$": "$.ContentLength"},
                                        "End": True}}), {"key": "a.txt"})
    assert output(described) == {"body": "hello", "length": 5}
    missing, _ = run(machine({"Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                                      "Parameters": {"Bucket": "data", "Key": "nope"}, "End": True}}))
    assert missing["error"] == "S3.NoSuchKeyException"
    assert "(Service: S3, Status Code: 404, Request ID: " in missing["cause"]


def test_distributed_map_reads_csv_from_s3_and_writes_results(run, cloud):
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="input-data")
    s3.put_object(Bucket="input-data", Key="rows.csv", Body=b"id,name\n1,a\n2,b\n")
    described, _ = run(machine({"M": {
        "Type": "Map", "End": True, "Label": "Rows",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV",
                                                                                     "CSVHeaderLocation": "FIRST_ROW"},
                       "Parameters": {"Bucket": "input-data", "Key": "rows.csv"}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "input-data",
                                                                                   "Prefix": "out"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}))
    result = output(described)
    manifest = json.loads(s3.get_object(Bucket="input-data", Key=result["ResultWriterDetails"]["Key"])["Body"].read())
    succeeded = manifest["ResultFiles"]["SUCCEEDED"][0]["Key"]
    rows = json.loads(s3.get_object(Bucket="input-data", Key=succeeded)["Body"].read())
    assert [json.loads(r["Output"]) for r in rows] == [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}]
    assert result["ResultWriterDetails"]["Key"].startswith("out/") and "/Rows:" in result["MapRunArn"]


def test_item_reader_failures(run, cloud):
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="input-data")
    s3.put_object(Bucket="input-data", Key="dup.csv", Body=b"a,a\n1,2\n")
    described, _ = run(machine({"M": {
        "Type": "Map", "End": True,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV",
                                                                                     "CSVHeaderLocation": "FIRST_ROW"},
                       "Parameters": {"Bucket": "input-data", "Key": "dup.csv"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}))
    assert (described["error"], described["cause"]) == ("States.ItemReaderFailed",
                                                         "CSV headers cannot contain duplicates.")


def test_nested_execution_sync2_and_child_failure(run):
    child = run.machine(machine({"C": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True}}))
    failing = run.machine(machine({"F": {"Type": "Fail", "Error": "ChildError", "Cause": "child broke"}}))
    parent = machine({"Start": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                                "Parameters": {"StateMachineArn.$": "$.arn", "Input": {"x": 1}, "Name": "kid"},
                                "End": True}})
    described, events = run(parent, {"arn": child})
    result = output(described)
    assert (result["Status"], result["Output"], result["Input"], result["Name"]) == (
        "SUCCEEDED", {"Arg1": "argument1"}, {"x": 1}, "kid")
    assert types(events)[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]
    failed, _ = run(parent, {"arn": failing})
    assert failed["error"] == "States.TaskFailed"
    assert json.loads(failed["cause"])["Error"] == "ChildError"


def test_start_execution_of_a_missing_machine_names_the_error_like_aws(run):
    described, _ = run(machine({"S": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
                                      "Parameters": {"StateMachineArn":
                                                     "arn:aws:states:us-east-1:000000000000:stateMachine:nope"},
                                      "End": True}}))
    assert described["error"] == "StepFunctions.StateMachineDoesNotExistException"
    assert described["cause"].startswith("State Machine Does Not Exist: 'arn:aws:states:us-east-1:000000000000:"
                                         "stateMachine:nope' (Service: AWSStepFunctions; Status Code: 400; "
                                         "Error Code: StateMachineDoesNotExist;")


def test_wait_for_task_token_via_aws_sdk(run, cloud, table, sfn):
    definition = machine({"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:putItem.waitForTaskToken", "End": True,
        "Parameters": {"TableName": table, "Item": {"id": {"S": "token"}, "t": {"S.$": "$$.Task.Token"}}}}})
    execution = run.start(run.machine(definition))
    cloud.clock.run_until_idle()
    token = cloud.client("dynamodb").get_item(TableName=table, Key={"id": {"S": "token"}})["Item"]["t"]["S"]
    sfn.send_task_success(taskToken=token, output='{"approved": true}')
    described, events = run.finish(execution)
    assert output(described) == {"approved": True}
    assert types(events)[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]
    with pytest.raises(sfn.exceptions.TaskDoesNotExist):
        sfn.send_task_success(taskToken=token, output="{}")


def test_a_service_lowcloud_does_not_serve_fails_like_an_unreachable_endpoint(run):
    optimized, _ = run(machine({"Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                                         "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/0/q",
                                                        "MessageBody": {"a": 1}}, "End": True}}))
    assert optimized["error"] == "SQS.SdkClientException"
    assert optimized["cause"].startswith("Unable to execute HTTP request: Connect to sqs.us-east-1.amazonaws.com")
    sdk, _ = run(machine({"Send": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:sendMessage",
                                   "Parameters": {"QueueUrl": "q", "MessageBody": "x"}, "End": True}}))
    assert sdk["error"] == "Sqs.SdkClientException"


def test_seed_export_loop_with_aws_sdk_dynamodb(run, cloud, table):
    """Seed 000's shape: aws-sdk exportTableToPointInTime, then Wait/describeExport/Choice until COMPLETED."""
    ddb, s3 = cloud.client("dynamodb"), cloud.client("s3")
    ddb.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    s3.create_bucket(Bucket="exports")
    table_arn = ddb.describe_table(TableName=table)["Table"]["TableArn"]
    described, events = run(machine({
        "Export": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:exportTableToPointInTime",
                   "Parameters": {"S3Bucket": "exports", "TableArn": table_arn, "ExportFormat": "DYNAMODB_JSON",
                                  "ExportType": "FULL_EXPORT"}, "Next": "Wait"},
        "Wait": {"Type": "Wait", "Seconds": 60, "Next": "Describe"},
        "Describe": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:describeExport",
                     "Parameters": {"ExportArn.$": "$.ExportDescription.ExportArn"}, "Next": "Done?"},
        "Done?": {"Type": "Choice", "Default": "Failed", "Choices": [
            {"Variable": "$.ExportDescription.ExportStatus", "StringEquals": "IN_PROGRESS", "Next": "Wait"},
            {"Variable": "$.ExportDescription.ExportStatus", "StringEquals": "COMPLETED", "Next": "Success"}]},
        "Success": {"Type": "Succeed"}, "Failed": {"Type": "Fail"}}))
    assert described["status"] == "SUCCEEDED"
    export = output(described)["ExportDescription"]
    assert export["ExportStatus"] == "COMPLETED" and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", export["StartTime"])
    assert "WaitStateEntered" in types(events)


def test_table_created_by_a_task_is_creating_then_active_after_a_wait(run):
    sdk = "arn:aws:states:::aws-sdk:dynamodb:"
    described, _ = run(machine({
        "Create": {"Type": "Task", "Resource": sdk + "createTable", "Next": "Pause",
                   "Parameters": {"TableName": "made", "BillingMode": "PAY_PER_REQUEST",
                                  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                                  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]},
                   "ResultSelector": {"status.$": "$.TableDescription.TableStatus"}},
        "Pause": {"Type": "Wait", "Seconds": 5, "Next": "Describe"},
        "Describe": {"Type": "Task", "Resource": sdk + "describeTable", "Parameters": {"TableName": "made"},
                     "ResultSelector": {"status.$": "$.Table.TableStatus"}, "ResultPath": "$.later", "End": True}}))
    assert output(described) == {"status": "CREATING", "later": {"status": "ACTIVE"}}
