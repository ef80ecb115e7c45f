"""What every IAM operation shares: AWS's error texts, ids, paging, dates.

IAM speaks the Query protocol: errors carry the short codes (``NoSuchEntity``,
``EntityAlreadyExists``, ``DeleteConflict``, ``ValidationError``...) and list
operations page with ``Marker`` / ``MaxItems`` / ``IsTruncated``.  Unique ids
are a four-letter prefix naming the kind (AROA role, AIDA user, ANPA policy,
AIPA instance profile) and 17 upper-case letters/digits from the Cloud's ids.
"""
from __future__ import annotations

import base64
from datetime import datetime, timezone
from urllib.parse import quote

from lowcloud.errors import AwsError
from lowcloud.services import constraints

ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
DEFAULT_MAX_ITEMS = 100


def no_such_entity(message: str) -> AwsError:
    return AwsError("NoSuchEntity", message)


def already_exists(message: str) -> AwsError:
    return AwsError("EntityAlreadyExists", message)


def delete_conflict(message: str) -> AwsError:
    return AwsError("DeleteConflict", message)


def limit_exceeded(message: str) -> AwsError:
    return AwsError("LimitExceeded", message)


def found(entity, message: str):
    """``entity`` when it exists, else NoSuchEntity with ``message``."""
    if entity is None:
        raise no_such_entity(message)
    return entity


def check(op: str, params: dict) -> None:
    """The model's max/pattern/enum constraints, answered as IAM's ValidationError."""
    constraints.check("iam", op, params, "ValidationError")


def new_id(ids, prefix: str) -> str:
    return prefix + ids.chars(17, ID_ALPHABET)


def encoded(document: str) -> str:
    """Policy documents leave IAM URL-encoded (RFC 3986), as GetRole and friends return them."""
    return quote(document, safe="")


def date(epoch: int | float) -> datetime:
    return datetime.fromtimestamp(int(epoch), timezone.utc)


def path_of(params: dict) -> str:
    return params.get("Path") or "/"


def on_path(entities, params: dict) -> list:
    """The entities whose path starts with the request's PathPrefix (default "/")."""
    prefix = params.get("PathPrefix") or "/"
    return [e for e in entities if e.path.startswith(prefix)]


def page(items: list, params: dict, key, field: str) -> dict:
    """One page of ``items`` (already sorted by ``key``) under ``field``, with IAM's marker."""
    start = 0
    if params.get("Marker"):
        after = _unmark(params["Marker"])
        start = next((i for i, item in enumerate(items) if key(item) > after), len(items))
    limit = params.get("MaxItems") or DEFAULT_MAX_ITEMS
    chunk = items[start:start + limit]
    out = {field: chunk, "IsTruncated": start + limit < len(items)}
    if out["IsTruncated"]:
        out["Marker"] = base64.b64encode(key(chunk[-1]).encode()).decode()
    return out


def _unmark(marker: str) -> str:
    try:
        return base64.b64decode(marker.encode(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        raise AwsError("ValidationError", "Invalid Marker.") from None


def tag_list(tags: list[tuple[str, str]]) -> list[dict]:
    return [{"Key": k, "Value": v} for k, v in tags]
