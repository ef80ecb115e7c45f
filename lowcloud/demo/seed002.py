"""Seed 002: a Python Lambda keeps DynamoDB warm by put_item every 5 minutes (Terraform in the seed).

The role, policy, attachment and function are created with the calls the
Terraform aws provider makes.  EventBridge rules are not served yet, so the
demo delivers the rule's Scheduled Event itself every 5 virtual minutes.
"""
from __future__ import annotations

import json

from lowcloud.demo.seed003 import zip_of

SEED = "002"
TITLE = "Scheduled Lambda put_item into DynamoDB (Terraform)"
MAIN_PY = """import boto3
import datetime
dynamodb = boto3.resource('dynamodb')
def lambda_handler(event, context):
    table = dynamodb.Table('tablename')
    table.put_item(
        Item={
            'tablekeyname': 'tablekeyvalue'
        }
    )
    return {
        'statusCode': 200,
        'body': 'Send Request success'
    }
"""
TRUST = {"Version": "2012-10-17", "Statement": [{"Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"},
                                                 "Effect": "Allow", "Sid": ""}]}
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": "*"}]}


def scheduled_event(cloud, rule_arn: str) -> dict:
    return {"version": "0", "id": cloud.ids.uuid(), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": cloud.account, "time": cloud.clock.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": cloud.region, "resources": [rule_arn], "detail": {}}


def run(cloud, console) -> None:
    ddb, iam, lam = (cloud.client(n) for n in ("dynamodb", "iam", "lambda"))
    ddb.create_table(TableName="tablename", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "tablekeyname", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "tablekeyname", "KeyType": "HASH"}])
    role = iam.create_role(RoleName="AWSDynamoDBForLambda", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]
    policy = iam.create_policy(PolicyName="AWSDynamoDBPutItemAccess", PolicyDocument=json.dumps(POLICY),
                               Description="Provides putitem access for Amazon DynamoDB")["Policy"]
    iam.attach_role_policy(RoleName=role["RoleName"], PolicyArn=policy["Arn"])
    lam.create_function(FunctionName="SendPutRequestToDynamoDB", Runtime="python3.12", Role=role["Arn"],
                        Handler="main.lambda_handler", Code={"ZipFile": zip_of({"main.py": MAIN_PY})})
    lam.get_waiter("function_active_v2").wait(FunctionName="SendPutRequestToDynamoDB", WaiterConfig={"Delay": 1})
    rule_arn = f"arn:aws:events:{cloud.region}:{cloud.account}:rule/SendPutRequestEventToDynamoDBBy5MIN"
    for tick in range(3):
        out = lam.invoke(FunctionName="SendPutRequestToDynamoDB", Payload=json.dumps(scheduled_event(cloud, rule_arn)))
        payload = json.loads(out["Payload"].read())
        if out.get("FunctionError"):
            raise RuntimeError(f"function failed: {payload}")
        console.print(f"{cloud.clock.utcnow():%H:%M} rate(5 minutes) -> {payload}")
        cloud.clock.advance(300)
    item = ddb.get_item(TableName="tablename", Key={"tablekeyname": {"S": "tablekeyvalue"}})["Item"]
    console.print(f"table item: {item}")
