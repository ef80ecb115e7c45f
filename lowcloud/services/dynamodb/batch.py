"""BatchGetItem and BatchWriteItem.

The whole request is validated before anything is read or written, as AWS
does (one bad request fails the batch with a top-level error).  Writes then run
in a single SQLite transaction, which is both atomic and much faster than one
commit per item; UnprocessedItems is therefore always empty.  BatchGetItem
honours the 16 MB response limit by returning the rest as UnprocessedKeys.
"""
from __future__ import annotations

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb import capacity, prepare
from lowcloud.services.dynamodb.evaluate import project
from lowcloud.services.dynamodb.expressions import legacy_mix_error
from lowcloud.services.dynamodb.items import check_collection, checked_item, collection_metrics
from lowcloud.services.dynamodb.schema import SCHEMA_MISMATCH
from lowcloud.services.dynamodb.store import loads
from lowcloud.services.dynamodb.types import INVALID

MAX_GET_BYTES = 16 * 1024 * 1024
DUPLICATES = "Provided list of item keys contains duplicates"


def invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message)


# --- BatchGetItem ------------------------------------------------------------------------------

def batch_get_item(svc, params: dict) -> dict:
    requests = params.get("RequestItems") or {}
    if not requests:
        raise invalid("The requestItems parameter is required for BatchGetItem")
    mode = prepare.check_options(params)
    _check_get_counts(requests)
    _check_projection_styles(requests)
    plans = [_plan_get(svc, name, spec) for name, spec in requests.items()]
    out = {"Responses": {}, "UnprocessedKeys": {}}
    budget = [MAX_GET_BYTES]
    caps = [_read_table(svc, plan, out, budget, mode) for plan in plans]
    if mode != "NONE":
        out["ConsumedCapacity"] = caps
    return out


def _read_table(svc, plan, out: dict, budget: list, mode: str):
    """Read one table's keys into ``out`` until the 16 MB budget is spent; return its ConsumedCapacity."""
    name, table, keys, paths, spec = plan
    found, units, consistent = out["Responses"].setdefault(name, []), 0.0, bool(spec.get("ConsistentRead"))
    for raw, key in keys:
        if budget[0] <= 0:
            out["UnprocessedKeys"].setdefault(name, {**_spec_without_keys(spec), "Keys": []})["Keys"].append(raw)
            continue
        row = svc.store.get(table, key)
        units += capacity.read_units(row[1] if row else 0, consistent)
        if row is not None:
            budget[0] -= row[1]
            item = loads(row[0])
            found.append(project(item, paths) if paths else item)
    return capacity.report(mode, table.name, units)


def _check_get_counts(requests: dict) -> None:
    for name, spec in requests.items():
        if not spec.get("Keys"):
            raise invalid(f"1 validation error detected: Value '[]' at 'requestItems.{name}.member.keys' failed to "
                          "satisfy constraint: Member must have length greater than or equal to 1")
        if len(spec.get("Keys") or []) > 100:
            raise invalid(f"1 validation error detected: Value at 'RequestItems.{name}.member.Keys' failed to "
                          "satisfy constraint: Member must have length less than or equal to 100")
    if sum(len(spec.get("Keys") or []) for spec in requests.values()) > 100:
        raise invalid("Too many items requested for the BatchGetItem call")


def _check_projection_styles(requests: dict) -> None:
    styles = {("ProjectionExpression" if s.get("ProjectionExpression") is not None else "AttributesToGet")
              for s in requests.values()
              if s.get("ProjectionExpression") is not None or s.get("AttributesToGet") is not None}
    if len(styles) > 1:
        raise legacy_mix_error(["AttributesToGet"], ["ProjectionExpression"])


def _plan_get(svc, name: str, spec: dict):
    table = svc.catalog.get(name)
    keys = [(raw, table.key_of(raw)) for raw in spec.get("Keys") or []]
    if len({k for _, k in keys}) != len(keys):
        raise invalid(DUPLICATES)
    prepare.check_mix(spec, (("AttributesToGet",), ("ProjectionExpression",)))
    names = prepare.names_for(spec)
    paths = prepare.projection(spec, names)
    prepare.finish(names)
    return name, table, keys, paths, spec


def _spec_without_keys(spec: dict) -> dict:
    return {k: v for k, v in spec.items() if k != "Keys"}


# --- BatchWriteItem ---------------------------------------------------------------------------------

def batch_write_item(svc, params: dict) -> dict:
    requests = params.get("RequestItems") or {}
    if not requests:
        raise invalid("The requestItems parameter is required for BatchWriteItem")
    mode = prepare.check_options(params)
    for name, writes in requests.items():
        if not 1 <= len(writes) <= 25:
            raise invalid(f"1 validation error detected: Value '{{{name}=[...]}}' at 'requestItems' failed to "
                          "satisfy constraint: Map value must satisfy constraint: [Member must have length less "
                          "than or equal to 25, Member must have length greater than or equal to 1]")
    if sum(len(w) for w in requests.values()) > 25:
        raise invalid("Too many items requested for the BatchWriteItem call")
    plans = [_plan_write(svc, name, writes) for name, writes in requests.items()]
    with svc.writing() as log:
        sizes = [_apply_blind(svc, table, ops) if mode == "NONE" and log.blind(table)
                 else _apply_writes(svc, log, table, ops) for table, ops in plans]
    out = {"UnprocessedItems": {}}
    if mode != "NONE":
        out["ConsumedCapacity"] = [capacity.report(mode, t.name, units) for (t, _), units in zip(plans, sizes)]
    metrics = {t.name: [collection_metrics(t, op[2] or op[3]) for op in ops]
               for t, ops in plans if t.has_lsi}
    if params.get("ReturnItemCollectionMetrics") == "SIZE" and metrics:
        out["ItemCollectionMetrics"] = metrics
    return out


def _plan_write(svc, name: str, writes: list):
    table = svc.catalog.get(name)
    ops, seen = [], set()
    for write in writes:
        if ("PutRequest" in write) == ("DeleteRequest" in write):
            raise invalid(INVALID + "A WriteRequest must contain exactly one of PutRequest or DeleteRequest")
        if "PutRequest" in write:
            item, size, key = checked_item(table, write["PutRequest"].get("Item"), mismatch=SCHEMA_MISMATCH)
            ops.append(("put", key, item, None, size))
        else:
            raw = write["DeleteRequest"].get("Key")
            ops.append(("delete", table.key_of(raw), None, raw, 0))
        if ops[-1][1] in seen:
            raise invalid(DUPLICATES)
        seen.add(ops[-1][1])
    return table, ops


def _apply_writes(svc, log, table, ops) -> float:
    units = 0.0
    for kind, key, item, _, size in ops:
        row = svc.store.get(table, key)
        old = loads(row[0]) if row else None
        if kind == "put":
            svc.store.put(table, key, item, size, old)
            check_collection(svc, table, key)
            log.change(table, old, item)
        elif old is not None:
            svc.store.delete(table, key, old)
            log.change(table, old, None)
        units += capacity.write_units(size, row[1] if row else 0)
    return units


def _apply_blind(svc, table, ops) -> float:
    """The writes of a table whose old items nobody needs (``WriteLog.blind``); capacity is not reported.

    Keys are distinct within a batch, so the puts may go first, in one ``executemany``."""
    svc.store.put_unindexed(table, [(key, item, size) for kind, key, item, _, size in ops if kind == "put"])
    for kind, key, item, _, size in ops:
        if kind != "put":
            svc.store.delete(table, key, None)
    return 0.0
