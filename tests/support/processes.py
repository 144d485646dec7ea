"""Start, watch and stop real processes: process groups with their logs, /proc, hang guards and time budgets."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TypeVar

import httpx

T = TypeVar("T")

LOOPBACK = "127.0.0.1"
ROOT = (
    Path(__file__).resolve().parents[2]
)  # the repository: prefect.yaml and the flows' entrypoints live here
BIN = Path(sys.executable).parent  # csu-assure and prefect, installed beside this interpreter
# What a probe of a server that is still starting raises: for `wait_until(..., retry_on=NOT_LISTENING_YET)`.
NOT_LISTENING_YET: tuple[type[Exception], ...] = (httpx.HTTPError, OSError)
# A Prefect worker stops at its second SIGINT: the first one only asks it to let its flow runs finish.
WORKER_STOP_SIGNALS = (signal.SIGINT, signal.SIGINT)


def free_port() -> int:
    """A TCP port on loopback that nothing is listening on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def tail(path: Path, lines: int = 40, *, titled: bool = False) -> str:
    """The last `lines` lines of a log file (under a line naming it when `titled`), or a note that it is missing."""
    if not path.exists():
        return f"<{path} does not exist>"
    text = "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    return f"--- {path} (last {lines} lines) ---\n{text}" if titled else text


def wait_until(
    probe: Callable[[], T | None],
    *,
    timeout: float,
    what: str,
    interval: float = 0.5,
    explain: Callable[[], str] = lambda: "",
    retry_on: tuple[type[Exception], ...] = (),
) -> T:
    """Call `probe` until it returns something other than None: a hang guard, not a timing assertion.

    An exception of a `retry_on` type counts as "not yet" (e.g. `NOT_LISTENING_YET` while a server starts); any
    other propagates. On timeout, raises TimeoutError naming `what`, the last such exception and `explain()`.
    The probe runs at least once, and once more after the deadline has passed.
    """
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = probe()
        except retry_on as error:
            last_error, value = error, None
        if value is not None:
            return value
        if time.monotonic() > deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            explanation = explain()
            raise TimeoutError(
                f"timed out after {timeout:.0f}s waiting for {what}{detail}"
                + (f"\n{explanation}" if explanation else "")
            )
        time.sleep(interval)


class Budget:
    """One time budget for a whole test or rehearsal: each wait gets its own cap, never more than what is left."""

    def __init__(self, seconds: float, name: str = "the test") -> None:
        self.seconds = seconds
        self.name = name
        self.deadline = time.monotonic() + seconds

    def allow(self, cap: float) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"{self.name}'s {self.seconds:.0f}s budget is spent")
        return min(cap, left)


# -- environments ----------------------------------------------------------------------------------------------


def _without_settings() -> dict[str, str]:
    """This process's environment minus any Prefect profile or CSU_ASSURE_* setting, telemetry off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CSU_ASSURE_"))}
    return env | {
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "INFO",
    }


def clean_env(prefect_home: Path | None = None) -> dict[str, str]:
    """An environment for a child process that runs Prefect in ephemeral mode (its own temporary server)."""
    # Prefect's default (20 s) is too short for a temporary server starting on a busy 2-core machine.
    env = _without_settings() | {
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        # Prefect in the CLI's own process, as these tests kill and time it; the warm path's local runner
        # (a process that outlives the command) has tests of its own (tests/reliability/test_warm_path.py).
        "CSU_ASSURE_PREFECT_MODE": "embedded",
    }
    if prefect_home is not None:
        env["PREFECT_HOME"] = str(prefect_home)
    return env


def prefect_env(home: Path, api_url: str, **extra: str) -> dict[str, str]:
    """An environment for a child process that talks to the Prefect server at `api_url` and to no other: its own
    PREFECT_HOME (one per 'machine'), nothing inherited from a profile, `extra` settings on top."""
    home.mkdir(parents=True, exist_ok=True)
    return (
        _without_settings()
        | {
            "PREFECT_HOME": str(home),
            "PREFECT_API_URL": api_url,
            "PREFECT_UI_API_URL": api_url,
            "NO_PROXY": LOOPBACK,
            "no_proxy": LOOPBACK,
        }
        | extra
    )


# -- starting and stopping process groups ------------------------------------------------------------------------


def spawn(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    log: Path,
    stdout: Path | None = None,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start `argv` as the leader of a new process group (so one signal to the group reaches all it starts).

    Output is appended to `log` (a re-run's output follows the earlier run's), or standard output alone goes to
    `stdout` when given (e.g. to parse `--format json`).
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as files:
        errors = files.enter_context(log.open("ab"))
        output = files.enter_context(stdout.open("wb")) if stdout is not None else errors
        return subprocess.Popen(
            list(argv),
            env=dict(env),
            cwd=cwd,
            stdout=output,
            stderr=errors,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def stop(
    process: subprocess.Popen[bytes],
    *,
    signals: Sequence[signal.Signals] = (signal.SIGTERM,),
    grace: float = 10.0,
) -> None:
    """Stop the process group `process` leads: each of `signals` in turn, `grace` seconds apart, then SIGKILL."""
    if process.poll() is not None:
        return
    for signum in signals:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
            return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=grace)


@dataclass(frozen=True)
class Started:
    """A long-running process in its own process group: a name for messages, its log, how it stops cleanly."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    stop_signals: tuple[signal.Signals, ...] = (signal.SIGTERM,)

    def stop(self, grace: float = 10.0) -> None:
        stop(self.process, signals=self.stop_signals, grace=grace)


# -- reading /proc -----------------------------------------------------------------------------------------------


class _Stat(NamedTuple):
    pid: int
    state: str
    ppid: int
    pgrp: int


def _stats() -> Iterator[_Stat]:
    """Every process, as /proc/PID/stat shows it; one that exits while we look is left out."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the command name, which is in parentheses and may hold spaces: state ppid pgrp ...
        state, ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        yield _Stat(int(entry.name), state, int(ppid), int(pgrp))


@dataclass(frozen=True)
class Member:
    """A process seen in a process group: its id and command line."""

    pid: int
    command: str


def group_members(pgid: int) -> list[Member]:
    """Live (not zombie) processes in process group `pgid`, read from /proc."""
    members = []
    for stat in _stats():
        if stat.pgrp != pgid or stat.state == "Z":
            continue
        try:
            command = (
                Path(f"/proc/{stat.pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            )
        except OSError:  # it exited while we looked
            continue
        members.append(Member(stat.pid, command.strip()))
    return members


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
        interval=0.1,
        explain=lambda: "\n".join(f"{m.pid}: {m.command}" for m in group_members(pgid)),
    )
    return members


def kill_tree(pid: int) -> list[int]:
    """SIGKILL a process and every process below it, as losing its machine would; returns their ids.

    Unlike `kill_group`, this reaches children that started sessions of their own (a Prefect worker starts each
    flow run in a session of its own, so its process group alone does not reach them).
    """
    children: dict[int, list[int]] = {}
    for stat in _stats():
        children.setdefault(stat.ppid, []).append(stat.pid)
    tree, todo = [], [pid]
    while todo:
        tree.append(current := todo.pop())
        todo += children.get(current, [])
    for victim in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)
    return tree


def stop_leftovers(process: subprocess.Popen[bytes]) -> None:
    """Kill what is left of a process group a test started (a hung leader, an orphaned temporary server)."""
    if process.poll() is None or group_members(process.pid):
        kill_group(process)


# -- runs to a kill point, runs to the end -------------------------------------------------------------------------


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
                    f"the run ended (exit {process.returncode}) before the kill point\n{tail(log, 30)}"
                )
            return seen

        seen = wait_until(
            probe, timeout=timeout, what="the kill point", interval=interval, explain=lambda: tail(log, 30)
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
