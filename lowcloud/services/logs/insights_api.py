"""Logs Insights: StartQuery / GetQueryResults / StopQuery / DescribeQueries, query
definitions, GetLogGroupFields and GetLogRecord (the event behind an @ptr).

A query runs to completion inside StartQuery, on the Cloud's clock (its time
range and retention are judged at the clock's now), and is stored with status
Complete, its result rows and statistics, so GetQueryResults and
DescribeQueries answer from the store and a restart keeps them.  Parsing is
``insights_query``, evaluation ``insights_eval``.
"""
from __future__ import annotations

import base64

from lowcloud.errors import AwsError
from lowcloud.services.base import Request
from lowcloud.services.logs import tokens
from lowcloud.services.logs.events import invalid
from lowcloud.services.logs.filters_api import paged
from lowcloud.services.logs.insights_aggregates import check_stats
from lowcloud.services.logs.insights_eval import Pipeline, make_record
from lowcloud.services.logs.insights_values import render
from lowcloud.services.logs.insights_query import Token, malformed, parse_query, query_error

QUERY = "query"
DEFINITION = "querydef"
DEFAULT_LIMIT = 10000
SCAN_LIMIT = 1_000_000
FIELDS_SAMPLE = 1000
QUERY_MISSING = "Query does not exist."


class InsightsApi:
    # --- queries ---------------------------------------------------------------
    def start_query(self, params: dict, req: Request) -> dict:
        self._check("StartQuery", params)
        names = self._query_groups(params)
        if params["endTime"] < params["startTime"]:
            raise invalid("endTime cannot be less than startTime")
        commands = self._compile_query(params["queryString"])
        doc = {"queryId": self.cloud.ids.uuid(), "queryString": params["queryString"], "status": "Complete",
               "createTime": self.now_ms(), "logGroupName": names[0], "queryLanguage": "CWLI",
               **self._run_query(names, commands, params)}
        self.store.put_doc(QUERY, "", doc["queryId"], doc)
        return {"queryId": doc["queryId"]}

    def _run_query(self, names: list[str], commands: list, params: dict) -> dict:
        """Results and statistics of ``commands`` over the groups' events in the query's time range."""
        records = self._query_records(names, params["startTime"] * 1000, params["endTime"] * 1000 + 999)
        scanned_bytes = float(sum(len(r["@message"].encode()) for r in records))
        pipeline = Pipeline(records).run(commands)
        return {"results": pipeline.rows(params.get("limit") or DEFAULT_LIMIT),
                "statistics": {"recordsMatched": float(pipeline.matched), "recordsScanned": float(len(records)),
                               "bytesScanned": scanned_bytes}}

    def _query_groups(self, params: dict) -> list[str]:
        given = [k for k in ("logGroupName", "logGroupNames", "logGroupIdentifiers") if params.get(k)]
        if len(given) != 1:
            raise invalid("Exactly one of logGroupName, logGroupNames or logGroupIdentifiers must be specified.")
        value = params[given[0]]
        names = [value] if isinstance(value, str) else [self._local_name(v) or v for v in value]
        for name in names:
            if self.store.group(name) is None:
                raise AwsError("ResourceNotFoundException",
                               f"Log group '{name}' does not exist for account ID '{self.account}'")
        return names

    @staticmethod
    def _compile_query(query: str) -> list:
        if not query.strip():
            raise malformed(query, Token("end", "", 0, 0), "empty query")
        commands = parse_query(query)
        for command in commands:
            if command.name == "stats":
                check_stats(command.items, lambda message: query_error(message, 0, len(query)))
        return commands

    def _query_records(self, names: list[str], start_ms: int, end_ms: int) -> list[dict]:
        records = []
        for name in names:
            group = self.store.group(name)
            self.store.expire(group, self.now_ms())
            rows = self.store.read("grp=? AND ts >= ? AND ts <= ?", (name, start_ms, end_ms), True, SCAN_LIMIT)
            log_id = f"{self.account}:{name}"
            records += [make_record(row, log_id, self._pointer(name, row)) for row in rows]
        records.sort(key=lambda r: r["@timestamp"], reverse=True)
        return records

    @staticmethod
    def _pointer(group: str, row: tuple) -> str:
        raw = f"{group}\x00{tokens.event_id((row[2], row[0]))}".encode()
        return base64.b64encode(raw).decode()

    def get_log_record(self, params: dict, req: Request) -> dict:
        """The event an @ptr names: every field as a string, times in epoch milliseconds."""
        self._check("GetLogRecord", params)
        group, position = self._parse_pointer(params["logRecordPointer"])
        rows = self.store.read("grp=? AND ts=? AND id=?", (group, *position), False, 1)
        if not rows:
            raise AwsError("ResourceNotFoundException", "Log record not found.")
        record = make_record(rows[0], f"{self.account}:{group}", "")
        record.pop("@ptr")
        return {"logRecord": {k: str(int(v)) if k in ("@timestamp", "@ingestionTime") else render(v)
                              for k, v in record.items()}}

    @staticmethod
    def _parse_pointer(pointer: str) -> tuple[str, tokens.Position]:
        try:
            group, _, digits = base64.b64decode(pointer, validate=True).decode().partition("\x00")
            return group, tokens.parse_event_id(digits)
        except (ValueError, UnicodeDecodeError):
            raise invalid("The specified logRecordPointer is invalid.") from None

    def _query(self, query_id: str) -> dict:
        doc = self.store.doc(QUERY, "", query_id)
        if doc is None:
            raise AwsError("ResourceNotFoundException", QUERY_MISSING)
        return doc

    def get_query_results(self, params: dict, req: Request) -> dict:
        self._check("GetQueryResults", params)
        doc = self._query(params["queryId"])
        return {"queryLanguage": doc["queryLanguage"], "results": doc["results"], "statistics": doc["statistics"],
                "status": doc["status"]}

    def stop_query(self, params: dict, req: Request) -> dict:
        self._check("StopQuery", params)
        doc = self._query(params["queryId"])
        if doc["status"] not in ("Scheduled", "Running"):
            return {"success": False}
        doc["status"] = "Cancelled"
        self.store.put_doc(QUERY, "", doc["queryId"], doc)
        return {"success": True}

    def describe_queries(self, params: dict, req: Request) -> dict:
        self._check("DescribeQueries", params)
        wanted_group, wanted_status = params.get("logGroupName"), params.get("status")
        shown = [self._query_info(d) for d in reversed(self.store.docs(QUERY, "", order="seq"))
                 if (not wanted_group or d["logGroupName"] == wanted_group)
                 and (not wanted_status or d["status"] == wanted_status)]
        return paged("queries", shown, lambda q: f"{10**15 - q['createTime']:016d}{q['queryId']}", params,
                     limit_field="maxResults", default=1000)

    @staticmethod
    def _query_info(doc: dict) -> dict:
        keys = ("queryLanguage", "queryId", "queryString", "status", "createTime", "logGroupName")
        return {k: doc[k] for k in keys}

    # --- query definitions ---------------------------------------------------------
    def put_query_definition(self, params: dict, req: Request) -> dict:
        self._check("PutQueryDefinition", params)
        definition_id = params.get("queryDefinitionId")
        if definition_id and self.store.doc(DEFINITION, "", definition_id) is None:
            raise AwsError("ResourceNotFoundException", "Query definition does not exist.")
        definition_id = definition_id or self.cloud.ids.uuid()
        doc = {"queryLanguage": params.get("queryLanguage", "CWLI"), "queryDefinitionId": definition_id,
               "name": params["name"], "queryString": params["queryString"], "lastModified": self.now_ms()}
        if params.get("logGroupNames"):
            doc["logGroupNames"] = params["logGroupNames"]
        self.store.put_doc(DEFINITION, "", definition_id, doc)
        return {"queryDefinitionId": definition_id}

    def describe_query_definitions(self, params: dict, req: Request) -> dict:
        self._check("DescribeQueryDefinitions", params)
        prefix = params.get("queryDefinitionNamePrefix") or ""
        found = sorted((d for d in self.store.docs(DEFINITION, "") if d["name"].startswith(prefix)),
                       key=lambda d: (d["name"], d["queryDefinitionId"]))
        return paged("queryDefinitions", found, lambda d: f"{d['name']}\x00{d['queryDefinitionId']}", params,
                     limit_field="maxResults", default=1000)

    def delete_query_definition(self, params: dict, req: Request) -> dict:
        self._check("DeleteQueryDefinition", params)
        if not self.store.drop_doc(DEFINITION, "", params["queryDefinitionId"]):
            raise AwsError("ResourceNotFoundException", "Query definition does not exist.")
        return {"success": True}

    # --- discovered fields ---------------------------------------------------------
    def get_log_group_fields(self, params: dict, req: Request) -> dict:
        self._check("GetLogGroupFields", params)
        group = self._group_of(params)
        until = params["time"] * 1000 + 999 if params.get("time") is not None else self.now_ms()
        rows = self.store.read("grp=? AND ts <= ?", (group.name, until), True, FIELDS_SAMPLE)
        counts: dict[str, int] = {}
        for row in rows:
            for name in make_record(row, "", ""):
                if name != "@ptr":
                    counts[name] = counts.get(name, 0) + 1
        return {"logGroupFields": [{"name": n, "percent": int(100 * c / len(rows))} for n, c in counts.items()]}
