"""AWS errors as values: services raise ``AwsError(code, message)``.

The protocol layer turns one into the wire shape of the service's protocol and
takes the HTTP status and fault from the botocore model's error shape, so a
service only ever names the code AWS uses.
"""
from __future__ import annotations


class AwsError(Exception):
    """An error AWS would return: ``code`` as in the model, extra output fields in ``fields``."""

    def __init__(self, code: str, message: str = "", status: int | None = None, sender: bool = True, **fields):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.sender = sender
        self.fields = fields

    def __repr__(self) -> str:
        return f"AwsError({self.code!r}, {self.message!r})"


def validation(message: str) -> AwsError:
    """The json/rest-json services' generic input error."""
    return AwsError("ValidationException", message)
