"""TagResource, UntagResource, ListTagsOfResource: the resource ARN and the tag rules.

Tags live in the table description's private ``_tags`` list.  AWS checks a tag
request in a fixed order — the ARN's shape, then the tags themselves (all or
nothing: one bad tag and none is applied), then that the table exists — and
words each failure its own way; those texts are kept here, in one place, so
CreateTable's ``Tags`` get the same checks as TagResource's.
"""
from __future__ import annotations

import re

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb.types import INVALID

MAX_TAGS = 50
_TABLE_ARN = re.compile(r"^arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):(\d{12}):table/([a-zA-Z0-9_.-]+)$")
_INDEX_ARN = re.compile(r"^arn:aws[a-z-]*:dynamodb:[a-z0-9-]*:\d*:table/[^/]+/index/")
_TAG_TEXT = re.compile(r"^[\w\s+\-=._:/@]*$")


def invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def table_for_arn(svc, arn):
    """The table a resource ARN names; AWS's error for a malformed, foreign or unknown ARN."""
    check_arn_shape(arn)
    m = _TABLE_ARN.match(arn)
    if m is None or m.group(1) != svc.region:
        raise invalid(f"Invalid TableArn: Invalid ResourceArn provided as input {arn}")
    table = svc.catalog.by_name.get(m.group(3))
    if table is None or m.group(2) != svc.account:
        raise AwsError("ResourceNotFoundException", f"Requested resource not found: ResourcArn: {arn} not found")
    return table


def check_arn_shape(arn) -> None:
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        raise invalid(INVALID + f"ARNs must start with 'arn:': {arn}")
    if arn.split(":")[2:3] != ["dynamodb"]:
        raise invalid(INVALID + f"Provided Arn is not a DynamoDB resource arn: {arn}")
    if _INDEX_ARN.match(arn):
        raise invalid(INVALID + f"Invalid resource arn provided, only table or stream is accepted. Provided "
                      f"resource arn: {arn}")


def check_tags(tags: list) -> None:
    """Every tag's key and value, and no key twice in one request."""
    seen = set()
    for tag in tags:
        key, value = tag.get("Key"), tag.get("Value")
        if not isinstance(key, str) or not 1 <= len(key) <= 128 or not _TAG_TEXT.match(key):
            raise invalid(f"The Tag Key provided is invalid, Key: {_shown(key)}")
        if key.startswith("aws:"):
            raise invalid(f"Tag Key cannot be prefixed with aws:, Key: {key}")
        if not isinstance(value, str) or len(value) > 256 or not _TAG_TEXT.match(value):
            raise invalid(f"The Tag Value provided is invalid, Value: {_shown(value)}")
        if key in seen:
            raise invalid(f"Duplicate Tag Keys provided as input: Duplicate Tag Key found {key}")
        seen.add(key)


def check_tag_count(count: int) -> None:
    if count > MAX_TAGS:
        raise invalid("Number of Tags exceed the current limit for the provided ResourceArn")


def _shown(text) -> str:
    return "null" if text is None else str(text)


# --- operations -----------------------------------------------------------------------

def tag_resource(svc, params: dict) -> dict:
    check_arn_shape(params.get("ResourceArn"))
    given = params.get("Tags") or []
    if not given:
        raise invalid("Atleast one Tag needs to be provided as Input.")
    check_tags(given)
    table = table_for_arn(svc, params.get("ResourceArn"))
    desc = svc.catalog.editable(table)
    tags = {t["Key"]: t["Value"] for t in desc.get("_tags", [])}
    tags.update({t["Key"]: t["Value"] for t in given})
    check_tag_count(len(tags))
    desc["_tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    svc.catalog.save(table, desc)
    return {}


def untag_resource(svc, params: dict) -> dict:
    check_arn_shape(params.get("ResourceArn"))
    keys = params.get("TagKeys") or []
    if not keys:
        raise invalid("Atleast one Tag Key needs to be provided as Input.")
    bad = [k for k in keys if not isinstance(k, str) or not 1 <= len(k) <= 128]
    if bad:
        raise invalid(f"The Tag Key provided is invalid, Key: {_shown(bad[0])}")
    check_tag_count(len(keys))
    table = table_for_arn(svc, params.get("ResourceArn"))
    desc = svc.catalog.editable(table)
    desc["_tags"] = [t for t in desc.get("_tags", []) if t["Key"] not in set(keys)]
    svc.catalog.save(table, desc)
    return {}


def list_tags_of_resource(svc, params: dict) -> dict:
    table = table_for_arn(svc, params.get("ResourceArn"))
    return {"Tags": [dict(t) for t in table.desc.get("_tags", [])]}
