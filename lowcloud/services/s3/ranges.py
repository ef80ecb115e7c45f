"""The Range header of GetObject/HeadObject and UploadPartCopy's x-amz-copy-source-range.

S3 serves one byte range: a header it cannot use (bad syntax, several ranges,
last < first) is ignored and the whole object is returned, while a range that
starts at or past the end is 416 InvalidRange.  A last byte past the end is
clamped; a suffix longer than the object means the whole object.
"""
from __future__ import annotations

import re

from lowcloud.services.s3 import errors

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_COPY_RANGE = re.compile(r"^bytes=(\d+)-(\d+)$")


def resolve(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) inclusive for a usable range, None for the whole object; InvalidRange if unsatisfiable."""
    if not header:
        return None
    match = _RANGE.match(header.strip().replace(" ", ""))
    if not match or match.group(1) == match.group(2) == "":
        return None
    first, last = match.groups()
    if first == "":
        length = int(last)
        if length == 0 or size == 0:
            raise errors.invalid_range(header, size)
        return max(size - length, 0), size - 1
    if last != "" and int(last) < int(first):
        return None
    if int(first) >= size:
        raise errors.invalid_range(header, size)
    return int(first), size - 1 if last == "" else min(int(last), size - 1)


def copy_range(header: str | None, size: int) -> tuple[int, int]:
    """UploadPartCopy's source range (whole object when absent); InvalidArgument / InvalidRange as S3."""
    if header is None:
        return 0, size - 1
    match = _COPY_RANGE.match(header.strip())
    if not match or int(match.group(2)) < int(match.group(1)):
        raise errors.invalid_argument("The x-amz-copy-source-range value must be of the form bytes=first-last "
                                      "where first and last are the zero-based offsets of the first and last "
                                      "bytes to copy", "x-amz-copy-source-range", header)
    first, last = int(match.group(1)), int(match.group(2))
    if last >= size:
        raise errors.invalid_argument(f"Range specified is not valid for source object of size: {size}",
                                      "x-amz-copy-source-range", header)
    return first, last


def content_range(first: int, last: int, size: int) -> str:
    return f"bytes {first}-{last}/{size}"
