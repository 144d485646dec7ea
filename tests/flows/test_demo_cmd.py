"""`csu-assure demo` and `moderate` under Prefect, beside the one shared Prefect test harness.

The commands are called as functions writing to consoles the tests hold: Prefect's console log handler keeps
the stream it was created on, so a test must not run flows while capsys or typer's CliRunner owns stderr.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
import typer
from rich.console import Console

from cli import demo_cmd, moderate_cmd
from tests.flows.cohort_data import STOP_AT_CP2, write_cohort, write_csu

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


def test_demo_takes_a_cohort_through_three_checkpoints_under_prefect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    console = Console(file=io.StringIO(), width=200)
    monkeypatch.setattr(demo_cmd, "out", console)
    cohort = write_cohort(tmp_path / "cohort", ("alpha",))
    write_csu(cohort, "gamma", patches={2: STOP_AT_CP2})
    with pytest.raises(typer.Exit) as exited:
        demo_cmd.demo(cohort_dir=cohort, out_dir=tmp_path / "out", no_prefect=False)
    assert exited.value.exit_code == 0
    stdout = console.file.getvalue()  # type: ignore[attr-defined]
    assert "Recommend hosting" in stdout and "C — stop" in stdout
    assert (tmp_path / "out/alpha/cp3/alpha-cp3-report.docx").exists()
    assert not (tmp_path / "out/gamma/cp3").exists()


def test_moderating_an_unknown_run_is_a_readable_error(monkeypatch: pytest.MonkeyPatch) -> None:
    console = Console(file=io.StringIO(), width=200)
    monkeypatch.setattr(moderate_cmd, "err", console)
    with pytest.raises(typer.Exit) as exited:
        moderate_cmd.moderate(str(uuid.uuid4()), assessor="A", override=None, accept=True, note=None)
    assert exited.value.exit_code == 1
    assert "no flow run" in console.file.getvalue()  # type: ignore[attr-defined]
