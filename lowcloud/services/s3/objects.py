"""What PUT, COPY, GET and HEAD share: key rules, stored attributes, checksums.

An object's content headers, user metadata and tags are stored as one JSON
``attrs`` document exactly as the request gave them (metadata keys
lower-cased, as HTTP delivers them to AWS), and turned back into the output
fields boto3 parses from GetObject/HeadObject.
"""
from __future__ import annotations

import base64
import binascii
from datetime import datetime, timezone

from lowcloud.errors import AwsError
from lowcloud.services.s3 import checksums, errors, tagging

MAX_KEY_BYTES = 1024
MAX_METADATA_BYTES = 2048
CONTENT_FIELDS = ("ContentType", "ContentEncoding", "ContentDisposition", "ContentLanguage", "CacheControl",
                  "WebsiteRedirectLocation")
DEFAULT_CONTENT_TYPE = "binary/octet-stream"
VERSION_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"
STORAGE_CLASSES = ("STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
                   "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE", "FSX_OPENZFS")


def check_key(key: str) -> None:
    size = len(key.encode("utf-8"))
    if size > MAX_KEY_BYTES:
        raise errors.key_too_long(size)


def to_datetime(epoch: float) -> datetime:
    return datetime.fromtimestamp(int(epoch * 1000) / 1000, tz=timezone.utc)


def to_epoch(value) -> float | None:
    """Seconds since the epoch of a timestamp param; None for a value that is not a time (ignored, as S3 does)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    return None


def quoted(etag: str) -> str:
    return f'"{etag}"'


def unquoted(etag: str) -> str:
    return etag.strip().strip('"')


def new_version_id(ids) -> str:
    return ids.chars(32, VERSION_ALPHABET)


def storage_class(params: dict) -> str:
    value = params.get("StorageClass") or "STANDARD"
    if value not in STORAGE_CLASSES:
        raise AwsError("InvalidStorageClass", "The storage class you specified is not valid", status=400,
                       StorageClassRequested=value)
    return value


def attrs_from(params: dict) -> dict:
    """The stored attributes of a new object from PutObject/CreateMultipartUpload/CopyObject params."""
    attrs = {f: params[f] for f in CONTENT_FIELDS if params.get(f) is not None}
    encoding = _without_aws_chunked(attrs.pop("ContentEncoding", None))
    if encoding:
        attrs["ContentEncoding"] = encoding
    attrs.setdefault("ContentType", DEFAULT_CONTENT_TYPE)
    _check_redirect(attrs.get("WebsiteRedirectLocation"))
    if to_epoch(params.get("Expires")) is not None:
        attrs["Expires"] = to_epoch(params["Expires"])
    attrs["Metadata"] = metadata_from(params.get("Metadata"))
    attrs["ServerSideEncryption"] = params.get("ServerSideEncryption") or "AES256"
    if params.get("SSEKMSKeyId"):
        attrs["SSEKMSKeyId"] = params["SSEKMSKeyId"]
    if params.get("Tagging"):
        attrs["Tags"] = tagging.from_header(params["Tagging"])
    return attrs


def _check_redirect(location: str | None) -> None:
    if location is not None and not location.startswith(("http://", "https://", "/")):
        raise AwsError("InvalidArgument", "The website redirect location must have a prefix of 'http://' or "
                       "'https://' or '/'", status=400, ArgumentName="x-amz-website-redirect-location",
                       ArgumentValue=location)


def _without_aws_chunked(encoding: str | None) -> str | None:
    if not encoding:
        return None
    kept = [e.strip() for e in encoding.split(",") if e.strip() and e.strip().lower() != "aws-chunked"]
    return ",".join(kept) or None


def metadata_from(metadata: dict | None) -> dict:
    meta = {k.lower(): v for k, v in (metadata or {}).items()}
    size = sum(len(k.encode()) + len(v.encode()) for k, v in meta.items())
    if size > MAX_METADATA_BYTES:
        raise AwsError("MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.",
                       status=400, Size=str(size), MaxSizeAllowed=str(MAX_METADATA_BYTES))
    return meta


def describe(obj, versioned: bool, checksum_mode: bool) -> dict:
    """GetObject/HeadObject output fields for a stored version (body and range aside)."""
    attrs = obj.attributes()
    out = {"AcceptRanges": "bytes", "LastModified": to_datetime(obj.modified), "ContentLength": obj.size,
           "ETag": quoted(obj.etag), "Metadata": attrs.get("Metadata", {})}
    out.update({f: attrs[f] for f in CONTENT_FIELDS if f in attrs})
    if "Expires" in attrs:
        out["Expires"] = to_datetime(attrs["Expires"])
    out["ServerSideEncryption"] = attrs.get("ServerSideEncryption", "AES256")
    if attrs.get("SSEKMSKeyId"):
        out["SSEKMSKeyId"] = attrs["SSEKMSKeyId"]
    if obj.storage_class and obj.storage_class != "STANDARD":
        out["StorageClass"] = obj.storage_class
    if versioned:
        out["VersionId"] = obj.version_id
    if attrs.get("Tags"):
        out["TagCount"] = len(attrs["Tags"])
    if checksum_mode:
        out.update(checksum_fields(obj))
    return out


def checksum_fields(obj) -> dict:
    if not obj.checksum_value:
        return {}
    return {f"Checksum{obj.checksum_algorithm}": obj.checksum_value, "ChecksumType": obj.checksum_type}


def requested_checksum(params: dict) -> tuple[str | None, str | None]:
    """(algorithm, client-sent value) from the ChecksumXXX / ChecksumAlgorithm params, validated."""
    given = [(a, params[f"Checksum{a}"]) for a in checksums.ALGORITHMS + checksums.UNSUPPORTED
             if params.get(f"Checksum{a}")]
    if len(given) > 1:
        raise errors.invalid_request("Expecting a single x-amz-checksum- header. "
                                     "Multiple checksum Types are not allowed.")
    if given:
        algorithm, value = given[0]
        if algorithm in checksums.UNSUPPORTED:
            raise errors.not_implemented(checksums.header_name(algorithm))
        if checksums.decode(algorithm, value) is None:
            raise errors.invalid_request(f"Value for {checksums.header_name(algorithm)} header is invalid.")
        return algorithm, value
    return checksum_algorithm(params.get("ChecksumAlgorithm")), None


def checksum_algorithm(value: str | None) -> str | None:
    if not value:
        return None
    algorithm = value.upper()
    if algorithm in checksums.UNSUPPORTED:
        raise errors.not_implemented("x-amz-checksum-algorithm")
    if algorithm not in checksums.ALGORITHMS:
        raise errors.invalid_request("Checksum algorithm provided is unsupported. Please try again with any of "
                                     "the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
    return algorithm


def content_md5(params: dict) -> bytes | None:
    """The decoded Content-MD5, checked for form before the body is read."""
    value = params.get("ContentMD5")
    if value is None:
        return None
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 16:
        raise errors.invalid_digest()
    return raw


def verify_digests(params: dict, expected_md5: bytes | None, digests, algorithm, value) -> None:
    """BadDigest when the body does not match the Content-MD5 or the sent checksum."""
    if expected_md5 is not None and expected_md5 != digests.md5.digest():
        raise errors.bad_digest_md5(params["ContentMD5"], checksums.b64(digests.md5.digest()))
    if value is not None and digests.checksum(algorithm) != value:
        raise errors.bad_checksum(algorithm)
