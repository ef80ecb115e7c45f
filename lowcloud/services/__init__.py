"""The literal registry of served AWS services: botocore name -> "module:Class".

Modules are imported on first use, so a Cloud that only touches S3 never loads
the Lambda runtime.
"""
from __future__ import annotations

import importlib

REGISTRY: dict[str, str] = {
    "sts": "lowcloud.services.sts.api:STS",
    "s3": "lowcloud.services.s3.api:S3",
    "dynamodb": "lowcloud.services.dynamodb.api:DynamoDB",
    "dynamodbstreams": "lowcloud.services.dynamodbstreams.api:DynamoDBStreams",
    "stepfunctions": "lowcloud.services.stepfunctions.api:StepFunctions",
    "lambda": "lowcloud.services.lambda_.api:Lambda",
    "logs": "lowcloud.services.logs.api:Logs",
    "iam": "lowcloud.services.iam.api:IAM",
}


def service_class(name: str):
    """The class serving ``name``; None when lowcloud does not serve it (yet)."""
    target = REGISTRY.get(name)
    if target is None:
        return None
    module, _, cls = target.partition(":")
    try:
        return getattr(importlib.import_module(module), cls)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise


def served() -> list[str]:
    """Names of the services whose code is present."""
    return [name for name in REGISTRY if service_class(name) is not None]
