"""The folder-structure section of the bad-input corpus (issue 14): one identity rule, a CSU folder's name is its
CSU id, so no folder can write over another CSU's record. Each case was reproduced against the old code first
(an impostor copy, a linked CSU folder, odd names, a nested archive, a stray plan, both forms, an .xlsm, the
output folder inside the cohort) and is run here through the real CLI. The cohort-level cases every layout must
meet alike (links, loops, nested copies, odd names, stray entries) are the corpus's folder-structure section,
`layout_corpus.py`, run by `test_bad_input_corpus.py`; these are the cases with a story of their own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from csu_assure.register import Register
from csu_assure.synthetic import baseline, write_folder
from csu_assure.workbook_template import write_workbook
from tests.support.cli import run_cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "submissions" / "example-cohort"


@pytest.fixture
def cohort(tmp_path: Path) -> Path:
    """Two real CSUs of the example cohort, copied."""
    root = tmp_path / "cohort"
    for name in ("north-vale", "south-downs"):
        shutil.copytree(EXAMPLE / name, root / name)
    return root


def _latest(out: Path, csu_id: str, checkpoint: int) -> tuple[str, str] | None:
    register = Register.open_existing(f"sqlite:///{out / 'register.sqlite'}")
    try:
        entry = register.latest_entry(csu_id, checkpoint)
        return (entry.assessment.outcome.value, entry.status.value) if entry else None
    finally:
        register.close()


def _ids(out: Path) -> set[str]:
    register = Register.open_existing(f"sqlite:///{out / 'register.sqlite'}")
    try:
        return {a.csu_id for a in register.all_latest()}
    finally:
        register.close()


def test_an_impostor_copy_speaks_for_itself_not_for_the_csu_it_copies(cohort: Path, tmp_path: Path) -> None:
    shutil.copytree(cohort / "north-vale" / "cp1", cohort / "zz-impostor" / "cp1")
    out = tmp_path / "out"
    code, output = run_cli("cohort", cohort, "-c", "1", "--no-prefect", "--out", out)
    assert code == 1, output  # the impostor's own submission is invalid
    assert _latest(out, "north-vale", 1) == ("proceed", "assessed")  # north-vale's record is untouched
    assert _latest(out, "zz-impostor", 1) == ("not_submitted", "invalid_submission")
    assert "zz-impostor" in output and "does not match the CSU folder name" in output
    code, output = run_cli("cohort", cohort, "-c", "2", "--no-prefect", "--out", out)
    assert _latest(out, "north-vale", 2) is not None and _latest(out, "north-vale", 2)[1] == "assessed"
    assert run_cli("audit", "verify", "--out-dir", out)[0] == 0


def test_a_stray_plan_cannot_let_a_stopped_csu_through(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort"
    stopped = baseline("stopped", "Stopped CSU", checkpoint=2)
    stopped.plan["development_plan_agreed"] = False  # a C at checkpoint 2
    write_folder(baseline("stopped", "Stopped CSU", checkpoint=1), cohort / "stopped" / "cp1")
    write_folder(stopped, cohort / "stopped" / "cp2")
    stray = baseline("another-csu", "Another CSU", checkpoint=3)  # a plan of another CSU in its cp3 folder
    write_folder(stray, cohort / "stopped" / "cp3")
    out = tmp_path / "out"
    for checkpoint in (1, 2, 3):
        run_cli("cohort", cohort, "-c", checkpoint, "--no-prefect", "--out", out)
    assert _latest(out, "stopped", 2) == ("C", "assessed")
    assert _latest(out, "stopped", 3) is None and _latest(out, "another-csu", 3) is None


def test_both_forms_of_one_checkpoint_is_an_error_naming_both(tmp_path: Path) -> None:
    csu = tmp_path / "cohort" / "alpha"
    write_folder(baseline("alpha", checkpoint=1), csu / "cp1")
    write_workbook(baseline("alpha", checkpoint=1), csu / "cp1.xlsx")
    code, output = run_cli("validate", csu)
    assert code == 1 and "submitted twice, as cp1 and cp1.xlsx" in output, output
    out = tmp_path / "out"
    code, output = run_cli("assess", csu, "-c", "1", "--no-prefect", "--out", out)
    assert code == 1 and _latest(out, "alpha", 1) == ("not_submitted", "invalid_submission")


@pytest.mark.parametrize("suffix", [".xlsm", ".xls", ".ods"])
def test_an_unsupported_workbook_is_named_not_silently_not_submitted(tmp_path: Path, suffix: str) -> None:
    csu = tmp_path / "cohort" / "alpha"
    write_folder(baseline("alpha", checkpoint=1), csu / "cp1")
    write_workbook(baseline("alpha", checkpoint=2), csu / "cp2.xlsx").rename(csu / f"cp2{suffix}")
    code, output = run_cli("validate", csu)
    assert code == 1 and f"cp2{suffix}: is a {suffix} file, which is not read" in output, output
    out = tmp_path / "out"
    code, output = run_cli("assess", csu, "-c", "2", "--no-prefect", "--out", out)
    assert code == 1 and _latest(out, "alpha", 2) == ("not_submitted", "invalid_submission"), output


def test_stray_entries_of_a_csu_folder_are_reported(tmp_path: Path) -> None:
    csu = tmp_path / "cohort" / "alpha"
    write_folder(baseline("alpha", checkpoint=1), csu / "cp1")
    (csu / "business_plan.yaml").write_text("csu_id: alpha\n", encoding="utf-8")
    (csu / "old-cp2").mkdir()
    (csu / ".~lock.cp1.xlsx#").write_text("lock", encoding="utf-8")  # hidden: ignored by the documented rule
    (csu / "~$cp1.xlsx").write_text("lock", encoding="utf-8")
    code, output = run_cli("validate", csu)
    assert code == 1, output
    assert "alpha/business_plan.yaml: is not a checkpoint submission" in output
    assert "alpha/old-cp2: is not a checkpoint submission" in output
    assert "lock" not in output.lower()


def test_the_output_folder_inside_the_cohort_is_skipped_with_a_note(cohort: Path) -> None:
    out = cohort / "out"
    for _ in range(2):
        code, output = run_cli("cohort", cohort, "-c", "1", "--no-prefect", "--out", out)
        assert code == 0, output
        assert "is the output folder, inside the cohort: skipped" in output
    assert _ids(out) == {"north-vale", "south-downs"}  # no phantom CSU "out"
