"""PutItem, GetItem, UpdateItem and DeleteItem.

Each write validates everything that does not need the stored item first, then
reads the old item, checks the condition and writes inside one SQLite
transaction (``svc.writing``), which also queues the change-log record so
records come out in write order.  The helpers ``write_put``/``write_update``/
``write_delete`` take already-validated input and are reused by BatchWriteItem,
TransactWriteItems and PartiQL.  A PutItem or GetItem naming nothing beyond the
table and the item/key (``PLAIN_PUT``/``PLAIN_GET``) skips the option and
expression checks, all of which would pass: it is most of the traffic.
"""
from __future__ import annotations

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb import capacity, prepare
from lowcloud.services.dynamodb.evaluate import project
from lowcloud.services.dynamodb.expressions import parse_update
from lowcloud.services.dynamodb.store import loads
from lowcloud.services.dynamodb.types import MAX_ITEM_BYTES, clean, clean_item
from lowcloud.services.dynamodb.update import (apply_update, check_key_paths, clauses_from_attribute_updates,
                                               only_removes, updated_paths)

ALL = prepare.RETURN_VALUES
# Requests naming only these need none of the option/expression checks: every one would pass.
PLAIN_PUT = frozenset(("TableName", "Item"))
PLAIN_GET = frozenset(("TableName", "Key", "ConsistentRead"))


def invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message)


# --- PutItem ----------------------------------------------------------------------------

def put_item(svc, params: dict, req=None) -> dict:
    table = svc.catalog.get(params.get("TableName"))
    if params.keys() <= PLAIN_PUT:
        item, size, key = checked_item(table, params.get("Item"))
        with svc.db.lock:
            if blind(svc, table):  # write_blind, inline
                svc.store.put(table, key, item, size, None)
                return {}
        return plain_put(svc, table, item, size, key)
    mode = prepare.check_options(params)
    returning = prepare.return_values(params, ("NONE", "ALL_OLD"))
    item, size, key = checked_item(table, params.get("Item"))
    test = write_condition(params)
    with svc.writing(single=not table.index_list) as log:
        if test is None and returning == "NONE" and mode == "NONE" and log.blind(table):
            old = write_blind(svc, table, key, item, size)
        else:
            old = write_put(svc, log, table, key, item, size, test, params)
    out = {"Attributes": old} if returning == "ALL_OLD" and old else {}
    return finish_write(svc, table, out, params, mode, old, item, key)


def plain_put(svc, table, item: dict, size: int, key) -> dict:
    """A PutItem without options, condition or ReturnValues to a table whose changes matter."""
    with svc.writing(single=not table.index_list) as log:
        write_put(svc, log, table, key, item, size, None, {})
    return {}


def blind(svc, table) -> bool:
    """True when a write to ``table`` needs no old item and no change record: no index, no TTL, no
    change log that wants its changes (a stand-in without ``wants`` is taken to want them all)."""
    if table.index_list or table.ttl_attribute is not None:
        return False
    wants = getattr(svc.changes, "wants", None)
    return wants is not None and not wants(table.public)


def checked_item(table, raw, mismatch: str | None = None):
    item, size = clean_item(raw)
    key = table.item_key(item, mismatch)
    if table.index_list:
        table.check_index_keys(item)
    if size > MAX_ITEM_BYTES:
        raise invalid("Item size has exceeded the maximum allowed size")
    return item, size, key


def write_condition(params: dict):
    if params.keys().isdisjoint(prepare.CONDITION_INPUTS):
        return None
    prepare.check_mix(params, (("Expected", "ConditionalOperator"), ("ConditionExpression",)))
    names = prepare.names_for(params)
    test = prepare.condition(params, names)
    prepare.finish(names)
    return test


def write_put(svc, log, table, key, item, size, test, params):
    old = read(svc, table, key)
    if test is not None and not test(old or {}):
        raise prepare.condition_failed(params, old)
    svc.store.put(table, key, item, size, old)
    check_collection(svc, table, key)
    log.change(table, old, item)
    return old


def write_blind(svc, table, key, item, size) -> None:
    """A put nobody needs the old item of (see ``WriteLog.blind``): one statement, no read."""
    svc.store.put(table, key, item, size, None)


# --- GetItem -------------------------------------------------------------------------------

def get_item(svc, params: dict, req=None) -> dict:
    table = svc.catalog.get(params.get("TableName"))
    if params.keys() <= PLAIN_GET:
        row = svc.store.get(table, table.key_of(params.get("Key")))
        return {"Item": loads(row[0])} if row is not None else {}
    mode = prepare.check_options(params)
    key = table.key_of(params.get("Key"))
    paths = read_projection(params)
    row = svc.store.get(table, key)
    out = {}
    if row is not None:
        item = loads(row[0])
        out["Item"] = project(item, paths) if paths else item
    if mode != "NONE":
        units = capacity.read_units(row[1] if row else 0, bool(params.get("ConsistentRead")))
        out["ConsumedCapacity"] = capacity.report(mode, table.name, units)
    return out


def read_projection(params: dict):
    if params.get("ProjectionExpression") is None and params.get("AttributesToGet") is None \
            and params.get("ExpressionAttributeNames") is None and params.get("ExpressionAttributeValues") is None:
        return None
    prepare.check_mix(params, (("AttributesToGet",), ("ProjectionExpression",)))
    names = prepare.names_for(params)
    paths = prepare.projection(params, names)
    prepare.finish(names)
    return paths


# --- UpdateItem ------------------------------------------------------------------------------

def update_item(svc, params: dict) -> dict:
    table = svc.catalog.get(params.get("TableName"))
    mode = prepare.check_options(params)
    key = table.key_of(params.get("Key"))
    returning = prepare.return_values(params, ALL)
    clauses, test = parse_update_request(table, params)
    with svc.writing(single=not table.index_list) as log:
        old, new = write_update(svc, log, table, key, clauses, test, params)
    out = {}
    attributes = returned_attributes(returning, old, new, clauses)
    if attributes:
        out["Attributes"] = attributes
    return finish_write(svc, table, out, params, mode, old, new, key)


def parse_update_request(table, params: dict):
    prepare.check_mix(params, (("AttributeUpdates", "Expected", "ConditionalOperator"),
                               ("UpdateExpression", "ConditionExpression")))
    names = prepare.names_for(params)
    if params.get("UpdateExpression") is not None:
        clauses = parse_update(params["UpdateExpression"], names)
        check_key_paths(clauses, table.key_names)
    else:
        clauses = clauses_from_attribute_updates(params.get("AttributeUpdates") or {}, table.key_names)
    test = prepare.condition(params, names)
    prepare.finish(names)
    return clauses, test


def write_update(svc, log, table, key, clauses, test, params, key_item: dict | None = None):
    row = svc.store.get(table, key)
    old = loads(row[0]) if row else None
    if test is not None and not test(old or {}):
        raise prepare.condition_failed(params, old)
    if old is None and only_removes(clauses):
        return None, None
    new = loads(row[0]) if row else key_item or canonical_key(table, params.get("Key"))
    apply_update(new, old or {}, clauses)
    new, size = clean_item(new)
    if size > MAX_ITEM_BYTES:
        raise invalid("Item size to update has exceeded the maximum allowed size")
    table.check_index_keys(new, via_update=True)
    svc.store.put(table, key, new, size, old)
    check_collection(svc, table, key)
    log.change(table, old, new)
    return old, new


def canonical_key(table, key: dict) -> dict:
    return {name: clean(key[name])[0] for name in table.key_names}


def returned_attributes(returning: str, old, new, clauses) -> dict | None:
    if returning == "ALL_OLD":
        return old
    if returning == "ALL_NEW":
        return new
    if returning in ("UPDATED_OLD", "UPDATED_NEW"):
        source = old if returning == "UPDATED_OLD" else new
        return project(source, updated_paths(clauses)) if source else None
    return None


# --- DeleteItem -------------------------------------------------------------------------------

def delete_item(svc, params: dict) -> dict:
    table = svc.catalog.get(params.get("TableName"))
    mode = prepare.check_options(params)
    key = table.key_of(params.get("Key"))
    returning = prepare.return_values(params, ("NONE", "ALL_OLD"))
    test = write_condition(params)
    with svc.writing(single=not table.index_list) as log:
        old = write_delete(svc, log, table, key, test, params)
    out = {"Attributes": old} if returning == "ALL_OLD" and old else {}
    return finish_write(svc, table, out, params, mode, old, None, key)


def write_delete(svc, log, table, key, test, params):
    old = read(svc, table, key)
    if test is not None and not test(old or {}):
        raise prepare.condition_failed(params, old)
    if old is not None:
        svc.store.delete(table, key, old)
        log.change(table, old, None)
    return old


# --- shared ------------------------------------------------------------------------------------

def read(svc, table, key):
    row = svc.store.get(table, key)
    return loads(row[0]) if row else None


def check_collection(svc, table, key) -> None:
    if table.has_lsi and svc.store.collection_size(table, key) > svc.item_collection_limit:
        raise AwsError("ItemCollectionSizeLimitExceededException", "Collection size exceeded.")


def finish_write(svc, table, out: dict, params: dict, mode: str, old, new, key) -> dict:
    if mode != "NONE":
        sizes = [clean_item(i)[1] for i in (old, new) if i]
        indexes = capacity.index_write_units(table, old, new)
        out["ConsumedCapacity"] = capacity.report(mode, table.name, capacity.write_units(*sizes), indexes)
    if params.get("ReturnItemCollectionMetrics") == "SIZE" and table.has_lsi:
        out["ItemCollectionMetrics"] = collection_metrics(table, old or new)
    return out


def collection_metrics(table, item: dict) -> dict:
    return {"ItemCollectionKey": {table.hash_name: item[table.hash_name]}, "SizeEstimateRangeGB": [0.0, 1.0]}
