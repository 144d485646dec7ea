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
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Literal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from pydantic import BaseModel, ConfigDict, Field

from csu_assure.domain import Domain
from csu_assure.margins import result_margins
from csu_assure.render.atomic import write_atomically
from csu_assure.render.formats import ExportFormat, ExportTable
from csu_assure.results import Assessment, CheckResult, CsuRow, DataIssue, EvidenceRow, Firmness, Margin

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
    "group",
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


def _adjustment_text(r: CheckResult) -> str | None:
    adjustment = r.adjustment
    return f"{adjustment.kind} by {adjustment.assessor}: {adjustment.reason}" if adjustment else None


def _result_row(a: Assessment, r: CheckResult) -> Row:
    return {
        "csu_id": a.csu_id,
        "csu_name": a.csu_name,
        "checkpoint": int(a.checkpoint),
        "check_id": r.check_id,
        "name": r.name,
        "domain": r.domain.value,
        "group": r.group.value,
        "severity": r.severity.value,
        "computed": r.computed_status.value,
        "final": r.status.value,
        "actual": r.actual,
        "expected": r.expected,
        "finding": r.finding,
        "evidence": _evidence_text(r.evidence),
        "adjustment": _adjustment_text(r),
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


# -- one JSON document per run of the CLI (`--format json`) -----------------------------------------------------

RUNS_FORMAT: Literal["csu-assure/runs/1"] = "csu-assure/runs/1"


class _Json(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CheckJson(_Json):
    """One check's result, as the record holds it."""

    check_id: str
    name: str
    domain: str = Field(description="The decision domain the result counts towards.")
    group: str = Field(description="The check's group (its id's three letters), for reading.")
    status: str = Field(
        description="The final result: PASS, FAIL, NOT_EVIDENCED, NOT_APPLICABLE, ERROR or WAIVED."
    )
    computed_status: str = Field(
        description="What the check itself concluded, before any override or waiver."
    )
    severity: str = Field(
        description="critical, high, medium or low: how much a failure weighs in its domain."
    )
    actual: str | None
    expected: str
    finding: str
    remedy: str | None = Field(description="An agreed remedy that lowered the failure one step, if any.")
    adjustment: str | None = Field(description="An assessor's override or waiver, with who and why.")
    evidence_rows: int = Field(description="Rows of evidence the record holds for this result.")


class PlanItemJson(_Json):
    """One development-plan item."""

    item_id: str
    check_id: str
    kind: str = Field(description="finding, or escalation (a checkpoint 2 failed domain)")
    severity: str
    binding: bool
    owner: str
    due: dt.date
    action: str
    measure: str = Field(description="The measurable test of done.")
    evidence_required: str


class RunJson(_Json):
    """What became of one CSU at one checkpoint in this run, and the full decision when one was made."""

    csu_id: str
    csu_name: str
    checkpoint: int
    status: str = Field(
        description="assessed, not_submitted, invalid_submission, stopped (at an earlier checkpoint), pending "
        "(deadline not passed) or error."
    )
    outcome: str | None
    outcome_label: str | None
    escalation: str | None = Field(description="Checkpoint 2: the failed domain escalated, if any.")
    reasons: list[str] = Field(description="The decision rule that gave the outcome.")
    domains: dict[str, str] = Field(description="Each decision domain's status: pass, marginal or fail.")
    conditions: list[str] = Field(description="Ids of the failed checks of medium severity or worse.")
    moderation: str | None
    report: str | None
    assessment_id: str | None
    data_quality: list[DataIssue] = Field(
        description="Figures set aside as implausible (placeholders, out of range), each located."
    )
    problems: list[str] = Field(description="Located problems of an invalid submission.")
    message: str
    pdf: str | None
    pdf_error: str | None
    report_error: str | None = Field(
        description="Why the Word report could not be written (the assessment is recorded; a re-run writes it)."
    )
    results: list[CheckJson] | None = Field(
        description="Every check's result (null when nothing was decided)."
    )
    development_plan: list[PlanItemJson] | None = Field(
        description="The plan items (null when nothing decided)."
    )
    firmness: Firmness | None = Field(
        None,
        description="How firm the decision is: the thresholds within the rule set's tolerance whose crossing would "
        "change the outcome (hinges; none: firm). Null when nothing was decided on the domains.",
    )
    margins: list[Margin] | None = Field(
        None,
        description="Every measured figure's distance from each threshold it is judged against, in the check's "
        "unit and as a share of the threshold (null when nothing was decided).",
    )


class RunsJson(_Json):
    """The CLI's `--format json` document: every CSU of the run, and totals by decision."""

    format: Literal["csu-assure/runs/1"] = RUNS_FORMAT
    assessments: list[RunJson]
    totals: dict[str, int] = Field(description="CSUs by decision label (or by what happened instead).")
    cohort_report: str | None = Field(None, description="The cohort report, for a cohort run.")


def _check_json(r: CheckResult) -> CheckJson:
    return CheckJson(
        check_id=r.check_id,
        name=r.name,
        domain=r.domain.value,
        group=r.group.value,
        status=r.status.value,
        computed_status=r.computed_status.value,
        severity=r.severity.value,
        actual=r.actual,
        expected=r.expected,
        finding=r.finding,
        remedy=r.remedy,
        adjustment=_adjustment_text(r),
        evidence_rows=len(r.evidence),
    )


def run_json(row: CsuRow, assessment: Assessment | None = None) -> dict[str, Any]:
    """One CSU's run as JSON (the CLI's --format json, the cohort table artifact); with the run's `assessment`
    (its record at this checkpoint), every check's result and the development plan too."""
    s = row.summary
    a = assessment if assessment is not None and assessment.checkpoint == row.checkpoint else None
    return RunJson(
        csu_id=row.csu_id,
        csu_name=row.csu_name,
        checkpoint=int(row.checkpoint),
        status=row.disposition.value,
        outcome=s.outcome.value if s else None,
        outcome_label=s.outcome.label if s else None,
        escalation=s.escalation.value if s and s.escalation else None,
        reasons=list(a.reasons) if a else [],
        domains={d.value: st.value for d, st in s.domains.items()} if s else {},
        conditions=list(s.conditions) if s else [],
        moderation=s.moderation.value if s else None,
        report=s.report_path if s else None,
        assessment_id=s.assessment_id if s else None,
        data_quality=list(s.data_quality) if s else [],
        problems=list(row.problems),
        message=row.message,
        pdf=row.pdf,
        pdf_error=row.pdf_error or None,
        report_error=row.report_error or None,
        results=[_check_json(r) for r in a.results] if a else None,
        development_plan=[
            PlanItemJson(
                item_id=i.item_id,
                check_id=i.check_id,
                kind=i.kind,
                severity=i.severity.value,
                binding=i.binding,
                owner=i.owner,
                due=i.due,
                action=i.action,
                measure=i.measure,
                evidence_required=i.evidence_required,
            )
            for i in a.development_plan
        ]
        if a
        else None,
        firmness=s.firmness if s else None,
        margins=list(result_margins(a.results)) if a else None,
    ).model_dump(mode="json")


def runs_schema() -> str:
    """The JSON Schema of the CLI's `--format json` document (docs/cli-output.schema.json)."""
    return json.dumps(RunsJson.model_json_schema(), indent=2, ensure_ascii=False) + "\n"
