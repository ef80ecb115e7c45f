"""Bucket configuration subresources, driven by the botocore model.

Every Put/Get/Delete pair of a configuration (CORS, lifecycle, encryption,
website ...) does the same thing: store the request's payload member and
answer it back in the Get operation's output shape.  ``Kind`` names the two
operations and what is particular to one configuration: its default (what a
new bucket reports), the error when there is none, and a validator that checks
and normalizes the document before it is stored.  The model supplies the
rest: which member is the payload, which members are required and which
values an enum allows (AWS answers MalformedXML for both), and whether the
Get output wraps the document in a payload member.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from lowcloud.errors import AwsError
from lowcloud.protocol.model import operation
from lowcloud.services.s3 import buckets, config_store, errors

DEFAULT_ENCRYPTION = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                                 "BucketKeyEnabled": False}]}
BLOCK_ALL = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
             "RestrictPublicBuckets": True}
DEFAULT_OWNERSHIP = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}


def _as_is(svc, bucket, doc: dict, params: dict) -> dict:
    return doc


@dataclass(frozen=True)
class Kind:
    name: str  # storage key
    put: str  # botocore operation names
    get: str
    missing: Callable[[str], AwsError] | None = None  # the Get error when nothing is stored
    default: object = None  # what a new bucket (or a Delete) leaves, when AWS has one
    validate: Callable = _as_is  # (svc, bucket, document, params) -> document to store


def not_found(code: str, message: str) -> Callable[[str], AwsError]:
    return lambda bucket: AwsError(code, message, status=404, BucketName=bucket)


def malformed_unless(condition: bool) -> None:
    if not condition:
        raise errors.malformed_xml()


# --- the generic operations ----------------------------------------------------
def put(svc, kind: Kind, params: dict) -> dict:
    bucket = buckets.require(svc, params["Bucket"])
    shape, doc = _payload(kind.put, params)
    malformed_unless(conforms(shape, doc))
    config_store.save(svc, bucket, kind.name, kind.validate(svc, bucket, doc, params))
    return {}


def get(svc, kind: Kind, params: dict) -> dict:
    bucket = buckets.require(svc, params["Bucket"])
    return shaped(kind.get, current(svc, bucket, kind))


def delete(svc, kind: Kind, params: dict) -> dict:
    """Drop the document; where a new bucket has a default that Delete removes for good, keep a null."""
    bucket = buckets.require(svc, params["Bucket"])
    if kind.default is not None and kind.missing is not None:
        config_store.save(svc, bucket, kind.name, None)
    else:
        config_store.drop(svc, bucket, kind.name)
    return {}  # 204 No Content: the model's responseCode


def current(svc, bucket, kind: Kind):
    """The bucket's document of ``kind``: stored, else the default, else the kind's not-found error."""
    found = config_store.load(svc, bucket, kind.name, absent=kind.default)
    if found is not None:
        return found
    if kind.missing is None:
        return {}
    raise kind.missing(bucket.name)


def _payload(op_name: str, params: dict):
    """(shape, value) of the operation's payload member; MissingRequestBodyError when absent."""
    shape = operation("s3", op_name).input_shape
    member = shape.serialization["payload"]
    if params.get(member) is None:
        raise AwsError("MissingRequestBodyError", "Request Body is empty", status=400)
    return shape.members[member], params[member]


def shaped(op_name: str, doc) -> dict:
    """A stored document as the Get operation's output: wrapped in its payload member, or flat."""
    shape = operation("s3", op_name).output_shape
    member = shape.serialization.get("payload")
    if member:
        return {member: doc}
    return {k: v for k, v in (doc or {}).items() if k in shape.members}


def conforms(shape, value) -> bool:
    """Whether ``value`` has the required members and enum values the model asks for."""
    kind = shape.type_name
    if kind == "structure":
        return (isinstance(value, dict) and all(m in value for m in shape.required_members)
                and all(conforms(shape.members[k], v) for k, v in value.items() if k in shape.members))
    if kind == "list":
        return isinstance(value, list) and all(conforms(shape.member, v) for v in value)
    if kind == "string" and shape.enum:
        return value in shape.enum
    return True


# --- per-id configurations (analytics, metrics, inventory, intelligent tiering) ------------------
def put_by_id(svc, kind: Kind, params: dict) -> dict:
    return put(svc, _with_id(kind, params["Id"]), params)


def get_by_id(svc, kind: Kind, params: dict) -> dict:
    bucket = buckets.require(svc, params["Bucket"])
    doc = config_store.load(svc, bucket, f"{kind.name}:{params['Id']}")
    if doc is None:
        raise AwsError("NoSuchConfiguration", "The specified configuration does not exist.", status=404)
    return shaped(kind.get, doc)


def delete_by_id(svc, kind: Kind, params: dict) -> dict:
    get_by_id(svc, kind, params)
    bucket = buckets.require(svc, params["Bucket"])
    config_store.drop(svc, bucket, f"{kind.name}:{params['Id']}")
    return {}


def list_by_id(svc, kind: Kind, params: dict, list_member: str) -> dict:
    bucket = buckets.require(svc, params["Bucket"])
    found = config_store.load_prefixed(svc, bucket, f"{kind.name}:")
    out = {"IsTruncated": False}
    if found:
        out[list_member] = found
    return out


def _with_id(kind: Kind, config_id: str) -> Kind:
    return Kind(f"{kind.name}:{config_id}", kind.put, kind.get, kind.missing, None, kind.validate)
