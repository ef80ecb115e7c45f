"""Bucket CORS: the rules S3 accepts, and how a request is matched against them.

``validated`` applies PutBucketCors's checks (methods, wildcards, rule count)
with AWS's messages.  ``preflight`` and ``response_headers`` compute what S3
answers to an ``OPTIONS`` preflight and which ``Access-Control-*`` headers an
ordinary request with an ``Origin`` gets; they need only the raw request
facts, so an HTTP front end can call them without an operation model.
"""
from __future__ import annotations

import fnmatch

from lowcloud.errors import AwsError
from lowcloud.services.s3 import config_store, errors

KIND = "cors"  # the configuration store's name for a bucket's CORS document
METHODS = ("GET", "PUT", "HEAD", "POST", "DELETE")
MAX_RULES = 100


def validated(svc, bucket, doc: dict, params: dict) -> dict:
    rules = doc.get("CORSRules") or []
    if not rules:
        raise errors.malformed_xml()
    if len(rules) > MAX_RULES:
        raise errors.invalid_request("The number of CORS rules should not exceed allowed limit of 100 rules.")
    for rule in rules:
        _check_rule(rule)
    return {"CORSRules": rules}


def _check_rule(rule: dict) -> None:
    for method in rule["AllowedMethods"]:
        if method not in METHODS:
            raise errors.invalid_request(f"Found unsupported HTTP method in CORS config. Unsupported method is "
                                         f"{method}")
    for origin in rule["AllowedOrigins"]:
        if origin.count("*") > 1:
            raise errors.invalid_request(f'AllowedOrigin "{origin}" can not have more than one wildcard.')
    for header in rule.get("AllowedHeaders") or []:
        if header.count("*") > 1:
            raise errors.invalid_request(f'AllowedHeader "{header}" can not have more than one wildcard.')


def matching_rule(rules: list, origin: str, method: str, headers: list[str]) -> dict | None:
    """The first rule allowing ``origin``, ``method`` and every requested header (S3 takes the first)."""
    for rule in rules:
        if (method in rule["AllowedMethods"] and _any_match(rule["AllowedOrigins"], origin, False)
                and all(_any_match(rule.get("AllowedHeaders") or [], h, True) for h in headers)):
            return rule
    return None


def _any_match(patterns: list, value: str, fold: bool) -> bool:
    if fold:
        return any(fnmatch.fnmatchcase(value.lower(), p.lower()) for p in patterns)
    return any(fnmatch.fnmatchcase(value, p) for p in patterns)


def preflight(rules: list | None, origin: str | None, method: str | None, headers: str | None) -> dict:
    """Response headers for an OPTIONS preflight, or S3's 403 when no rule allows it."""
    if not origin or not method:
        raise AwsError("BadRequest", "Insufficient information. Origin request header needed.", status=400)
    requested = [h.strip() for h in (headers or "").split(",") if h.strip()]
    rule = matching_rule(rules or [], origin, method, requested) if rules else None
    if rule is None:
        message = "CORSResponse: This CORS request is not allowed. This is usually because the evalution of " \
                  "Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers " \
                  "are not whitelisted by the resource's CORS spec." if rules else \
                  "CORSResponse: CORS is not enabled for this bucket."
        raise AwsError("AccessForbidden", message, status=403, Method=method, ResourceType="OBJECT")
    out = _allow(rule, origin)
    out["Access-Control-Allow-Methods"] = ", ".join(rule["AllowedMethods"])
    if requested:
        out["Access-Control-Allow-Headers"] = ", ".join(h.lower() for h in requested)
    return _exposed_and_max_age(rule, out)


def response_headers(rules: list | None, origin: str | None, method: str) -> dict:
    """``Access-Control-*`` headers for an ordinary request carrying ``Origin`` (none when no rule matches)."""
    if not rules or not origin:
        return {}
    rule = matching_rule(rules, origin, method, [])
    if rule is None:
        return {}
    out = _allow(rule, origin)
    out["Access-Control-Allow-Methods"] = ", ".join(rule["AllowedMethods"])
    return _exposed_and_max_age(rule, out)


def _exposed_and_max_age(rule: dict, out: dict) -> dict:
    if rule.get("ExposeHeaders"):
        out["Access-Control-Expose-Headers"] = ", ".join(rule["ExposeHeaders"])
    if rule.get("MaxAgeSeconds") is not None:
        out["Access-Control-Max-Age"] = str(rule["MaxAgeSeconds"])
    return out


def _allow(rule: dict, origin: str) -> dict:
    """The allow-origin pair: ``*`` echoes as ``*`` without credentials, else the origin with credentials."""
    if "*" in rule["AllowedOrigins"]:
        return {"Access-Control-Allow-Origin": "*", "Vary": "Origin, Access-Control-Request-Headers, "
                "Access-Control-Request-Method"}
    return {"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true",
            "Vary": "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"}


def bucket_rules(svc, bucket_name: str) -> list | None:
    """The CORS rules of a bucket (None when it has none or does not exist), for an HTTP front end."""
    bucket = svc.store.bucket(bucket_name)
    found = config_store.load(svc, bucket, KIND) if bucket is not None else None
    return found["CORSRules"] if found else None
