"""Seed 000: DynamoDB -> S3 export without Lambda, a Step Functions state machine (CDK in the seed).

The state machine calls ``aws-sdk:dynamodb:exportTableToPointInTime``, waits,
polls ``describeExport`` until the export leaves IN_PROGRESS.  The CDK app's
definition substitutions (TableArn, BucketName, ExportFormat, ExportType) are
applied as CDK would; the EventBridge Scheduler trigger is not served yet, so the
demo starts the execution itself.  Both export formats run.
"""
from __future__ import annotations

import json

SEED = "000"
TITLE = "Step Functions exports DynamoDB to S3 without Lambda (CDK)"
ASL = {
    "StartAt": "ExportTableToPointInTime",
    "States": {
        "ExportTableToPointInTime": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:exportTableToPointInTime",
            "Parameters": {"S3Bucket": "${BucketName}", "TableArn": "${TableArn}",
                           "ExportFormat": "${ExportFormat}", "ExportType": "${ExportType}"},
            "Next": "Wait Export Task"},
        "Wait Export Task": {"Type": "Wait", "Seconds": 60, "Next": "DescribeExport"},
        "DescribeExport": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:describeExport",
            "Parameters": {"ExportArn.$": "$.ExportDescription.ExportArn"}, "Next": "Choice"},
        "Choice": {"Type": "Choice", "Choices": [
            {"Variable": "$.ExportDescription.ExportStatus", "StringEquals": "IN_PROGRESS", "Next": "Wait Export Task"},
            {"Variable": "$.ExportDescription.ExportStatus", "StringEquals": "COMPLETED", "Next": "Success"}],
            "Default": "Fail"},
        "Success": {"Type": "Succeed"},
        "Fail": {"Type": "Fail"},
    },
}


def substitute(definition: dict, values: dict) -> str:
    text = json.dumps(definition)
    for key, value in values.items():
        text = text.replace("${" + key + "}", value)
    return text


def run(cloud, console) -> None:
    ddb, s3, sfn = (cloud.client(n) for n in ("dynamodb", "s3", "stepfunctions"))
    table = ddb.create_table(TableName="hoge-table", BillingMode="PAY_PER_REQUEST",
                             AttributeDefinitions=[{"AttributeName": "hoge", "AttributeType": "S"}],
                             KeySchema=[{"AttributeName": "hoge", "KeyType": "HASH"}])["TableDescription"]
    ddb.get_waiter("table_exists").wait(TableName="hoge-table", WaiterConfig={"Delay": 1})
    ddb.update_continuous_backups(TableName="hoge-table",
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    for i in range(25):
        ddb.put_item(TableName="hoge-table", Item={"hoge": {"S": f"id-{i:03d}"}, "n": {"N": str(i)}})
    s3.create_bucket(Bucket="hoge-bucket")
    for export_format in ("DYNAMODB_JSON", "ION"):
        _export(cloud, sfn, s3, table["TableArn"], export_format, console)


def _export(cloud, sfn, s3, table_arn: str, export_format: str, console) -> None:
    definition = substitute(ASL, {"TableArn": table_arn, "BucketName": "hoge-bucket",
                                  "ExportFormat": export_format, "ExportType": "FULL_EXPORT"})
    arn = sfn.create_state_machine(name=f"export-statemachine-{export_format.lower().replace('_', '-')}",
                                   definition=definition, roleArn=f"arn:aws:iam::{cloud.account}:role/export-sfn",
                                   tracingConfiguration={"enabled": True})["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    desc = _wait_done(cloud, sfn, execution)
    if desc["status"] != "SUCCEEDED":
        raise RuntimeError(f"export execution {desc['status']}: {desc.get('error')} {desc.get('cause')}")
    started, stopped = desc["startDate"], desc["stopDate"]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="hoge-bucket", Prefix="AWSDynamoDB/").get("Contents", [])]
    data = [k for k in keys if "/data/" in k]
    console.print(f"{export_format}: execution SUCCEEDED after {(stopped - started).total_seconds():.0f}s of virtual time; "
                  f"{len(keys)} objects under AWSDynamoDB/, newest data file {data[-1] if data else None}")


def _wait_done(cloud, sfn, execution: str) -> dict:
    for _ in range(1000):
        cloud.clock.run_until_idle()
        desc = sfn.describe_execution(executionArn=execution)
        if desc["status"] != "RUNNING":
            return desc
    raise RuntimeError("execution did not finish")
