"""Event ids and the paging tokens built from them.

A log event's position is the pair (timestamp, row id): streams are read in
timestamp order and the row id breaks ties in ingestion order.  AWS's event
ids and GetLogEvents tokens are 56 decimal digits, so the pair is written as
24 + 32 zero-padded digits; string order then equals position order, and a
token is just ``f/`` or ``b/`` in front of the position it stops at.
FilterLogEvents tokens are opaque on AWS; ours are the same position,
base64-wrapped so nobody mistakes them for a GetLogEvents token.
"""
from __future__ import annotations

import base64
import re

from lowcloud.errors import AwsError

Position = tuple[int, int]  # (timestamp ms, row id)

START: Position = (0, 0)
_DIGITS = re.compile(r"[0-9]{56}")


def event_id(position: Position) -> str:
    timestamp, row = position
    return f"{timestamp:024d}{row:032d}"


def parse_event_id(digits: str) -> Position:
    return int(digits[:24]), int(digits[24:])


def stream_token(direction: str, position: Position) -> str:
    return f"{direction}/{event_id(position)}"


def parse_stream_token(token: str) -> tuple[str, Position]:
    """('f'|'b', position) of a GetLogEvents token; AWS's error if it is not one of ours."""
    direction, _, digits = token.partition("/")
    if direction not in ("f", "b") or not _DIGITS.fullmatch(digits):
        raise invalid_token()
    return direction, parse_event_id(digits)


def filter_token(position: Position) -> str:
    raw = f"lowcloud:{event_id(position)}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_filter_token(token: str) -> Position:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise invalid_token() from None
    prefix, _, digits = raw.partition(":")
    if prefix != "lowcloud" or not _DIGITS.fullmatch(digits):
        raise invalid_token()
    return parse_event_id(digits)


def sequence_token(count: int) -> str:
    """A stream's upload sequence token: 56 digits (AWS's start with 49) growing per batch."""
    return f"49{count:054d}"


def after_token(key: str) -> str:
    """Describe* paging: an opaque token for 'the items after ``key``'."""
    return base64.urlsafe_b64encode(f"after:{key}".encode()).decode()


def parse_after_token(token: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise invalid_token() from None
    prefix, sep, key = raw.partition(":")
    if prefix != "after" or not sep:
        raise invalid_token()
    return key


def invalid_token() -> AwsError:
    return AwsError("InvalidParameterException", "The specified nextToken is invalid.")
