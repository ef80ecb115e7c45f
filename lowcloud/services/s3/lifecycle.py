"""Bucket lifecycle configuration: the rule checks PutBucketLifecycleConfiguration makes.

lowcloud stores and returns lifecycle rules; it does not run them (no object
expires or transitions).  The checks are AWS's, in its order and words:
structural problems are MalformedXML, out-of-range values InvalidArgument,
rules that say nothing to do InvalidRequest.  A rule without an ID gets one,
as S3 assigns it.
"""
from __future__ import annotations

from datetime import datetime

from lowcloud.services.s3 import errors

MAX_RULES = 1000
ACTIONS = ("Expiration", "Transitions", "NoncurrentVersionExpiration", "NoncurrentVersionTransitions",
           "AbortIncompleteMultipartUpload")
MIN_TRANSITION_DAYS = {"STANDARD_IA": 30, "ONEZONE_IA": 30}
DEFAULT_MINIMUM_SIZE = "all_storage_classes_128K"
ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def validated(svc, bucket, doc: dict, params: dict) -> dict:
    rules = doc.get("Rules") or []
    if not rules or len(rules) > MAX_RULES:
        raise errors.malformed_xml()
    seen: set = set()
    for rule in rules:
        _check_rule(rule, seen)
    out = {"Rules": [_with_id(rule, svc.cloud.ids) for rule in rules]}
    out["TransitionDefaultMinimumObjectSize"] = params.get("TransitionDefaultMinimumObjectSize") or \
        DEFAULT_MINIMUM_SIZE
    return out


def _with_id(rule: dict, ids) -> dict:
    return rule if rule.get("ID") else {"ID": ids.chars(48, ID_ALPHABET), **rule}


def _check_rule(rule: dict, seen: set) -> None:
    rule_id = rule.get("ID")
    if rule_id is not None:
        if len(rule_id) > 255:
            raise errors.invalid_argument("ID length should not exceed allowed limit of 255", "ID", rule_id)
        if rule_id in seen:
            raise errors.invalid_argument("Rule ID must be unique. Found same ID for more than one rule", "ID",
                                          rule_id)
        seen.add(rule_id)
    if ("Filter" in rule) == ("Prefix" in rule):
        raise errors.malformed_xml()
    _check_filter(rule.get("Filter"))
    if not any(rule.get(action) for action in ACTIONS):
        raise errors.invalid_request("At least one action needs to be specified in a rule")
    _check_expiration(rule.get("Expiration"), _has_tags(rule.get("Filter")))
    _check_noncurrent(rule)
    _check_transitions(rule.get("Transitions") or [])
    _check_abort(rule.get("AbortIncompleteMultipartUpload"), _has_tags(rule.get("Filter")))


def _check_filter(found: dict | None) -> None:
    """At most one of Prefix, Tag, And and the object-size bounds, unless wrapped in And."""
    if not found:
        return
    direct = [k for k in ("Prefix", "Tag", "And") if k in found]
    if len(direct) > 1 or (direct and direct != ["Prefix"] and
                           any(k in found for k in ("ObjectSizeGreaterThan", "ObjectSizeLessThan"))):
        raise errors.malformed_xml()


def _has_tags(found: dict | None) -> bool:
    return bool(found) and ("Tag" in found or bool((found.get("And") or {}).get("Tags")))


def _check_expiration(expiration: dict | None, tagged: bool) -> None:
    if not expiration:
        return
    given = [k for k in ("Days", "Date", "ExpiredObjectDeleteMarker") if k in expiration]
    if len(given) != 1:
        raise errors.malformed_xml()
    if "Days" in expiration:
        _positive(expiration["Days"], "'Days' for Expiration action must be a positive integer", "Days")
    if "Date" in expiration:
        _midnight(expiration["Date"])
    if "ExpiredObjectDeleteMarker" in expiration and tagged:
        raise errors.invalid_request("ExpiredObjectDeleteMarker cannot be specified with Tags.")


def _check_noncurrent(rule: dict) -> None:
    expiration = rule.get("NoncurrentVersionExpiration")
    if expiration:
        _positive(expiration.get("NoncurrentDays"), "'NoncurrentDays' for NoncurrentVersionExpiration action "
                  "must be a positive integer", "NoncurrentDays")
    for transition in rule.get("NoncurrentVersionTransitions") or []:
        _positive(transition.get("NoncurrentDays"), "'NoncurrentDays' for NoncurrentVersionTransition action "
                  "must be a positive integer", "NoncurrentDays")


def _check_transitions(transitions: list) -> None:
    for transition in transitions:
        if ("Days" in transition) == ("Date" in transition) or "StorageClass" not in transition:
            raise errors.malformed_xml()
        if "Date" in transition:
            _midnight(transition["Date"])
            continue
        days, storage = transition["Days"], transition["StorageClass"]
        if days < 0:
            raise errors.invalid_argument("'Days' for Transition action must be a positive integer", "Days",
                                          str(days))
        if days < MIN_TRANSITION_DAYS.get(storage, 0):
            raise errors.invalid_argument(f"'Days' in Transition action must be greater than or equal to 30 for "
                                          f"storageClass '{storage}'", "Days", str(days))


def _check_abort(abort: dict | None, tagged: bool) -> None:
    if not abort:
        return
    if tagged:
        raise errors.invalid_request("AbortIncompleteMultipartUpload cannot be specified with Tags.")
    _positive(abort.get("DaysAfterInitiation"), "'DaysAfterInitiation' for AbortIncompleteMultipartUpload "
              "action must be a positive integer", "DaysAfterInitiation")


def _positive(value, message: str, name: str) -> None:
    if value is None:
        raise errors.malformed_xml()
    if value <= 0:
        raise errors.invalid_argument(message, name, str(value))


def _midnight(value) -> None:
    if not isinstance(value, datetime) or (value.hour, value.minute, value.second, value.microsecond) != (0, 0, 0, 0):
        raise errors.invalid_argument("'Date' must be at midnight GMT", "Date", str(value))
