"""Issue 14, item 8: Prefect's embedded server starts on a busy machine and on a shared PREFECT_HOME, and when it
cannot, the run says what to do in one sentence (exit 2) instead of a traceback. Before: three runs starting
at once on one fresh home died in the database migration (alembic) or after Prefect's 20-second start-up limit;
an unreachable PREFECT_API_URL or a start-up timeout ended in a traceback. Run through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.processes import BIN, free_port, run_to_end, spawn, stop_leftovers, tail

ROOT = Path(__file__).resolve().parents[2]
CSU = ROOT / "submissions" / "example-cohort" / "north-vale"
CLI = str(BIN / "csu-assure")


def _env(home: Path, **extra: str) -> dict[str, str]:
    """A child's environment with no Prefect settings of ours (the product's own start-up defaults apply), and
    Prefect in the CLI's process: the embedded server is what these tests start (the warm path's local runner
    has its own, test_warm_path.py)."""
    from tests.support.processes import _without_settings

    return _without_settings() | {"PREFECT_HOME": str(home), "CSU_ASSURE_PREFECT_MODE": "embedded"} | extra


def _assess(out: Path) -> list[str]:
    return [CLI, "assess", str(CSU), "--checkpoint", "1", "--out", str(out)]


@pytest.mark.slow
def test_runs_starting_at_once_on_one_fresh_prefect_home_all_succeed(tmp_path: Path) -> None:
    home = tmp_path / "fresh-prefect-home"  # not migrated: the first start migrates its database
    runs = [
        spawn(_assess(tmp_path / f"out-{i}"), env=_env(home), log=tmp_path / f"run-{i}.log") for i in range(3)
    ]
    try:
        codes = [run.wait(timeout=900) for run in runs]
    finally:
        for run in runs:
            stop_leftovers(run)
    logs = [(tmp_path / f"run-{i}.log").read_text() for i in range(3)]
    assert codes == [0, 0, 0], "\n".join(tail(tmp_path / f"run-{i}.log") for i in range(3))
    assert not any("Traceback" in log or "alembic" in log.lower() for log in logs)
    assert all(
        (tmp_path / f"out-{i}" / "north-vale" / "cp1" / "north-vale-cp1-report.docx").is_file()
        for i in range(3)
    )


@pytest.mark.slow
def test_a_server_that_does_not_start_in_time_is_one_sentence(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    env = _env(tmp_path / "home", PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="1")

    code = run_to_end(_assess(tmp_path / "out"), env=env, log=log, timeout=300)

    text = log.read_text()
    assert code == 2, text
    assert "Traceback" not in text
    errors = [line for line in text.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "did not start" in errors[0] and "--no-prefect" in errors[0]
    assert not (tmp_path / "out" / "north-vale").exists()  # nothing was assessed


def test_an_unreachable_prefect_api_url_is_one_sentence(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    url = f"http://127.0.0.1:{free_port()}/api"
    env = _env(tmp_path / "home", PREFECT_API_URL=url)

    code = run_to_end(_assess(tmp_path / "out"), env=env, log=log, timeout=300)

    text = log.read_text()
    assert code == 2, text
    assert "Traceback" not in text
    errors = [line for line in text.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and url in errors[0] and "does not answer" in errors[0]


def test_a_start_up_timeout_that_is_not_a_number_is_one_sentence(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    env = _env(tmp_path / "home", PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="soon")

    code = run_to_end(_assess(tmp_path / "out"), env=env, log=log, timeout=300)

    text = log.read_text()
    assert code == 2 and "Traceback" not in text, text
    assert "is not a number of seconds" in text
