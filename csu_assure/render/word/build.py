"""Build the Word reports from `Assessment` records: one per CSU per checkpoint, and the cohort summary.

The record is the only input (never the submission), with what the register says around it (`ReportContext`:
the previous checkpoint's record, the version, the marking): `view.py` and `cohort_view.py` shape it,
`templates/*.txt.j2` supply the fixed wording, `charts.py` the figures, and `docx_kit.py` writes it all onto the
styled `templates/base.docx`. Files are written atomically: a crash leaves the previous report (or nothing),
never a broken .docx.

A CSU's report: page 1 is the decision (why, the domains, the conditions, what happens next, the moderation
record, the sign-off block); then the contents, what changed since the last checkpoint, the findings that matter
in full, the checks that did not fail in one table, the evidence (data quality and key figures), the development
plan, overrides and waivers, the CSU's response, and the sources and provenance. A CSU that submitted nothing,
or nothing readable, gets the decision page and one page more.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from docx.enum.section import WD_ORIENT
from docx.shared import Cm

from csu_assure.compare import MovementBrief
from csu_assure.domain import Rag
from csu_assure.language import long_date
from csu_assure.render.atomic import write_atomically
from csu_assure.render.word import charts
from csu_assure.render.word.cohort_view import CohortGroup, cohort_view
from csu_assure.render.word.docx_kit import (
    Cell,
    Doc,
    Outline,
    chart,
    contents,
    heading,
    key_value_table,
    marking_header_footer,
    open_base,
    page_break,
    paragraph,
    rag,
    table,
    text_run,
    update_fields_on_open,
)
from csu_assure.render.word.safe import one_line
from csu_assure.render.word.templating import render_blocks
from csu_assure.render.word.view import (
    OUTCOME_RAG,
    EvidenceTable,
    FindingView,
    ReportContext,
    ReportView,
    SinceView,
    report_view,
)
from csu_assure.results import Assessment, AssessmentSummary, CsuRow
from csu_assure.settings import DEFAULT_MARKING


def installed_templates() -> Path:
    """The report templates: `templates/` at the repository root (see CONVENTIONS.md) in a checkout or an
    editable install; in a wheel install, the copy the wheel put under `<prefix>/share/csu-assure/templates`
    (pyproject's `data-files`), since the flat layout's asset folder is no package."""
    checkout = Path(__file__).resolve().parents[3] / "templates"
    return checkout if checkout.is_dir() else Path(sys.prefix) / "share" / "csu-assure" / "templates"


DEFAULT_TEMPLATES = installed_templates()
TEXT_WIDTH_CM = 17.0
LANDSCAPE_TEXT_WIDTH_CM = 25.7
NOTE_SIZE = 8.0  # small print in dense tables


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
    props.language = "en-GB"
    props.comments = ""
    stamp = dt.datetime.combine(as_of, dt.time(), tzinfo=dt.UTC)
    props.created = props.modified = stamp
    props.revision = 1


def _blocks(doc: Doc, templates_dir: Path, name: str, **variables: object) -> None:
    for block in render_blocks(templates_dir, name, **variables):
        paragraph(doc, block.text, "List Bullet" if block.bullet else "Normal")


def _note(doc: Doc, text: str) -> None:
    paragraph(doc, text, "Note")


def _intro(doc: Doc, text: str, style: str = "Normal") -> None:
    """A paragraph introducing the table after it: kept on the table's page, never left at a page's foot."""
    paragraph(doc, text, style).paragraph_format.keep_with_next = True


def _lead_in(doc: Doc, label: str, text: str, style: str = "Normal") -> None:
    """A paragraph starting with a bold label: "Moderation: Not moderated…"."""
    p = paragraph(doc, "", style)
    text_run(p, f"{label}: ", bold=True)
    text_run(p, text)


def _evidence_table(doc: Doc, e: EvidenceTable, caption: str = "Evidence") -> None:
    shown = len(e.rows)
    title = caption + (f" (first {shown} of {shown + e.more} rows)" if e.more else "")
    paragraph(doc, title, "Caption").paragraph_format.keep_with_next = True
    n = len(e.headers)
    table(doc, e.headers, e.rows, [TEXT_WIDTH_CM / max(n, 1)] * n, size=7.5 if n > 5 else NOTE_SIZE)
    if e.more:
        _note(doc, f"… and {e.more} more rows in the assessment record.")


# ------------------------------------------------------------------------------------------ decision page


def _decision_page(doc: Doc, v: ReportView) -> None:
    d = v.page
    paragraph(doc, "NHS Commissioning Board · Business Development Unit · CSU assurance report", "Masthead")
    paragraph(doc, v.csu_name, "Title")
    paragraph(doc, f"{v.checkpoint_title} · assessed {long_date(v.as_of)}", "Subtitle")
    banner = paragraph(doc, "", f"Banner {d.banner.value.capitalize()}")
    text_run(banner, f"Decision: {d.decision}")
    for reason in d.reasons:
        paragraph(doc, reason, "Reason")
    if d.firmness:
        _lead_in(doc, "How firm is this decision", d.firmness, "Reason")
    if d.domains:
        rows = [(dr.label, rag(dr.rag, dr.status), dr.deciding) for dr in d.domains]
        table(doc, ("Domain", "Status", "Set by"), rows, (4.2, 2.6, TEXT_WIDTH_CM - 6.8), size=NOTE_SIZE)
    if d.conditions_title:
        paragraph(doc, d.conditions_title, "Heading 3")
        if d.conditions:
            # The problem and its test of done; what to do about it is in the development plan.
            rows2 = [(f"{c.title} ({c.check_id})", c.owner, c.due, c.test) for c in d.conditions]
            table(
                doc,
                ("Condition", "Owner", "Due", "Done when"),
                rows2,
                (6.0, 3.2, 2.4, TEXT_WIDTH_CM - 11.6),
                size=7.5,
            )
        if d.conditions_more:
            _note(
                doc, f"The development plan lists {d.conditions_more} more, with what must be done for each."
            )
        if d.conditions_note:
            _note(doc, d.conditions_note)
    paragraph(doc, "Next steps", "Heading 3")
    for step in d.next_steps:
        paragraph(doc, step, "List Bullet")
    if d.appeal:
        _lead_in(doc, "Appeal", d.appeal, "Reason")
    _lead_in(doc, "Moderation", d.moderation, "Reason")
    signoff = [("Role", "Name", "Signature", "Date")] + [
        (Cell(s.role, bold=True), s.name, "", s.date) for s in d.signoff
    ]
    table(doc, signoff[0], signoff[1:], (2.6, 6.2, 5.0, 3.2), size=NOTE_SIZE)
    issue = [(r.label, r.value) for r in d.issue]
    key_value_table(doc, issue, (3.0, TEXT_WIDTH_CM - 3.0), size=7.5)
    paragraph(doc, v.term_note, "Note")


# ----------------------------------------------------------------------------------------------- sections


def _since(doc: Doc, s: SinceView, outline: Outline) -> None:
    heading(doc, outline, s.title, 1)
    for line in s.summary:
        _intro(doc, line)
    if s.domains:
        rows = [(m.domain, m.then, rag(m.rag, m.now) if m.rag else m.now, m.movement) for m in s.domains]
        table(doc, ("Domain", "Then", "Now", "Movement"), rows, (5.0, 3.6, 3.6, 4.8), size=NOTE_SIZE)
    if s.escalations:
        paragraph(doc, "Escalations", "Heading 3")
        rows2 = [(e.item_id, e.due, rag(e.rag, e.state), e.test, e.evidence) for e in s.escalations]
        table(
            doc,
            ("Escalation", "Due", "Status", "Domain now", "Evidence"),
            rows2,
            (3.6, 2.4, 2.2, 3.2, 5.6),
            size=NOTE_SIZE,
        )
    if s.plan:
        paragraph(doc, "Development-plan items", "Heading 3")
        rows3 = [
            (f"{p.item_id}\n{p.action}", p.owner, p.due, rag(p.rag, p.state), p.evidence) for p in s.plan
        ]
        table(
            doc,
            ("Item", "Owner", "Due", "Status", "Evidence"),
            rows3,
            (5.6, 2.8, 2.2, 2.2, 4.2),
            size=7.5,
        )
    if s.compact:
        return
    # Each kind of change that happened, under its own heading (the summary above counts every kind).
    for title, changes in (
        ("Resolved", s.resolved),
        ("Still failing", s.still_failing),
        ("New failures", s.new),
        ("Not re-tested", s.not_retested),
    ):
        if not changes:
            continue
        paragraph(doc, title, "Heading 3")
        header = ("Check", "Problem", "Earlier" if title == "Still failing" else "Re-tested by", "Evidence")
        if title in ("New failures", "Not re-tested"):
            rows4 = [(c.check_id, c.name, c.evidence) for c in changes]
            table(doc, ("Check", "Problem", "Evidence"), rows4, (2.4, 6.6, 8.0), size=7.5)
        else:
            rows5 = [(c.check_id, c.name, c.then, c.evidence) for c in changes]
            table(doc, header, rows5, (2.4, 5.6, 2.6, 6.4), size=7.5)


def _finding(doc: Doc, f: FindingView, outline: Outline) -> None:
    heading(doc, outline, f"{f.check_id} · {f.name}", 2)
    rows: list[tuple[str, Cell | object]] = [
        ("Result", rag(f.rag, f"{f.status} · {f.severity}: {f.effect}")),
    ]
    if f.computed_status is not None:
        rows.append(("Computed result", f"{f.computed_status} (before the override or waiver below)"))
    rows += [("Found", f.found), ("Standard", f.standard), ("Finding", f.finding)]
    if f.remedy:
        rows.append(("Remedy weighed", f.remedy))
    if f.adjustment is not None:
        rows.append(("Override / waiver", f.adjustment))
    if f.note is not None:
        rows.append(("Note", f.note))
    rows.append(("Standard set by", f.basis))
    key_value_table(doc, rows, (3.0, TEXT_WIDTH_CM - 3.0))
    if f.evidence is not None:
        _evidence_table(doc, f.evidence)


def _findings(doc: Doc, v: ReportView, outline: Outline) -> None:
    heading(doc, outline, "Findings that matter", 1)
    if not v.findings:
        _note(doc, "No check failed at medium severity or worse.")
    for f in v.findings:
        _finding(doc, f, outline)
    if v.advice:
        heading(doc, outline, "Advice (low severity)", 2)
        rows = [(c.check_id, c.looked_for, c.found, c.standard) for c in v.advice]
        table(
            doc, ("Check", "Problem found", "Found", "Standard"), rows, (2.2, 6.6, 3.8, 4.4), size=NOTE_SIZE
        )


def _passing(doc: Doc, v: ReportView, outline: Outline) -> None:
    heading(doc, outline, "Checks that did not fail", 1)
    _intro(
        doc,
        "Each check looks for a problem; these did not find it (or did not apply). The standard is what the "
        "check required.",
        "Note",
    )
    rows = [
        (c.check_id, c.domain, c.looked_for, rag(c.rag, c.result) if c.rag else c.result, c.found, c.standard)
        for c in v.passing
    ]
    table(
        doc,
        ("Check", "Domain", "Problem looked for", "Result", "Found", "Standard"),
        rows,
        (2.0, 2.1, 4.9, 1.6, 2.8, 3.6),
        size=7.5,
        keep_together=0,
    )


def _data_quality(doc: Doc, v: ReportView, outline: Outline) -> None:
    heading(doc, outline, "Data quality", 2)
    _intro(
        doc,
        "These figures are outside what any real CSU could have (the rule set's plausible ranges), so they are "
        "not evidence. Optional data was set aside before the checks ran: the checks that needed it are scored "
        "as insufficient evidence. Required data was judged as given. The assessor must resolve each with the CSU.",
        "Normal",
    )
    rows = [(d.where, d.value, d.problem, d.expected, d.handling) for d in v.data_quality]
    table(doc, ("Where", "Value", "Problem", "Expected", "Handling"), rows, (4.4, 2.6, 2.8, 4.4, 2.8), size=8)


def _set_aside(a: Assessment, file: str, field: str = "") -> bool:
    return any(i.set_aside and i.file == file and (not field or i.field == field) for i in a.data_quality)


def _charts(doc: Doc, a: Assessment, outline: Outline) -> None:
    made = (
        (
            "Income, costs and surplus",
            charts.finance_chart(a.figures),
            (
                "the financial plan's figures are implausible and were set aside (see Data quality)"
                if _set_aside(a, "financial_plan.csv")
                else "the record has no financial plan (it is not required at this checkpoint or was not submitted)"
            ),
        ),
        (
            "CCG scores",
            charts.scores_chart(a.figures, a.checkpoint),
            "the record has no CCG interview or survey scores for this checkpoint",
        ),
        (
            "Price per head",
            charts.price_chart(a.figures),
            (
                "the indicative price per head is implausible and was set aside (see Data quality)"
                if _set_aside(a, "business_plan.yaml", "price_per_head")
                else "no indicative price per head was submitted"
            ),
        ),
    )
    said = charts.scores_sentence(a.figures)
    for title, drawn, missing in made:
        heading(doc, outline, title, 2)
        if title == "CCG scores" and said is not None:
            paragraph(doc, said)
        elif drawn is None:
            _note(doc, f"Chart not shown: {missing}.")
        else:
            chart(doc, drawn)


def _plan(doc: Doc, v: ReportView, outline: Outline) -> None:
    heading(doc, outline, "Development plan", 1)
    _intro(doc, v.plan_intro)
    if not v.plan:
        if v.page.conditions_title:
            _note(doc, "No items: every check passed.")
        return
    rows = [
        (
            f"{p.item_id}\n{p.title}",
            p.action,
            p.owner,
            p.due,
            p.test,
            "Binding" if p.binding else "Advice",
        )
        for p in v.plan
    ]
    table(
        doc,
        ("Item", "What must be done", "Owner", "Due", "Done when", "Weight"),
        rows,
        (3.0, 4.6, 2.4, 1.9, 3.8, 1.3),
        size=7.5,
        keep_together=0,
    )


def _adjustments(doc: Doc, v: ReportView, outline: Outline) -> None:
    heading(doc, outline, "Overrides and waivers", 1)
    if not v.adjustments:
        _note(doc, "No overrides or waivers were recorded.")
        return
    rows = [(a.check_id, a.kind, a.computed, a.final, a.assessor, a.reason, a.dates) for a in v.adjustments]
    table(
        doc,
        ("Check", "Kind", "Computed", "Final", "Assessor", "Reason", "Dates"),
        rows,
        (2.3, 1.8, 2.3, 2.0, 2.5, 3.9, 2.2),
    )


def _response(doc: Doc, v: ReportView, templates_dir: Path, outline: Outline) -> None:
    heading(doc, outline, f"Response from {v.csu_name}", 1)
    _blocks(doc, templates_dir, "response.txt.j2", v=v)
    table(
        doc,
        None,
        [
            (Cell("Factual corrections and comments", bold=True), "\n\n\n\n"),
            (
                Cell("Findings accepted" if v.page.appeal else "Conditions accepted", bold=True),
                "Yes / No (if no, say which and why)\n\n",
            ),
            (Cell("Signed (accountable officer)", bold=True), "\n"),
            (Cell("Name and date", bold=True), "\n"),
        ],
        (5.0, TEXT_WIDTH_CM - 5.0),
    )


def _provenance(doc: Doc, v: ReportView, templates_dir: Path, outline: Outline) -> None:
    heading(doc, outline, "Sources and provenance", 1)
    if v.sources:
        paragraph(doc, "The standards the checks apply come from these publications:", "Normal")
        for source in v.sources:
            paragraph(doc, source, "List Bullet")
    _blocks(doc, templates_dir, "intro_provenance.txt.j2")
    key_value_table(doc, [(r.label, r.value) for r in v.provenance.rows], (4.0, TEXT_WIDTH_CM - 4.0), size=8)
    paragraph(doc, "Input files", "Heading 3")
    if v.provenance.inputs:
        rows = [(path, Cell(sha, mono=True)) for path, sha in v.provenance.inputs]
        table(doc, ("File", "SHA-256"), rows, (6.4, TEXT_WIDTH_CM - 6.4), size=7, keep_together=0)
    else:
        _note(doc, "No input files: nothing was submitted.")


def _short_report(doc: Doc, v: ReportView, templates_dir: Path, outline: Outline) -> None:
    """Page 2 of a report on nothing submitted, or nothing readable."""
    if v.problems is not None:
        heading(doc, outline, "Why the submission could not be read", 1, listed=False)
        _evidence_table(doc, v.problems, "Problems in the files, as located")
    heading(doc, outline, "The checks", 1, listed=False)
    paragraph(doc, v.not_judged)
    if v.since is not None:
        _since(doc, v.since, outline)
    heading(doc, outline, "Provenance", 1, listed=False)
    key_value_table(
        doc, [(r.label, r.value) for r in v.provenance.rows], (4.0, TEXT_WIDTH_CM - 4.0), size=7.5
    )
    if v.provenance.inputs:
        rows = [(path, Cell(sha, mono=True)) for path, sha in v.provenance.inputs]
        table(doc, ("File as read", "SHA-256"), rows, (6.4, TEXT_WIDTH_CM - 6.4), size=7, keep_together=0)


def build_assessment_document(
    assessment: Assessment,
    *,
    marking: str | None = None,
    templates_dir: Path,
    context: ReportContext | None = None,
) -> Doc:
    """The report as a document. The marking is `marking` when given, else the context's (default: the 2012
    scheme's, `DEFAULT_MARKING`)."""
    ctx = context or ReportContext()
    if marking is not None:
        ctx = replace(ctx, marking=marking)
    v = report_view(assessment, ctx)
    doc = open_base(templates_dir)
    outline = Outline()
    _stamp(
        doc,
        title=v.title,
        subject=v.checkpoint_title,
        author=v.assessor,
        as_of=v.as_of,
        marking=ctx.marking,
        ident=assessment.assessment_id,
    )
    marking_header_footer(doc, ctx.marking, f"{v.csu_name} · {v.checkpoint_title}")
    update_fields_on_open(doc)

    _decision_page(doc, v)
    page_break(doc)
    if v.short:
        _short_report(doc, v, templates_dir, outline)
        return doc
    toc = paragraph(doc, "Contents", "Contents Heading")
    if v.since is not None:
        _since(doc, v.since, outline)
    _findings(doc, v, outline)
    _passing(doc, v, outline)
    heading(doc, outline, "Evidence", 1)
    if v.data_quality:
        _data_quality(doc, v, outline)
    _charts(doc, assessment, outline)
    _plan(doc, v, outline)
    _adjustments(doc, v, outline)
    _response(doc, v, templates_dir, outline)
    _provenance(doc, v, templates_dir, outline)
    contents(doc, toc, outline, TEXT_WIDTH_CM, levels=1)
    return doc


def write_assessment_report(
    assessment: Assessment,
    path: Path,
    *,
    marking: str | None = None,
    templates_dir: Path = DEFAULT_TEMPLATES,
    context: ReportContext | None = None,
) -> Path:
    """Write the Word report for one CSU at one checkpoint to `path` (atomically) and return `path`. `context`
    carries what the register knows around the record (the previous checkpoint's assessment, the version, the
    marking); `marking`, when given, overrides the context's."""
    doc = build_assessment_document(assessment, marking=marking, templates_dir=templates_dir, context=context)
    return _save_atomically(doc, Path(path))


# ----------------------------------------------------------------------------------------- cohort report


def _landscape(doc: Doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)


W = LANDSCAPE_TEXT_WIDTH_CM


def _cohort_group(doc: Doc, g: CohortGroup, outline: Outline, single: bool) -> None:
    if not single:
        heading(doc, outline, g.title, 1)
    sub = 2 if not single else 1
    heading(doc, outline, "Decisions and domains", sub)
    for line in g.summary:
        _intro(doc, line)
    counts: list[tuple[Cell, object, object]] = [(rag(c.rag, c.decision), c.count, c.share) for c in g.counts]
    table(
        doc,
        ("Decision", "CSUs", "Share"),
        [*counts, (Cell("Total", bold=True), Cell(g.total, bold=True), "")],
        (9.0, 2.5, 2.5),
    )
    if g.domain_totals:
        rows = [
            (
                t.domain,
                rag(Rag.GREEN, str(t.passed)),
                rag(Rag.AMBER, str(t.marginal)),
                rag(Rag.RED, str(t.failed)),
                t.not_judged,
            )
            for t in g.domain_totals
        ]
        paragraph(doc, "CSUs by domain status", "Caption").paragraph_format.keep_with_next = True
        table(
            doc,
            ("Domain", "Pass", "Marginal", "Fail", "Not judged (nothing submitted)"),
            rows,
            (6.0, 2.5, 2.5, 2.5, 5.5),
        )

    heading(doc, outline, "CSUs by decision, with the reasons", sub)
    for section in g.by_outcome:
        paragraph(doc, f"{section.decision} ({section.count})", "Heading 3")
        rows2 = [(f"{r.csu_name}\n{r.csu_id}", r.reasons) for r in section.rows]
        table(doc, ("CSU", "Key reasons"), rows2, (6.0, W - 6.0), size=NOTE_SIZE, keep_together=8)

    if g.movement is not None:
        m = g.movement
        heading(doc, outline, m.title, sub)
        for line in m.summary:
            _intro(doc, line)
        if m.rows:
            rows3 = [
                (
                    r.csu_name,
                    r.then,
                    rag(r.rag, r.now) if r.rag else r.now,
                    r.domains,
                    r.failures,
                    r.plan,
                    r.escalation,
                )
                for r in m.rows
            ]
            table(
                doc,
                (
                    "CSU",
                    "Then",
                    "Now",
                    "Domains",
                    "Failures: resolved / still / new",
                    "Binding plan items",
                    "Escalation",
                ),
                rows3,
                (4.4, 3.6, 4.2, 3.4, 3.6, 3.4, 3.1),
                size=7.5,
                keep_together=0,
            )

    if g.borderline is not None:
        b = g.borderline
        heading(doc, outline, b.title, sub)
        _intro(doc, b.summary)
        if b.rows:
            table(
                doc,
                ("CSU", "Decision", "The line it hangs on → the decision across it"),
                [(r.csu_name, rag(r.decision_rag, r.decision), r.lines) for r in b.rows],
                (5.0, 4.5, W - 9.5),
                size=NOTE_SIZE,
                keep_together=8,
            )

    heading(doc, outline, "Most-failed checks", sub)
    if g.league:
        rows4 = [(r.check_id, r.name, r.domain, r.csus, r.share, r.severities) for r in g.league]
        table(
            doc,
            ("Check", "Problem", "Domain", "CSUs", "Share", "Weight"),
            rows4,
            (2.4, 10.6, 3.2, 1.8, 2.0, 5.7),
            size=NOTE_SIZE,
        )
        _note(doc, g.league_note)
    else:
        _note(doc, "No check failed for any CSU assessed on a submission.")

    heading(doc, outline, g.conditions_title, sub)
    if g.conditions:
        # Each CSU named once, on its first condition.
        rows5 = [
            (
                c.csu_name if i == 0 or g.conditions[i - 1].csu_name != c.csu_name else "",
                f"{c.item_id}\n{c.title}",
                c.owner,
                c.due,
                c.test,
            )
            for i, c in enumerate(g.conditions)
        ]
        table(
            doc,
            ("CSU", "Condition", "Owner", "Due", "Done when"),
            rows5,
            (4.0, 7.0, 4.2, 2.6, 7.9),
            size=7.5,
            keep_together=0,
        )
        if g.conditions_more:
            _note(doc, g.conditions_more)
    else:
        _note(doc, g.conditions_empty)

    heading(doc, outline, "Escalations, stops and missing submissions", sub)
    paragraph(doc, "Escalations", "Heading 3")
    if g.escalations:
        rows6 = [(e.csu_name, e.domain, e.raised, e.status) for e in g.escalations]
        table(
            doc,
            ("CSU", "Domain escalated", "Raised", "Status"),
            rows6,
            (6.0, 4.0, 5.0, W - 15.0),
            size=NOTE_SIZE,
        )
    else:
        _note(doc, "No CSU carries an escalation.")
    paragraph(doc, "Stopped, not submitted or not assessed", "Heading 3")
    if g.stopped:
        rows7 = [(s.csu_name, s.status, s.detail) for s in g.stopped]
        table(doc, ("CSU", "Status", "Detail"), rows7, (6.0, 5.0, W - 11.0), size=NOTE_SIZE)
    else:
        _note(doc, "Every CSU in the cohort was assessed on a submission.")

    heading(doc, outline, "Domain results by CSU", sub)
    n = len(g.domains)
    name_w, decision_w = 5.2, 5.8
    domain_w = max(1.6, min(3.2, (W - name_w - decision_w) / max(n, 1)))
    rows8 = [
        (
            f"{r.csu_name}\n{r.csu_id}",
            rag(r.decision_rag, r.decision + (" (escalation)" if r.escalation else "")),
            *(rag(x, s) for x, s in zip(r.rags, r.statuses, strict=True)),
        )
        for r in g.rows
    ]
    table(
        doc,
        ("CSU", "Decision", *g.domains),
        rows8,
        (name_w, decision_w, *([domain_w] * n)),
        size=8,
        keep_together=0,
    )
    if g.unlisted:
        _note(
            doc,
            f"The first {len(g.rows):,} CSUs by name are listed; {g.unlisted:,} more are counted above and charted "
            "below, and every one is in the register (csu-assure export lists them all).",
        )


def build_cohort_document(
    assessments: Sequence[AssessmentSummary],
    title: str,
    *,
    marking: str,
    templates_dir: Path,
    others: Sequence[CsuRow] = (),
    movement: Mapping[str, MovementBrief] | None = None,
) -> Doc:
    v = cohort_view(assessments, title, others=others, movement=movement or {})
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
    paragraph(doc, "NHS Commissioning Board · Business Development Unit", "Masthead")
    paragraph(doc, v.title, "Title")
    paragraph(doc, v.subtitle, "Subtitle")
    _blocks(doc, templates_dir, "cohort_summary.txt.j2", v=v)
    if not assessments:
        _note(doc, "No assessments were given, so there is nothing to summarise.")
    toc = paragraph(doc, "Contents", "Contents Heading") if assessments else None
    single = len(v.groups) == 1
    for g in v.groups:
        _cohort_group(doc, g, outline, single)
    heading(doc, outline, "Key figures across the cohort", 1)
    drawn = charts.cohort_charts(
        [charts.CohortPoint(a.csu_name, OUTCOME_RAG[a.outcome], a.figures) for a in assessments if a.figures]
    )
    if not drawn:
        _note(doc, "Chart not shown: no CSU in the cohort has key figures (none submitted).")
    else:
        for made in drawn:
            chart(doc, made)
        missing = sorted(one_line(a.csu_name) for a in assessments if a.figures is None)
        if missing:
            _note(doc, f"Not charted (no submission): {', '.join(missing)}.")
    paragraph(doc, v.term_note, "Note")
    if toc is not None:
        contents(doc, toc, outline, W, levels=1)
    return doc


def write_cohort_report(
    assessments: Iterable[Assessment | AssessmentSummary],
    path: Path,
    title: str,
    *,
    marking: str = DEFAULT_MARKING,
    templates_dir: Path = DEFAULT_TEMPLATES,
    others: Sequence[CsuRow] = (),
    movement: Mapping[str, MovementBrief] | None = None,
) -> Path:
    """Write the cohort summary atomically: totals by decision and domain status, the CSUs by decision with their
    reasons, movement since the last checkpoint (`movement`, by CSU id), the most-failed checks, every condition,
    escalations, the CSUs stopped earlier or not assessed (`others`: their rows), and the key-figure charts."""
    # A cohort run hands over summaries (it keeps no full records); a caller holding records may pass those.
    summaries = [a if isinstance(a, AssessmentSummary) else AssessmentSummary.of(a) for a in assessments]
    doc = build_cohort_document(
        summaries,
        title,
        marking=marking,
        templates_dir=templates_dir,
        others=others,
        movement=movement,
    )
    return _save_atomically(doc, Path(path))


__all__ = [
    "DEFAULT_MARKING",
    "ReportContext",
    "write_assessment_report",
    "write_cohort_report",
]
