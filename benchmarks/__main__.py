"""`python -m benchmarks [engine|reports|prefect ...]`: run benchmarks and update BENCHMARKS.md."""

from __future__ import annotations

import importlib
import sys

ALL = ("startup", "engine", "reports", "prefect_runs", "whatif")


def main() -> None:
    chosen = sys.argv[1:] or list(ALL)
    for name in chosen:
        if name not in ALL:
            raise SystemExit(f"unknown benchmark {name!r}; choose from {', '.join(ALL)}")
        importlib.import_module(f"benchmarks.{name}").main()


if __name__ == "__main__":
    main()
