"""`csu-assure demo` and `moderate` under Prefect, beside the one shared Prefect test harness.

The commands are called as functions with pytest capturing output: Prefect's log handlers keep the stream
they first wrote to, and typer's CliRunner closes its streams after each call.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import typer

from csu_assure.cli import demo_cmd, moderate_cmd
from tests.flows.cohort_data import STOP_AT_CP2, write_cohort, write_csu

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


def test_demo_takes_a_cohort_through_three_checkpoints_under_prefect(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "INFO")  # the demo quietens Prefect only if this is unset
    monkeypatch.setenv("COLUMNS", "200")
    cohort = write_cohort(tmp_path / "cohort", ("alpha",))
    write_csu(cohort, "gamma", patches={2: STOP_AT_CP2})
    with pytest.raises(typer.Exit) as exited:
        demo_cmd.demo(cohort_dir=cohort, out_dir=tmp_path / "out", no_prefect=False)
    assert exited.value.exit_code == 0
    stdout = capsys.readouterr().out
    assert "Recommend hosting" in stdout and "C — stop" in stdout
    assert (tmp_path / "out/alpha/cp3/alpha-cp3-report.docx").exists()
    assert not (tmp_path / "out/gamma/cp3").exists()


def test_moderating_an_unknown_run_is_a_readable_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as exited:
        moderate_cmd.moderate(str(uuid.uuid4()), assessor="A", override=None, accept=True, note=None)
    assert exited.value.exit_code == 1
    assert "no flow run" in capsys.readouterr().err
