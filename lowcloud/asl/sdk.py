"""AWS SDK integrations: ``arn:aws:states:::aws-sdk:<service>:<apiAction>``.

The service id is the SDK's lowercase id (``sfn``, ``eventbridge``,
``cloudwatchlogs``), the action the camelCase operation name, and parameters and
results use PascalCase member names whatever the API's own casing (Step
Functions' SDK normalises them), so members are matched case-insensitively on
the way in and capitalised on the way out.  No SdkHttpMetadata is added;
timestamps come back ISO-8601.  Errors are named from the service's exception
prefix (``DynamoDb.ResourceNotFoundException``, ``S3.NoSuchKeyException``, the
unmodeled ``DynamoDb.DynamoDbException``) with the Java SDK v2 cause text, per
spec/sfn-integrations.md section 3; the trailing "(SDK Attempt Count: 1)" is what the
newest recording (Sfn.InvalidTokenException, Nov 2025) shows, older ones predate it.
"""
from __future__ import annotations

from lowcloud.asl.calls import ApiError, call_api, modeled_error, walk_shape
from lowcloud.asl.interpreter import located
from lowcloud.protocol.model import service_model

# aws-sdk service id -> (botocore service name, exception prefix)
SDK_SERVICES = {
    "dynamodb": ("dynamodb", "DynamoDb"), "dynamodbstreams": ("dynamodbstreams", "DynamoDbStreams"),
    "s3": ("s3", "S3"), "sfn": ("stepfunctions", "Sfn"), "athena": ("athena", "Athena"),
    "glue": ("glue", "Glue"), "lambda": ("lambda", "Lambda"), "sns": ("sns", "Sns"), "sqs": ("sqs", "Sqs"),
    "eventbridge": ("events", "EventBridge"), "cloudwatch": ("cloudwatch", "CloudWatch"),
    "cloudwatchlogs": ("logs", "CloudWatchLogs"), "quicksight": ("quicksight", "QuickSight"),
    "secretsmanager": ("secretsmanager", "SecretsManager"), "sts": ("sts", "Sts"), "iam": ("iam", "Iam"),
    "scheduler": ("scheduler", "Scheduler"), "cloudformation": ("cloudformation", "CloudFormation"),
    "ssm": ("ssm", "Ssm"), "kms": ("kms", "Kms"), "ec2": ("ec2", "Ec2"), "ecs": ("ecs", "Ecs"),
}


def resolve(service_id: str, action: str):
    """(botocore service, operation name, prefix) or None when the SDK has no such API."""
    botocore_name, prefix = SDK_SERVICES.get(service_id, (service_id, service_id[:1].upper() + service_id[1:]))
    try:
        model = service_model(botocore_name)
    except Exception:
        return None
    operation = action[:1].upper() + action[1:]
    if operation not in model.operation_names:
        return None
    return botocore_name, operation, prefix


async def call(env, res, params):
    target = resolve(res.service, res.action)
    if target is None:
        raise located("States.Runtime", f"The resource provided {res.arn} is not recognized.")
    botocore_name, operation, prefix = target
    op = service_model(botocore_name).operation_model(operation)
    try:
        result, _ = await call_api(env, botocore_name, operation, to_model(op.input_shape, params))
    except ApiError as err:
        raise sdk_failure(err, prefix) from None
    return to_pascal(op.output_shape, result)


def sdk_failure(err: ApiError, prefix: str):
    if err.client_side:
        return located(f"{prefix}.SdkClientException", f"{err.message} (SDK Attempt Count: 1)")
    shape = modeled_error(err.service, err.code)
    if shape is not None:
        name = shape.name if shape.name.endswith("Exception") else shape.name + "Exception"
    else:
        name = f"{prefix}Exception"
    extended = f", Extended Request ID: {err.request_id}" if err.service == "s3" else ""
    cause = (f"{err.message} (Service: {prefix}, Status Code: {err.status}, Request ID: {err.request_id}"
             f"{extended}) (SDK Attempt Count: 1)")
    return located(f"{prefix}.{name}", cause)


def to_model(shape, value):
    """Parameters with the model's member names (matched case-insensitively)."""
    return walk_shape(shape, value, _model_member)


def _model_member(shape, key: str) -> tuple:
    name = {member.lower(): member for member in shape.members}.get(key.lower(), key)
    return name, shape.members.get(name)


def to_pascal(shape, value):
    """Results with PascalCase member names (map keys untouched)."""
    return walk_shape(shape, value, lambda s, k: (k[:1].upper() + k[1:], s.members.get(k)))
