"""Issue 15, item 8: the warm path. The first Prefect-backed command starts a local runner (a `prefect server`
and a process with the flows imported); later commands reuse it and only wait for their flow; it stops by
itself when idle, or on `csu-assure runner stop`, leaving no process behind. Through the real CLI, in real
processes (timings are measured in BENCHMARKS.md, never asserted here)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.warm_protocol import RunnerInfo, socket_path
from tests.support.processes import (
    BIN,
    _without_settings,
    run_to_end,
    spawn,
    stop_leftovers,
    tail,
    wait_until,
)

ROOT = Path(__file__).resolve().parents[2]
CSU = ROOT / "submissions" / "example-cohort" / "north-vale"
CLI = str(BIN / "csu-assure")
pytestmark = pytest.mark.slow


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    """A fresh PREFECT_HOME; whatever runner a test left on it is stopped (killed if need be) afterwards."""
    home = tmp_path / "prefect-home"
    yield home
    info = RunnerInfo.read(home)
    run_to_end([CLI, "runner", "stop"], env=_env(home), log=tmp_path / "stop.log", timeout=120)
    for pid in (info.pid, info.server_pid) if info else ():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)


def _env(home: Path, **extra: str) -> dict[str, str]:
    return _without_settings() | {"PREFECT_HOME": str(home), "CSU_ASSURE_PREFECT_MODE": "local"} | extra


def _assess(out: Path) -> list[str]:
    return [CLI, "assess", str(CSU), "--checkpoint", "1", "--out", str(out), "--force", "--format", "json"]


def _flow_run_of(output: Path) -> str | None:
    document = json.loads(output.read_text())
    [item] = document["assessments"]
    assert item["outcome"] == "proceed" and Path(item["report"]).is_file()
    return item["assessment_id"]


def test_the_second_command_reuses_the_local_runner_and_stop_leaves_nothing(
    home: Path, tmp_path: Path
) -> None:
    first = spawn(
        _assess(tmp_path / "out"), env=_env(home), log=tmp_path / "1.log", stdout=tmp_path / "1.json"
    )
    try:
        assert first.wait(timeout=600) == 0, tail(tmp_path / "1.log")
    finally:
        stop_leftovers(first)  # the CLI's own group: the runner lives in a session of its own and survives
    info = RunnerInfo.read(home)
    assert info is not None and _alive(info.pid) and _alive(info.server_pid)
    assert "Prefect UI: http://127.0.0.1:" in (tmp_path / "1.log").read_text()

    code = run_to_end(
        [*_assess(tmp_path / "out"), "--format", "json"], env=_env(home), log=tmp_path / "2.log", timeout=300
    )
    assert code == 0, tail(tmp_path / "2.log")
    assert RunnerInfo.read(home) == info  # the same runner served the second command
    assert "Starting a local Prefect server" not in (tmp_path / "2.log").read_text()
    assert "Traceback" not in (tmp_path / "2.log").read_text()

    code = run_to_end([CLI, "runner", "status"], env=_env(home), log=tmp_path / "status.log", timeout=60)
    assert code == 0 and info.ui_url in (tmp_path / "status.log").read_text()
    code = run_to_end([CLI, "runner", "stop"], env=_env(home), log=tmp_path / "stop.log", timeout=120)
    assert code == 0
    wait_until(
        lambda: (not _alive(info.pid) and not _alive(info.server_pid)) or None,
        timeout=60,
        what="runner stopped",
    )
    assert RunnerInfo.read(home) is None and not socket_path(home).exists()


def test_commands_starting_at_once_on_a_fresh_home_share_one_runner(home: Path, tmp_path: Path) -> None:
    runs = [
        spawn(
            _assess(tmp_path / f"out-{i}"),
            env=_env(home),
            log=tmp_path / f"{i}.log",
            stdout=tmp_path / f"{i}.json",
        )
        for i in range(3)
    ]
    try:
        codes = [run.wait(timeout=900) for run in runs]
    finally:
        for run in runs:
            stop_leftovers(run)
    assert codes == [0, 0, 0], "\n".join(tail(tmp_path / f"{i}.log") for i in range(3))
    assert all(_flow_run_of(tmp_path / f"{i}.json") for i in range(3))
    info = RunnerInfo.read(home)
    assert info is not None and _alive(info.pid)
    runner_log = (home / "csu-assure-runner" / "runner.log").read_text()
    assert runner_log.count("ready: Prefect API") == 1  # one runner served all three


def test_an_idle_runner_stops_by_itself(home: Path, tmp_path: Path) -> None:
    env = _env(home, CSU_ASSURE_PREFECT_IDLE_MINUTES="0.1")  # six seconds
    code = run_to_end(_assess(tmp_path / "out"), env=env, log=tmp_path / "run.log", timeout=600)
    assert code == 0, tail(tmp_path / "run.log")
    info = RunnerInfo.read(home)
    assert info is not None
    wait_until(
        lambda: (not _alive(info.pid) and not _alive(info.server_pid)) or None, timeout=120, what="idle stop"
    )
    assert RunnerInfo.read(home) is None and not socket_path(home).exists()
