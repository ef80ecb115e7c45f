"""AttributeValue rules: validation with AWS's messages, canonical numbers, sizes, key bytes.

One walk over a value both validates it and measures it (``clean``), because
PutItem pays for every pass.  Values are never mutated: a value that is already
canonical is returned as the very same object, so the common case allocates
nothing.  Numbers are kept as canonical decimal strings (what AWS returns:
"1.50" -> "1.5", "1E+2" -> "100"), which makes string equality number equality.
Key bytes (``key_bytes``) sort under memcmp exactly as DynamoDB orders keys:
N numerically, S by UTF-8 bytes, B by bytes — so SQLite's ORDER BY on a BLOB
column is the key order.
"""
from __future__ import annotations

import functools
import hashlib
import re
from decimal import Decimal

from lowcloud.errors import AwsError

INVALID = "One or more parameter values were invalid: "
MAX_ITEM_BYTES = 400 * 1024
MAX_HASH_KEY_BYTES = 2048
MAX_RANGE_KEY_BYTES = 1024
MAX_NAME_BYTES = 65535
MAX_NESTING = 32
NAME_TOO_LARGE = "1 validation error detected: Attribute name is too large, must be less than 65536 bytes"
SET_TYPES = {"SS": "S", "NS": "N", "BS": "B"}
SET_WORDS = {"SS": "string", "NS": "number", "BS": "binary"}
ALL_TYPES = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")
_NUMBER = re.compile(r"^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$")
_CANONICAL = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?")


def invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message)


# --- numbers ------------------------------------------------------------------

def parse_number(text) -> tuple[int, str, int]:
    """(sign, significant digits, exponent) with value = sign * 0.digits * 10**exponent."""
    m = _NUMBER.match(text) if isinstance(text, str) else None
    if m is None or not (m.group(2) or m.group(3)):
        raise invalid(f"The parameter cannot be converted to a numeric value: {text}")
    sign, whole, frac, exp = m.groups()
    frac = frac or ""
    digits = (whole + frac).lstrip("0")
    if not digits:
        return 0, "", 0
    point = len(whole) - (len(whole + frac) - len(digits)) + int(exp or 0)
    digits = digits.rstrip("0")
    return (-1 if sign == "-" else 1), digits, point


def canonical_number(text) -> str:
    """AWS's canonical text for a number; ValidationException if out of range."""
    if type(text) is str and len(text) <= 38 and (_plain_integer(text) or _CANONICAL.fullmatch(text)) \
            and text != "-0":
        return text
    sign, digits, point = parse_number(text)
    if not digits:
        return "0"
    if len(digits) > 38:
        raise invalid("Attempting to store more than 38 significant digits in a Number")
    if point - 1 > 125:
        raise invalid("Number overflow. Attempting to store a number with magnitude larger than supported range")
    if point - 1 < -130:
        raise invalid("Number underflow. Attempting to store a number with magnitude smaller than supported range")
    if point <= 0:
        body = "0." + "0" * -point + digits
    elif point >= len(digits):
        body = digits + "0" * (point - len(digits))
    else:
        body = digits[:point] + "." + digits[point:]
    return "-" + body if sign < 0 else body


def _plain_integer(text: str) -> bool:
    """ASCII digits without a leading zero ("0" itself included): canonical as it stands."""
    return text.isdigit() and text.isascii() and (text[0] != "0" or len(text) == 1)


def _is_plain_integer(value) -> bool:
    """A string that is already a canonical integer of at most 38 digits (``canonical_number`` keeps it)."""
    return type(value) is str and len(value) <= 38 and value.isdigit() and value.isascii() \
        and (value[0] != "0" or len(value) == 1)


def number_of(av_n: str) -> Decimal:
    return Decimal(av_n)


def format_decimal(value: Decimal) -> str:
    """Canonical AWS text for an arithmetic result (validated like any input)."""
    return canonical_number(format(value, "f") if value == value.to_integral_value() else str(value))


def _number_size(canon: str) -> int:
    digits = canon.lstrip("-").replace(".", "").strip("0")
    return (len(digits) + 1) // 2 + 1


# --- validation + size ------------------------------------------------------------

def clean(av, where: str = INVALID, depth: int = 1) -> tuple[dict, int]:
    """Validate one AttributeValue at nesting level ``depth``; return (canonical value, size in bytes)."""
    if type(av) is not dict or len(av) != 1:
        raise _shape_error(av, where)
    (kind, value), = av.items()
    if kind == "S":
        if type(value) is not str:
            raise invalid(f"{where}Invalid attribute value type")
        return av, len(value.encode("utf-8")) if not value.isascii() else len(value)
    if kind == "N":
        if _is_plain_integer(value):
            return av, (len(value.rstrip("0")) + 1) // 2 + 1  # _number_size of a canonical integer
        canon = canonical_number(value)
        return (av if canon == value else {"N": canon}), _number_size(canon)
    if kind in SET_TYPES:
        return _clean_set(av, kind, value, where)
    return _clean_other(av, kind, value, where, depth)


def _clean_other(av, kind, value, where, depth):
    if kind == "B":
        data = _as_bytes(value)
        return (av if data is value else {"B": data}), len(data)
    if kind == "BOOL":
        return (av if type(value) is bool else {"BOOL": bool(value)}), 1
    if kind == "NULL":
        if value is not True:
            raise invalid(f"{where}Null attribute value types must have the value of true")
        return av, 1
    if kind == "M":
        return _clean_map(av, value, where, depth)
    if kind == "L":
        return _clean_list(av, value, where, depth)
    raise _shape_error({}, where)


def _clean_map(av, value, where, depth):
    if type(value) is not dict:
        raise invalid(f"{where}Invalid attribute value type")
    _check_depth(value, depth)
    out, size, changed = {}, 3, False
    for name, sub in value.items():
        c, s = clean(sub, where, depth + 1)
        changed |= c is not sub
        out[name] = c
        named = len(name.encode("utf-8"))
        if named > MAX_NAME_BYTES:
            raise invalid(NAME_TOO_LARGE)
        size += named + s + 1
    return ({"M": out} if changed else av), size


def _clean_list(av, value, where, depth):
    if type(value) is not list:
        raise invalid(f"{where}Invalid attribute value type")
    _check_depth(value, depth)
    out, size, changed = [], 3, False
    for sub in value:
        c, s = clean(sub, where, depth + 1)
        changed |= c is not sub
        out.append(c)
        size += s + 1
    return ({"L": out} if changed else av), size


def _check_depth(members, depth: int) -> None:
    if depth >= MAX_NESTING and members:
        raise invalid("Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
                      "beyond supported limit")


def _clean_set(av, kind, value, where):
    if not isinstance(value, (list, tuple)) or not value:
        raise invalid(f"{where}An {SET_WORDS[kind]} set  may not be empty")
    if kind == "NS":
        members = [canonical_number(v) for v in value]
        size = sum(_number_size(m) for m in members)
    elif kind == "SS":
        members = value if type(value) is list else list(value)
        joined = "".join(members)  # its UTF-8 length is the sum of the members'
        size = len(joined) if joined.isascii() else len(joined.encode("utf-8"))
    else:
        members = [_as_bytes(v) for v in value]
        size = sum(len(m) for m in members)
    if len(set(members)) != len(members):
        shown = ", ".join(str(v) for v in value)
        raise invalid(f"{where}Input collection [{shown}] contains duplicates.")
    return ({kind: members} if members is not value and members != value else av), size


def _as_bytes(value) -> bytes:
    if type(value) is bytes:
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    raise invalid(INVALID + "Invalid attribute value type")


def _shape_error(av, where):
    if type(av) is dict and len(av) > 1:
        return invalid(f"{where}Supplied AttributeValue has more than one datatypes set, "
                       "must contain exactly one of the supported datatypes")
    return invalid(f"{where}Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")


def clean_item(item: dict) -> tuple[dict, int]:
    """Validate a whole item; return (canonical item, DynamoDB item size)."""
    if type(item) is not dict:
        raise invalid(INVALID + "Invalid item")
    out, size = None, 0
    for name, av in item.items():
        c, s = av, -1
        if type(av) is dict and len(av) == 1:  # strings and canonical integers, checked inline (most attributes)
            value = av.get("S")
            if type(value) is str:
                s = len(value) if value.isascii() else len(value.encode("utf-8"))
            else:
                value = av.get("N")  # _is_plain_integer, inline
                if type(value) is str and len(value) <= 38 and value.isdigit() and value.isascii() \
                        and (value[0] != "0" or len(value) == 1):
                    s = (len(value.rstrip("0")) + 1) // 2 + 1  # _number_size of a canonical integer
        if s < 0:
            c, s = clean(av)
        if c is not av and out is None:
            out = _leading(item, name)
        if out is not None:
            out[name] = c
        named = len(name) if name.isascii() else len(name.encode("utf-8"))
        if named > MAX_NAME_BYTES:
            raise invalid(NAME_TOO_LARGE)
        size += named + s
    return (item if out is None else out), size


def _leading(item: dict, stop: str) -> dict:
    """The attributes of ``item`` before ``stop`` (already canonical)."""
    out = {}
    for name, av in item.items():
        if name == stop:
            return out
        out[name] = av
    return out


def check_name(name) -> None:
    """An attribute name given outside an item (expression names, AttributesToGet, AttributeUpdates)."""
    if isinstance(name, str) and len(name) > MAX_NAME_BYTES // 4 and len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise invalid(NAME_TOO_LARGE)


def item_size(item: dict) -> int:
    return sum(len(name.encode("utf-8")) + clean(av)[1] for name, av in item.items())


def value_size(av: dict) -> int:
    return clean(av)[1]


def type_of(av: dict) -> str:
    for kind in av:
        return kind
    return ""


# --- key bytes -----------------------------------------------------------------------

def key_bytes(kind: str, value) -> bytes:
    """Bytes whose memcmp order is DynamoDB's order for keys of ``kind``."""
    if kind == "S":
        return value.encode("utf-8")
    if kind == "B":
        return _as_bytes(value)
    return number_key(value)


def number_key(canon: str) -> bytes:
    """Order-preserving bytes for a canonical number (sign, exponent, digits)."""
    if canon.isdigit() and canon.isascii():  # as parse_number would split it (value = 0.digits * 10**point)
        digits = canon.lstrip("0")
        if not digits:
            return b"\x01"
        return b"\x02" + (len(digits) + 0x8000).to_bytes(2, "big") + digits.rstrip("0").encode()
    sign, digits, point = parse_number(canon)
    if not digits:
        return b"\x01"
    exponent = (point + 0x8000).to_bytes(2, "big")
    if sign > 0:
        return b"\x02" + exponent + digits.encode()
    flipped = bytes(0xFF - b for b in exponent)
    return b"\x00" + flipped + bytes(0x69 - ord(c) for c in digits) + b"\xff"


@functools.lru_cache(maxsize=4096)
def partition_bucket(pk: bytes) -> int:
    """A stable 16-bit hash of the partition key: the Scan order and segment space."""
    return int.from_bytes(hashlib.blake2b(pk, digest_size=2).digest(), "big")


def prefix_upper_bound(prefix: bytes) -> bytes | None:
    """Smallest byte string greater than every string starting with ``prefix``."""
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes([stripped[-1] + 1])
