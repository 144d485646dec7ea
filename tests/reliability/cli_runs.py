"""The real `csu-assure` command as the reliability tests run it: a cohort's argv, one migrated PREFECT_HOME for the
session, half-written files, and launchers lined up on a barrier.

Also runnable as a launcher that lines several processes up on a barrier file before they run the command:

    python -m tests.reliability.cli_runs READY_FILE BARRIER_FILE -- cohort COHORT --checkpoint 2 ...

The launcher imports everything (and, under Prefect, starts the temporary API server) first, touches
READY_FILE, waits for BARRIER_FILE to exist and only then runs the command, so processes started one after the
other reach the pipeline at the same moment instead of a few import-seconds apart.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from tests.support.processes import BIN, ROOT, clean_env, spawn, stop_leftovers, tail, wait_until

CLI = BIN / "csu-assure"
CHECKPOINT = 2
# What an interrupted writer can leave: the atomic writer's temporary files (and the partial-file naming some
# tools use), Word's and LibreOffice's lock files. None of them may survive a completed re-run.
TEMP_SUFFIXES = (".tmp", ".partial")
TEMP_PREFIXES = ("~$", ".~lock.")


@functools.cache
def prepared_prefect_home() -> Path:
    """One PREFECT_HOME for the session, its database migrated up front.

    A fresh home makes the first temporary server migrate its database (20 s and more here): a kill during that
    is not what these tests are about, and two processes migrating one fresh database at once time out.
    """
    home = Path(tempfile.mkdtemp(prefix="csu-reliability-prefect-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)  # shared by test modules: removed at exit
    done = subprocess.run(
        [str(BIN / "prefect"), "server", "database", "upgrade", "-y"],
        env=clean_env(home),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"migrating Prefect's database failed:\n{done.stdout}\n{done.stderr}")
    return home


def cohort_argv(cohort: Path, out: Path, *, prefect: bool) -> list[str]:
    argv = [str(CLI), "cohort", str(cohort), "--checkpoint", str(CHECKPOINT), "--out", str(out)]
    return argv if prefect else [*argv, "--no-prefect"]


def temp_files(root: Path) -> list[Path]:
    """Anything under `root` named like an unfinished write."""
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and (p.name.endswith(TEMP_SUFFIXES) or p.name.startswith(TEMP_PREFIXES))
    )


# -- launcher: line processes up on a barrier ------------------------------------------------------------------


def launcher_argv(ready: Path, barrier: Path, cli_args: Sequence[str]) -> list[str]:
    """This module as the launcher; run from the repository root, where `-m` finds it (see `lined_up`)."""
    return [sys.executable, "-m", __name__, str(ready), str(barrier), "--", *cli_args]


@contextlib.contextmanager
def lined_up(
    runs: Sequence[Sequence[str]], *, env: Mapping[str, str], workdir: Path, timeout: float = 300
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Start one launcher per CLI argument list, wait until all are ready, then release them together.

    Process i writes standard output to `workdir/run-i.out`, the rest to `workdir/run-i.log`.
    """
    barrier = workdir / "go"
    processes: list[subprocess.Popen[bytes]] = []
    try:
        readies = []
        for i, cli_args in enumerate(runs):
            ready = workdir / f"ready-{i}"
            readies.append(ready)
            processes.append(
                spawn(
                    launcher_argv(ready, barrier, cli_args),
                    env=env,
                    log=workdir / f"run-{i}.log",
                    stdout=workdir / f"run-{i}.out",
                    cwd=ROOT,
                )
            )

        def all_ready() -> bool | None:
            for p, log in zip(processes, (workdir / f"run-{i}.log" for i in range(len(runs))), strict=True):
                if p.poll() is not None:
                    raise AssertionError(f"a launcher exited before the barrier\n{tail(log)}")
            return True if all(r.exists() for r in readies) else None

        wait_until(all_ready, timeout=timeout, what="every launcher to be ready", interval=0.1)
        barrier.touch()
        yield processes
    finally:
        for p in processes:
            stop_leftovers(p)


def _launch(ready: Path, barrier: Path, cli_args: list[str]) -> None:
    import cli

    if "--no-prefect" not in cli_args:
        # Imported and started now, so that every process starts the race equally ready.
        from prefect.client.orchestration import get_client

        import flows.assess
        import flows.cohort  # noqa: F401  # imported for its start-up cost, not its names

        with get_client(sync_client=True) as client:  # starts the temporary server the flow will use
            failure = client.api_healthcheck()
        if failure is not None:
            raise failure
    ready.touch()
    while not barrier.exists():
        time.sleep(0.001)
    sys.argv = ["csu-assure", *cli_args]
    cli.main()


if __name__ == "__main__":
    args = sys.argv[1:]
    split = args.index("--")
    _launch(Path(args[0]), Path(args[1]), args[split + 1 :])
