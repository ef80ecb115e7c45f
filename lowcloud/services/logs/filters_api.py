"""Metric filters, subscription filters and TestMetricFilter.

Both filter kinds are JSON documents in the store's ``docs`` table, keyed by
their group, so DeleteLogGroup takes them along.  Patterns are compiled at Put
time only to reject bad syntax with AWS's "Invalid filter pattern"; ingestion
(``delivery.py``) compiles them again from the stored text.  Subscription
destinations are checked the way AWS checks them: a Lambda function must exist
and allow ``logs.amazonaws.com`` (or the regional principal) to invoke it.
Kinesis and Firehose are not served here, so those ARNs (like any other) get
AWS's answer for a destination its test message could not reach.
"""
from __future__ import annotations

import json

from lowcloud.errors import AwsError
from lowcloud.services import constraints
from lowcloud.services.base import Request
from lowcloud.services.logs import tokens
from lowcloud.services.logs.events import invalid
from lowcloud.services.logs.patterns import compile_match

METRIC = "metric"
SUBSCRIPTION = "subscription"
MAX_METRIC_FILTERS = 100
MAX_SUBSCRIPTION_FILTERS = 2
MAX_DIMENSIONS = 3
LAMBDA_DENIED = ("Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to "
                 "execute your function.")
UNDELIVERABLE = "Could not deliver test message to specified destination. Check if the destination is valid."


def limit_exceeded() -> AwsError:
    return AwsError("LimitExceededException", "Resource limit exceeded.")


def page(items: list[dict], key, params: dict, limit_field: str = "limit",
         default: int = 50) -> tuple[list, str | None]:
    """Items after the nextToken's key, at most ``limit``; plus the next token if more remain."""
    if params.get("nextToken"):
        after = tokens.parse_after_token(params["nextToken"])
        items = [i for i in items if key(i) > after]
    limit = params.get(limit_field) or default
    more = len(items) > limit
    return items[:limit], (tokens.after_token(key(items[limit - 1])) if more else None)


def paged(field: str, items: list[dict], key, params: dict, **kw) -> dict:
    shown, token = page(items, key, params, **kw)
    return {field: shown, **({"nextToken": token} if token else {})}


class FiltersApi:
    # --- metric filters --------------------------------------------------
    def _filter_slot(self, kind: str, params: dict, limit: int) -> tuple[str, int]:
        """(group, creationTime) for a Put of filter ``kind``: the group must exist, the pattern parse,
        and a new filter fit under ``limit``; a replaced filter keeps its creation time."""
        group = self._named_group(params["logGroupName"]).name
        compile_match(params["filterPattern"])
        existing = self.store.doc(kind, group, params["filterName"])
        if existing is None and self.store.count_docs(kind, group) >= limit:
            raise limit_exceeded()
        return group, existing["creationTime"] if existing else self.now_ms()

    def put_metric_filter(self, params: dict, req: Request) -> dict:
        self._check("PutMetricFilter", params)
        self._check_transformation(params["metricTransformations"][0])
        group, created = self._filter_slot(METRIC, params, MAX_METRIC_FILTERS)
        doc = {"filterName": params["filterName"], "filterPattern": params["filterPattern"],
               "metricTransformations": params["metricTransformations"], "logGroupName": group,
               "creationTime": created}
        if "applyOnTransformedLogs" in params:
            doc["applyOnTransformedLogs"] = params["applyOnTransformedLogs"]
        self.store.put_doc(METRIC, group, params["filterName"], doc)
        return {}

    @classmethod
    def _check_transformation(cls, transformation: dict) -> None:
        dimensions = transformation.get("dimensions") or {}
        if len(dimensions) > MAX_DIMENSIONS:
            raise invalid(f"A metric filter can have at most {MAX_DIMENSIONS} dimensions.")
        if dimensions and transformation.get("defaultValue") is not None:
            raise invalid("A metric filter with dimensions cannot have a defaultValue.")
        cls._check_metric_value(transformation["metricValue"])

    @staticmethod
    def _check_metric_value(value: str) -> None:
        if value.startswith("$"):
            return
        try:
            float(value)
        except ValueError:
            raise invalid("Invalid metric value") from None

    def describe_metric_filters(self, params: dict, req: Request) -> dict:
        self._check("DescribeMetricFilters", params)
        group, prefix = params.get("logGroupName"), params.get("filterNamePrefix")
        name, namespace = params.get("metricName"), params.get("metricNamespace")
        self._check_metric_pair(name, namespace)
        if group:
            self._named_group(group)
        prefix = prefix if group else None  # AWS uses the prefix only together with logGroupName
        found = [d for d in self.store.docs(METRIC, group, order="name, grp")
                 if d["filterName"].startswith(prefix or "") and self._metric_is(d, name, namespace)]
        return paged("metricFilters", found, lambda d: f"{d['filterName']}\x00{d['logGroupName']}", params)

    @staticmethod
    def _check_metric_pair(name: str | None, namespace: str | None) -> None:
        for given, given_name, missing, missing_name in ((name, "metricName", namespace, "metricNamespace"),
                                                         (namespace, "metricNamespace", name, "metricName")):
            if given and not missing:
                raise invalid(constraints.message([
                    f"Value 'null' at '{missing_name}' failed to satisfy constraint: If you include the "
                    f"{given_name} parameter in your request, you must also include the {missing_name} parameter."]))

    @staticmethod
    def _metric_is(doc: dict, name: str | None, namespace: str | None) -> bool:
        if not name:
            return True
        return any(t["metricName"] == name and t["metricNamespace"] == namespace for t in doc["metricTransformations"])

    def delete_metric_filter(self, params: dict, req: Request) -> dict:
        self._check("DeleteMetricFilter", params)
        group = self._named_group(params["logGroupName"]).name
        if not self.store.drop_doc(METRIC, group, params["filterName"]):
            raise AwsError("ResourceNotFoundException", "The specified metric filter does not exist.")
        return {}

    def test_metric_filter(self, params: dict, req: Request) -> dict:
        self._check("TestMetricFilter", params)
        match = compile_match(params["filterPattern"])
        matches = []
        for number, message in enumerate(params["logEventMessages"], start=1):
            found = match(message)
            if found is not None:
                matches.append({"eventNumber": number, "eventMessage": message, "extractedValues": found.extracted})
        return {"matches": matches}

    # --- subscription filters --------------------------------------------
    def put_subscription_filter(self, params: dict, req: Request) -> dict:
        self._check("PutSubscriptionFilter", params)
        group, created = self._filter_slot(SUBSCRIPTION, params, MAX_SUBSCRIPTION_FILTERS)
        self._check_destination(params["destinationArn"])
        doc = {"filterName": params["filterName"], "logGroupName": group, "filterPattern": params["filterPattern"],
               "destinationArn": params["destinationArn"], "distribution": params.get("distribution", "ByLogStream"),
               "applyOnTransformedLogs": params.get("applyOnTransformedLogs", False), "creationTime": created}
        if params.get("roleArn"):
            doc["roleArn"] = params["roleArn"]
        self.store.put_doc(SUBSCRIPTION, group, params["filterName"], doc)
        return {}

    def _check_destination(self, arn: str) -> None:
        parts = arn.split(":")
        service = parts[2] if len(parts) > 5 and parts[0] == "arn" else ""
        if service != "lambda":
            raise invalid(UNDELIVERABLE)
        self._check_lambda_destination(arn)

    def _check_lambda_destination(self, arn: str) -> None:
        try:
            policy = json.loads(self.call("lambda", "get_policy", {"FunctionName": arn})["Policy"])
        except AwsError:
            raise invalid(LAMBDA_DENIED) from None
        if not any(self._lets_logs_invoke(s) for s in policy.get("Statement", [])):
            raise invalid(LAMBDA_DENIED)

    def _lets_logs_invoke(self, statement: dict) -> bool:
        principal = statement.get("Principal")
        services = principal.get("Service") if isinstance(principal, dict) else principal
        services = services if isinstance(services, list) else [services]
        allowed = {"*", "logs.amazonaws.com", f"logs.{self.region}.amazonaws.com"}
        actions = statement.get("Action")
        actions = actions if isinstance(actions, list) else [actions]
        return (statement.get("Effect") == "Allow" and bool(allowed & set(services))
                and any(a in ("lambda:InvokeFunction", "lambda:*", "*") for a in actions))

    def describe_subscription_filters(self, params: dict, req: Request) -> dict:
        self._check("DescribeSubscriptionFilters", params)
        group = self._named_group(params["logGroupName"]).name
        prefix = params.get("filterNamePrefix") or ""
        found = [d for d in self.store.docs(SUBSCRIPTION, group) if d["filterName"].startswith(prefix)]
        return paged("subscriptionFilters", found, lambda d: d["filterName"], params)

    def delete_subscription_filter(self, params: dict, req: Request) -> dict:
        self._check("DeleteSubscriptionFilter", params)
        group = self._named_group(params["logGroupName"]).name
        if not self.store.drop_doc(SUBSCRIPTION, group, params["filterName"]):
            raise AwsError("ResourceNotFoundException", "The specified subscription filter does not exist.")
        return {}
