"""S3's errors with AWS's codes, statuses, messages and extra XML fields.

One constructor per error so every raise site says what went wrong in AWS's
words; codes missing from the botocore model carry their HTTP status here.
"""
from __future__ import annotations

from lowcloud.errors import AwsError


def no_such_bucket(bucket: str) -> AwsError:
    return AwsError("NoSuchBucket", "The specified bucket does not exist", status=404, BucketName=bucket)


def no_such_key(key: str) -> AwsError:
    return AwsError("NoSuchKey", "The specified key does not exist.", status=404, Key=key)


def no_such_version(key: str, version_id: str) -> AwsError:
    return AwsError("NoSuchVersion", "The specified version does not exist.", status=404,
                    Key=key, VersionId=version_id)


def no_such_upload(upload_id: str) -> AwsError:
    return AwsError("NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, "
                    "or the upload may have been aborted or completed.", status=404, UploadId=upload_id)


def bucket_already_owned(bucket: str) -> AwsError:
    return AwsError("BucketAlreadyOwnedByYou",
                    "Your previous request to create the named bucket succeeded and you already own it.",
                    status=409, BucketName=bucket)


def bucket_not_empty(bucket: str) -> AwsError:
    return AwsError("BucketNotEmpty", "The bucket you tried to delete is not empty", status=409,
                    BucketName=bucket)


def invalid_bucket_name(bucket: str) -> AwsError:
    return AwsError("InvalidBucketName", "The specified bucket is not valid.", status=400, BucketName=bucket)


def invalid_argument(message: str, name: str, value: str | None = None) -> AwsError:
    extra = {"ArgumentName": name} if value is None else {"ArgumentName": name, "ArgumentValue": value}
    return AwsError("InvalidArgument", message, status=400, **extra)


def invalid_request(message: str) -> AwsError:
    return AwsError("InvalidRequest", message, status=400)


def invalid_range(requested: str, size: int) -> AwsError:
    return AwsError("InvalidRange", "The requested range is not satisfiable", status=416,
                    RangeRequested=requested, ActualObjectSize=str(size))


def precondition_failed(condition: str) -> AwsError:
    return AwsError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
                    status=412, Condition=condition)


def not_modified() -> AwsError:
    return AwsError("NotModified", "Not Modified", status=304)


def malformed_xml() -> AwsError:
    return AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against "
                    "our published schema", status=400)


def key_too_long(size: int) -> AwsError:
    return AwsError("KeyTooLongError", "Your key is too long", status=400, MaxSizeAllowed="1024", Size=str(size))


def bad_digest_md5(expected: str, calculated: str) -> AwsError:
    return AwsError("BadDigest", "The Content-MD5 you specified did not match what we received.", status=400,
                    ExpectedDigest=expected, CalculatedDigest=calculated)


def invalid_digest() -> AwsError:
    return AwsError("InvalidDigest", "The Content-MD5 you specified is not valid.", status=400)


def bad_checksum(algorithm: str) -> AwsError:
    return AwsError("BadDigest", f"The {algorithm} you specified did not match the calculated checksum.",
                    status=400)


def entity_too_small(size: int, part_number: int, etag: str) -> AwsError:
    return AwsError("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.",
                    status=400, ProposedSize=str(size), MinSizeAllowed="5242880",
                    PartNumber=str(part_number), ETag=etag)


def invalid_part(part_number: int, etag: str) -> AwsError:
    return AwsError("InvalidPart", "One or more of the specified parts could not be found.  The part may not "
                    "have been uploaded, or the specified entity tag may not match the part's entity tag.",
                    status=400, PartNumber=str(part_number), ETag=etag)


def invalid_part_order() -> AwsError:
    return AwsError("InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered "
                    "by part number.", status=400)


def method_not_allowed(method: str, resource_type: str) -> AwsError:
    return AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.",
                    status=405, Method=method, ResourceType=resource_type)


def not_implemented(header: str) -> AwsError:
    return AwsError("NotImplemented", "A header you provided implies functionality that is not implemented",
                    status=501, Header=header)


def invalid_part_number(part_number: int, count: int) -> AwsError:
    return AwsError("InvalidPartNumber", "The requested partnumber is not satisfiable", status=416,
                    PartNumberRequested=str(part_number), ActualPartCount=str(count))


def delete_marker_headers(err: AwsError, marker) -> AwsError:
    """A read that lands on a delete marker says so in headers, on the 404 and the 405 alike."""
    err.headers = {"x-amz-delete-marker": "true", "x-amz-version-id": marker.version_id}
    return err


def entity_too_large(proposed: int, limit: int) -> AwsError:
    return AwsError("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", status=400,
                    ProposedSize=str(proposed), MaxSizeAllowed=str(limit))


def missing_content_length() -> AwsError:
    return AwsError("MissingContentLength", "You must provide the Content-Length HTTP header.", status=411)
