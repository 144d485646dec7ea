"""`csu-assure history CSU` and `csu-assure report CSU`: read the register, re-render reports from it."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape

from cli.common import EXIT_INVALID, err, out
from cli.options import Format, OutDir, OutputFormat

CsuId = Annotated[str, typer.Argument(help="The CSU's id, as in its business_plan.yaml (csu_id).")]


def history(csu_id: CsuId, out_dir: OutDir = None, fmt: Format = OutputFormat.TEXT) -> None:
    """Every assessment of a CSU in the register, superseded ones included, oldest first."""
    from rich.table import Table

    from cli.runner import configure_or_exit
    from csu_assure.service import Options

    config = configure_or_exit(Options(out_dir=out_dir))
    entries = config.register.history(csu_id)
    if not entries:
        err.print(f"no assessments of {escape(csu_id)} in {escape(config.register.display_url)}")
        raise typer.Exit(EXIT_INVALID)
    if fmt is OutputFormat.JSON:
        rows = [
            {
                "assessment_id": e.assessment.assessment_id,
                "checkpoint": int(e.assessment.checkpoint),
                "outcome": e.assessment.outcome.value,
                "status": e.status.value,
                "moderation": e.assessment.moderation.status.value,
                "as_of": e.assessment.provenance.as_of.isoformat(),
                "recorded_at": e.created_at,
                "superseded_by": e.superseded_by,
                "flow_run_id": e.assessment.provenance.flow_run_id,
                "report": e.assessment.report_path,
            }
            for e in entries
        ]
        out.print_json(json.dumps({"csu_id": csu_id, "history": rows}))
        return
    table = Table(title=f"{escape(entries[-1].assessment.csu_name)} ({escape(csu_id)})")
    for column in ("Recorded (UTC)", "CP", "Decision", "Moderation", "As of", "Assessment", "Flow run"):
        table.add_column(column, overflow="fold")
    for e in entries:
        a = e.assessment
        style = "dim strike" if e.superseded else ""
        moderation = a.moderation.status.value + (
            f" by {a.moderation.assessor}" if a.moderation.assessor else ""
        )
        table.add_row(
            e.created_at[:19],
            str(int(a.checkpoint)),
            escape(a.outcome.label) + (" (invalid)" if e.status == "invalid_submission" else ""),
            escape(moderation),
            a.provenance.as_of.isoformat(),
            a.assessment_id,
            a.provenance.flow_run_id or "",
            style=style,
        )
    out.print(table)


def report(
    csu_id: CsuId,
    checkpoint: Annotated[int | None, typer.Option("--checkpoint", "-c", min=1, max=3)] = None,
    out_dir: OutDir = None,
) -> None:
    """Re-render a CSU's Word reports from the register (its latest assessment at each checkpoint)."""
    from cli.runner import configure_or_exit
    from csu_assure.service import Options, write_report

    config = configure_or_exit(Options(out_dir=out_dir))
    found = [
        a
        for a in config.register.all_latest()
        if a.csu_id == csu_id and (checkpoint is None or int(a.checkpoint) == checkpoint)
    ]
    if not found:
        where = f" at checkpoint {checkpoint}" if checkpoint else ""
        err.print(f"no assessment of {escape(csu_id)}{where} in {escape(config.register.display_url)}")
        raise typer.Exit(EXIT_INVALID)
    for assessment in found:
        written = write_report(assessment, config, rewrite=True)
        out.print(f"checkpoint {int(written.checkpoint)}: {escape(str(written.report_path))}")
