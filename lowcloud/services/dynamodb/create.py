"""CreateTable: AWS's validation of a table definition, then the stored description.

Checks run in AWS's order — enum constraints, key schema shape, billing and
throughput, secondary indexes, then that AttributeDefinitions name exactly the
key attributes — each failing with AWS's wording.  The description built here
is what DescribeTable later shows (plus live counts), with private fields
(``_ix`` index numbers, ``_tags``) that never leave the service.
"""
from __future__ import annotations

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb.tables import check_stream_spec, check_table_name, stream_fields
from lowcloud.services.dynamodb.tagging import check_tag_count, check_tags
from lowcloud.services.dynamodb.types import INVALID

ENUMS = {"keyType": ("HASH", "RANGE"), "attributeType": ("B", "N", "S"),
         "projectionType": ("ALL", "KEYS_ONLY", "INCLUDE"), "billingMode": ("PROVISIONED", "PAY_PER_REQUEST")}
MAX_GSIS, MAX_LSIS = 20, 5


def invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def create_table(svc, params: dict) -> dict:
    name = check_table_name(params.get("TableName"), minimum=3)
    check_enums(params)
    key_schema, attrs = params.get("KeySchema") or [], params.get("AttributeDefinitions") or []
    check_key_schema(key_schema, "keySchema")
    check_attribute_names(params.get("AttributeDefinitions"))
    billing = params.get("BillingMode", "PROVISIONED")
    check_billing(billing, params.get("ProvisionedThroughput"))
    gsis, lsis = params.get("GlobalSecondaryIndexes"), params.get("LocalSecondaryIndexes")
    check_indexes(gsis, lsis, key_schema, billing)
    check_attribute_definitions(attrs, key_schema, gsis, lsis)
    check_stream_spec(params.get("StreamSpecification"), creating=True)
    check_tags(params.get("Tags") or [])
    check_tag_count(len(params.get("Tags") or []))
    if name in svc.catalog.by_name:
        raise AwsError("ResourceInUseException", f"Table already exists: {name}")
    desc = build_description(svc, name, params, billing)
    table = svc.catalog.insert(desc)
    if "StreamSpecification" in desc:
        svc.changes.on_table_updated(table.public)
    out = {"TableDescription": svc.catalog.describe(table)}
    svc.catalog.arm(table)
    return out


def check_enums(params: dict) -> None:
    errors = []
    for i, key in enumerate(params.get("KeySchema") or [], 1):
        _enum(errors, key.get("KeyType"), f"keySchema.{i}.member.keyType", "keyType")
    for i, attr in enumerate(params.get("AttributeDefinitions") or [], 1):
        _enum(errors, attr.get("AttributeType"), f"attributeDefinitions.{i}.member.attributeType", "attributeType")
    if "BillingMode" in params:
        _enum(errors, params["BillingMode"], "billingMode", "billingMode")
    if errors:
        count = f"{len(errors)} validation error{'s' if len(errors) > 1 else ''} detected: "
        raise invalid(count + "; ".join(errors))


def _enum(errors: list, value, where: str, kind: str) -> None:
    if value not in ENUMS[kind]:
        errors.append(f"Value '{value}' at '{where}' failed to satisfy constraint: "
                      f"Member must satisfy enum value set: [{', '.join(ENUMS[kind])}]")


def check_key_schema(key_schema: list, where: str, index: str | None = None) -> None:
    if len(key_schema) > 2:
        shown = ", ".join(f"KeySchemaElement(attributeName={k.get('AttributeName')}, keyType={k.get('KeyType')})"
                          for k in key_schema)
        raise invalid(f"1 validation error detected: Value '[{shown}]' at '{where}' failed to satisfy constraint: "
                      "Member must have length less than or equal to 2")
    if not key_schema:
        raise invalid(f"1 validation error detected: Value '[]' at '{where}' failed to satisfy constraint: "
                      "Member must have length greater than or equal to 1")
    prefix = "Invalid KeySchema: " if index is None else INVALID + f"Index KeySchema for index {index}: "
    if key_schema[0]["KeyType"] != "HASH":
        raise invalid(prefix + "The first KeySchemaElement is not a HASH key type")
    if len(key_schema) == 2:
        if key_schema[1]["KeyType"] != "RANGE":
            raise invalid(prefix + "The second KeySchemaElement is not a RANGE key type")
        if key_schema[0]["AttributeName"] == key_schema[1]["AttributeName"]:
            raise invalid("Invalid KeySchema: Some index key attribute have no definition" if index is None
                          else "Both the Hash Key and the Range Key element in the KeySchema have the same name")


def check_attribute_names(attrs: list | None) -> None:
    """AttributeDefinitions must exist and name each attribute once."""
    if attrs is None:
        raise invalid("1 validation error detected: Value null at 'attributeDefinitions' failed to satisfy "
                      "constraint: Member must not be null")
    if not attrs:
        raise invalid("No Attribute Schema Defined")
    seen = set()
    for attr in attrs:
        if attr.get("AttributeName") in seen:
            raise invalid(f"Attribute Name is duplicated: {attr['AttributeName']}")
        seen.add(attr.get("AttributeName"))


def check_billing(billing: str, throughput: dict | None) -> None:
    if billing == "PAY_PER_REQUEST" and throughput:
        raise invalid(INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                      "BillingMode is PAY_PER_REQUEST")
    if billing == "PROVISIONED" and not throughput:
        raise invalid(INVALID + "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
                      "BillingMode is PROVISIONED")


def check_indexes(gsis, lsis, key_schema: list, billing: str) -> None:
    for field, given in (("GlobalSecondaryIndexes", gsis), ("LocalSecondaryIndexes", lsis)):
        if given is not None and not given:
            raise invalid(INVALID + f"List of {field} is empty")
    if len(gsis or []) > MAX_GSIS:
        raise invalid(INVALID + f"GlobalSecondaryIndex count exceeds the per-table limit of {MAX_GSIS}")
    if len(lsis or []) > MAX_LSIS:
        raise invalid(INVALID + f"Number of LocalSecondaryIndexes exceeds per-table limit of {MAX_LSIS}")
    seen = set()
    for index in (gsis or []) + (lsis or []):
        if index["IndexName"] in seen:
            raise invalid(INVALID + f"Duplicate index name: {index['IndexName']}")
        seen.add(index["IndexName"])
        check_index(index, billing, is_gsi=index in (gsis or []))
    if lsis:
        check_lsis(lsis, key_schema)


def check_index(index: dict, billing: str, is_gsi: bool) -> None:
    name = check_table_name(index["IndexName"], minimum=3, field="indexName")
    check_key_schema(index["KeySchema"], "indexKeySchema", name)
    check_projection(index.get("Projection") or {})
    if is_gsi:
        throughput = index.get("ProvisionedThroughput")
        if billing == "PROVISIONED" and not throughput:
            raise invalid(INVALID + f"ProvisionedThroughput is not specified for index: {name}")
        if billing == "PAY_PER_REQUEST" and throughput:
            raise invalid(INVALID + f"ProvisionedThroughput should not be specified for index: {name} "
                          "when BillingMode is PAY_PER_REQUEST")


def check_projection(projection: dict) -> None:
    """ProjectionType must be given and known; NonKeyAttributes exactly when INCLUDE, each once."""
    kind = projection.get("ProjectionType")
    if kind is None:
        raise invalid(INVALID + "Unknown ProjectionType: null")
    if kind not in ENUMS["projectionType"]:
        raise invalid(f"1 validation error detected: Value '{kind}' at 'projection.projectionType' failed to "
                      "satisfy constraint: Member must satisfy enum value set: [ALL, KEYS_ONLY, INCLUDE]")
    extra = projection.get("NonKeyAttributes") or []
    if kind != "INCLUDE" and extra:
        raise invalid(INVALID + f"ProjectionType is {kind}, but NonKeyAttributes is specified")
    if kind == "INCLUDE" and not extra:
        raise invalid(INVALID + "ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
    duplicated = next((name for i, name in enumerate(extra) if name in extra[:i]), None)
    if duplicated is not None:
        raise invalid(INVALID + f"Duplicate element in NonKeyAttributes: {duplicated}")


def check_lsis(lsis: list, key_schema: list) -> None:
    if len(key_schema) < 2:
        raise invalid(INVALID + "Table KeySchema does not have a range key, which is required when specifying "
                      "a LocalSecondaryIndex")
    table_hash = key_schema[0]["AttributeName"]
    for index in lsis:
        index_hash = index["KeySchema"][0]["AttributeName"]
        if index_hash != table_hash:
            raise invalid(INVALID + "Index KeySchema does not have the same leading hash key as table KeySchema "
                          f"for index: {index['IndexName']}. index hash key: {index_hash}, "
                          f"table hash key: {table_hash}")
        if len(index["KeySchema"]) < 2:
            raise invalid(INVALID + f"Index KeySchema for index {index['IndexName']} must have a range key")


def check_attribute_definitions(attrs: list, key_schema: list, gsis, lsis) -> None:
    defined = sorted(a["AttributeName"] for a in attrs)
    used = {k["AttributeName"] for k in key_schema}
    for index in (gsis or []) + (lsis or []):
        used |= {k["AttributeName"] for k in index["KeySchema"]}
    used = sorted(used)
    if defined == used:
        return
    has_index = gsis is not None or lsis is not None
    shown = lambda names: "[" + ", ".join(names) + "]"  # noqa: E731
    if len(defined) > len(used) and has_index:
        raise invalid(INVALID + f"Some AttributeDefinitions are not used. AttributeDefinitions: {shown(defined)}, "
                      f"keys used: {shown(used)}")
    if len(defined) > len(used):
        raise invalid(INVALID + "Number of attributes in KeySchema does not exactly match number of attributes "
                      "defined in AttributeDefinitions")
    if len(defined) < len(used) and not has_index:
        raise invalid("Invalid KeySchema: Some index key attribute have no definition")
    missing = [u for u in used if u not in defined] if has_index else used
    raise invalid(INVALID + f"Some index key attributes are not defined in AttributeDefinitions. "
                  f"Keys: {shown(missing)}, AttributeDefinitions: {shown(defined)}")


def build_description(svc, name: str, params: dict, billing: str) -> dict:
    now = svc.clock.now()
    arn = svc.arn(f"table/{name}")
    desc = {"AttributeDefinitions": params["AttributeDefinitions"], "TableName": name,
            "KeySchema": params["KeySchema"], "TableStatus": "CREATING", "CreationDateTime": now,
            "ProvisionedThroughput": throughput_desc(params.get("ProvisionedThroughput")),
            "TableSizeBytes": 0, "ItemCount": 0, "TableArn": arn, "TableId": svc.cloud.ids.uuid()}
    if billing == "PAY_PER_REQUEST":
        desc["BillingModeSummary"] = {"BillingMode": "PAY_PER_REQUEST", "LastUpdateToPayPerRequestDateTime": now}
    desc["_ix"], desc["_next_ix"] = {}, 1
    for field, kind in (("LocalSecondaryIndexes", "LSI"), ("GlobalSecondaryIndexes", "GSI")):
        if params.get(field):
            desc[field] = [index_desc(desc, arn, index, kind, "CREATING") for index in params[field]]
    desc.update(stream_fields(svc, arn, params.get("StreamSpecification")))
    desc["DeletionProtectionEnabled"] = bool(params.get("DeletionProtectionEnabled", False))
    desc.update(optional_summaries(svc, params))
    desc["_tags"] = list(params.get("Tags") or [])
    return desc


def throughput_desc(throughput: dict | None) -> dict:
    throughput = throughput or {}
    return {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": throughput.get("ReadCapacityUnits", 0),
            "WriteCapacityUnits": throughput.get("WriteCapacityUnits", 0)}


def index_desc(desc: dict, table_arn: str, index: dict, kind: str, status: str) -> dict:
    """An index's description; allocates its storage number in ``desc['_ix']``."""
    desc["_ix"][index["IndexName"]] = desc["_next_ix"]
    desc["_next_ix"] += 1
    projection = dict(index.get("Projection") or {"ProjectionType": "ALL"})
    projection.setdefault("ProjectionType", "ALL")
    out = {"IndexName": index["IndexName"], "KeySchema": index["KeySchema"], "Projection": projection}
    if kind == "GSI":
        out["IndexStatus"] = status
        out["ProvisionedThroughput"] = throughput_desc(index.get("ProvisionedThroughput"))
    out.update({"IndexSizeBytes": 0, "ItemCount": 0, "IndexArn": f"{table_arn}/index/{index['IndexName']}"})
    return out


def optional_summaries(svc, params: dict) -> dict:
    out = {}
    if params.get("TableClass"):
        out["TableClassSummary"] = {"TableClass": params["TableClass"]}
    sse = params.get("SSESpecification") or {}
    if sse.get("Enabled"):
        key = sse.get("KMSMasterKeyId") or "alias/aws/dynamodb"
        arn = key if key.startswith("arn:") else svc.arn(f"key/{svc.cloud.ids.uuid()}", service="kms")
        out["SSEDescription"] = {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": arn}
    return out
