"""The AWS CLI drives Step Functions against the gateway: create, start, describe, history, errors."""
import json
import time


def test_aws_cli_state_machine_round_trip(aws_cli, tmp_path):
    definition = {"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Parameters": {"msg.$": "$.name"}, "End": True}}}
    (tmp_path / "def.json").write_text(json.dumps(definition))
    created = json.loads(aws_cli("stepfunctions", "create-state-machine", "--name", "cli-machine",
                                 "--definition", "file://def.json", "--role-arn",
                                 "arn:aws:iam::000000000000:role/sfn").stdout)
    assert created["stateMachineArn"] == "arn:aws:states:us-east-1:000000000000:stateMachine:cli-machine"
    started = json.loads(aws_cli("stepfunctions", "start-execution", "--state-machine-arn", created["stateMachineArn"],
                                 "--name", "run-1", "--input", '{"name": "lowcloud"}').stdout)
    assert started["executionArn"].endswith(":execution:cli-machine:run-1")
    deadline = time.time() + 30
    while True:
        desc = json.loads(aws_cli("stepfunctions", "describe-execution", "--execution-arn", started["executionArn"]).stdout)
        if desc["status"] != "RUNNING" or time.time() > deadline:
            break
        time.sleep(0.1)
    assert desc["status"] == "SUCCEEDED" and json.loads(desc["output"]) == {"msg": "lowcloud"}
    history = json.loads(aws_cli("stepfunctions", "get-execution-history", "--execution-arn", started["executionArn"]).stdout)
    assert [e["type"] for e in history["events"]] == ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                                                     "ExecutionSucceeded"]


def test_aws_cli_shows_aws_errors(aws_cli):
    missing = aws_cli("stepfunctions", "describe-execution", "--execution-arn",
                      "arn:aws:states:us-east-1:000000000000:execution:nope:nope", check=False)
    assert missing.returncode != 0 and "ExecutionDoesNotExist" in missing.stderr
    bad = aws_cli("stepfunctions", "create-state-machine", "--name", "bad", "--definition", '{"StartAt": "X", "States": {}}',
                  "--role-arn", "arn:aws:iam::000000000000:role/sfn", check=False)
    assert bad.returncode != 0 and "InvalidDefinition" in bad.stderr
