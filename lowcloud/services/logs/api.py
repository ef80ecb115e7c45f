"""CloudWatch Logs operations (JSON 1.1, ``Logs_20140328.<Op>``).

Thin on purpose: each operation checks the model's constraints (AWS answers
those with InvalidParameterException), resolves the group and stream with
AWS's not-found texts, then hands over to ``store`` (state), ``events``
(PutLogEvents rules and read paging) or ``patterns`` (filter syntax).  Lambda
calls ``create_log_group`` / ``create_log_stream`` / ``put_log_events``
in-process for every invocation, so those paths do one small transaction each.
Accepted batches are published on the fabric topic ``logs.events``; the
service's own ``Delivery`` consumes them for metric and subscription filters.
Filters, resource policies and Logs Insights live in the mixins
``filters_api``, ``policies_api`` and ``insights_api``.
"""
from __future__ import annotations

from lowcloud.errors import AwsError
from lowcloud.services.base import Request, Service
from lowcloud.services import constraints
from lowcloud.services.logs import tokens
from lowcloud.services.logs.delivery import EVENTS_TOPIC, Delivery
from lowcloud.services.logs.events import (GroupScan, StreamRead, check_batch, filter_events, get_events,
                                           invalid, partition)
from lowcloud.services.logs.filters_api import METRIC, FiltersApi
from lowcloud.services.logs.insights_api import InsightsApi
from lowcloud.services.logs.patterns import compile_pattern
from lowcloud.services.logs.policies_api import PoliciesApi
from lowcloud.services.logs.store import Group, LogStore, Stream

RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                  2557, 2922, 3288, 3653)
MAX_TAGS = 50
GROUP_MISSING = "The specified log group does not exist."
STREAM_MISSING = "The specified log stream does not exist."


def not_found(message: str) -> AwsError:
    return AwsError("ResourceNotFoundException", message)


def group_by_arn(svc, params: dict) -> Group:
    return svc._group_of_arn(params["resourceArn"])


def group_by_name(svc, params: dict) -> Group:
    return svc._named_group(params["logGroupName"])


# Tag/Untag/ListTags: the same on a group named by ARN (TagResource...) or by name (TagLogGroup...);
# ``locate(svc, params)`` finds the group after the model check.
def tag_operation(op: str, locate):
    def operation(self, params: dict, req: Request) -> dict:
        self._check(op, params)
        self._add_tags(locate(self, params), params["tags"])
        return {}
    return operation


def untag_operation(op: str, locate, keys_field: str):
    def operation(self, params: dict, req: Request) -> dict:
        self._check(op, params)
        self.store.untag(locate(self, params).name, params[keys_field])
        return {}
    return operation


def list_tags_operation(op: str, locate):
    def operation(self, params: dict, req: Request) -> dict:
        self._check(op, params)
        return {"tags": self.store.tags(locate(self, params).name)}
    return operation


class Logs(FiltersApi, PoliciesApi, InsightsApi, Service):
    name = "logs"

    def __init__(self, cloud, region: str):
        super().__init__(cloud, region)
        self.store = LogStore(cloud.storage.database(self.db_name()))
        self.delivery = Delivery(self)

    def close(self) -> None:
        self.delivery.close()
        super().close()

    # --- helpers ---------------------------------------------------------
    def now_ms(self) -> int:
        return int(self.clock.now() * 1000)

    def _check(self, op: str, params: dict) -> None:
        constraints.check("logs", op, params, "InvalidParameterException")

    def _named_group(self, name: str) -> Group:
        group = self.store.group(name)
        if group is None:
            raise not_found(GROUP_MISSING)
        return group

    def _group_of(self, params: dict) -> Group:
        name, ident = params.get("logGroupName"), params.get("logGroupIdentifier")
        if name and ident:
            raise invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
        if not name and not ident:
            raise invalid("Either logGroupName or logGroupIdentifier must be specified.")
        return self._named_group(name or self._name_from_identifier(ident))

    def _name_from_identifier(self, ident: str) -> str:
        name = self._local_name(ident)
        if name is None:
            raise not_found(GROUP_MISSING)
        return name

    def _local_name(self, ident: str) -> str | None:
        """The group name a name-or-ARN identifies here; None for another account or region."""
        if not ident.startswith("arn:"):
            return ident
        parts = ident.split(":", 6)
        if len(parts) < 7 or parts[2] != "logs" or parts[5] != "log-group":
            raise invalid(f"Invalid log group identifier: {ident}")
        return parts[6] if (parts[3], parts[4]) == (self.region, self.account) else None

    def _stream_of(self, group: Group, name: str) -> Stream:
        stream = self.store.stream(group.name, name)
        if stream is None:
            raise not_found(STREAM_MISSING)
        return stream

    def _group_out(self, group: Group) -> dict:
        out = {"logGroupName": group.name, "creationTime": group.created,
               "metricFilterCount": self.store.count_docs(METRIC, group.name),
               "arn": self.arn(f"log-group:{group.name}:*"), "storedBytes": max(group.stored, 0),
               "logGroupClass": group.log_class, "logGroupArn": self.arn(f"log-group:{group.name}")}
        if group.retention:
            out["retentionInDays"] = group.retention
        if group.kms:
            out["kmsKeyId"] = group.kms
        return out

    def _stream_out(self, stream: Stream) -> dict:
        out = {"logStreamName": stream.name, "creationTime": stream.created, "storedBytes": 0,
               "arn": self.arn(f"log-group:{stream.group}:log-stream:{stream.name}")}
        if stream.batches:
            out.update(firstEventTimestamp=stream.first_ts, lastEventTimestamp=stream.last_ts,
                       lastIngestionTime=stream.last_ingest,
                       uploadSequenceToken=tokens.sequence_token(stream.batches))
        return out

    # --- log groups ------------------------------------------------------
    def create_log_group(self, params: dict, req: Request) -> dict:
        self._check("CreateLogGroup", params)
        added = self.store.add_group(params["logGroupName"], self.now_ms(), params.get("kmsKeyId"),
                                     params.get("logGroupClass", "STANDARD"), params.get("tags") or {})
        if not added:
            raise AwsError("ResourceAlreadyExistsException", "The specified log group already exists")
        return {}

    def delete_log_group(self, params: dict, req: Request) -> dict:
        self._check("DeleteLogGroup", params)
        if not self.store.drop_group(params["logGroupName"]):
            raise not_found(GROUP_MISSING)
        return {}

    def describe_log_groups(self, params: dict, req: Request) -> dict:
        self._check("DescribeLogGroups", params)
        prefix, pattern = params.get("logGroupNamePrefix"), params.get("logGroupNamePattern")
        if prefix and pattern:
            raise invalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
        where, args = self._group_filters(pattern, params)
        after = tokens.parse_after_token(params["nextToken"]) if params.get("nextToken") else ""
        limit = params.get("limit", 50)
        groups = self.store.groups_after(after, limit + 1, prefix, where, args)
        now = self.now_ms()
        for group in groups[:limit]:
            self.store.expire(group, now)
        shown = [self._group_out(g) for g in groups[:limit]]
        if pattern:  # AWS: with a pattern only arn, creationTime and logGroupName are returned
            shown = [{k: g[k] for k in ("logGroupName", "creationTime", "arn")} for g in shown]
        out = {"logGroups": shown}
        if len(groups) > limit:
            out["nextToken"] = tokens.after_token(groups[limit - 1].name)
        return out

    def _group_filters(self, pattern: str | None, params: dict) -> tuple[str, tuple]:
        where, args = "", ()
        if pattern:
            where, args = "AND instr(name, ?) > 0", (pattern,)
        if params.get("logGroupClass"):
            where, args = f"{where} AND class = ?", (*args, params["logGroupClass"])
        idents = params.get("logGroupIdentifiers")
        if idents:
            names = [n for n in map(self._local_name, idents) if n is not None]
            where, args = f"{where} AND name IN ({','.join('?' * len(names))})", (*args, *names)
        return where, args

    def put_retention_policy(self, params: dict, req: Request) -> dict:
        self._check("PutRetentionPolicy", params)
        days = params["retentionInDays"]
        if days not in RETENTION_DAYS:
            raise invalid(constraints.message([
                f"Value '{days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy "
                f"enum value set: [{', '.join(map(str, RETENTION_DAYS))}]"]))
        self.store.set_retention(self._named_group(params["logGroupName"]).name, days)
        return {}

    def delete_retention_policy(self, params: dict, req: Request) -> dict:
        self._check("DeleteRetentionPolicy", params)
        self.store.set_retention(self._named_group(params["logGroupName"]).name, None)
        return {}

    # --- log streams -----------------------------------------------------
    def create_log_stream(self, params: dict, req: Request) -> dict:
        self._check("CreateLogStream", params)
        group = self._named_group(params["logGroupName"])
        if not self.store.add_stream(group.name, params["logStreamName"], self.now_ms()):
            raise AwsError("ResourceAlreadyExistsException", "The specified log stream already exists")
        return {}

    def delete_log_stream(self, params: dict, req: Request) -> dict:
        self._check("DeleteLogStream", params)
        group = self._named_group(params["logGroupName"])
        if not self.store.drop_stream(group.name, params["logStreamName"]):
            raise not_found(STREAM_MISSING)
        return {}

    def describe_log_streams(self, params: dict, req: Request) -> dict:
        self._check("DescribeLogStreams", params)
        group = self._group_of(params)
        by_time = params.get("orderBy", "LogStreamName") == "LastEventTime"
        prefix = params.get("logStreamNamePrefix")
        if by_time and prefix:
            raise invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
        limit = params.get("limit", 50)
        order, cursor, args = self._stream_order(by_time, params.get("descending", False), params.get("nextToken"))
        if prefix:
            cursor, args = f"{cursor} AND substr(name, 1, ?) = ?", (*args, len(prefix), prefix)
        streams = self.store.streams(group.name, order, cursor, args, limit + 1)
        out = {"logStreams": [self._stream_out(s) for s in streams[:limit]]}
        if len(streams) > limit:
            last = streams[limit - 1]
            key = f"{last.last_ts or 0}|{last.name}" if by_time else last.name
            out["nextToken"] = tokens.after_token(key)
        return out

    @staticmethod
    def _stream_order(by_time: bool, descending: bool, token: str | None) -> tuple[str, str, tuple]:
        direction, compare = ("DESC", "<") if descending else ("", ">")
        key = "(COALESCE(last_ts, 0), name)" if by_time else "name"
        order = f"COALESCE(last_ts, 0) {direction}, name {direction}" if by_time else f"name {direction}"
        if not token:
            return order, "", ()
        after = tokens.parse_after_token(token)
        if by_time:
            stamp, _, name = after.partition("|")
            if not stamp.isdigit():
                raise tokens.invalid_token()
            return order, f"AND {key} {compare} (?, ?)", (int(stamp), name)
        return order, f"AND {key} {compare} ?", (after,)

    # --- events ----------------------------------------------------------
    def put_log_events(self, params: dict, req: Request) -> dict:
        self._check("PutLogEvents", params)
        group = self._named_group(params["logGroupName"])
        stream = self._stream_of(group, params["logStreamName"])
        check_batch(params["logEvents"])
        now = self.now_ms()
        accepted, rejected = partition(params["logEvents"], group, now)
        batches = stream.batches
        if accepted:
            batches, first_id = self.store.append(group.name, stream.name,
                                                  [(e["timestamp"], e["message"]) for e in accepted], now)
            self._publish(group.name, stream.name, accepted, first_id)
        out = {"nextSequenceToken": tokens.sequence_token(batches)}
        if rejected:
            out["rejectedLogEventsInfo"] = rejected
        return out

    def _publish(self, group: str, stream: str, accepted: list[dict], first_id: int) -> None:
        events = [{"id": tokens.event_id((e["timestamp"], first_id + i)), "timestamp": e["timestamp"],
                   "message": e["message"]} for i, e in enumerate(accepted)]
        self.cloud.fabric.publish(EVENTS_TOPIC, {"region": self.region, "account": self.account,
                                                 "logGroupName": group, "logStreamName": stream, "logEvents": events})

    def get_log_events(self, params: dict, req: Request) -> dict:
        self._check("GetLogEvents", params)
        group = self._group_of(params)
        stream = self._stream_of(group, params["logStreamName"])
        now = self.now_ms()
        self.store.expire(group, now)
        read = StreamRead(group, stream.name, params.get("startTime"), params.get("endTime"),
                          params.get("limit", 10000), now)
        return get_events(self.store, read, params.get("nextToken"), params.get("startFromHead", False))

    def filter_log_events(self, params: dict, req: Request) -> dict:
        self._check("FilterLogEvents", params)
        group = self._group_of(params)
        names, prefix = params.get("logStreamNames"), params.get("logStreamNamePrefix")
        if names and prefix:
            raise invalid("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
        matches = compile_pattern(params.get("filterPattern"))
        after = tokens.parse_filter_token(params["nextToken"]) if params.get("nextToken") else tokens.START
        streams = names or (self.store.stream_names(group.name, prefix) if prefix else None)
        if streams == []:
            return {"events": [], "searchedLogStreams": []}
        now = self.now_ms()
        self.store.expire(group, now)
        scan = GroupScan(group, streams, params.get("startTime"), params.get("endTime"),
                         params.get("limit", 10000), now)
        return filter_events(self.store, scan, matches, after)

    # --- tags ------------------------------------------------------------
    def _group_of_arn(self, arn: str) -> Group:
        parts = arn.split(":", 6)
        if len(parts) < 7 or parts[:3] != ["arn", "aws", "logs"] or parts[5] != "log-group":
            raise invalid(f"Invalid resource ARN: {arn}")
        if parts[3] != self.region or parts[4] != self.account:
            raise not_found(GROUP_MISSING)
        return self._named_group(parts[6])

    def _add_tags(self, group: Group, tags: dict) -> None:
        current = self.store.tags(group.name)
        if len(set(current) | set(tags)) > MAX_TAGS:
            raise AwsError("TooManyTagsException", f"A resource can have no more than {MAX_TAGS} tags.",
                           resourceName=self.arn(f"log-group:{group.name}"))
        self.store.tag(group.name, tags)

    tag_resource = tag_operation("TagResource", group_by_arn)
    untag_resource = untag_operation("UntagResource", group_by_arn, "tagKeys")
    list_tags_for_resource = list_tags_operation("ListTagsForResource", group_by_arn)
    tag_log_group = tag_operation("TagLogGroup", group_by_name)  # the older, name-addressed trio
    untag_log_group = untag_operation("UntagLogGroup", group_by_name, "tags")
    list_tags_log_group = list_tags_operation("ListTagsLogGroup", group_by_name)
