"""The bad-input corpus through the real CLI: a located error or a safe assessment, never a traceback.

For every case `csu-assure validate` must exit 1 printing the case's located message (0 if the input is
valid) and write nothing. For a sample, `csu-assure assess --no-prefect` must record the CSU in the register
under `--out` (the invalid-submission path for bad input), write a report python-docx can open, and change
nothing outside `--out`. Bombs, huge files and anything that could hang run in a subprocess under a memory
limit, with a generous hang guard (not a timing assertion).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
import yaml
from typer.testing import CliRunner

from checks import catalogue as shipped_catalogue
from cli import app
from csu_assure import engine, service
from csu_assure.domain import Checkpoint
from csu_assure.loading.identity import identify
from csu_assure.register import Register
from csu_assure.settings import Settings
from csu_assure.synthetic import baseline, write_folder
from csu_assure.workbook_template import write_workbook
from tests.reliability.corpus import ACCEPTED, CASES, Case
from tests.reliability.layout_corpus import LAYOUT_CASES, REAL, build_cohort

ROOT = Path(__file__).resolve().parents[2]
MALFORMED = yaml.safe_load((ROOT / "submissions" / "malformed" / "EXPECTED.yaml").read_text(encoding="utf-8"))
MEMORY_LIMIT = 3 * 1024**3 // 2  # 1.5 GiB of address space for a subprocess
HANG_GUARD = 120  # seconds; a guard against hanging for ever, not a timing assertion
ASSESSED = sorted(name for name, c in CASES.items() if c.assess)
runner = CliRunner()


@dataclass(frozen=True)
class Ran:
    exit_code: int
    output: str


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def csu_assure(args: list[str], *, isolated: bool, cwd: Path) -> Ran:
    """Run the CLI: in this process (CliRunner), or in a memory-limited subprocess for the dangerous cases."""
    if not isolated:
        result = runner.invoke(app, args, catch_exceptions=True)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        return Ran(result.exit_code, result.output)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        preexec_fn=_limit_memory,
        cwd=cwd,
        env=env,
        check=False,
    )
    return Ran(done.returncode, done.stdout + done.stderr)


def snapshot(root: Path, skip: Path | None = None) -> dict[str, tuple[str, int, int]]:
    """Every entry under `root` (links not followed) with its kind, size and modification time."""
    found: dict[str, tuple[str, int, int]] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        if skip is not None and here.is_relative_to(skip):
            dirs.clear()
            continue
        for name in dirs + files:
            path = here / name
            if skip is not None and path == skip:
                continue
            info = path.lstat()
            kind = "link" if path.is_symlink() else "dir" if path.is_dir() else "file"
            size = info.st_size if kind != "dir" else 0
            mtime = info.st_mtime_ns if kind != "dir" else 0
            found[str(path.relative_to(root))] = (kind, size, mtime)
    return found


def _build(case: Case, tmp_path: Path) -> tuple[Path, Path]:
    """(the CSU folder, a working directory) for `case` under tmp_path/world."""
    world = tmp_path / "world"
    csu = case.build(world)
    cwd = world / "cwd"
    cwd.mkdir()
    return csu, cwd


def _assert_clean(ran: Ran) -> None:
    assert "Traceback" not in ran.output, ran.output
    assert "\x1b" not in ran.output, "control characters from the input reached the terminal"


def test_the_corpus_is_big_enough_and_new() -> None:
    assert len(CASES) >= 40
    assert not set(CASES) & set(MALFORMED), "a case repeats a committed malformed example"
    assert not {c.expect for c in CASES.values()} & set(MALFORMED.values())
    assert sum(c.accepted for c in CASES.values()) >= 8
    assert len(ASSESSED) >= 15


@pytest.mark.parametrize("name", sorted(CASES))
def test_validate_gives_the_located_message_or_accepts(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    csu, cwd = _build(case, tmp_path)
    before = snapshot(tmp_path)

    ran = csu_assure(["validate", str(csu)], isolated=case.isolated, cwd=cwd)

    _assert_clean(ran)
    if case.expect is ACCEPTED:
        assert ran.exit_code == 0, ran.output
        assert "1 valid, 0 invalid" in ran.output, ran.output
        assert case.shows is None or case.shows in ran.output, ran.output
    elif case.refused:
        assert ran.exit_code == 1, ran.output
        assert case.expect in ran.output and "not read" in ran.output, ran.output
    else:
        assert ran.exit_code == 1, ran.output
        assert case.expect in ran.output, ran.output
        assert "0 valid, 1 invalid" in ran.output, ran.output
    assert snapshot(tmp_path) == before, "validate must not write, touch or remove anything"


def _report_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.mark.parametrize("name", ASSESSED)
def test_assess_records_and_reports_within_the_output_folder_only(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    csu, cwd = _build(case, tmp_path)
    out = tmp_path / "world" / "out"
    before = snapshot(tmp_path)

    ran = csu_assure(
        ["assess", str(csu), "--checkpoint", str(case.checkpoint), "--no-prefect", "--out", str(out)],
        isolated=case.isolated,
        cwd=cwd,
    )

    _assert_clean(ran)
    assert snapshot(tmp_path, skip=out) == before, "written outside --out"
    assert ran.exit_code == (0 if case.accepted else 1), ran.output
    if case.refused:  # a folder the layout refuses speaks for no CSU: nothing recorded, nothing written
        assert case.expect in ran.output and not out.exists(), ran.output
        return
    register = Register.open_existing(f"sqlite:///{out / 'register.sqlite'}")
    try:
        recorded = register.all_latest()
        assert len(recorded) == 1, recorded
        entry = register.latest_entry(recorded[0].csu_id, case.checkpoint)
    finally:
        register.close()
    assert entry is not None
    assessment = entry.assessment
    if case.accepted:
        assert entry.status != "invalid_submission"
        assert assessment.csu_id == "baseline"
    else:
        assert entry.status == "invalid_submission"
        assert "invalid submission" in ran.output
        assert any(r.actual == "invalid submission" for r in assessment.results)
    assert assessment.report_path is not None
    report = Path(assessment.report_path)
    assert report.is_file() and report.resolve().is_relative_to(out.resolve())
    text = _report_text(report)
    assert assessment.csu_name in text or assessment.csu_name.replace("\x7f", "\ufffd") in text
    for literal in case.literal:
        assert literal in text, f"{literal!r} not shown literally in the report"


def test_one_bad_submission_never_stops_the_rest_of_a_cohort(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort"
    write_folder(baseline("alpha", checkpoint=1), cohort / "alpha" / "cp1")
    bomb = write_folder(baseline("bravo", checkpoint=1), cohort / "bravo" / "cp1") / "business_plan.yaml"
    bomb.write_text(bomb.read_text(encoding="utf-8") + "a: &a [x, x]\nb: [*a, *a]\n", encoding="utf-8")
    escaping = baseline("charlie", checkpoint=1)
    escaping.plan["csu_id"] = "../../../charlie"
    write_folder(escaping, cohort / "charlie" / "cp1")
    workbook = write_workbook(baseline("delta", checkpoint=1), cohort / "delta" / "cp1.xlsx")
    workbook.write_bytes(workbook.read_bytes()[:1000])
    write_folder(baseline("echo", checkpoint=1), cohort / "echo" / "cp1")
    out = tmp_path / "out"
    before = snapshot(tmp_path)

    ran = csu_assure(
        ["cohort", str(cohort), "--checkpoint", "1", "--no-prefect", "--out", str(out)],
        isolated=False,
        cwd=tmp_path,
    )

    _assert_clean(ran)
    assert ran.exit_code == 1, ran.output
    assert snapshot(tmp_path, skip=out) == before
    register = Register.open_existing(f"sqlite:///{out / 'register.sqlite'}")
    try:
        status = {a.csu_id: register.latest_entry(a.csu_id, 1) for a in register.all_latest()}
    finally:
        register.close()
    assert {k: v.status if v else None for k, v in status.items()} == {
        "alpha": "assessed",
        "bravo": "invalid_submission",
        "charlie": "invalid_submission",
        "delta": "invalid_submission",
        "echo": "assessed",
    }
    for entry in status.values():
        assert entry is not None and entry.assessment.report_path is not None
        assert Path(entry.assessment.report_path).resolve().is_relative_to(out.resolve())
        docx.Document(entry.assessment.report_path)


@pytest.mark.parametrize(
    ("folder_name", "plan_id", "expected"),
    [
        ("baseline", "../../evil", "baseline"),
        ("north-vale", "north-vale-2", "north-vale"),  # a folder speaks for the CSU it is named after
        ("North CSU (draft)", "../x", "north-csu-draft"),
        ("!!", None, None),  # nothing of the name survives: a hash-based id
        ("Ωmega", "/etc/passwd", None),
        ("x", 42, None),
        ("alpha", "alpha", "alpha"),
    ],
)
def test_identify_only_hands_out_ids_that_are_safe_as_paths(
    tmp_path: Path, folder_name: str, plan_id: object, expected: str | None
) -> None:
    csu = tmp_path / "cohort" / folder_name
    csu.mkdir(parents=True)
    if plan_id is not None:
        raw = baseline(checkpoint=1)
        raw.plan["csu_id"] = plan_id
        write_folder(raw, csu / "cp1")

    csu_id, _ = identify(csu)

    assert re.fullmatch(r"[a-z0-9][a-z0-9-]{1,62}", csu_id), csu_id
    assert expected is None or csu_id == expected


@pytest.mark.parametrize("csu_id", ["../../evil", "..", "a/b", "/abs", "UPPER"])
def test_report_path_refuses_anything_but_a_safe_id_under_out(tmp_path: Path, csu_id: str) -> None:
    config = service.configure(Settings(out_dir=tmp_path / "out"), shipped_catalogue())
    assessment = engine.assess_not_submitted(
        "fine",
        "Fine",
        Checkpoint.OUTLINE_PLAN,
        catalogue=config.catalogue,
        ruleset=config.ruleset,
        calendar=config.calendar,
        as_of=dt.date(2012, 2, 1),
        assessor=config.assessor,
    ).model_copy(update={"csu_id": csu_id})
    with pytest.raises(ValueError, match="refusing to write a report"):
        service.report_path(tmp_path / "out", assessment)
    config.register.close()


# -- the folder-structure section: which CSU a cohort's entries speak for --------------------------------------


def _register_ids(out: Path) -> dict[str, tuple[str, str]]:
    register = Register.open_existing(f"sqlite:///{out / 'register.sqlite'}")
    try:
        return {a.csu_id: (a.outcome.value, a.disposition.value) for a in register.all_latest()}
    finally:
        register.close()


@pytest.mark.parametrize("name", sorted(LAYOUT_CASES))
def test_a_cohort_layout_is_refused_where_it_cannot_be_read_and_speaks_only_for_its_own_folders(
    name: str, tmp_path: Path
) -> None:
    case = LAYOUT_CASES[name]
    cohort = build_cohort(tmp_path)
    case.write(cohort)
    out = tmp_path / "out"

    checked = csu_assure(["validate", str(cohort)], isolated=False, cwd=tmp_path)
    _assert_clean(checked)
    assert checked.exit_code == 1 and case.expect in checked.output, checked.output

    ran = csu_assure(
        ["cohort", str(cohort), "-c", "1", "--no-prefect", "--out", str(out)], isolated=False, cwd=tmp_path
    )
    _assert_clean(ran)
    assert ran.exit_code == 1 and case.expect in ran.output, ran.output
    recorded = _register_ids(out)
    assert set(recorded) == case.ids  # no entry recorded anything for a CSU other than its own folder's
    assessed = recorded[REAL][1] == "assessed"
    assert assessed is case.real_assessed, recorded[REAL]
    audit = csu_assure(["audit", "verify", "--out-dir", str(out)], isolated=False, cwd=tmp_path)
    assert audit.exit_code == 0, audit.output
