"""Build the Word reports from `Assessment` records: one per CSU per checkpoint, and the cohort summary.

The record is the only input (never the submission): `view.py` shapes it, `templates/*.txt.j2` supply the
narrative, `charts.py` the figures, and `docx_kit.py` writes it all onto the styled `templates/base.docx`.
Files are written atomically: a crash leaves the previous report (or nothing), never a broken .docx.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from docx.enum.section import WD_ORIENT
from docx.shared import Cm

from csu_assure.domain import Rag
from csu_assure.render.atomic import write_atomically
from csu_assure.render.word import charts
from csu_assure.render.word.docx_kit import (
    Cell,
    Doc,
    Outline,
    chart,
    heading,
    key_value_table,
    marking_header_footer,
    open_base,
    page_break,
    paragraph,
    rag,
    table,
    text_run,
    toc_field,
    update_fields_on_open,
)
from csu_assure.render.word.safe import one_line
from csu_assure.render.word.templating import render_blocks
from csu_assure.render.word.view import (
    OUTCOME_RAG,
    CheckView,
    CohortGroup,
    ReportView,
    SummaryView,
    cohort_view,
    report_view,
)
from csu_assure.results import Assessment, AssessmentSummary

DEFAULT_MARKING = "OFFICIAL-SENSITIVE: COMMERCIAL"


def installed_templates() -> Path:
    """The report templates: `templates/` at the repository root (see CONVENTIONS.md) in a checkout or an
    editable install; in a wheel install, the copy the wheel put under `<prefix>/share/csu-assure/templates`
    (pyproject's `data-files`), since the flat layout's asset folder is no package."""
    checkout = Path(__file__).resolve().parents[3] / "templates"
    return checkout if checkout.is_dir() else Path(sys.prefix) / "share" / "csu-assure" / "templates"


DEFAULT_TEMPLATES = installed_templates()
TEXT_WIDTH_CM = 17.0
LANDSCAPE_TEXT_WIDTH_CM = 25.7


# ------------------------------------------------------------------------------------------------ writing


def _save_atomically(doc: Doc, path: Path) -> Path:
    return write_atomically(Path(path), doc.save)


def _stamp(
    doc: Doc, *, title: str, subject: str, author: str, as_of: dt.date, marking: str, ident: str
) -> None:
    """Document properties from the record, dated as of the assessment so a re-run gives the same metadata."""
    props = doc.core_properties
    props.title = one_line(title)
    props.subject = one_line(subject)
    props.author = props.last_modified_by = one_line(author)
    props.category = one_line(marking)
    props.identifier = one_line(ident)
    props.keywords = "CSU assurance"
    props.comments = ""
    stamp = dt.datetime.combine(as_of, dt.time(), tzinfo=dt.UTC)
    props.created = props.modified = stamp
    props.revision = 1


def _blocks(doc: Doc, templates_dir: Path, name: str, **variables: object) -> None:
    for block in render_blocks(templates_dir, name, **variables):
        paragraph(doc, block.text, "List Bullet" if block.bullet else "Normal")


# ----------------------------------------------------------------------------------------- single report


def _cover(doc: Doc, v: ReportView) -> None:
    paragraph(doc, "CSU assurance report", "Title")
    paragraph(doc, v.csu_name, "Subtitle")
    paragraph(doc, v.checkpoint_title, "Subtitle")
    banner = paragraph(doc, "", f"Banner {v.banner.value.capitalize()}")
    text_run(banner, f"Decision: {v.decision}")
    if v.summary.escalation:
        text_run(banner, " — escalation required")
    key_value_table(doc, [(row.label, row.value) for row in v.cover], (4.0, TEXT_WIDTH_CM - 4.0))
    paragraph(
        doc,
        "Generated from the assessment record; every figure and finding below is the engine's result under the "
        "rule set named above, with any assessor overrides and waivers shown alongside.",
        "Note",
    )


def _domain_table(doc: Doc, v: ReportView) -> None:
    rows = [(d.label, rag(d.rag, d.status), len(d.checks), d.passed, d.failing, d.other) for d in v.domains]
    table(
        doc,
        ("Domain", "Status", "Checks", "Passed", "Failing", "Not applicable / waived"),
        rows,
        (5.0, 2.4, 1.8, 1.8, 1.8, 4.2),
    )
    if not v.domains:
        paragraph(doc, "No checks are defined for this checkpoint in the rule set used.", "Note")


def _result_cell(c: CheckView) -> Cell:
    label = f"{c.status} · {c.severity.lower()}"
    if c.failing:
        return rag(c.rag, label)
    return rag(Rag.GREEN, label) if c.status == "Pass" else Cell(label, bold=True)


def _check(doc: Doc, c: CheckView) -> None:
    p = paragraph(doc, "", "Check Heading")
    text_run(p, f"{c.check_id}  ")
    text_run(p, c.name)
    rows: list[tuple[str, Cell | object]] = [("Result", _result_cell(c))]
    if c.computed_status is not None:
        rows.append(("Computed result", f"{c.computed_status} (before the override or waiver below)"))
    rows += [
        ("Actual vs expected", f"{c.actual}  —  expected: {c.expected}"),
        ("Finding", c.finding),
        ("Source of threshold", c.source),
    ]
    if c.adjustment is not None:
        rows.append(("Override / waiver", c.adjustment))
    if c.note is not None:
        rows.append(("Note", c.note))
    key_value_table(doc, rows, (3.4, TEXT_WIDTH_CM - 3.4))
    if c.evidence is not None:
        e = c.evidence
        shown = len(e.rows)
        caption = "Evidence" + (f" (first {shown} of {shown + e.more} rows)" if e.more else "")
        paragraph(doc, caption, "Caption").paragraph_format.keep_with_next = True
        n = len(e.headers)
        table(doc, e.headers, e.rows, [TEXT_WIDTH_CM / max(n, 1)] * n, size=7.5 if n > 5 else None)
        if e.more:
            paragraph(doc, f"… and {e.more} more rows in the assessment record.", "Note")
    paragraph(doc, "", "Table Text")  # breathing space between checks


def _plan(doc: Doc, v: ReportView, templates_dir: Path) -> None:
    _blocks(doc, templates_dir, "intro_plan.txt.j2", s=v.summary)
    if v.plan:
        rows = [
            (
                f"{p.check_id} ({p.severity})\n{p.check_name}",
                f"{p.action}\nFinding: {p.finding}",
                p.owner,
                p.due,
                p.evidence_required,
            )
            for p in v.plan
        ]
        table(doc, ("Check", "Action", "Owner", "Due", "Evidence required"), rows, (3.4, 5.6, 2.6, 2.0, 3.4))
    elif v.conditions:
        rows2 = [(f"{c.check_id}\n{c.name}", rag(c.rag), c.status, c.finding) for c in v.conditions]
        table(doc, ("Check", "RAG", "Result", "Finding"), rows2, (4.6, 1.8, 2.6, 8.0))
    else:
        paragraph(doc, "No conditions: every check passed or was advisory only.", "Note")


def _data_quality(doc: Doc, v: ReportView) -> None:
    paragraph(
        doc,
        "These figures are outside what any real CSS could have (the rule set's plausible ranges), so they are "
        "not evidence. Optional data was set aside before the checks ran: the checks that needed it are scored "
        "as insufficient evidence. Required data was judged as given. The assessor must resolve each with the CSU.",
        "Normal",
    )
    rows = [(d.where, d.value, d.problem, d.expected, d.handling) for d in v.data_quality]
    table(doc, ("Where", "Value", "Problem", "Expected", "Handling"), rows, (4.4, 2.6, 2.8, 4.4, 2.8), size=8)


def _set_aside(a: Assessment, file: str, field: str = "") -> bool:
    return any(i.set_aside and i.file == file and (not field or i.field == field) for i in a.data_quality)


def _charts(doc: Doc, a: Assessment, outline: Outline) -> None:
    reason = "nothing was submitted" if not a.figures else ""
    made = (
        (
            "Income, costs and surplus",
            charts.finance_chart(a.figures),
            reason
            or (
                "the financial plan's figures are implausible and were set aside (see Data quality)"
                if _set_aside(a, "financial_plan.csv")
                else ""
            )
            or "the record has no financial plan (it is not required at this checkpoint or was not submitted)",
        ),
        (
            "CCG scores",
            charts.scores_chart(a.figures, a.checkpoint),
            reason or "the record has no CCG interview or survey scores for this checkpoint",
        ),
        (
            "Price per head",
            charts.price_chart(a.figures),
            reason
            or (
                "the indicative price per head is implausible and was set aside (see Data quality)"
                if _set_aside(a, "business_plan.yaml", "price_per_head")
                else ""
            )
            or "no indicative price per head was submitted",
        ),
    )
    for title, drawn, missing in made:
        heading(doc, outline, title, 2)
        if drawn is None:
            paragraph(doc, f"Chart not shown: {missing}.", "Note")
        else:
            chart(doc, drawn)


def _adjustments(doc: Doc, v: ReportView) -> None:
    if not v.adjustments:
        paragraph(doc, "No overrides or waivers were recorded.", "Note")
        return
    rows = [(a.check_id, a.kind, a.computed, a.final, a.assessor, a.reason, a.dates) for a in v.adjustments]
    table(
        doc,
        ("Check", "Kind", "Computed", "Final", "Assessor", "Reason", "Dates"),
        rows,
        (2.3, 1.8, 2.3, 2.0, 2.5, 3.9, 2.2),
    )


def _provenance(doc: Doc, v: ReportView, templates_dir: Path) -> None:
    _blocks(doc, templates_dir, "intro_provenance.txt.j2")
    key_value_table(doc, [(r.label, r.value) for r in v.provenance.rows], (4.0, TEXT_WIDTH_CM - 4.0))
    paragraph(doc, "Input files", "Heading 3")
    if v.provenance.inputs:
        rows = [(path, Cell(sha, mono=True)) for path, sha in v.provenance.inputs]
        table(doc, ("File", "SHA-256"), rows, (6.4, TEXT_WIDTH_CM - 6.4), size=7)
    else:
        paragraph(doc, "No input files: nothing was submitted.", "Note")


def build_assessment_document(assessment: Assessment, *, marking: str, templates_dir: Path) -> Doc:
    v = report_view(assessment)
    doc = open_base(templates_dir)
    outline = Outline()
    _stamp(
        doc,
        title=v.title,
        subject=v.checkpoint_title,
        author=v.assessor,
        as_of=v.as_of,
        marking=marking,
        ident=assessment.assessment_id,
    )
    marking_header_footer(doc, marking, f"{v.csu_name} · {v.checkpoint_title}")
    update_fields_on_open(doc)

    _cover(doc, v)
    page_break(doc)
    contents = paragraph(doc, "Contents", "Contents Heading")

    heading(doc, outline, "Executive summary", 1)
    _blocks(doc, templates_dir, "executive_summary.txt.j2", s=v.summary)
    if v.data_quality:
        heading(doc, outline, "Data quality", 1)
        _data_quality(doc, v)
    heading(doc, outline, "Domain results", 1)
    _blocks(doc, templates_dir, "intro_domains.txt.j2")
    _domain_table(doc, v)
    heading(doc, outline, "Conditions and development plan", 1)
    _plan(doc, v, templates_dir)
    heading(doc, outline, "Key figures", 1)
    _charts(doc, assessment, outline)
    heading(doc, outline, "Overrides and waivers", 1)
    _adjustments(doc, v)

    heading(doc, outline, "Checks by domain", 1)
    for d in v.domains:
        heading(doc, outline, f"{d.label} — {d.rag.value}", 2)
        for c in d.checks:
            _check(doc, c)
    heading(doc, outline, "Appendix: provenance", 1)
    _provenance(doc, v, templates_dir)
    toc_field(doc, contents, outline)
    return doc


def write_assessment_report(
    assessment: Assessment,
    path: Path,
    *,
    marking: str = DEFAULT_MARKING,
    templates_dir: Path = DEFAULT_TEMPLATES,
) -> Path:
    """Write the Word report for one CSU at one checkpoint to `path` (atomically) and return `path`."""
    doc = build_assessment_document(assessment, marking=marking, templates_dir=templates_dir)
    return _save_atomically(doc, Path(path))


# ----------------------------------------------------------------------------------------- cohort report


def _landscape(doc: Doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)


def _cohort_group(doc: Doc, g: CohortGroup, outline: Outline) -> None:
    heading(doc, outline, g.title, 1)
    paragraph(doc, "Decisions", "Heading 3")
    counts: list[tuple[Cell, object]] = [(rag(c.rag, c.decision), c.count) for c in g.counts]
    table(
        doc, ("Decision", "CSUs"), [*counts, (Cell("Total", bold=True), Cell(g.total, bold=True))], (8.0, 2.5)
    )
    paragraph(doc, "Domain results by CSU", "Heading 3")
    n = len(g.domains)
    name_w, decision_w = 5.2, 5.0
    domain_w = max(1.6, min(2.6, (LANDSCAPE_TEXT_WIDTH_CM - name_w - decision_w) / max(n, 1)))
    rows = [
        (
            f"{r.csu_name}\n{r.csu_id}",
            rag(r.decision_rag, r.decision + (" (escalation)" if r.escalation else "")),
            *(rag(x, s) for x, s in zip(r.rags, r.statuses, strict=True)),
        )
        for r in g.rows
    ]
    table(doc, ("CSU", "Decision", *g.domains), rows, (name_w, decision_w, *([domain_w] * n)), size=8)
    if g.unlisted:
        paragraph(
            doc,
            f"The first {len(g.rows):,} CSUs by name are listed; {g.unlisted:,} more are counted above and charted "
            "below, and every one is in the register (`csu-assure export` lists them all).",
            "Note",
        )


def build_cohort_document(
    assessments: Sequence[AssessmentSummary], title: str, *, marking: str, templates_dir: Path
) -> Doc:
    v = cohort_view(assessments, title)
    doc = open_base(templates_dir)
    _landscape(doc)
    outline = Outline()
    as_of = max((a.as_of for a in assessments), default=dt.date.today())
    _stamp(
        doc,
        title=v.title,
        subject="Cohort summary",
        author="csu-assure",
        as_of=as_of,
        marking=marking,
        ident=f"cohort of {v.total}",
    )
    marking_header_footer(doc, marking, v.title)
    update_fields_on_open(doc)
    paragraph(doc, v.title, "Title")
    paragraph(doc, "Cohort summary of CSU checkpoint assessments", "Subtitle")
    _blocks(doc, templates_dir, "cohort_summary.txt.j2", v=v)
    if not assessments:
        paragraph(doc, "No assessments were given, so there is nothing to summarise.", "Note")
    for g in v.groups:
        _cohort_group(doc, g, outline)
    heading(doc, outline, "Key figures across the cohort", 1)
    drawn = charts.cohort_charts(
        [charts.CohortPoint(a.csu_name, OUTCOME_RAG[a.outcome], a.figures) for a in assessments if a.figures]
    )
    if not drawn:
        paragraph(doc, "Chart not shown: no CSU in the cohort has key figures (none submitted).", "Note")
    else:
        for made in drawn:
            chart(doc, made)
        missing = sorted(one_line(a.csu_name) for a in assessments if a.figures is None)
        if missing:
            paragraph(doc, f"Not charted (no submission): {', '.join(missing)}.", "Note")
    return doc


def write_cohort_report(
    assessments: Iterable[Assessment | AssessmentSummary],
    path: Path,
    title: str,
    *,
    marking: str = DEFAULT_MARKING,
    templates_dir: Path = DEFAULT_TEMPLATES,
) -> Path:
    """Write the cohort summary (counts by decision, RAG per domain per CSU, key-figure chart) atomically."""
    # A cohort run hands over summaries (it keeps no full records); a caller holding records may pass those.
    summaries = [a if isinstance(a, AssessmentSummary) else AssessmentSummary.of(a) for a in assessments]
    doc = build_cohort_document(summaries, title, marking=marking, templates_dir=templates_dir)
    return _save_atomically(doc, Path(path))


__all__ = ["DEFAULT_MARKING", "SummaryView", "write_assessment_report", "write_cohort_report"]
