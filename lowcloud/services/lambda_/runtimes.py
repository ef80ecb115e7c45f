"""Which local program runs a Lambda runtime, and the environment AWS gives it.

Every ``python3.x`` runtime runs on the interpreter running lowcloud (it has
boto3, as AWS's Python runtimes do); every ``nodejsNN.x`` runtime runs on the
machine's ``node``.  Each starts lowcloud's own bootstrap (``bootstrap_python.py``
/ ``bootstrap_node.js``), which speaks the Lambda Runtime API like AWS's runtime
interface clients.  The environment is built from nothing: the function's own
variables, then AWS's reserved ones, so a worker never sees lowcloud's
environment.  ``/var/task`` and ``/opt`` are per-function directories here; the
variables that name them (LAMBDA_TASK_ROOT, PYTHONPATH, NODE_PATH) point at those.
"""
from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = re.compile(r"^python3\.\d+$")
NODE = re.compile(r"^nodejs\d+\.x$")
BASE_PATH = "/usr/local/bin:/usr/bin/:/bin:/opt/bin"
RESERVED = ("_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
            "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
            "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
            "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
            "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR")


def family(runtime: str | None) -> str | None:
    """'python', 'node', or None when lowcloud cannot run this runtime."""
    if runtime and PYTHON.match(runtime):
        return "python"
    if runtime and NODE.match(runtime):
        return "node"
    return None


def node_binary() -> str | None:
    return shutil.which("node")


@dataclass
class Launch:
    """What a worker process needs: argv, environment, working directory."""
    argv: list[str]
    env: dict[str, str]
    cwd: str


@dataclass
class FunctionSetup:
    """The facts of one function version that shape its workers."""
    name: str
    version: str
    runtime: str
    handler: str
    memory: int
    timeout: int
    task_root: Path
    opt_dir: Path | None
    variables: dict[str, str]
    region: str
    log_group: str


def launch(setup: FunctionSetup, runtime_api: str, log_stream: str, credentials: dict,
           endpoint_url: str | None) -> Launch:
    """argv/env/cwd of a worker: runtime defaults, then the function's variables, then AWS's reserved ones."""
    opt = str(setup.opt_dir) if setup.opt_dir else ""
    if family(setup.runtime) == "python":
        program = sys.executable
        argv = [program, str(HERE / "bootstrap_python.py"), opt]
    else:
        program = node_binary() or "node"
        argv = [program, str(HERE / "bootstrap_node.js"), opt]
    env = _defaults(setup, opt, str(Path(program).parent), endpoint_url)
    env.update(setup.variables)
    env.update(_reserved(setup, runtime_api, log_stream, credentials))
    return Launch(argv, env, str(setup.task_root))


def _defaults(setup: FunctionSetup, opt: str, lang_bin: str, endpoint_url: str | None) -> dict:
    """The variables AWS sets but lets a function override (TZ, LANG, PATH, NODE_PATH...)."""
    env = {"TZ": ":UTC", "LANG": "en_US.UTF-8", "PATH": f"{lang_bin}:{BASE_PATH}" + (f":{opt}/bin" if opt else "")}
    if family(setup.runtime) == "node":
        major = setup.runtime[len("nodejs"):-len(".x")]
        layers = [f"{opt}/nodejs/node{major}/node_modules", f"{opt}/nodejs/node_modules"] if opt else []
        env["NODE_PATH"] = ":".join(layers + [str(setup.task_root)])
    if endpoint_url:
        env["AWS_ENDPOINT_URL"] = endpoint_url
    return env


def _reserved(setup: FunctionSetup, runtime_api: str, log_stream: str, credentials: dict) -> dict:
    return {
        "AWS_LAMBDA_FUNCTION_NAME": setup.name,
        "AWS_LAMBDA_FUNCTION_VERSION": setup.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(setup.memory),
        "AWS_LAMBDA_LOG_GROUP_NAME": setup.log_group,
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "AWS_REGION": setup.region,
        "AWS_DEFAULT_REGION": setup.region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{setup.runtime}",
        "LAMBDA_TASK_ROOT": str(setup.task_root),
        "LAMBDA_RUNTIME_DIR": str(HERE),
        "_HANDLER": setup.handler,
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_ACCESS_KEY": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_SESSION_TOKEN": credentials.get("SessionToken", ""),
    }

