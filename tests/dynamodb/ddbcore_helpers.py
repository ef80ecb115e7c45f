"""Assertion helpers for the DynamoDB core tests."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def error_of(call, *args, **kwargs) -> tuple[str, str, dict]:
    """(code, message, full response) of the ClientError ``call`` raises."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    err = info.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err
