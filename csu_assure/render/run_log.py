"""What a run's log says about each CSU and each cohort, one line apiece, for people reading the run in the UI."""

from __future__ import annotations

from csu_assure.language import count
from csu_assure.render.links import ReportLinks
from csu_assure.results import CohortSummary, CsuRow, count_label


def csu_line(row: CsuRow, links: ReportLinks | None = None) -> str:
    """`north-vale (North Vale CSU), checkpoint 2: B — proceed with conditions [escalated: ...]; Leadership pass,
    Business plan marginal, Customer focus pass; report <where>`, or what happened instead of a decision."""
    head = f"{row.csu_id} ({' '.join(row.csu_name.split())}), checkpoint {int(row.checkpoint)}"
    s = row.summary
    if s is None:
        return f"{head}: {count_label(row)}" + (f" ({row.message})" if row.message else "")
    parts = [f"{head}: {count_label(row)}"]
    if s.escalation is not None:
        parts[0] += f", {s.escalation.label(row.checkpoint).lower()} escalated"
    if s.domains:
        parts.append(", ".join(f"{d.label(row.checkpoint)} {st.value}" for d, st in s.domains.items()))
    if s.moderation.value != "not_moderated":
        parts.append(
            f"moderation {s.moderation.value}"
            + (f" by {' '.join(s.moderated_by.split())}" if s.moderated_by else "")
        )
    if s.data_quality:
        parts.append(count(len(s.data_quality), "data-quality issue"))
    if row.report_error:
        parts.append(f"report not written: {row.report_error}")
    elif s.report_path:
        parts.append(f"report {links.text(s.report_path) if links else s.report_path}")
    if row.pdf_error:
        parts.append(f"no PDF: {row.pdf_error}")
    return "; ".join(parts)


def cohort_line(summary: CohortSummary, links: ReportLinks | None = None) -> str:
    """`Cohort example-cohort, checkpoint 2: 26 CSUs — 10 A — proceed, 3 C — stop, 1 error; report <where>`."""
    counts = ", ".join(f"{n} {label}" for label, n in summary.counts.items()) or "no CSUs"
    line = (
        f"Cohort {summary.cohort}, checkpoint {int(summary.checkpoint)}: {len(summary.rows)} CSUs — {counts}"
    )
    if summary.refused:
        line += f"; {len(summary.refused)} cohort entr{'y' if len(summary.refused) == 1 else 'ies'} refused"
    if summary.report_path:
        line += f"; cohort report {links.text(summary.report_path) if links else summary.report_path}"
    return line
