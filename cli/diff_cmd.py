"""`csu-assure diff CSU --from 2 --to 3`: what changed for a CSU between two checkpoints, from the register."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from cli.common import EXIT_INVALID, err, out, usage_error
from cli.options import Format, OutDir, OutputFormat
from cli.register_cmd import CsuId

if TYPE_CHECKING:
    from csu_assure.compare import Movement

FromCheckpoint = Annotated[
    int | None,
    typer.Option("--from", min=1, max=3, help="The earlier checkpoint (default: the one before --to)."),
]
ToCheckpoint = Annotated[int, typer.Option("--to", min=1, max=3, help="The later checkpoint.")]


def diff(
    csu_id: CsuId,
    to: ToCheckpoint = 3,
    from_: FromCheckpoint = None,
    out_dir: OutDir = None,
    fmt: Format = OutputFormat.TEXT,
) -> None:
    """What changed for a CSU from one checkpoint to a later one: domains, failures resolved, still failing and
    new, development-plan items met or missed (with the evidence) and escalations, read from the register."""
    from cli.runner import configure_or_exit
    from csu_assure.compare import compare
    from csu_assure.service import Options

    before_cp = from_ if from_ is not None else to - 1
    if before_cp < 1 or before_cp > to:
        raise usage_error(f"--from {before_cp} must be a checkpoint no later than --to {to}")
    config = configure_or_exit(Options(out_dir=out_dir))
    before = config.register.latest(csu_id, before_cp)
    after = config.register.latest(csu_id, to)
    missing = [cp for cp, a in ((before_cp, before), (to, after)) if a is None]
    if before is None or after is None:
        where = " or ".join(f"checkpoint {cp}" for cp in missing)
        err.print(f"no assessment of {escape(csu_id)} at {where} in {escape(config.register.display_url)}")
        raise typer.Exit(EXIT_INVALID)
    movement = compare(before, after)
    if fmt is OutputFormat.JSON:
        out.print_json(json.dumps(movement.model_dump(mode="json")))
        return
    _print(movement)


def _print(m: Movement) -> None:
    from rich.table import Table

    from csu_assure.language import cell, long_date

    before = m.before_outcome.label + (
        f", {m.before_escalation.value} escalated" if m.before_escalation else ""
    )
    out.print(
        f"[bold]{escape(m.csu_name)}[/] ({escape(m.csu_id)}): checkpoint {int(m.before_checkpoint)} "
        f"({long_date(m.before_as_of)}) {escape(before)} → checkpoint {int(m.after_checkpoint)} "
        f"({long_date(m.after_as_of)}) {escape(m.after_outcome.label)}"
    )
    if not m.assessed_after:
        out.print("The later record judged no submission: nothing can be shown resolved or met.")
    domains = Table(title="Domains")
    for column in ("Domain", "Then", "Now", "Movement"):
        domains.add_column(column)
    for d in m.domains:
        domains.add_row(
            d.domain.label(m.after_checkpoint),  # as the reports name it ("Customer focus" at checkpoint 2)
            d.before.value if d.before else "—",
            d.after.value if d.after else "—",
            d.direction.value,
        )
    out.print(domains)
    for title, changes in (
        ("Resolved", m.resolved),
        ("Still failing", m.still_failing),
        ("New failures", m.new),
        ("Not re-tested", m.not_retested),
    ):
        if not changes:
            out.print(f"{title}: none")
            continue
        table = Table(title=title)
        for column in ("Check", "Problem", "Follows / re-tested by", "Evidence"):
            table.add_column(column, overflow="fold")
        for c in changes:
            table.add_row(c.check_id, escape(cell(c.name)), ", ".join(c.follows), escape(cell(c.evidence)))
        out.print(table)
    if m.plan:
        plan = Table(title=f"Development-plan items from checkpoint {int(m.before_checkpoint)}")
        for column in ("Item", "Owner", "Due", "Binding", "Status", "Evidence"):
            plan.add_column(column, overflow="fold")
        for p in m.plan:
            plan.add_row(
                p.item_id,
                escape(cell(p.owner)),
                long_date(p.due),
                "yes" if p.binding else "advice",
                p.state.value + ("; re-test fails" if p.retest_fails else ""),
                escape(cell(p.evidence)),
            )
        out.print(plan)
    for e in m.escalations:
        out.print(
            f"Escalation {e.item_id} ({e.domain.value}, due {long_date(e.due)}): [bold]{e.state.value}[/]"
            f" — {escape(cell(e.evidence))}"
        )
