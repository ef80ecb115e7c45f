"""Run every bench (or those named) and print lowcloud against its peer, measured in the same run.

    python bench/run.py            # all
    python bench/run.py s3 sfn     # some
"""
from __future__ import annotations

import importlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

BENCHES = ["bench_s3", "bench_dynamodb", "bench_sfn", "bench_lambda"]


def main(names: list[str]) -> None:
    from common import print_results
    chosen = [b for b in BENCHES if not names or b.removeprefix("bench_") in names]
    for name in chosen:
        module = importlib.import_module(name)
        print_results(module.TITLE, module.run())


if __name__ == "__main__":
    main(sys.argv[1:])
