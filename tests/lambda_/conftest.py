"""Fixtures for the Lambda tests: an execution role, a deploy helper, the v2 aws-sdk for Node."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from lambda_helpers import TRUST, make_zip


@pytest.fixture
def lam(cloud):
    return cloud.client("lambda")


@pytest.fixture
def role(cloud):
    return cloud.client("iam").create_role(RoleName="lambda-role", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]


@pytest.fixture
def deploy(lam, role):
    """``deploy(name, files, handler=..., runtime=..., **extra)`` -> CreateFunction's response."""
    def create(name: str, files: dict, handler: str = "app.handler", runtime: str = "python3.12", **extra):
        return lam.create_function(FunctionName=name, Runtime=runtime, Role=role, Handler=handler,
                                   Code={"ZipFile": make_zip(files)}, **extra)
    return create


@pytest.fixture(scope="session")
def node_sdk_modules():
    """node_modules with the v2 ``aws-sdk`` (npm install into a cache dir once); skip when npm can't."""
    npm = shutil.which("npm")
    if not npm or not shutil.which("node"):
        pytest.skip("node/npm not installed")
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "lowcloud-tests" / "node-aws-sdk-v2"
    if not (cache / "node_modules" / "aws-sdk" / "package.json").exists():
        cache.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund", "--silent",
                               "aws-sdk@2"], capture_output=True, timeout=300)
        if done.returncode != 0:
            pytest.skip(f"npm could not install aws-sdk: {done.stderr.decode()[-300:]}")
    return str(cache / "node_modules")
