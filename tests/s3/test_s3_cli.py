"""The real AWS CLI (awscli from PyPI) against the gateway: mb, cp up and down, ls, rm, rb."""
from __future__ import annotations

import os


def test_aws_s3_high_level_commands(aws_cli, tmp_path):
    upload = tmp_path / "up"
    upload.mkdir()
    (upload / "hello.txt").write_bytes(b"hello from the cli\n")
    big = os.urandom(9 * 1024 * 1024)  # above the CLI's 8 MiB multipart threshold
    (upload / "big.bin").write_bytes(big)
    assert "make_bucket: cli-bucket" in aws_cli("s3", "mb", "s3://cli-bucket").stdout
    aws_cli("s3", "cp", str(upload), "s3://cli-bucket/data/", "--recursive")
    listing = aws_cli("s3", "ls", "s3://cli-bucket/", "--recursive").stdout
    assert "data/hello.txt" in listing and "data/big.bin" in listing and str(len(big)) in listing
    aws_cli("s3", "cp", "s3://cli-bucket/data/", str(tmp_path / "down"), "--recursive")
    assert (tmp_path / "down" / "big.bin").read_bytes() == big
    assert (tmp_path / "down" / "hello.txt").read_bytes() == b"hello from the cli\n"
    aws_cli("s3", "rm", "s3://cli-bucket/data/hello.txt")
    missing = aws_cli("s3api", "head-object", "--bucket", "cli-bucket", "--key", "data/hello.txt", check=False)
    assert missing.returncode != 0 and "404" in missing.stderr
    aws_cli("s3", "rb", "s3://cli-bucket", "--force")
    assert "cli-bucket" not in aws_cli("s3", "ls").stdout
