"""A throwaway in-memory "cloudwatch" service for the RPC v2 CBOR end-to-end tests.

Not lowcloud's CloudWatch (a later issue): just enough operations to carry
timestamps, doubles, lists and a modeled error through the wire both ways.
State lives on the instance, so two Clouds never share it.
"""
from __future__ import annotations

from lowcloud.errors import AwsError
from lowcloud.services.base import Service


class FakeCloudWatch(Service):
    name = "cloudwatch"

    def __init__(self, cloud, region):
        super().__init__(cloud, region)
        self.points: list[dict] = []

    def put_metric_data(self, params, req):
        namespace = params["Namespace"]
        if namespace.startswith("AWS/"):
            raise AwsError("InvalidParameterValue", f"The value {namespace} for parameter Namespace is invalid.")
        for datum in params.get("MetricData", []):
            values = datum.get("Values") or [datum.get("Value")]
            for value in values:
                self.points.append({"Namespace": namespace, "MetricName": datum["MetricName"],
                                    "Dimensions": datum.get("Dimensions", []), "Value": value,
                                    "Timestamp": datum.get("Timestamp") or self.clock.utcnow()})
        return {}

    def list_metrics(self, params, req):
        seen, metrics = set(), []
        for p in self.points:
            key = (p["Namespace"], p["MetricName"], tuple((d["Name"], d["Value"]) for d in p["Dimensions"]))
            if key in seen or params.get("Namespace", p["Namespace"]) != p["Namespace"]:
                continue
            seen.add(key)
            metrics.append({"Namespace": key[0], "MetricName": key[1], "Dimensions": p["Dimensions"]})
        return {"Metrics": metrics}

    def get_metric_statistics(self, params, req):
        start, end = params["StartTime"], params["EndTime"]
        chosen = [p for p in self.points if p["Namespace"] == params["Namespace"]
                  and p["MetricName"] == params["MetricName"] and start <= p["Timestamp"] < end]
        by_time: dict = {}
        for p in chosen:
            by_time.setdefault(p["Timestamp"], []).append(p["Value"])
        points = [{"Timestamp": t, "Sum": sum(v), "SampleCount": float(len(v)), "Maximum": max(v)}
                  for t, v in sorted(by_time.items())]
        return {"Label": params["MetricName"], "Datapoints": points}

    def get_dashboard(self, params, req):
        raise AwsError("ResourceNotFound", f"Dashboard {params['DashboardName']} does not exist")
