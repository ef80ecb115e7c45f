"""Evaluating a parsed Logs Insights query over log events.

Each event becomes a record: the system fields (@timestamp, @message,
@logStream, @log, @ingestionTime, @ptr), the fields of a JSON message flattened
with dots (``a.b``, ``list.0``, as AWS's discovery names them) and, for Lambda
REPORT lines, @type / @requestId / @duration / @billedDuration / @initDuration
and @memorySize / @maxMemoryUsed (in bytes, as AWS reports them).  Commands then run in order over the list of records.
Values and functions are ``insights_values``, ``stats`` is
``insights_aggregates``; a field absent from a record is left out of its
result row, as AWS does.
"""
from __future__ import annotations

import json
import re

from lowcloud.services.logs.insights_aggregates import aggregate_rows
from lowcloud.services.logs.insights_query import Command
from lowcloud.services.logs.insights_values import (Stamp, apply_function, binary, number, render, text,
                                                    truthy)

DEFAULT_FIELDS = ["@timestamp", "@message", "@logStream", "@log"]
_REPORT = re.compile(r"REPORT RequestId: (?P<requestId>\S+)\s+Duration: (?P<duration>[\d.]+) ms\s+"
                     r"Billed Duration: (?P<billedDuration>\d+) ms\s+Memory Size: (?P<memorySize>\d+) MB\s+"
                     r"Max Memory Used: (?P<maxMemoryUsed>\d+) MB(?:\s+Init Duration: (?P<initDuration>[\d.]+) ms)?")
_MEGABYTE_FIELDS = ("memorySize", "maxMemoryUsed")  # Insights reports these in bytes (MB x 1000 x 1000)


# --- records -------------------------------------------------------------------------
def make_record(row: tuple, log_id: str, ptr: str) -> dict:
    """A record from an event row (id, stream, ts, ingest, size, message)."""
    record = {"@timestamp": Stamp(row[2]), "@message": row[5], "@logStream": row[1], "@log": log_id,
              "@ingestionTime": Stamp(row[3]), "@ptr": ptr}
    record.update(discovered_fields(row[5]))
    return record


def discovered_fields(message: str) -> dict:
    text = message.strip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            return {}
        return flatten(document, "") if isinstance(document, dict) else {}
    report = _REPORT.search(message)
    return lambda_report_fields(report.groupdict()) if report else {}


def lambda_report_fields(found: dict) -> dict:
    """The @-fields Insights discovers in a Lambda REPORT line."""
    fields = {"@type": "REPORT", "@requestId": found.pop("requestId")}
    for name, value in found.items():
        if value is not None:
            fields[f"@{name}"] = float(value) * (1_000_000 if name in _MEGABYTE_FIELDS else 1)
    return fields


def flatten(value, prefix: str) -> dict:
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((str(i), v) for i, v in enumerate(value))
    else:
        return {prefix: value}
    out = {}
    for key, inner in items:
        out.update(flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
    return out


def evaluate(expr: tuple, record: dict):
    kind = expr[0]
    if kind == "field":
        return record.get(expr[1])
    if kind in ("lit", "regex"):
        return expr[1]
    if kind == "list":
        return [evaluate(e, record) for e in expr[1]]
    if kind == "not":
        return not truthy(evaluate(expr[1], record))
    if kind == "neg":
        n = number(evaluate(expr[1], record))
        return None if n is None else -n
    if kind == "call":
        return call(expr, record)
    if kind == "and":
        return truthy(evaluate(expr[1], record)) and truthy(evaluate(expr[2], record))
    if kind == "or":
        return truthy(evaluate(expr[1], record)) or truthy(evaluate(expr[2], record))
    return binary(kind, evaluate(expr[1], record), evaluate(expr[2], record))


def call(expr: tuple, record: dict):
    """A function call; after ``stats``, a call written like a result column reads that column."""
    if len(expr) > 3 and expr[3] in record:
        return record[expr[3]]
    return apply_function(expr[1], [evaluate(a, record) for a in expr[2]], record.get("@timestamp"))


# --- commands ------------------------------------------------------------------------------
class Pipeline:
    """Runs commands over records; remembers the visible fields and whether stats ran."""

    def __init__(self, records: list[dict]):
        self.records = records
        self.visible: list[str] | None = None
        self.aggregated = False
        self.matched = len(records)  # records that passed every filter (AWS's recordsMatched)

    def run(self, commands: list[Command]) -> "Pipeline":
        for command in commands:
            getattr(self, f"_{command.name}")(command)
        return self

    def _show(self, labels: list[str]) -> None:
        self.visible = (self.visible or []) + [name for name in labels if name not in (self.visible or [])]

    def _fields(self, cmd: Command) -> None:
        for record in self.records:
            for expr, label in cmd.items:
                if expr != ("field", label):
                    record[label] = evaluate(expr, record)
        self._show([label for _, label in cmd.items])

    def _display(self, cmd: Command) -> None:
        self._fields(cmd)
        self.visible = [label for _, label in cmd.items]

    def _filter(self, cmd: Command) -> None:
        self.records = [r for r in self.records if truthy(evaluate(cmd.expr, r))]
        self.matched = len(self.records)

    def _parse(self, cmd: Command) -> None:
        regex = cmd.pattern if isinstance(cmd.pattern, re.Pattern) else glob_regex(cmd.pattern)
        names = list(regex.groupindex) if isinstance(cmd.pattern, re.Pattern) else cmd.items
        for record in self.records:
            found = regex.search(text(evaluate(cmd.expr, record)) or "")
            if found:
                values = found.groupdict() if isinstance(cmd.pattern, re.Pattern) else dict(zip(names, found.groups()))
                record.update({k: v for k, v in values.items() if v is not None})

    def _stats(self, cmd: Command) -> None:
        self.records = aggregate_rows(self.records, cmd, evaluate)
        self.visible = [label for _, label in cmd.by] + [label for _, label in cmd.items]
        self.aggregated = True

    def _sort(self, cmd: Command) -> None:
        for expr, descending in reversed(cmd.items):
            present = [r for r in self.records if evaluate(expr, r) is not None]
            missing = [r for r in self.records if evaluate(expr, r) is None]
            present.sort(key=lambda r: sort_key(evaluate(expr, r)), reverse=descending)
            self.records = present + missing

    def _limit(self, cmd: Command) -> None:
        self.records = self.records[:cmd.count]

    def _dedup(self, cmd: Command) -> None:
        seen, kept = set(), []
        for record in self.records:
            key = tuple(text(evaluate(expr, record)) for expr, _ in cmd.items)
            if key not in seen:
                seen.add(key)
                kept.append(record)
        self.records = kept

    def rows(self, limit: int) -> list[list[dict]]:
        fields = self.visible if self.visible is not None else DEFAULT_FIELDS
        if not self.aggregated:
            fields = [f for f in fields if f != "@ptr"] + ["@ptr"]
        rows = ([{"field": f, "value": render(r[f])} for f in fields if r.get(f) is not None] for r in self.records)
        return [row for row in rows if row][:limit]  # a row with no value at all is not a result


_CHUNK = re.compile(r"[0-9]+|[^0-9]+")
_NUMBER_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def sort_key(value) -> tuple:
    """AWS's natural sort: every non-number before every number; non-numbers compared chunk by chunk,
    runs of digits by length then value and everything else by Unicode order."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (1, float(value), "")
    shown = text(value)
    if _NUMBER_TEXT.fullmatch(shown):
        return (1, float(shown), shown)
    return (0, tuple(_chunk_key(c) for c in _CHUNK.findall(shown)), shown)


def _chunk_key(chunk: str) -> tuple:
    return (ord("0"), len(chunk), int(chunk)) if chunk.isdigit() else (ord(chunk[0]), chunk)


def glob_regex(pattern: str) -> re.Pattern:
    parts = [re.escape(p) for p in pattern.split("*")]
    body = parts[0]
    for i, part in enumerate(parts[1:], start=1):
        body += ("(.*)" if i == len(parts) - 1 and not part else "(.*?)") + part
    return re.compile(body, re.DOTALL)
