"""Scalar conversions shared by every protocol: timestamps, blobs, booleans.

Each protocol stores timestamps its own way (epoch seconds in JSON bodies,
ISO 8601 in query/XML bodies, RFC 822 in headers); a shape's
``timestampFormat`` overrides the protocol default.  Values that do not parse
raise ``WireError`` so the dispatcher can answer with the protocol's
serialization error instead of a 500.
"""
from __future__ import annotations

import base64
import binascii
import calendar
from datetime import datetime, timezone
from email.utils import formatdate, parsedate_to_datetime

from botocore.utils import parse_timestamp


class WireError(ValueError):
    """A request value that does not fit its shape's type."""


def parse_time(value) -> datetime:
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, timezone.utc)
        text = str(value)
        if text.replace(".", "", 1).isdigit():
            return datetime.fromtimestamp(float(text), timezone.utc)
        try:
            return parsedate_to_datetime(text).astimezone(timezone.utc)
        except (TypeError, ValueError):
            return parse_timestamp(text).astimezone(timezone.utc)
    except (ValueError, TypeError, OverflowError, OSError) as exc:
        raise WireError(f"invalid timestamp {value!r}") from exc


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def epoch(value: datetime) -> float:
    value = _aware(value)
    return calendar.timegm(value.utctimetuple()) + value.microsecond / 1e6


def format_time(value: datetime, fmt: str) -> str | float | int:
    """Render a datetime in a model timestampFormat (unixTimestamp, iso8601, rfc822).

    ``iso8601-seconds`` is the whole-second form IAM and STS answer with."""
    if isinstance(value, (int, float)):
        value = datetime.fromtimestamp(value, timezone.utc)
    if fmt == "unixTimestamp":
        seconds = epoch(value)
        return int(seconds) if seconds == int(seconds) else round(seconds, 3)
    if fmt == "rfc822":
        return formatdate(epoch(value), usegmt=True)
    value = _aware(value).astimezone(timezone.utc)
    if fmt == "iso8601-seconds":
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def b64decode(text) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError, ValueError) as exc:
        raise WireError("invalid base64 value") from exc


def b64encode(data) -> str:
    if isinstance(data, str):
        data = data.encode()
    return base64.b64encode(bytes(data)).decode()


def parse_bool(text) -> bool:
    if isinstance(text, bool):
        return text
    low = str(text).lower()
    if low in ("true", "false"):
        return low == "true"
    raise WireError(f"invalid boolean {text!r}")


def parse_number(text, type_name: str):
    try:
        if isinstance(text, bool):
            raise ValueError
        return int(text) if type_name in ("integer", "long") else float(text)
    except (TypeError, ValueError) as exc:
        raise WireError(f"invalid {type_name} {text!r}") from exc
