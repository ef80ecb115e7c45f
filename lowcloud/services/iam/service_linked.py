"""Service-linked roles: roles a service owns, named and placed by IAM's rule.

Each lives at ``/aws-service-role/<service principal>/`` and is named
``AWSServiceRoleFor<service's own suffix>`` (a per-service table, as IAM's is:
the suffix is not derivable from the principal in general; unknown
``*.amazonaws.com`` principals get their first label capitalised), plus
``_<CustomSuffix>`` for services that accept one.  Only the service may
change such a role (UnmodifiableEntity, see roles.py).  Deletion is a task:
DeleteServiceLinkedRole records it and the role goes once the Cloud's clock
passes the task's due time (a clock timer, so virtual time gets there by
itself; lookups also settle due tasks, which covers a restart in between);
GetServiceLinkedRoleDeletionStatus reports it.
"""
from __future__ import annotations

import json

from lowcloud.errors import AwsError
from lowcloud.services.base import Request
from lowcloud.services.iam.common import check, new_id, no_such_entity
from lowcloud.services.iam.roles import SERVICE_LINKED_PATH, is_service_linked

DELETION_SECONDS = 5
TASK_KIND = "slr-deletion"
ROLE_SUFFIXES = {
    "autoscaling.amazonaws.com": "AutoScaling",
    "elasticbeanstalk.amazonaws.com": "ElasticBeanstalk",
    "ecs.amazonaws.com": "ECS",
    "eks.amazonaws.com": "AmazonEKS",
    "eks-nodegroup.amazonaws.com": "AmazonEKSNodegroup",
    "elasticloadbalancing.amazonaws.com": "ElasticLoadBalancing",
    "rds.amazonaws.com": "RDS",
    "replicator.lambda.amazonaws.com": "LambdaReplicator",
    "es.amazonaws.com": "AmazonElasticsearchService",
    "opensearchservice.amazonaws.com": "AmazonOpenSearchService",
    "spot.amazonaws.com": "EC2Spot",
    "spotfleet.amazonaws.com": "EC2SpotFleet",
    "organizations.amazonaws.com": "Organizations",
    "cloudtrail.amazonaws.com": "CloudTrail",
    "config.amazonaws.com": "Config",
    "guardduty.amazonaws.com": "AmazonGuardDuty",
    "securityhub.amazonaws.com": "SecurityHub",
    "sso.amazonaws.com": "SSO",
    "support.amazonaws.com": "Support",
    "trustedadvisor.amazonaws.com": "TrustedAdvisor",
    "elasticache.amazonaws.com": "ElastiCache",
    "redshift.amazonaws.com": "Redshift",
    "kafka.amazonaws.com": "Kafka",
    "elasticmapreduce.amazonaws.com": "EMRCleanup",
    "lakeformation.amazonaws.com": "LakeFormationDataAccess",
    "apigateway.amazonaws.com": "APIGateway",
    "ssm.amazonaws.com": "AmazonSSM",
    "backup.amazonaws.com": "Backup",
    "events.amazonaws.com": "CloudWatchEvents",
    "dynamodb.application-autoscaling.amazonaws.com": "ApplicationAutoScaling_DynamoDBTable",
    "ecs.application-autoscaling.amazonaws.com": "ApplicationAutoScaling_ECSService",
    "lambda.application-autoscaling.amazonaws.com": "ApplicationAutoScaling_LambdaConcurrency",
}
# Services whose role name is fixed: IAM refuses a CustomSuffix for them.
NO_CUSTOM_SUFFIX = {"ecs.amazonaws.com", "eks.amazonaws.com", "eks-nodegroup.amazonaws.com",
                    "elasticloadbalancing.amazonaws.com", "rds.amazonaws.com", "organizations.amazonaws.com",
                    "spot.amazonaws.com", "spotfleet.amazonaws.com", "sso.amazonaws.com",
                    "dynamodb.application-autoscaling.amazonaws.com", "ecs.application-autoscaling.amazonaws.com",
                    "lambda.application-autoscaling.amazonaws.com"}


def role_name_for(service: str, suffix: str | None) -> str:
    """AWSServiceRoleFor<service suffix>[_<custom suffix>], or InvalidInput as IAM answers."""
    if service not in ROLE_SUFFIXES and not service.endswith(".amazonaws.com"):
        raise AwsError("InvalidInput", f"Invalid service name: {service}")
    base = ROLE_SUFFIXES.get(service) or service.split(".")[0].replace("-", " ").title().replace(" ", "")
    if suffix and service in NO_CUSTOM_SUFFIX:
        raise AwsError("InvalidInput", f"Custom suffix is not allowed for {service}")
    return f"AWSServiceRoleFor{base}" + (f"_{suffix}" if suffix else "")


def trust_policy(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": [service]}, "Action": ["sts:AssumeRole"]}]})


class ServiceLinkedOps:
    def create_service_linked_role(self, params: dict, req: Request) -> dict:
        check("CreateServiceLinkedRole", params)
        service = params["AWSServiceName"]
        name = role_name_for(service, params.get("CustomSuffix"))
        row = {"name": name, "id": new_id(self.cloud.ids, "AROA"), "path": f"{SERVICE_LINKED_PATH}{service}/",
               "created": self.now(), "trust": trust_policy(service), "description": params.get("Description"),
               "max_session": 3600, "boundary": None}
        self.finish_due_deletions()
        if not self.store.insert("roles", row):
            raise AwsError("InvalidInput", f"Service role name {name} has been taken in this account, "
                                           "please try a different suffix.")
        return {"Role": self.compact_role_out(name)}

    def delete_service_linked_role(self, params: dict, req: Request) -> dict:
        check("DeleteServiceLinkedRole", params)
        role = self.role_or_404(params["RoleName"])
        if not is_service_linked(role):
            raise AwsError("InvalidInput", f"Role {role.name} is not a service-linked role.")
        service = role.path[len(SERVICE_LINKED_PATH):].strip("/")
        task = f"task/aws-service-role/{service}/{role.name}/{self.cloud.ids.uuid()}"
        self.store.put_record(TASK_KIND, task, {"role": role.name, "due": self.now() + DELETION_SECONDS})
        self.clock.call_later(DELETION_SECONDS, self.finish_due_deletions)
        return {"DeletionTaskId": task}

    def get_service_linked_role_deletion_status(self, params: dict, req: Request) -> dict:
        check("GetServiceLinkedRoleDeletionStatus", params)
        if not params["DeletionTaskId"].startswith("task/aws-service-role/"):
            raise AwsError("InvalidInput", f"Invalid deletion task id: {params['DeletionTaskId']}")
        self.finish_due_deletions()
        task = self.store.record(TASK_KIND, params["DeletionTaskId"])
        if task is None:
            raise no_such_entity(f"Deletion task {params['DeletionTaskId']} cannot be found.")
        return {"Status": "SUCCEEDED" if task.get("done") else "IN_PROGRESS"}

    def finish_due_deletions(self) -> None:
        """Delete the roles whose deletion tasks the clock has passed (with what the service hung on them)."""
        now = self.now()
        for task, body in self.store.records(TASK_KIND):
            if not body.get("done") and body["due"] <= now:
                self._drop_role(body["role"])
                self.store.put_record(TASK_KIND, task, {**body, "done": True})

    def _drop_role(self, name: str) -> None:
        for arn in self.store.attached("role", name):
            self.store.detach("role", name, arn)
        for policy in self.store.inline_names("role", name):
            self.store.delete_inline("role", name, policy)
        for profile in self.store.profiles(role=name):
            self.store.link(profile.name, name, add=False)
        self.store.delete_entity("role", "roles", name)
