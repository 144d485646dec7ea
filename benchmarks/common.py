"""Shared benchmark plumbing: timing, machine details, and writing one section of BENCHMARKS.md."""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "BENCHMARKS.md"
RUNS = 5


def median_seconds(action: Callable[[], object], runs: int = RUNS) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = ", ".join(
        f"{p} {metadata.version(p)}" for p in ("prefect", "pydantic", "python-docx", "python-pptx", "pandas")
    )
    return (
        f"{cpu}; {os.cpu_count()} cores; Python {platform.python_version()} on {platform.system()} "
        f"{platform.release()}; {versions}"
    )


def run_isolated(module: str, *args: str) -> dict[str, object]:
    """Run `python -m module args` in a fresh process (clean memory figures); it prints one JSON line last."""
    proc = subprocess.run(
        [sys.executable, "-m", module, *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{module} {args} failed:\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_section(name: str, body: str) -> None:
    """Replace (or append) the section between `<!-- name -->` markers in BENCHMARKS.md."""
    text = (
        REPORT.read_text(encoding="utf-8")
        if REPORT.exists()
        else (
            "# Benchmarks\n\nMeasured by `make bench` (`python -m benchmarks`); medians of "
            f"{RUNS} runs unless stated. Figures are measurements, not test assertions.\n"
        )
    )
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    block = (
        f"{start}\n{body.rstrip()}\n\n_Machine: {machine()}; measured {time.strftime('%Y-%m-%d')}._\n{end}"
    )
    if start in text:
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    REPORT.write_text(text, encoding="utf-8")
