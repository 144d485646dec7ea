"""Issue 14, item 7: an output or register that cannot be used is one clear sentence and exit 2 before anything is
assessed, never a traceback; a report path blocked for one CSU is that CSU's failure (exit 1) and the cohort
goes on. Each case ended in a traceback (or stopped the cohort) before; run here through the real CLI."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from csu_assure.register import Register
from tests.support.cli import run_cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "submissions" / "example-cohort"
CSUS = ("north-vale", "south-downs", "ure-valley")


def _one_line_error(output: str) -> str:
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, output
    return errors[0]


@pytest.fixture
def cohort(tmp_path: Path) -> Path:
    root = tmp_path / "cohort"
    for name in CSUS:
        shutil.copytree(EXAMPLE / name, root / name)
    return root


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_out_that_is_a_file(cohort: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("not a folder")
    code, output = run_cli("cohort", cohort, "-c", "1", "--no-prefect", "--out", blocker)
    assert code == 2
    assert "is a file, not a folder" in _one_line_error(output)
    assert blocker.read_text() == "not a folder"


def test_out_below_a_file(cohort: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    code, output = run_cli(
        "assess", cohort / "north-vale", "-c", "1", "--no-prefect", "--out", tmp_path / "file" / "out"
    )
    assert code == 2
    assert "is a file" in _one_line_error(output)


def test_out_that_cannot_be_created(cohort: Path) -> None:
    code, output = run_cli(
        "assess", cohort / "north-vale", "-c", "1", "--no-prefect", "--out", "/proc/no-such/out"
    )
    assert code == 2
    assert "cannot be" in _one_line_error(output)


@pytest.mark.parametrize(
    ("make_url", "expected"),
    [
        (lambda tmp: "not a url at all", "not a database URL"),
        (lambda tmp: f"sqlite:///{tmp}", "is a folder"),
        (lambda tmp: f"sqlite:///{tmp / 'garbage.sqlite'}", "not a register"),
        (lambda tmp: f"postgresql+psycopg://user:secret@127.0.0.1:{_free_port()}/register", "is it running?"),
        (lambda tmp: "postgresql://user:secret@127.0.0.1/register", "not installed"),
    ],
    ids=["garbage-url", "folder", "not-a-database", "postgres-unreachable", "missing-driver"],
)
def test_an_unusable_register(cohort: Path, tmp_path: Path, make_url, expected: str) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "garbage.sqlite").write_bytes(bytes(range(256)) * 8)
    url = make_url(tmp_path)
    env = {"CSU_ASSURE_REGISTER_URL": url}

    code, output = run_cli("cohort", cohort, "-c", "1", "--no-prefect", "--out", tmp_path / "out", env=env)
    assert code == 2
    line = _one_line_error(output)
    assert expected in line and "secret" not in line

    code, output = run_cli("audit", "verify", env=env)  # the reading commands say the same
    assert code == 2 and "secret" not in output
    assert not list((tmp_path / "out").rglob("*.docx"))  # nothing was assessed


def test_a_blocked_report_is_that_csus_failure_and_the_cohort_goes_on(cohort: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    blocked = out / "north-vale" / "cp1" / "north-vale-cp1-report.docx"
    blocked.mkdir(parents=True)  # a folder where the report should go
    (out / "south-downs").parent.mkdir(parents=True, exist_ok=True)
    (out / "south-downs").write_text("a file where the CSU's folder should be")

    code, output = run_cli("cohort", cohort, "-c", "1", "--no-prefect", "--out", out, "--format", "json")

    assert code == 1
    assert "north-vale no report" in output and "south-downs no report" in output
    assert (out / "ure-valley" / "cp1" / "ure-valley-cp1-report.docx").is_file()  # the cohort went on
    register = Register.open_existing(f"sqlite:///{out / 'register.sqlite'}")
    try:  # the assessments stand: only their reports are missing
        assert {a.csu_id for a in register.all_latest()} == set(CSUS)
    finally:
        register.close()

    blocked.rmdir()
    (out / "south-downs").unlink()
    code, output = run_cli("cohort", cohort, "-c", "1", "--no-prefect", "--out", out)

    assert code == 0, output
    assert blocked.is_file()
    assert (out / "south-downs" / "cp1" / "south-downs-cp1-report.docx").is_file()
