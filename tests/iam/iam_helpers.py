"""Helpers shared by the IAM tests."""


def error_of(exc_info):
    """(code, message, HTTP status) of a ClientError caught by pytest.raises."""
    err = exc_info.value.response["Error"]
    return err["Code"], err["Message"], exc_info.value.response["ResponseMetadata"]["HTTPStatusCode"]
