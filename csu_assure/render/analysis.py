"""Renderers of the robustness analyses: a what-if's changes and a sweep's counts as rows, markdown and Excel
workbooks (the sweep's with a native Excel line chart, which Excel and LibreOffice draw themselves and whose data
the reader can edit). Text from submissions (CSU names) goes through the exports' formula neutralising."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.utils import get_column_letter

from csu_assure.domain import Checkpoint, Domain, Outcome
from csu_assure.render.atomic import write_atomically
from csu_assure.render.records import Cell, Row, _set_cell, write_xlsx
from csu_assure.results import Firmness, Measure
from csu_assure.sweep import Sweep
from csu_assure.variants import RuleSetIdentity, shown
from csu_assure.whatif import CheckFlip, CsuChange, WhatIf

_OPS = {"at_least": "≥", "above": ">", "at_most": "≤", "below": "<"}


def measures_text(measures: Iterable[Measure]) -> str:
    """E.g. "year-1 CCG income ÷ RCA 24%: pass_at ≥ 30%, high_below ≥ 20% (high)"."""
    parts = []
    for m in measures:
        lines = ", ".join(
            f"{line.param or 'line'} {_OPS[line.met_when]} {m.unit.show(line.at)}"
            + (f" ({line.severity.value})" if line.role == "grade" and line.severity else "")
            for line in m.lines
        )
        parts.append(f"{m.name} {m.unit.show(m.value)}: {lines}")
    return "; ".join(parts)


def lines_text(measures: Iterable[Measure]) -> str:
    """Only the lines, e.g. "pass_at ≥ 30%, high_below ≥ 20%"."""
    return "; ".join(
        ", ".join(f"{line.param or 'line'} {_OPS[line.met_when]} {m.unit.show(line.at)}" for line in m.lines)
        for m in measures
    )


def flip_text(f: CheckFlip) -> str:
    """E.g. "CP2-BUS-04 PASS → FAIL (high): 44% against max_share_of_rca ≤ 50% → ≤ 40%"."""
    head = f"{f.check_id} {f.base_result} → {f.alt_result}"
    moved = []
    for base, alt in zip(f.base_measures, f.alt_measures, strict=False):
        for bl, al in zip(base.lines, alt.lines, strict=False):
            if bl.at != al.at:
                op = _OPS[bl.met_when]
                moved.append(
                    f"{bl.param or 'line'} {op} {base.unit.show(bl.at)} → {op} {base.unit.show(al.at)}"
                )
    if f.base_measures:
        figure = ", ".join(m.unit.show(m.value) for m in f.base_measures)
        if moved:
            return f"{head}: {figure} against {'; '.join(moved)}"
        severity = f"severity {f.base_severity.value} → {f.alt_severity.value}"
        return f"{head}: {figure} ({lines_text(f.base_measures)}; {severity})"
    if f.base_expected != f.alt_expected:
        return f"{head}: {f.actual or 'no figure'} against {f.base_expected} → {f.alt_expected}"
    return f"{head} (severity {f.base_severity.value} → {f.alt_severity.value})"


def hinges_text(firmness: Firmness) -> str:
    """E.g. "CP2-BUS-04 highest share … 49% against max_share_of_rca 50% … → B"."""
    return "; ".join(f"{h.margin.text} → {h.outcome_if_crossed.label}" for h in firmness.hinges)


def _domains(change: CsuChange, checkpoint: Checkpoint) -> str:
    return ", ".join(
        f"{Domain(d).label(checkpoint).lower()} {a.value} → {b.value}" for d, (a, b) in change.domains.items()
    )


def short_outcome(outcome: Outcome) -> str:
    """A, B and C as letters (their labels are long); the other outcomes by label."""
    return outcome.value if outcome in (Outcome.A, Outcome.B, Outcome.C) else outcome.label


def _outcome(outcome: Outcome, escalation: Domain | None, checkpoint: Checkpoint) -> str:
    return outcome.label + (f" (escalation: {escalation.label(checkpoint).lower()})" if escalation else "")


def change_rows(w: WhatIf) -> list[Row]:
    """One row per CSU that changes (the Prefect table artifact and the workbook's first sheet)."""
    return [
        {
            "csu_id": c.csu_id,
            "csu_name": c.csu_name,
            "base_outcome": _outcome(c.base_outcome, c.base_escalation, w.checkpoint),
            "alt_outcome": _outcome(c.alt_outcome, c.alt_escalation, w.checkpoint),
            "outcome_changed": "yes" if c.outcome_changed else "no",
            "domains_changed": _domains(c, w.checkpoint),
            "checks_flipped": "; ".join(flip_text(f) for f in c.flips),
            "plan_changes": "; ".join(f"{p.item_id} {p.change}" for p in c.plan),
        }
        for c in w.changes
    ]


def flip_row(c: CsuChange, f: CheckFlip) -> Row:
    return {
        "csu_id": c.csu_id,
        "check_id": f.check_id,
        "check": f.name,
        "actual": f.actual,
        "base_expected": f.base_expected,
        "alt_expected": f.alt_expected,
        "base_result": f.base_result,
        "alt_result": f.alt_result,
        "figure": measures_text(f.base_measures),
        "alt_lines": lines_text(f.alt_measures),
    }


def _identity_rows(label: str, identity: RuleSetIdentity) -> list[Row]:
    return [{"item": f"{label} {k}", "value": v} for k, v in identity.model_dump().items()]


def whatif_sheets(w: WhatIf) -> dict[str, tuple[Sequence[str], Sequence[Row]]]:
    about: list[Row] = [
        {"item": "cohort", "value": w.cohort},
        {"item": "checkpoint", "value": int(w.checkpoint)},
        {"item": "as of", "value": w.as_of.isoformat()},
        *_identity_rows("base rule set", w.base),
        *_identity_rows("alternative rule set", w.alt),
        {"item": "prior plans", "value": w.prior_plans},
        {"item": "CSUs read", "value": w.csus},
        {"item": "CSUs decided under both", "value": w.assessed},
        {"item": "CSUs that change", "value": len(w.changes)},
        {"item": "of which the outcome changes", "value": len(w.outcome_changes)},
    ]
    labels = sorted({*w.base_counts, *w.alt_counts})
    counts: list[Row] = [
        {"decision": k, "base": w.base_counts.get(k, 0), "alternative": w.alt_counts.get(k, 0)}
        for k in labels
    ]
    flips: list[Row] = [flip_row(c, f) for c in w.changes for f in c.flips]
    plan: list[Row] = [
        {"csu_id": c.csu_id, "item_id": p.item_id, "change": p.change, "base": p.base, "alternative": p.alt}
        for c in w.changes
        for p in c.plan
    ]
    differences: list[Row] = [
        {"kind": d.kind, "what": d.what, "item": d.item, "base": shown(d.a), "alternative": shown(d.b)}
        for d in w.rule_set_differences.differences
    ]
    borderline: list[Row] = [
        {"csu_id": b.csu_id, "csu_name": b.csu_name, "hinges": hinges_text(b.firmness)} for b in w.borderline
    ]
    first = change_rows(w)
    return {
        "about": (("item", "value"), about),
        "changes": (tuple(first[0]) if first else _CHANGE_COLUMNS, first),
        "checks flipped": (_FLIP_COLUMNS, flips),
        "plan changes": (("csu_id", "item_id", "change", "base", "alternative"), plan),
        "counts": (("decision", "base", "alternative"), counts),
        "rule-set differences": (("kind", "what", "item", "base", "alternative"), differences),
        "borderline (base)": (("csu_id", "csu_name", "hinges"), borderline),
    }


_CHANGE_COLUMNS = (
    "csu_id",
    "csu_name",
    "base_outcome",
    "alt_outcome",
    "outcome_changed",
    "domains_changed",
    "checks_flipped",
    "plan_changes",
)
_FLIP_COLUMNS = (
    "csu_id",
    "check_id",
    "check",
    "actual",
    "base_expected",
    "alt_expected",
    "base_result",
    "alt_result",
    "figure",
    "alt_lines",
)


def write_whatif_xlsx(w: WhatIf, path: Path) -> Path:
    return write_xlsx(whatif_sheets(w), path)


def whatif_markdown(w: WhatIf) -> str:
    """The what-if's summary: both rule sets, the counts and each CSU whose outcome changes."""
    lines = [
        f"# What-if: {w.cohort}, checkpoint {int(w.checkpoint)}",
        "",
        f"- base: **{w.base.name} {w.base.version}**, sha256 `{w.base.sha256}` ({w.base.source})",
        f"- alternative: **{w.alt.name} {w.alt.version}**, sha256 `{w.alt.sha256}` ({w.alt.source})",
        f"- differences: {len(w.rule_set_differences.differences)} "
        f"({', '.join(w.rule_set_differences.checks) or 'no check'})",
        f"- {w.assessed} of {w.csus} CSUs decided under both; {len(w.changes)} change, "
        f"{len(w.outcome_changes)} of them in outcome",
        "",
        "| CSU | base | alternative | checks that flip |",
        "|---|---|---|---|",
    ]
    for row in change_rows(w):
        lines.append(
            f"| {row['csu_name']} | {row['base_outcome']} | {row['alt_outcome']} | {row['checks_flipped']} |"
        )
    return "\n".join(lines) + "\n"


# -- sweeps ------------------------------------------------------------------------------------------------------


def sweep_rows(s: Sweep) -> tuple[list[str], list[Row]]:
    """One row per step: each parameter's value, then the count of each decision, changed and borderline."""
    outcomes = list(s.outcomes)
    columns = [a.param for a in s.axes] + outcomes + ["changed from base", "borderline"]
    rows: list[Row] = []
    for step in s.steps:
        row: Row = {a.param: float(v) for a, v in zip(s.axes, step.values, strict=True)}
        row.update({label: step.counts.get(label, 0) for label in outcomes})
        row["changed from base"] = step.changed
        row["borderline"] = step.borderline
        rows.append(row)
    return columns, rows


def _fill(sheet: Any, columns: Sequence[str], rows: Sequence[Row]) -> None:
    for col, column in enumerate(columns, start=1):
        _set_cell(sheet.cell(row=1, column=col), column)
    for r, row in enumerate(rows, start=2):
        for col, column in enumerate(columns, start=1):
            value: Cell = row.get(column)
            _set_cell(sheet.cell(row=r, column=col), value)
    sheet.freeze_panes = "A2"
    for col, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(max(len(column), 10) + 2, 48)


def write_sweep_xlsx(s: Sweep, path: Path) -> Path:
    """The sweep as a workbook: a sheet of counts per step with a native line chart of each decision's count
    against the first parameter (one line per decision); for a grid, one sheet per decision with the counts as
    a matrix (first parameter down, second across) shaded by a colour scale; and the rule set it varied."""
    columns, rows = sweep_rows(s)
    outcomes = list(s.outcomes)

    def write(target: BinaryIO) -> None:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "sweep"
        _fill(sheet, columns, rows)
        if len(s.axes) == 1 and rows:
            chart = LineChart()
            chart.title = f"{s.cohort}, checkpoint {int(s.checkpoint)}: decisions as {s.axes[0].param} moves"
            chart.x_axis.title = s.axes[0].param
            chart.y_axis.title = "CSUs"
            chart.height, chart.width = 10, 22
            first = len(s.axes) + 1
            data = Reference(
                sheet, min_col=first, max_col=first + len(outcomes) - 1, min_row=1, max_row=len(rows) + 1
            )
            chart.add_data(data, titles_from_data=True)
            chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(rows) + 1))
            sheet.add_chart(chart, f"{get_column_letter(len(columns) + 2)}2")
        if len(s.axes) == 2:
            first_values = list(dict.fromkeys(step.values[0] for step in s.steps))
            second_values = list(dict.fromkeys(step.values[1] for step in s.steps))
            by_point = {step.values: step for step in s.steps}
            for label in outcomes:
                grid = workbook.create_sheet(title=_sheet_name(label))
                _set_cell(grid.cell(row=1, column=1), f"{s.axes[0].param} ↓ / {s.axes[1].param} →")
                for j, b in enumerate(second_values, start=2):
                    grid.cell(row=1, column=j, value=float(b))
                for i, a in enumerate(first_values, start=2):
                    grid.cell(row=i, column=1, value=float(a))
                    for j, b in enumerate(second_values, start=2):
                        grid.cell(row=i, column=j, value=by_point[(a, b)].counts.get(label, 0))
                end = f"{get_column_letter(len(second_values) + 1)}{len(first_values) + 1}"
                grid.conditional_formatting.add(
                    f"B2:{end}",
                    ColorScaleRule(
                        start_type="min", start_color="FFFFFF", end_type="max", end_color="5B9BD5"
                    ),
                )
        about = workbook.create_sheet(title="about")
        facts: list[Row] = [
            {"item": "cohort", "value": s.cohort},
            {"item": "checkpoint", "value": int(s.checkpoint)},
            {"item": "as of", "value": s.as_of.isoformat()},
            *_identity_rows("rule set", s.base),
            *[_fact(f"{a.param} in the rule set", shown(a.base_value)) for a in s.axes],
            {"item": "CSUs", "value": s.csus},
        ]
        _fill(about, ("item", "value"), facts)
        workbook.save(target)

    return write_atomically(path, write)


def _fact(item: str, value: Cell) -> Row:
    return {"item": item, "value": value}


def _sheet_name(label: str) -> str:
    """A decision label as a sheet name (at most 31 characters, none of []:*?/\\)."""
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in label)
    return cleaned[:31]


__all__ = [
    "change_rows",
    "hinges_text",
    "lines_text",
    "measures_text",
    "sweep_rows",
    "whatif_markdown",
    "whatif_sheets",
    "write_sweep_xlsx",
    "write_whatif_xlsx",
]
