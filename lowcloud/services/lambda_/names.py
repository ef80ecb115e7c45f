"""Names, ARNs, timestamps and the error texts Lambda answers with.

Lambda accepts a function as a bare name, a partial ARN (``123456789012:function:f``)
or a full ARN, each optionally ending in ``:qualifier``; every operation resolves it
the same way, so the parsing and the "Function not found: <arn>" wording live here.
Errors carry ``Type: "User"`` as Lambda's error bodies do.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from lowcloud.errors import AwsError

LATEST = "$LATEST"
_FUNCTION_REF = re.compile(
    r"^(?:arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?"
    r"(?:(?P<account>\d{12}):)?(?:function:)?(?P<name>[a-zA-Z0-9_-]{1,64})"
    r"(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9_-]+))?$")
_ALIAS = re.compile(r"^(?!^[0-9]+$)[a-zA-Z0-9_-]{1,128}$")
_VERSION = re.compile(r"^[0-9]+$")


def error(code: str, message: str) -> AwsError:
    return AwsError(code, message, Type="User")


def invalid(message: str) -> AwsError:
    return error("InvalidParameterValueException", message)


def conflict(message: str) -> AwsError:
    return error("ResourceConflictException", message)


def not_found(message: str) -> AwsError:
    return error("ResourceNotFoundException", message)


def validation(value, path: str, rule: str) -> AwsError:
    return AwsError("ValidationException", f"1 validation error detected: Value '{value}' at '{path}' "
                                           f"failed to satisfy constraint: {rule}")


def parse_function_ref(ref: str, qualifier: str | None = None) -> tuple[str, str | None]:
    """(name, qualifier) from a name/ARN with an optional ``:qualifier`` suffix."""
    match = _FUNCTION_REF.match(ref or "")
    if match is None:
        raise validation(ref, "functionName", "Member must satisfy regular expression pattern: "
                         r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?"
                         r"(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?")
    derived = match.group("qualifier")
    if derived and qualifier and derived != qualifier:
        raise invalid("The derived qualifier from the function name does not match the specified qualifier.")
    return match.group("name"), qualifier or derived


def is_version(qualifier: str | None) -> bool:
    return qualifier == LATEST or bool(qualifier and _VERSION.match(qualifier))


def check_alias_name(name: str) -> None:
    if not _ALIAS.match(name or ""):
        raise validation(name, "name", r"Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)")


def function_arn(region: str, account: str, name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def function_not_found(arn: str) -> AwsError:
    return not_found(f"Function not found: {arn}")


def timestamp(epoch: float) -> str:
    """Lambda's LastModified text: ``2024-06-10T06:13:20.123+0000``."""
    moment = datetime.fromtimestamp(epoch, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def iso_z(epoch: float, millis: bool = True) -> str:
    """``2024-06-10T06:13:20.123Z`` (or second precision) as destination records show times."""
    moment = datetime.fromtimestamp(epoch, timezone.utc)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{moment.microsecond // 1000:03d}Z" if millis else text + "Z"


def to_datetime(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


def arn_parts(arn: str) -> list[str]:
    """``arn:aws:svc:region:account:resource...`` split into at most 6 parts."""
    return arn.split(":", 5)
