"""Run the real `csu-assure` command in its own process group, watch its register, and kill it mid-run.

Also runnable as a launcher that lines several processes up on a barrier file before they run the command:

    python tests/reliability/processes.py READY_FILE BARRIER_FILE -- cohort COHORT --checkpoint 2 ...

The launcher imports everything (and, under Prefect, starts the temporary API server) first, touches
READY_FILE, waits for BARRIER_FILE to exist and only then runs the command, so processes started one after the
other reach the pipeline at the same moment instead of a few import-seconds apart.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

BIN = Path(sys.executable).parent
CLI = BIN / "csu-assure"
HERE = Path(__file__).resolve()
CHECKPOINT = 2
# What an interrupted writer can leave: the atomic writer's temporary files (and the partial-file naming some
# tools use), Word's and LibreOffice's lock files. None of them may survive a completed re-run.
TEMP_SUFFIXES = (".tmp", ".partial")
TEMP_PREFIXES = ("~$", ".~lock.")


def clean_env(prefect_home: Path | None = None) -> dict[str, str]:
    """The test's environment minus any Prefect profile or CSU_ASSURE_* setting; Prefect in ephemeral mode."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CSU_ASSURE_"))}
    env.update(
        {
            "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_LOGGING_LEVEL": "INFO",
            # Prefect's default (20 s) is too short for a temporary server starting on a busy 2-core machine.
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        }
    )
    if prefect_home is not None:
        env["PREFECT_HOME"] = str(prefect_home)
    return env


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


def spawn(
    argv: Sequence[str], *, env: Mapping[str, str], log: Path, stdout: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start `argv` as the leader of a new process group (so one killpg reaches all it starts).

    Output goes to `log`, or standard output alone to `stdout` when given (e.g. to parse `--format json`).
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as files:
        errors = files.enter_context(log.open("ab"))
        output = files.enter_context(stdout.open("wb")) if stdout is not None else errors
        return subprocess.Popen(
            list(argv),
            env=dict(env),
            stdout=output,
            stderr=errors,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return f"<{path} does not exist>"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


@dataclass(frozen=True)
class Member:
    pid: int
    command: str


def group_members(pgid: int) -> list[Member]:
    """Live (not zombie) processes in process group `pgid`, read from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # it exited while we looked
            continue
        # Fields after the command name, which is in parentheses and may hold spaces: state ppid pgrp ...
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == pgid and state != "Z":
            members.append(Member(int(entry.name), command.strip()))
    return members


def wait_until(
    probe: Callable[[], T | None],
    *,
    timeout: float,
    what: str,
    interval: float = 0.1,
    explain: Callable[[], str] = lambda: "",
) -> T:
    """Call `probe` until it returns something other than None; a hang guard, not a timing assertion."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:.0f}s waiting for {what}\n{explain()}")
        time.sleep(interval)


def kill_group(process: subprocess.Popen[bytes]) -> list[Member]:
    """SIGKILL the whole process group `process` leads; returns who was in it. Waits until none is left."""
    pgid = process.pid
    members = group_members(pgid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    process.wait(timeout=60)
    wait_until(
        lambda: True if not group_members(pgid) else None,
        timeout=60,
        what=f"process group {pgid} to die",
        explain=lambda: "\n".join(f"{m.pid}: {m.command}" for m in group_members(pgid)),
    )
    return members


def stop_leftovers(process: subprocess.Popen[bytes]) -> None:
    """Kill what is left of a process group a test started (a hung leader, an orphaned temporary server)."""
    if process.poll() is None or group_members(process.pid):
        kill_group(process)


@dataclass(frozen=True)
class Killed:
    """A run killed at a kill point: what the probe saw, who was in the group, the killed leader's exit code."""

    seen: str
    members: tuple[Member, ...]
    returncode: int


def run_until_killed(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    log: Path,
    kill_when: Callable[[], str | None],
    timeout: float = 600,
    interval: float = 0.01,
) -> Killed:
    """Run `argv`; as soon as `kill_when()` describes a state, SIGKILL the process group in that state.

    Fails if the run ends on its own first (the kill point was never reached) or the guard runs out.
    """
    process = spawn(argv, env=env, log=log)
    try:

        def probe() -> str | None:
            seen = kill_when()
            if seen is None and process.poll() is not None:
                raise AssertionError(
                    f"the run ended (exit {process.returncode}) before the kill point\n{tail(log)}"
                )
            return seen

        seen = wait_until(
            probe, timeout=timeout, what="the kill point", interval=interval, explain=lambda: tail(log)
        )
        members = kill_group(process)
    finally:
        stop_leftovers(process)
    return Killed(seen, tuple(members), process.returncode)


def run_to_end(argv: Sequence[str], *, env: Mapping[str, str], log: Path, timeout: float = 900) -> int:
    """Run `argv` to completion (killing it on the hang guard); returns its exit code."""
    process = spawn(argv, env=env, log=log)
    try:
        return process.wait(timeout=timeout)
    finally:
        stop_leftovers(process)


def temp_files(root: Path) -> list[Path]:
    """Anything under `root` named like an unfinished write."""
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and (p.name.endswith(TEMP_SUFFIXES) or p.name.startswith(TEMP_PREFIXES))
    )


# -- launcher: line processes up on a barrier ------------------------------------------------------------------


def launcher_argv(ready: Path, barrier: Path, cli_args: Sequence[str]) -> list[str]:
    return [sys.executable, str(HERE), str(ready), str(barrier), "--", *cli_args]


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
                )
            )

        def all_ready() -> bool | None:
            for p, log in zip(processes, (workdir / f"run-{i}.log" for i in range(len(runs))), strict=True):
                if p.poll() is not None:
                    raise AssertionError(f"a launcher exited before the barrier\n{tail(log)}")
            return True if all(r.exists() for r in readies) else None

        wait_until(all_ready, timeout=timeout, what="every launcher to be ready")
        barrier.touch()
        yield processes
    finally:
        for p in processes:
            stop_leftovers(p)


def _launch(ready: Path, barrier: Path, cli_args: list[str]) -> None:
    from csu_assure import cli

    if "--no-prefect" not in cli_args:
        # Imported and started now, so that every process starts the race equally ready.
        importlib.import_module("flows.assess")
        importlib.import_module("flows.cohort")
        from prefect.client.orchestration import get_client

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
