"""Function and layer code: zips in the blob store, unpacked once into directories.

A zip is stored under its SHA-256 (so identical uploads share one blob) and is
unpacked on first use into ``<root>/task/<sha>`` - the worker's
``LAMBDA_TASK_ROOT``.  A function's layers, in order, are unpacked together into
``<root>/opt/<hash of their shas>``: lowcloud's stand-in for ``/opt`` (later
layers overwrite earlier files, as on AWS).  Unpacking goes to a temp dir that is
renamed into place, so two workers starting at once never see half a tree.
``root`` is ``<data dir>/lambda-<region>`` or a private temp dir for in-memory Clouds.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lowcloud.services.lambda_.names import invalid

UNZIPPED_LIMIT = 262_144_000
UNZIP_ERROR = "Could not unzip uploaded file. Please check your file, then try to upload again."


@dataclass(frozen=True)
class CodeBlob:
    code_id: str  # hex SHA-256, also the blob id
    sha256: str   # base64 SHA-256 as CodeSha256 shows it
    size: int


def describe(data: bytes) -> CodeBlob:
    digest = hashlib.sha256(data)
    return CodeBlob(digest.hexdigest(), base64.b64encode(digest.digest()).decode(), len(data))


def check_zip(data: bytes) -> None:
    """InvalidParameterValueException unless ``data`` is a zip lowcloud can unpack safely."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise invalid(UNZIP_ERROR) from None
    if sum(m.file_size for m in members) > UNZIPPED_LIMIT:
        raise invalid(f"Unzipped size must be smaller than {UNZIPPED_LIMIT} bytes")
    if any(_unsafe(m.filename) for m in members):
        raise invalid(UNZIP_ERROR)


def _unsafe(member: str) -> bool:
    path = Path(member)
    return path.is_absolute() or ".." in path.parts


def zip_directory(directory: str | os.PathLike) -> bytes:
    """A deterministic zip of a local code directory (the deploy layer's CodeUri)."""
    root = Path(directory)
    if not root.is_dir():
        raise invalid(f"Code directory {directory} does not exist")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(root).as_posix(), (1980, 1, 1, 0, 0, 0))
            info.external_attr = (path.stat().st_mode & 0o777) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


class CodeStore:
    """Stores zips and hands out unpacked directories for workers."""

    def __init__(self, blobs, data_dir: Path | None, region: str):
        self.blobs = blobs
        self._temp = None if data_dir is not None else tempfile.mkdtemp(prefix="lowcloud-lambda-")
        self.root = Path(self._temp) if self._temp else data_dir / f"lambda-{region}"

    def put(self, data: bytes) -> CodeBlob:
        check_zip(data)
        blob = describe(data)
        if not self.blobs.exists(blob.code_id):
            self.blobs.write(blob.code_id, data)
        return blob

    def read(self, code_id: str) -> bytes:
        return self.blobs.read(code_id)

    def task_root(self, code_id: str) -> Path:
        target = self.root / "task" / code_id
        if not target.exists():
            self._unpack([code_id], target)
        return target

    def opt_dir(self, code_ids: list[str]) -> Path | None:
        """The merged ``/opt`` of these layer zips, or None without layers."""
        if not code_ids:
            return None
        key = hashlib.sha256("/".join(code_ids).encode()).hexdigest()
        target = self.root / "opt" / key
        if not target.exists():
            self._unpack(code_ids, target)
        return target

    def _unpack(self, code_ids: list[str], target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".unpack-"))
        try:
            for code_id in code_ids:
                _extract(self.read(code_id), staging)
            os.replace(staging, target)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            if not target.exists():
                raise

    def close(self) -> None:
        if self._temp:
            shutil.rmtree(self._temp, ignore_errors=True)


def _extract(data: bytes, target: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.infolist():
            if _unsafe(member.filename):
                continue
            path = Path(archive.extract(member, target))
            mode = (member.external_attr >> 16) & 0o777
            if mode and not member.is_dir():
                path.chmod(mode | stat.S_IRUSR)
