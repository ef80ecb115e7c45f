"""The ``lowcloud`` command: serve the gateway, show status, run the demo and executions.

Each command builds one Cloud and hands it to the layer that does the work; the
CLI itself only parses options and prints.
"""
from __future__ import annotations

import json
import sys
import time
import urllib.request

import click
from rich.console import Console
from rich.table import Table

from lowcloud import __version__

console = Console()


def _make_cloud(data_dir: str | None, fast: bool, endpoint: str | None = None):
    from lowcloud.cloud import Cloud
    from lowcloud.clock import SystemClock, VirtualClock
    clock = VirtualClock() if fast else SystemClock()
    return Cloud(data_dir=data_dir, clock=clock, endpoint_url=endpoint)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="lowcloud")
def main() -> None:
    """Run AWS serverless data pipelines on one machine, unchanged."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", default=4566, show_default=True, type=int)
@click.option("--data-dir", default=".lowcloud", show_default=True, help="Where state persists.")
@click.option("--fast", is_flag=True, help="Virtual clock: every wait finishes as soon as nothing else can run.")
def up(host: str, port: int, data_dir: str, fast: bool) -> None:
    """Serve the AWS APIs on HOST:PORT until Ctrl-C; state persists in DATA_DIR."""
    from lowcloud.protocol.gateway import ServerThread
    cloud = _make_cloud(data_dir, fast)
    server = ServerThread(cloud, host=host, port=port)
    cloud.restore_services()
    console.print(f"lowcloud {__version__} serving on [bold]{server.url}[/] (data: {data_dir}, "
                  f"clock: {'virtual' if fast else 'system'})")
    try:
        server.serve_forever()
    finally:
        cloud.close()


@main.command()
@click.option("--endpoint", default="http://127.0.0.1:4566", show_default=True)
def status(endpoint: str) -> None:
    """Show whether a gateway answers at ENDPOINT and which services it serves."""
    try:
        with urllib.request.urlopen(endpoint.rstrip("/") + "/_lowcloud/health", timeout=5) as resp:
            doc = json.load(resp)
    except OSError as exc:
        console.print(f"[red]no lowcloud at {endpoint}[/]: {exc}")
        sys.exit(1)
    table = Table(title=f"lowcloud {doc['version']} at {endpoint}")
    table.add_column("service")
    table.add_column("state")
    for name, state in sorted(doc["services"].items()):
        table.add_row(name, state)
    console.print(table)


@main.command()
@click.option("--data-dir", default=None, help="Keep the demo's state here (default: in memory).")
def demo(data_dir: str | None) -> None:
    """Run the seed pipelines end to end on an embedded lowcloud with a virtual clock."""
    from lowcloud.demo import run_demo
    started = time.perf_counter()
    ok = run_demo(console, data_dir)
    console.print(f"demo finished in {time.perf_counter() - started:.1f}s wall time")
    sys.exit(0 if ok else 1)


@main.command()
@click.argument("target")
@click.option("--input", "input_", default="{}", help="Execution input: JSON text or @file.")
@click.option("--fast", is_flag=True, help="Virtual clock: Waits finish instantly.")
@click.option("--endpoint", default=None, help="Run against a serving lowcloud instead of an embedded one.")
@click.option("--data-dir", default=None)
def run(target: str, input_: str, fast: bool, endpoint: str | None, data_dir: str | None) -> None:
    """Start an execution of TARGET (state machine name/ARN, or a definition file) and follow it."""
    from lowcloud.runner import run_execution
    text = open(input_[1:]).read() if input_.startswith("@") else input_
    sys.exit(run_execution(console, target, text, fast=fast, endpoint=endpoint,
                           make_cloud=lambda: _make_cloud(data_dir, fast)))


if __name__ == "__main__":
    main()
