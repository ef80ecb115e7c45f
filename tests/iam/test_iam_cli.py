"""Seed 003's IAM commands with the real AWS CLI against the gateway, plus IAM over plain HTTP."""
import json

TRUST = '{"Version": "2012-10-17", "Statement":[{"Action": "sts:AssumeRole","Effect": "Allow","Principal": {"Service": "lambda.amazonaws.com"}}]}'
POLICY = ('{"Version": "2012-10-17","Statement": [{"Effect": "Allow","Action": ["dynamodb:GetRecords",'
          '"dynamodb:GetShardIterator","dynamodb:DescribeStream","dynamodb:ListStreams","logs:CreateLogGroup",'
          '"logs:CreateLogStream","logs:PutLogEvents"],"Resource": "*"}]}')


def test_seed_003_iam_commands(aws_cli, tmp_path):
    (tmp_path / "trust.json").write_text(TRUST)
    created = json.loads(aws_cli("iam", "create-role", "--role-name", "lambda_invoke_by_dynamodb",
                                 "--assume-role-policy-document", "file://trust.json").stdout)["Role"]
    assert created["AssumeRolePolicyDocument"] == json.loads(TRUST)
    assert created["Arn"] == "arn:aws:iam::000000000000:role/lambda_invoke_by_dynamodb"
    assert created["RoleId"].startswith("AROA") and created["CreateDate"].startswith("2023-11-14T22:13:20")
    aws_cli("iam", "put-role-policy", "--role-name", "lambda_invoke_by_dynamodb",
            "--policy-name", "dynamodb-access-by-lambda", "--policy-document", POLICY)
    got = json.loads(aws_cli("iam", "get-role-policy", "--role-name", "lambda_invoke_by_dynamodb",
                             "--policy-name", "dynamodb-access-by-lambda").stdout)
    assert got == {"RoleName": "lambda_invoke_by_dynamodb", "PolicyName": "dynamodb-access-by-lambda",
                   "PolicyDocument": json.loads(POLICY)}
    role = json.loads(aws_cli("iam", "get-role", "--role-name", "lambda_invoke_by_dynamodb").stdout)["Role"]
    assert role["Arn"] == created["Arn"]


def test_cli_reports_aws_errors(aws_cli):
    failed = aws_cli("iam", "get-role", "--role-name", "missing", check=False)
    assert failed.returncode == 255  # awscli v1: 255 for service errors
    assert ("An error occurred (NoSuchEntity) when calling the GetRole operation: "
            "The role with name missing cannot be found.") in failed.stderr
    failed = aws_cli("iam", "create-role", "--role-name", "r", "--assume-role-policy-document", "{nope",
                     check=False)
    assert "(MalformedPolicyDocument)" in failed.stderr and "This policy contains invalid Json" in failed.stderr


def test_iam_over_http_matches_in_process(http_client, cloud):
    remote = http_client("iam")
    remote.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST, Tags=[{"Key": "k", "Value": "v"}])
    remote.attach_role_policy(RoleName="r", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    local = cloud.client("iam")
    assert local.get_role(RoleName="r")["Role"] == remote.get_role(RoleName="r")["Role"]
    assert remote.list_attached_role_policies(RoleName="r")["AttachedPolicies"][0]["PolicyName"] == \
        "AWSLambdaBasicExecutionRole"
