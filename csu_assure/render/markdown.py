"""Markdown renderings of records, for Prefect artifacts: one assessment, its check results, a cohort."""

from __future__ import annotations

import re
from pathlib import Path

from csu_assure.domain import Domain, Rag
from csu_assure.render.links import ReportLinks
from csu_assure.results import Assessment, CohortSummary, CsuRow, count_label

_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_{}[]<>()#+!|"})
RAG_MARK = {Rag.GREEN: "🟢 GREEN", Rag.AMBER: "🟠 AMBER", Rag.RED: "🔴 RED"}
_DATA_QUALITY_NOTE = (
    "Implausible figures, for the assessor to resolve with the CSU. Optional data was set aside before the checks "
    "ran (the checks that needed it report insufficient evidence); required data was judged as given."
)


def md(text: object) -> str:
    """Text from a submission made inert in Markdown (no links, HTML or table breaks)."""
    return " ".join(str(text).split()).translate(_MD_SPECIAL)


def code(text: object) -> str:
    """Text as a Markdown code span: shown exactly (a path stays copyable), never interpreted."""
    one_line = " ".join(str(text).split())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", one_line)), default=0) + 1)
    pad = " " if "`" in one_line else ""
    return f"{fence}{pad}{one_line}{pad}{fence}"


def report_markdown(path: str | Path | None, links: ReportLinks | None) -> str:
    """A link to the report where the reports folder is served, else its path, shown exactly as text."""
    if not path:
        return ""
    url = links.url(path) if links else None
    return f"[{md(Path(path).name)}]({url})" if url else code(path)


def assessment_markdown(a: Assessment, links: ReportLinks | None = None) -> str:
    """Decision, RAG by domain and conditions, for a Prefect markdown artifact."""
    lines = [
        f"# {md(a.csu_name)} ({md(a.csu_id)}) — {a.checkpoint.title}",
        "",
        f"**Decision: {md(a.outcome.label)}**"
        + (
            f" — escalation of {a.escalation.label(a.checkpoint).lower()}: leadership intervention or merger"
            if a.escalation
            else ""
        ),
        "",
        f"Moderation: {a.moderation.status}"
        + (f" by {md(a.moderation.assessor)}" if a.moderation.assessor else ""),
        "",
        *(
            [f"**Amended** on {a.amendment.on.isoformat()}: {md(a.amendment.reason)}", ""]
            if a.amendment
            else []
        ),
        "| Domain | Status |",
        "|---|---|",
        *(f"| {d.label(a.checkpoint)} | {RAG_MARK[s.rag]} {s.value} |" for d, s in a.domains.items()),
        "",
    ]
    if a.conditions:
        lines += ["## Conditions and reasons", ""]
        lines += [
            f"- **{c.check_id}** ({c.severity.value}, {c.status.value}): {md(c.finding)}"
            for c in a.conditions
        ]
    else:
        lines.append("No conditions.")
    if a.data_quality:
        lines += ["", "## Data quality", "", _DATA_QUALITY_NOTE, ""]
        lines += [
            f"- {md(issue)}{'' if issue.set_aside else ' (judged as given)'}" for issue in a.data_quality
        ]
    lines += [
        "",
        f"Assessment {a.assessment_id}, as of {a.provenance.as_of.isoformat()}, rule set "
        f"{md(a.provenance.ruleset_name)} {md(a.provenance.ruleset_version)}.",
    ]
    if a.report_path:
        lines += ["", f"Word report: {report_markdown(a.report_path, links)}"]
    return "\n".join(lines)


def results_table(a: Assessment) -> list[dict[str, str]]:
    """One row per check result, for a Prefect table artifact."""
    return [
        {
            "check": r.check_id,
            "domain": r.domain.value,
            "severity": r.severity.value,
            "status": r.status.value,
            "computed": r.computed_status.value,
            "rag": r.rag.value,
            "actual": r.actual or "",
            "expected": r.expected,
            "finding": r.finding,
            "override": f"{r.adjustment.assessor}: {r.adjustment.reason}" if r.adjustment else "",
        }
        for r in a.results
    ]


def cohort_markdown(
    summary: CohortSummary, rows_up_to: int | None = None, links: ReportLinks | None = None
) -> str:
    """Counts by outcome, then a row per CSU (the first `rows_up_to` of them, if given) and every error."""
    domains = _domains(summary)
    lines = [
        f"# Cohort {md(summary.cohort)} — {summary.checkpoint.title}",
        "",
        f"{len(summary.rows)} CSUs."
        + (f" Cohort report: {report_markdown(summary.report_path, links)}" if summary.report_path else ""),
        "",
        "| Outcome | CSUs |",
        "|---|---|",
        *(f"| {md(label)} | {n} |" for label, n in summary.counts.items()),
        "",
        "| CSU | Status | Decision | "
        + " | ".join(d.label(summary.checkpoint) for d in domains)
        + " | Report |",
        "|---|---|---|" + "---|" * len(domains) + "---|",
    ]
    shown = summary.rows if rows_up_to is None else summary.rows[:rows_up_to]
    for row in shown:
        s = row.summary
        rags = [_domain_cell(row, d) for d in domains]
        decision = md(s.outcome.label) if s else md(row.message or count_label(row))
        report = report_markdown(s.report_path, links) if s else ""
        lines.append(
            f"| {md(row.csu_name)} | {_STATUS[row.disposition.value]} | {decision} | "
            + " | ".join(rags)
            + f" | {report} |"
        )
    if len(shown) < len(summary.rows):
        lines += [
            "",
            f"… and {len(summary.rows) - len(shown):,} more CSUs: every one is in the cohort report and the "
            "register (`csu-assure export`).",
        ]
    if summary.errors:
        lines += ["", "## Errors", ""] + [f"- {md(r.csu_id)}: {md(r.message)}" for r in summary.errors]
    return "\n".join(lines)


_STATUS = {
    "assessed": "assessed",
    "not_submitted": "not submitted",
    "invalid_submission": "invalid submission",
    "stopped": "stopped earlier",
    "pending": "awaiting submission",
    "error": "error",
}


def _domain_cell(row: CsuRow, domain: Domain) -> str:
    s = row.summary
    if s is None or domain not in s.domains:
        return ""
    status = s.domains[domain]
    return f"{RAG_MARK[status.rag]} {status.value}"


def cohort_table(
    summary: CohortSummary, rows_up_to: int | None = None, links: ReportLinks | None = None
) -> list[dict[str, str]]:
    """A row per CSU for a Prefect table artifact, in words: decision, each domain's colour and status (one
    column per domain, named as the BDU named it at this checkpoint), moderation, the report's URL or path."""
    domains = _domains(summary)
    shown = summary.rows if rows_up_to is None else summary.rows[:rows_up_to]
    table = []
    for row in shown:
        s = row.summary
        cells = {
            "CSU": row.csu_id,
            "Name": " ".join(row.csu_name.split()),
            "Status": _STATUS[row.disposition.value],
            "Decision": s.outcome.label if s else count_label(row),
            "Escalated": s.escalation.label(summary.checkpoint) if s and s.escalation else "",
        }
        cells |= {d.label(summary.checkpoint): _domain_cell(row, d) for d in domains}
        cells |= {
            "Conditions": ", ".join(s.conditions) if s else "",
            "Moderation": (
                s.moderation.value.replace("_", " ")
                + (f" by {' '.join(s.moderated_by.split())}" if s.moderated_by else "")
                if s
                else ""
            ),
            "Report": (links.text(s.report_path) if links else (s.report_path or "")) if s else "",
            "Note": " ".join((row.report_error or row.pdf_error or row.message).split()),
        }
        table.append(cells)
    return table


def _domains(summary: CohortSummary) -> list[Domain]:
    seen = {d for r in summary.rows if r.summary for d in r.summary.domains}
    return [d for d in Domain if d in seen]
