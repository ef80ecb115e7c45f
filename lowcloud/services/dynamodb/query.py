"""Query and Scan with AWS's paging rules.

A page ends after ``Limit`` items were *evaluated* (before the filter) or once
1 MB of items was read; either way LastEvaluatedKey names the last item read,
even if no more items exist (as AWS does).  Rows come from SQLite in key order
in bounded batches, each read under the database lock, resuming after the last
row of the previous batch; the filter and projection run on the unpickled
item, and ``Select=COUNT`` without a filter never unpickles at all.
"""
from __future__ import annotations

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb import capacity, legacy, prepare
from lowcloud.services.dynamodb.evaluate import compile_condition, project
from lowcloud.services.dynamodb.expressions import parse_condition
from lowcloud.services.dynamodb.keycond import key_range
from lowcloud.services.dynamodb.schema import SCHEMA_MISMATCH
from lowcloud.services.dynamodb.store import loads

PAGE_BYTES = 1024 * 1024
BATCH = 500
SELECTS = ("SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES")


def invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message)


class Plan:
    """Everything a Query/Scan page needs: where rows come from and what to do with them."""

    def __init__(self, svc, table, params: dict):
        self.svc, self.table, self.params = svc, table, params
        self.index = resolve_index(table, params)
        self.limit = params.get("Limit")
        if self.limit is not None and self.limit < 1:
            raise invalid(f"1 validation error detected: Value '{self.limit}' at 'limit' failed to satisfy "
                          "constraint: Member must have value greater than or equal to 1")
        self.forward = params.get("ScanIndexForward", True) is not False
        self.consistent = bool(params.get("ConsistentRead"))
        if self.consistent and self.index is not None and self.index.kind == "GSI":
            raise invalid("Consistent reads are not supported on global secondary indexes")

    def source(self):
        """(SQL table, fixed WHERE, args, ordering columns) of the rows this plan reads."""
        if self.index is None:
            return "items", "t=?", [self.table.tid], ["h", "pk", "sk"]
        return "entries", "t=? AND ix=?", [self.table.tid, self.index.ix], ["h", "pk", "sk", "bpk", "bsk"]


def resolve_index(table, params: dict):
    name = params.get("IndexName")
    if name is None:
        return None
    index = table.indexes.get(name)
    if index is None:
        raise invalid(f"The table does not have the specified index: {name}")
    return index


def select_mode(plan: Plan, params: dict, paths) -> str:
    select = params.get("Select")
    if select is not None and select not in SELECTS:
        raise invalid(f"1 validation error detected: Value '{select}' at 'select' failed to satisfy constraint: "
                      f"Member must satisfy enum value set: [{', '.join(SELECTS)}]")
    given = "ProjectionExpression" if params.get("ProjectionExpression") is not None else "AttributesToGet"
    if select in ("ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "COUNT") and paths is not None:
        raise invalid(f"Cannot specify the {given} when choosing to get {select}")
    if select == "SPECIFIC_ATTRIBUTES" and paths is None:
        raise invalid("Must specify the AttributesToGet or ProjectionExpression when choosing to get "
                      "SPECIFIC_ATTRIBUTES")
    if select == "ALL_PROJECTED_ATTRIBUTES" and plan.index is None:
        raise invalid("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
    index = plan.index
    if select == "ALL_ATTRIBUTES" and index is not None and index.kind == "GSI" and index.projection_type != "ALL":
        raise invalid(f"One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for "
                      f"global secondary index {index.name} because its projection type is not ALL")
    if select is None and paths is None:
        return "ALL_PROJECTED_ATTRIBUTES" if index is not None else "ALL_ATTRIBUTES"
    return select or "SPECIFIC_ATTRIBUTES"


def filter_and_projection(params: dict, filter_field: str, legacy_field: str):
    prepare.check_mix(params, ((legacy_field, "AttributesToGet", "ConditionalOperator"),
                               (filter_field, "ProjectionExpression")))
    names = prepare.names_for(params)
    key_node = None
    if params.get("KeyConditionExpression") is not None:
        key_node = parse_condition(params["KeyConditionExpression"], "KeyConditionExpression", names)
    node = None
    if params.get("FilterExpression") is not None:
        node = parse_condition(params["FilterExpression"], "FilterExpression", names)
    elif params.get(legacy_field):
        node = legacy.filters(params[legacy_field], params.get("ConditionalOperator"))
    else:
        legacy.no_conditions(params)
    paths = prepare.projection(params, names)
    prepare.finish(names)
    return key_node, node, paths


def path_heads(node, heads: set) -> set:
    """The top-level attribute names every document path in ``node`` starts with."""
    if node[0] == "path":
        heads.add(node[1][0])
        return heads
    for part in node[1:]:
        if type(part) is tuple and part and type(part[0]) is str:
            path_heads(part, heads)
        elif type(part) is tuple:
            for inner in part:
                if type(inner) is tuple:
                    path_heads(inner, heads)
    return heads


def check_filter_keys(params: dict, node, keys) -> None:
    """Query may not filter on the key attributes of what it reads (AWS names the first one hit)."""
    if node is None:
        return
    heads = path_heads(node, set())
    field = "Filter Expression" if params.get("FilterExpression") is not None else "QueryFilter"
    for name in (keys.hash_name, keys.range_name):
        if name is not None and name in heads:
            raise invalid(f"{field} can only contain non-primary key attributes: Primary key attribute: {name}")


# --- Query ----------------------------------------------------------------------------------

def query(svc, params: dict) -> dict:
    table = svc.catalog.get(params.get("TableName"))
    mode = prepare.check_options(params)
    plan = Plan(svc, table, params)
    prepare.check_mix(params, (("KeyConditions",), ("KeyConditionExpression",)))
    key_node, node, paths = filter_and_projection(params, "FilterExpression", "QueryFilter")
    if key_node is None:
        if not params.get("KeyConditions"):
            raise invalid("Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
                          "request.")
        key_node = legacy.filters(params["KeyConditions"], None)
    keys = plan.index or table
    check_filter_keys(params, node, keys)
    test = compile_condition(node) if node is not None else None
    rng = key_range(key_node, keys.hash_name, keys.hash_type, keys.range_name, keys.range_type)
    select = select_mode(plan, params, paths)
    sql_table, where, args, order = plan.source()
    where += " AND h=? AND pk=?" + rng.sql
    args += [rng.bucket, rng.pk, *rng.args]
    order = order[2:]
    start = start_key(plan, params)
    if start is not None:
        rng.check_start(start[1], start[2])
    return run(plan, mode, select, test, paths, (sql_table, where, args, order), start and start[2:])


# --- Scan -----------------------------------------------------------------------------------

def scan(svc, params: dict) -> dict:
    table = svc.catalog.get(params.get("TableName"))
    mode = prepare.check_options(params)
    plan = Plan(svc, table, params)
    segment = segment_range(params)
    _, node, paths = filter_and_projection(params, "FilterExpression", "ScanFilter")
    test = compile_condition(node) if node is not None else None
    select = select_mode(plan, params, paths)
    sql_table, where, args, order = plan.source()
    if segment is not None:
        where += " AND h>=? AND h<?"
        args += list(segment)
    plan.forward = True
    return run(plan, mode, select, test, paths, (sql_table, where, args, order), start_key(plan, params))


def segment_range(params: dict):
    segment, total = params.get("Segment"), params.get("TotalSegments")
    if segment is not None and total is None:
        raise invalid("The TotalSegments parameter is required but was not present in the request when Segment "
                      "parameter is present")
    if total is not None and segment is None:
        raise invalid("The Segment parameter is required but was not present in the request when parameter "
                      "TotalSegments is present")
    if total is None:
        return None
    if not 1 <= total <= 1000000:
        raise invalid(f"1 validation error detected: Value '{total}' at 'totalSegments' failed to satisfy "
                      "constraint: Member must have value less than or equal to 1000000")
    if segment >= total:
        raise invalid("The Segment parameter is zero-based and must be less than parameter TotalSegments: "
                      f"Segment: {segment} is not less than TotalSegments: {total}")
    return (segment * 65536 + total - 1) // total, ((segment + 1) * 65536 + total - 1) // total


# --- shared paging ------------------------------------------------------------------------------

def start_key(plan: Plan, params: dict):
    """Ordering-column values of ExclusiveStartKey (h, pk, sk[, bpk, bsk]), or None."""
    esk = params.get("ExclusiveStartKey")
    if esk is None:
        return None
    table, index = plan.table, plan.index
    try:
        base = table.key_of({k: esk.get(k) for k in table.key_names if k in esk})
        if index is None:
            if len(esk) != len(table.key_names):
                raise invalid(SCHEMA_MISMATCH)
            return base
        entry = index.entry_key(esk)
        if entry is None or any(k not in index.key_names for k in esk):
            raise invalid(SCHEMA_MISMATCH)
        return entry + base[1:]
    except AwsError as exc:
        raise invalid(f"The provided starting key is invalid: {exc.message}")


class Page:
    """What one page read: matching items, counts, bytes, and the last row if the page was cut short."""

    def __init__(self):
        self.items, self.count, self.scanned, self.read_bytes, self.last = [], 0, 0, 0, None


def run(plan: Plan, mode: str, select: str, test, paths, source, start) -> dict:
    page = read_page(plan, select, test, paths, source, start)
    out = {"Count": page.count, "ScannedCount": page.scanned}
    if select != "COUNT":
        out = {"Items": page.items, **out}
    if page.last is not None:
        out["LastEvaluatedKey"] = last_key(plan, loads(page.last[-2]))
    if mode != "NONE":
        units = capacity.read_units(page.read_bytes, plan.consistent)
        indexes = {(plan.index.kind, plan.index.name): units} if plan.index is not None else None
        out["ConsumedCapacity"] = capacity.report(mode, plan.table.name, 0.0 if indexes else units, indexes)
    return out


def read_page(plan: Plan, select: str, test, paths, source, start) -> Page:
    page, needs_item, fetch_base = Page(), test is not None or select != "COUNT", _fetch_base(plan, select, paths)
    for row in rows(plan, *source, start):
        page.scanned += 1
        page.read_bytes += row[-1]
        item = loads(row[-2]) if needs_item else None
        if test is None or test(item):
            page.count += 1
            if select != "COUNT":
                page.items.append(_shape(plan, item, paths, fetch_base))
        if page.scanned == plan.limit or page.read_bytes >= PAGE_BYTES:
            page.last = row
            break
    return page


def rows(plan: Plan, sql_table: str, where: str, args: list, order: list, start):
    """Rows (order columns..., item, size) in key order, fetched in locked batches."""
    direction, compare = ("ASC", ">") if plan.forward else ("DESC", "<")
    columns = ", ".join(order)
    ordering = ", ".join(f"{c} {direction}" for c in order)
    wanted = plan.limit if plan.limit is not None else None
    db = plan.svc.db
    while True:
        size = BATCH if wanted is None else min(BATCH, wanted)
        position = f" AND ({columns}) {compare} ({', '.join('?' * len(order))})" if start is not None else ""
        sql = f"SELECT {columns}, item, size FROM {sql_table} WHERE {where}{position} ORDER BY {ordering} LIMIT ?"
        with db.lock:
            batch = db.conn.execute(sql, [*args, *(start or ()), size]).fetchall()
        yield from batch
        if len(batch) < size:
            return
        start = batch[-1][:len(order)]
        if wanted is not None:
            wanted -= len(batch)
            if wanted <= 0:
                return


def _fetch_base(plan: Plan, select: str, paths) -> bool:
    """An LSI query that needs attributes the index does not project reads them from the table."""
    index = plan.index
    if index is None or index.kind != "LSI" or index.projection_type == "ALL":
        return False
    if select == "ALL_ATTRIBUTES":
        return True
    return paths is not None and any(p[0] not in index.projected for p in paths)


def _shape(plan: Plan, item: dict, paths, fetch_base: bool) -> dict:
    if fetch_base:
        row = plan.svc.store.get(plan.table, plan.table.key_of(plan.table.key_attributes(item)))
        item = loads(row[0]) if row else item
    return project(item, paths) if paths is not None else item


def last_key(plan: Plan, item: dict) -> dict:
    names = plan.table.key_names if plan.index is None else plan.index.key_names
    return {name: item[name] for name in names}

