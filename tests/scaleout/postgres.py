"""A throwaway PostgreSQL for tests, started exactly as `scripts/scaleout.py` starts it (the script is the one
place that knows how: initdb and pg_ctl as the `postgres` user when run as root, loopback, password auth)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "scaleout.py"


def scaleout_script() -> ModuleType:
    """`scripts/scaleout.py` as a module (it runs nothing on import)."""
    if "csu_assure_scaleout" in sys.modules:
        return sys.modules["csu_assure_scaleout"]
    spec = importlib.util.spec_from_file_location("csu_assure_scaleout", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["csu_assure_scaleout"] = module
    spec.loader.exec_module(module)
    return module


def skip_without_postgres() -> None:
    if scaleout_script().postgres_bin() is None:
        pytest.skip(
            "PostgreSQL server binaries not found: run scripts/install-system-deps.sh (or set PG_BIN)"
        )
