"""`csu-assure crash-detection`: the automation that marks a flow run Crashed when its heartbeats stop.

That it fires for real (a worker killed with its runs, the batch re-run elsewhere) is shown by the scale-out
rehearsal (`python -m tests.support.scaleout`) in tests/scaleout; here, its definition on the shared test server and
the command's errors.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import typer
from rich.console import Console

from cli import crash_detection_cmd

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


def test_the_automation_is_created_once_then_updated_in_place() -> None:
    from prefect.automations import Automation

    from flows import automations

    first, created = automations.ensure_crash_detection(120)
    again, created_again = automations.ensure_crash_detection(300)
    assert (created, created_again) == (True, False) and again.id == first.id
    stored = Automation.read(name=automations.NAME)
    trigger = stored.trigger
    assert trigger.within == timedelta(seconds=300)  # type: ignore[union-attr]
    # It watches a run from when a worker accepts it (Pending), as it starts (Running: a run lost before its first
    # heartbeat arrives sent none) and at each heartbeat; a heartbeat, a start or a final state stops the clock.
    after = {"prefect.flow-run.heartbeat", "prefect.flow-run.Pending", "prefect.flow-run.Running"}
    assert trigger.after == after  # type: ignore[union-attr]
    assert "prefect.flow-run.Running" in trigger.expect  # type: ignore[union-attr]
    assert {"prefect.flow-run.heartbeat", "prefect.flow-run.Completed"} <= trigger.expect  # type: ignore[union-attr]
    assert trigger.posture == "Proactive"  # type: ignore[union-attr]
    (action,) = stored.actions
    assert action.type == "change-flow-run-state" and action.state == "CRASHED"  # type: ignore[union-attr]


def test_without_a_prefect_server_it_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    console = Console(file=io.StringIO(), width=200)
    monkeypatch.setattr("cli.common.err", console)
    with temporary_settings(restore_defaults={PREFECT_API_URL}), pytest.raises(typer.Exit) as exited:
        crash_detection_cmd.crash_detection(within=None)
    assert exited.value.exit_code == 2
    assert "set PREFECT_API_URL" in console.file.getvalue()  # type: ignore[attr-defined]


def test_with_heartbeats_off_it_refuses_rather_than_crash_every_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    console = Console(file=io.StringIO(), width=200)
    monkeypatch.setattr("cli.common.err", console)
    with (
        temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
        pytest.raises(typer.Exit) as exited,
    ):
        crash_detection_cmd.crash_detection(within=90)
    assert exited.value.exit_code == 2
    assert "heartbeats are off" in console.file.getvalue()  # type: ignore[attr-defined]


def test_an_unreachable_server_is_a_readable_error(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")},
        "PREFECT_API_URL": "http://127.0.0.1:9/api",  # the discard port: nothing listens
        "PREFECT_HOME": str(tmp_path / "home"),
    }
    done = subprocess.run(
        [str(Path(sys.executable).parent / "csu-assure"), "crash-detection"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "could not set up crash detection at http://127.0.0.1:9/api" in done.stderr
    assert "Connection refused" in done.stderr and "Traceback" not in done.stderr
