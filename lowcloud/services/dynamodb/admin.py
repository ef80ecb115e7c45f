"""UpdateTable, Time to Live, tags and the small account-level operations.

Every change edits a copy of the stored description and saves it through the
catalog, so the in-memory ``Table`` is rebuilt and item operations see the new
indexes, TTL attribute or stream at once.  Stream changes are announced to the
change log (``on_table_updated``) after they are saved.
"""
from __future__ import annotations

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb.create import (check_billing, check_index, check_key_schema, index_desc,
                                               throughput_desc)
from lowcloud.services.dynamodb.tables import check_stream_spec, stream_fields
from lowcloud.services.dynamodb.tagging import list_tags_of_resource, tag_resource, untag_resource  # noqa: F401
from lowcloud.services.dynamodb.types import INVALID



NOTHING_TO_UPDATE = ("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, "
                     "SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, "
                     "MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or "
                     "TableClass is required")


def invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def update_table(svc, params: dict) -> dict:
    table = svc.catalog.get_named(params.get("TableName"))
    desc = svc.catalog.editable(table)
    changed = [step(svc, table, desc, params) for step in
               (_billing_and_throughput, _stream, _indexes, _simple_settings)]
    if not any(changed) and "BillingMode" not in params:
        raise invalid(NOTHING_TO_UPDATE)
    busy = any(changed[:3])
    if busy:
        desc["TableStatus"] = "UPDATING"
    table = svc.catalog.save(table, desc)
    for create in _gsi_creates(params):
        with svc.db.transaction():
            svc.store.backfill(table, table.indexes[create["IndexName"]])
    if changed[1]:
        svc.changes.on_table_updated(table.public)
    out = {"TableDescription": svc.catalog.describe(table)}
    if busy:
        svc.catalog.arm(table)
    return out


def _billing_and_throughput(svc, table, desc: dict, params: dict) -> bool:
    billing, throughput = params.get("BillingMode"), params.get("ProvisionedThroughput")
    current = desc.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    if billing is None and throughput is None:
        return False
    target = billing or current
    if target == "PAY_PER_REQUEST" or current == "PAY_PER_REQUEST":
        check_billing(target, throughput)
    now = svc.clock.now()
    if target == "PAY_PER_REQUEST" and current == target:
        return False
    if target == "PAY_PER_REQUEST":
        desc["BillingModeSummary"] = {"BillingMode": "PAY_PER_REQUEST", "LastUpdateToPayPerRequestDateTime": now}
        desc["ProvisionedThroughput"] = throughput_desc(None)
        return billing != current
    if throughput is None:
        return False
    if current == "PAY_PER_REQUEST":
        desc["BillingModeSummary"] = {"BillingMode": "PROVISIONED"}
    _apply_throughput(desc["ProvisionedThroughput"], throughput, now, switching=current != target)
    return True


def _apply_throughput(current: dict, wanted: dict, now: float, switching: bool) -> None:
    old = (current["ReadCapacityUnits"], current["WriteCapacityUnits"])
    new = (wanted["ReadCapacityUnits"], wanted["WriteCapacityUnits"])
    if old == new and not switching:
        raise invalid("The provisioned throughput for the table will not change. The requested value equals the "
                      f"current value. Current ReadCapacityUnits provisioned for the table: {old[0]}. Requested "
                      f"ReadCapacityUnits: {new[0]}. Current WriteCapacityUnits provisioned for the table: {old[1]}. "
                      f"Requested WriteCapacityUnits: {new[1]}. Refer to the Amazon DynamoDB Developer Guide for "
                      "current limits and how to request higher limits.")
    if any(n > o for n, o in zip(new, old)):
        current["LastIncreaseDateTime"] = now
    if any(n < o for n, o in zip(new, old)) and not switching:
        current["LastDecreaseDateTime"] = now
        current["NumberOfDecreasesToday"] += 1
    current["ReadCapacityUnits"], current["WriteCapacityUnits"] = new


def _stream(svc, table, desc: dict, params: dict) -> bool:
    spec = params.get("StreamSpecification")
    if spec is None:
        return False
    check_stream_spec(spec, creating=False)
    enabled = desc.get("StreamSpecification", {}).get("StreamEnabled", False)
    if spec.get("StreamEnabled"):
        if enabled:
            raise invalid(f"Table already has an enabled stream: TableName: {table.name}")
        desc.update(stream_fields(svc, desc["TableArn"], spec))
    else:
        if not enabled:
            raise invalid(f"Table has no stream to disable: TableName: {table.name}")
        desc.pop("StreamSpecification", None)
    return True


def _gsi_creates(params: dict) -> list:
    return [u["Create"] for u in params.get("GlobalSecondaryIndexUpdates") or () if "Create" in u]


def _indexes(svc, table, desc: dict, params: dict) -> bool:
    updates = params.get("GlobalSecondaryIndexUpdates")
    if not updates:
        return False
    _merge_attribute_definitions(desc, params.get("AttributeDefinitions") or [])
    billing = desc.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    for update in updates:
        if "Create" in update:
            _create_gsi(desc, update["Create"], billing)
        elif "Delete" in update:
            _delete_gsi(svc, table, desc, update["Delete"]["IndexName"])
        elif "Update" in update:
            _find_gsi(desc, update["Update"]["IndexName"])["ProvisionedThroughput"] = throughput_desc(
                update["Update"].get("ProvisionedThroughput"))
    return True


def _merge_attribute_definitions(desc: dict, new: list) -> None:
    known = {a["AttributeName"]: a["AttributeType"] for a in desc["AttributeDefinitions"]}
    for attr in new:
        if known.get(attr["AttributeName"], attr["AttributeType"]) != attr["AttributeType"]:
            raise invalid(INVALID + "Cannot change the type of an existing attribute: "
                          f"{attr['AttributeName']}")
        if attr["AttributeName"] not in known:
            desc["AttributeDefinitions"].append(attr)
            known[attr["AttributeName"]] = attr["AttributeType"]


def _create_gsi(desc: dict, spec: dict, billing: str) -> None:
    check_key_schema(spec["KeySchema"], "globalSecondaryIndexUpdate.create.keySchema", spec["IndexName"])
    check_index(spec, billing, is_gsi=True)
    names = {i["IndexName"] for f in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes") for i in desc.get(f, ())}
    if spec["IndexName"] in names:
        raise invalid("Attempting to create an index which already exists")
    defined = {a["AttributeName"] for a in desc["AttributeDefinitions"]}
    missing = [k["AttributeName"] for k in spec["KeySchema"] if k["AttributeName"] not in defined]
    if missing:
        raise invalid(INVALID + "Global Secondary Index hash key not specified in Attribute Definitions. "
                      f"Type unknown. {missing[0]}")
    entry = index_desc(desc, desc["TableArn"], spec, "GSI", "CREATING")
    entry["Backfilling"] = False
    desc.setdefault("GlobalSecondaryIndexes", []).append(entry)


def _find_gsi(desc: dict, name: str) -> dict:
    for index in desc.get("GlobalSecondaryIndexes", ()):
        if index["IndexName"] == name:
            return index
    raise AwsError("ResourceNotFoundException", f"Requested resource not found: Index: {name} not found")


def _delete_gsi(svc, table, desc: dict, name: str) -> None:
    _find_gsi(desc, name)
    desc["GlobalSecondaryIndexes"] = [i for i in desc["GlobalSecondaryIndexes"] if i["IndexName"] != name]
    if not desc["GlobalSecondaryIndexes"]:
        del desc["GlobalSecondaryIndexes"]
    with svc.db.lock:
        svc.store.drop_index(table, desc["_ix"].pop(name))


def _simple_settings(svc, table, desc: dict, params: dict) -> bool:
    changed = False
    if "DeletionProtectionEnabled" in params:
        desc["DeletionProtectionEnabled"] = bool(params["DeletionProtectionEnabled"])
        changed = True
    if params.get("TableClass"):
        desc["TableClassSummary"] = {"TableClass": params["TableClass"]}
        changed = True
    if "SSESpecification" in params:
        changed = True
    return changed


# --- Time to Live --------------------------------------------------------------------------

def update_time_to_live(svc, params: dict) -> dict:
    table = svc.catalog.get_named(params.get("TableName"))
    spec = params.get("TimeToLiveSpecification") or {}
    name, enabled = spec.get("AttributeName"), spec.get("Enabled")
    if not name:
        raise invalid("1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName' failed "
                      "to satisfy constraint: Member must have length greater than or equal to 1")
    _check_ttl_change(table.desc.get("_ttl"), name, enabled)
    desc = svc.catalog.editable(table)
    desc["_ttl"] = name if enabled else None
    with svc.db.transaction():
        table = svc.catalog.save(table, desc)
        svc.store.set_expiry_column(table)
    svc.ttl.reschedule()
    return {"TimeToLiveSpecification": {"Enabled": bool(enabled), "AttributeName": name}}


def _check_ttl_change(current: str | None, name: str, enabled: bool) -> None:
    """TTL toggles: only off -> on, or on -> off naming the attribute it is on."""
    if current and current != name:
        raise invalid(f"TimeToLive is active on a different AttributeName: current AttributeName is {current}")
    if enabled and current:
        raise invalid("TimeToLive is already enabled")
    if not enabled and not current:
        raise invalid("TimeToLive is already disabled")


def describe_time_to_live(svc, params: dict) -> dict:
    table = svc.catalog.get_named(params.get("TableName"))
    if table.desc["TableStatus"] == "CREATING":
        raise invalid("Cannot describe time to live while table is in CREATING state: Current table state is "
                      "CREATING")
    name = table.desc.get("_ttl")
    if name:
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": name}}
    return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}


def describe_limits(svc, params: dict) -> dict:
    return {"AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
            "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000}


def describe_endpoints(svc, params: dict) -> dict:
    return {"Endpoints": [{"Address": f"dynamodb.{svc.region}.amazonaws.com", "CachePeriodInMinutes": 1440}]}

