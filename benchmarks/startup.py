"""How long a command takes to start: `csu-assure --help`, and `validate` of one CSU's submission (goal ≤ 0.5 s
each on an idle machine), one CSU assessed without Prefect for scale, and one CSU through Prefect cold and warm
(goal ≤ 3 s for the warm path's later commands). Each command runs in a fresh process,
as a user types it; the median of several runs is kept, and the imports behind the time are listed."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import ROOT, write_section

RUNS = 11
CSU = ROOT / "submissions" / "example-cohort" / "north-vale"
GOAL_S = 0.5


def _csu_assure() -> str:
    return str(Path(sys.executable).with_name("csu-assure"))


def timed(argv: list[str], runs: int = RUNS) -> tuple[float, list[float]]:
    """Median wall time of `argv` in fresh processes (one untimed run first fills the OS file cache)."""
    env = os.environ | {"DO_NOT_TRACK": "1"}
    subprocess.run(argv, capture_output=True, cwd=ROOT, env=env, check=False)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, cwd=ROOT, env=env, check=False)
        times.append(time.perf_counter() - started)
        if done.returncode not in (0, 1):
            raise RuntimeError(f"{argv} exited {done.returncode}:\n{done.stderr.decode()[-2000:]}")
    return statistics.median(times), times


def heaviest_imports(argv_tail: list[str], count: int = 5) -> list[tuple[str, float]]:
    """The top-level imports that cost most (cumulative µs from `python -X importtime`)."""
    code = f"import sys, cli; sys.argv = ['csu-assure', *{argv_tail!r}]; cli.main()"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    found = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit() and not parts[2].startswith("  "):
            found.append((parts[2].strip(), int(parts[1]) / 1e6))
    return sorted(found, key=lambda item: -item[1])[:count]


def main() -> None:
    tmp = ROOT / "out" / "bench" / "startup"
    cases = [
        ("`csu-assure --help`", [_csu_assure(), "--help"], ["--help"]),
        (
            "`csu-assure validate` one CSU (checkpoint 3)",
            [_csu_assure(), "validate", str(CSU / "cp3")],
            ["validate", str(CSU / "cp3")],
        ),
        (
            "`csu-assure assess --no-prefect` one CSU (checkpoint 3, with its report)",
            [_csu_assure(), "assess", str(CSU), "-c", "3", "--no-prefect", "--force", "--out", str(tmp)],
            None,
        ),
    ]
    rows = []
    for label, argv, tail in cases:
        median, times = timed(argv)
        heavy = ", ".join(f"{name} {s:.2f} s" for name, s in heaviest_imports(tail)) if tail else ""
        rows.append((label, median, min(times), max(times), heavy))
    load = os.getloadavg()[0]
    lines = [
        "## Command start-up",
        "",
        f"Each command in a fresh process, as typed ({RUNS} runs after one untimed run; median, fastest, slowest). "
        f"Goal: `--help` and `validate` of one CSU in ≤ {GOAL_S} s on an idle machine. The CLI imports each "
        "command's machinery only when that command runs, so `--help` loads typer and rich, not the engine, "
        "pandas or python-docx. *Heaviest imports* are the top-level modules that cost most "
        "(`python -X importtime`, cumulative).",
        "",
        "| command | median | fastest | slowest | heaviest imports |",
        "|---|---:|---:|---:|---|",
        *(f"| {label} | {m:.2f} s | {lo:.2f} s | {hi:.2f} s | {heavy} |" for label, m, lo, hi, heavy in rows),
        "",
        f"One-minute load average as the runs ended: {load:.1f} (2 cores; above about 1, other work shared them).",
        "",
        "**Goals.** "
        + "; ".join(
            f"{label}: {m:.2f} s — {'met' if m <= GOAL_S else 'missed'}" for label, m, _, _, _ in rows[:2]
        )
        + ".",
    ]
    lines += ["", *prefect_wall_times(tmp)]
    body = "\n".join(lines)
    write_section("startup", body)
    print(body)


PREFECT_RUNS = 5
WARM_GOAL_S = 3.0


def _prefect_env(home: Path, mode: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CSU_ASSURE_"))}
    return env | {"PREFECT_HOME": str(home), "CSU_ASSURE_PREFECT_MODE": mode, "DO_NOT_TRACK": "1"}


def _once(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, cwd=ROOT, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{argv} exited {done.returncode}:\n{done.stderr.decode()[-2000:]}")
    return time.perf_counter() - started


def prefect_wall_times(tmp: Path) -> list[str]:
    """One CSU through Prefect, as an assessor runs it: Prefect in the CLI's process (embedded server, fresh and
    warm PREFECT_HOME), and the warm path (the first command starts the local runner; later ones reuse it)."""
    import shutil
    import tempfile

    argv = [_csu_assure(), "assess", str(CSU), "-c", "3", "--force", "--out", str(tmp)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="csu-bench-prefect-") as scratch:
        home = Path(scratch) / "embedded"
        rows.append(
            (
                "Prefect in the CLI's process, fresh PREFECT_HOME (cold)",
                [_once(argv, _prefect_env(home, "embedded"))],
            )
        )
        rows.append(
            (
                "Prefect in the CLI's process, PREFECT_HOME used before",
                [_once(argv, _prefect_env(home, "embedded")) for _ in range(3)],
            )
        )
        warm = Path(scratch) / "warm"
        env = _prefect_env(warm, "local")
        try:
            rows.append(
                ("warm path, first command (starts the local runner, fresh home)", [_once(argv, env)])
            )
            rows.append(
                ("warm path, later commands (runner reused)", [_once(argv, env) for _ in range(PREFECT_RUNS)])
            )
        finally:
            subprocess.run(
                [_csu_assure(), "runner", "stop"], capture_output=True, cwd=ROOT, env=env, check=False
            )
        shutil.rmtree(scratch, ignore_errors=True)
    later = statistics.median(rows[-1][1])
    load = os.getloadavg()[0]
    return [
        "### One CSU through Prefect, cold and warm",
        "",
        "`csu-assure assess` of one CSU at checkpoint 3 with its report, wall time in a fresh process per command. "
        "*Prefect in the CLI's process* is the embedded default of Prefect (`CSU_ASSURE_PREFECT_MODE=embedded`): "
        "each command imports Prefect and starts a temporary API server. The *warm path* (the default) starts a "
        "local runner once (a `prefect server` and a process with the flows imported) and later commands only "
        f"send it their flow. Goal: ≤ {WARM_GOAL_S:g} s for the second and later commands on an idle machine.",
        "",
        "| how | runs | median | fastest | slowest |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {label} | {len(t)} | {statistics.median(t):.2f} s | {min(t):.2f} s | {max(t):.2f} s |"
            for label, t in rows
        ),
        "",
        f"One-minute load average as the runs ended: {load:.1f}. **Goal:** warm path, later commands "
        f"{later:.2f} s — {'met' if later <= WARM_GOAL_S else 'missed'}"
        + (" (on a busy machine; see the load)" if load > 1.0 else "")
        + ".",
    ]


if __name__ == "__main__":
    main()
