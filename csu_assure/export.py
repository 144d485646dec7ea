"""Exports of the register's latest assessments and their check results: CSV, Excel (xlsx) or JSON.

Submission text (CSU names, findings, evidence) ends up in spreadsheet cells, so CSV and xlsx exports neutralise
formula injection as OWASP advises: a text cell starting with `=`, `+`, `-`, `@`, tab or carriage return (or
their full-width forms, which some spreadsheets also accept) gets a leading `'`, and xlsx cells are written
with an explicit string type, so openpyxl never stores a formula. Numbers stay numbers. JSON carries the full
records (no spreadsheet evaluates it) and round-trips to `Assessment`. Every file is written atomically.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from enum import StrEnum
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from csu_assure.domain import Domain
from csu_assure.results import Assessment, CheckResult, EvidenceRow

Cell = str | int | float | None
Row = dict[str, Cell]

JSON_FORMAT = "csu-assure/assessments/1"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


class ExportTable(StrEnum):
    ASSESSMENTS = "assessments"
    RESULTS = "results"


ASSESSMENT_COLUMNS: tuple[str, ...] = (
    "csu_id",
    "csu_name",
    "checkpoint",
    "outcome",
    "escalation",
    *(f"rag_{d.value}" for d in Domain),
    "as_of",
    "assessor",
    "moderation",
    "report_path",
    "assessment_id",
)
RESULT_COLUMNS: tuple[str, ...] = (
    "csu_id",
    "csu_name",
    "checkpoint",
    "check_id",
    "name",
    "domain",
    "severity",
    "computed",
    "final",
    "actual",
    "expected",
    "finding",
    "evidence",
    "adjustment",
    "assessment_id",
)
COLUMNS: Mapping[ExportTable, tuple[str, ...]] = {
    ExportTable.ASSESSMENTS: ASSESSMENT_COLUMNS,
    ExportTable.RESULTS: RESULT_COLUMNS,
}


# -- rows ----------------------------------------------------------------------------------------------------


def assessment_rows(assessments: Iterable[Assessment]) -> list[Row]:
    """One row per assessment: decision, RAG per domain (blank where the checkpoint has no such domain)."""
    return [
        {
            "csu_id": a.csu_id,
            "csu_name": a.csu_name,
            "checkpoint": int(a.checkpoint),
            "outcome": a.outcome.label,
            "escalation": "yes" if a.escalation else "no",
            **{f"rag_{d.value}": a.domains[d].value if d in a.domains else None for d in Domain},
            "as_of": a.provenance.as_of.isoformat(),
            "assessor": a.provenance.assessor,
            "moderation": a.moderation.status,
            "report_path": a.report_path,
            "assessment_id": a.assessment_id,
        }
        for a in assessments
    ]


def result_rows(assessments: Iterable[Assessment]) -> list[Row]:
    """One row per check result of each assessment, in the order the assessment lists them."""
    return [_result_row(a, r) for a in assessments for r in a.results]


def _result_row(a: Assessment, r: CheckResult) -> Row:
    adjustment = r.adjustment
    return {
        "csu_id": a.csu_id,
        "csu_name": a.csu_name,
        "checkpoint": int(a.checkpoint),
        "check_id": r.check_id,
        "name": r.name,
        "domain": r.domain.value,
        "severity": r.severity.value,
        "computed": r.computed_status.value,
        "final": r.status.value,
        "actual": r.actual,
        "expected": r.expected,
        "finding": r.finding,
        "evidence": _evidence_text(r.evidence),
        "adjustment": f"{adjustment.kind} by {adjustment.assessor}: {adjustment.reason}"
        if adjustment
        else None,
        "assessment_id": a.assessment_id,
    }


def _evidence_text(rows: Sequence[EvidenceRow]) -> str:
    """Evidence rows as readable text, one line per row: `key: value; key: value`."""
    return "\n".join("; ".join(f"{k}: {v}" for k, v in row.items()) for row in rows)


def table_rows(table: ExportTable, assessments: Sequence[Assessment]) -> list[Row]:
    return assessment_rows(assessments) if table is ExportTable.ASSESSMENTS else result_rows(assessments)


# -- neutralising --------------------------------------------------------------------------------------------


def neutralise(value: Cell) -> Cell:
    """A text cell a spreadsheet could run as a formula, made plain text with a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


# -- writing -------------------------------------------------------------------------------------------------


def _write_atomically(path: Path, write: Callable[[Path], None]) -> Path:
    """Write to a temporary file beside `path`, then rename it over `path`: readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        # mkstemp makes the file private; an export is meant to be shared like any other file written here.
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        write(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return path


def write_csv(rows: Sequence[Row], columns: Sequence[str], path: Path) -> Path:
    """CSV with a header row, UTF-8 with a byte-order mark (so Excel reads the £ and – right)."""

    def write(target: Path) -> None:
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                writer.writerow([neutralise(row[c]) for c in columns])

    return _write_atomically(path, write)


_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="005EB8")  # NHS blue
_MAX_WIDTH = 60


def write_xlsx(sheets: Mapping[str, tuple[Sequence[str], Sequence[Row]]], path: Path) -> Path:
    """One sheet per table (name → columns, rows): styled header row, frozen below it, filters on."""

    def write(target: Path) -> None:
        workbook = Workbook()
        workbook.remove(workbook.active)
        for name, (columns, rows) in sheets.items():
            sheet = workbook.create_sheet(title=name)
            for col, column in enumerate(columns, start=1):
                cell = sheet.cell(row=1, column=col)
                _set_cell(cell, column)
                cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
            for r, row in enumerate(rows, start=2):
                for col, column in enumerate(columns, start=1):
                    _set_cell(sheet.cell(row=r, column=col), row[column])
            sheet.freeze_panes = "A2"
            sheet.auto_filter.ref = sheet.dimensions
            for col, column in enumerate(columns, start=1):
                longest = max([len(column), *(_width(row[column]) for row in rows)])
                sheet.column_dimensions[get_column_letter(col)].width = min(longest + 2, _MAX_WIDTH)
        workbook.save(target)

    return _write_atomically(path, write)


def _set_cell(cell: Any, value: Cell) -> None:
    """Numbers as numbers; text neutralised and typed as a string, never a formula."""
    if isinstance(value, str):
        # Control characters other than tab/newline are not allowed in the xlsx XML.
        cell.value = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", str(neutralise(value)))
        cell.data_type = "s"
    else:
        cell.value = value


def _width(value: Cell) -> int:
    text = "" if value is None else str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def write_json(assessments: Sequence[Assessment], path: Path) -> Path:
    """The full records, as `Assessment.model_validate` reads them back."""
    document = {
        "format": JSON_FORMAT,
        "assessments": [a.model_dump(mode="json") for a in assessments],
    }

    def write(target: Path) -> None:
        target.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    return _write_atomically(path, write)


def read_json(path: Path) -> list[Assessment]:
    """Assessments from a JSON export."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    return [Assessment.model_validate(a) for a in document["assessments"]]


def export(
    assessments: Sequence[Assessment],
    fmt: ExportFormat,
    out: Path,
    tables: Sequence[ExportTable] = tuple(ExportTable),
) -> list[Path]:
    """Write the export and return the files written.

    csv: one file per table; with one table `out` is that file, with both `out`'s stem gets `-assessments`
    and `-results`. xlsx: one workbook, a sheet per table. json: the full records (tables do not apply).
    """
    out = Path(out)
    if fmt is ExportFormat.JSON:
        return [write_json(assessments, out)]
    if fmt is ExportFormat.XLSX:
        sheets = {t.value.capitalize(): (COLUMNS[t], table_rows(t, assessments)) for t in tables}
        return [write_xlsx(sheets, out)]
    if len(tables) == 1:
        return [write_csv(table_rows(tables[0], assessments), COLUMNS[tables[0]], out)]
    return [
        write_csv(table_rows(t, assessments), COLUMNS[t], out.with_name(f"{out.stem}-{t.value}{out.suffix}"))
        for t in tables
    ]
