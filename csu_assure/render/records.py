"""Records as rows and documents: the register's exports (CSV, Excel, JSON) and one JSON line per CSU run.

Exports of the register's latest assessments and their check results: CSV, Excel (xlsx) or JSON.

Submission text (CSU names, findings, evidence) ends up in spreadsheet cells, so CSV and xlsx exports neutralise
formula injection as OWASP advises: a text cell starting with `=`, `+`, `-`, `@`, tab or carriage return (or
their full-width forms, which some spreadsheets also accept) gets a leading `'`, and xlsx cells are written
with an explicit string type, so openpyxl never stores a formula. Numbers stay numbers. JSON carries the full
records (no spreadsheet evaluates it) and round-trips to `Assessment`. Every file is written atomically.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from csu_assure.domain import Domain
from csu_assure.render.atomic import write_atomically
from csu_assure.render.formats import ExportFormat, ExportTable
from csu_assure.results import Assessment, CheckResult, CsuRow, EvidenceRow

Cell = str | int | float | None
Row = dict[str, Cell]

JSON_FORMAT = "csu-assure/assessments/1"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


ASSESSMENT_COLUMNS: tuple[str, ...] = (
    "csu_id",
    "csu_name",
    "checkpoint",
    "outcome",
    "escalation",
    *(f"domain_{d.value}" for d in Domain),
    "data_quality_issues",
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
    """One row per assessment: decision, RAG per domain (blank where the checkpoint has no such domain), how many
    data-quality issues it lists (the JSON export carries them in full)."""
    return [
        {
            "csu_id": a.csu_id,
            "csu_name": a.csu_name,
            "checkpoint": int(a.checkpoint),
            "outcome": a.outcome.label,
            "escalation": "yes" if a.escalation else "no",
            **{f"domain_{d.value}": a.domains[d].value if d in a.domains else None for d in Domain},
            "data_quality_issues": len(a.data_quality),
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


def write_csv(rows: Sequence[Row], columns: Sequence[str], path: Path) -> Path:
    """CSV with a header row, UTF-8 with a byte-order mark (so Excel reads the £ and – right)."""

    def write(handle: BinaryIO) -> None:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([neutralise(row[c]) for c in columns])
        text.flush()
        text.detach()  # the atomic writer owns (and closes) the file

    return write_atomically(path, write)


_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="005EB8")  # NHS blue
_MAX_WIDTH = 60


def write_xlsx(sheets: Mapping[str, tuple[Sequence[str], Sequence[Row]]], path: Path) -> Path:
    """One sheet per table (name → columns, rows): styled header row, frozen below it, filters on."""

    def write(target: BinaryIO) -> None:
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

    return write_atomically(path, write)


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

    def write(target: BinaryIO) -> None:
        target.write((json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))

    return write_atomically(path, write)


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


def run_json(row: CsuRow) -> dict[str, Any]:
    """One CSU's run as JSON (the CLI's --format json, the cohort table artifact)."""
    s = row.summary
    return {
        "csu_id": row.csu_id,
        "csu_name": row.csu_name,
        "checkpoint": int(row.checkpoint),
        "status": row.disposition.value,
        "outcome": s.outcome.value if s else None,
        "outcome_label": s.outcome.label if s else None,
        "escalation": s.escalation if s else False,
        "domains": {d.value: r.value for d, r in s.domains.items()} if s else {},
        "conditions": list(s.conditions) if s else [],
        "moderation": s.moderation.value if s else None,
        "report": s.report_path if s else None,
        "assessment_id": s.assessment_id if s else None,
        "data_quality": [i.model_dump(mode="json") for i in s.data_quality] if s else [],
        "problems": list(row.problems),
        "message": row.message,
        "pdf": row.pdf,
        "pdf_error": row.pdf_error or None,
    }
