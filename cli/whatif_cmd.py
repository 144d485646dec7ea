"""`csu-assure whatif` and `csu-assure sweep`: how a cohort's decisions would change under other thresholds.

Both read the cohort once and assess it in memory: no report is written and nothing is recorded (the register,
when there is one, is only read, for the plans carried from the previous checkpoint, as a cohort run reads it).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import EXIT_INVALID, EXIT_OK, err, out, print_problems, usage_error
from cli.options import AsOf, CalendarFile, CheckpointOption, Format, OutputFormat

if TYPE_CHECKING:
    from csu_assure.domain import Domain, Outcome
    from csu_assure.settings import Settings
    from csu_assure.sweep import Sweep
    from csu_assure.variants import RuleSetIdentity
    from csu_assure.whatif import WhatIf

Xlsx = Annotated[
    Path | None, typer.Option("--xlsx", help="Also write the result as an Excel workbook to this file.")
]
Workers = Annotated[
    int,
    typer.Option(
        "--workers", min=1, max=64, help="Processes to spread the work over (default 1: this process only)."
    ),
]
TEXT_ROWS_UP_TO = 200  # CSUs listed in the terminal; the JSON and the workbook list every one

PriorPlans = Annotated[
    bool,
    typer.Option(
        "--prior-plans/--no-prior-plans",
        help="Read the plans carried from the previous checkpoint (and CSUs stopped earlier) from the register, "
        "if there is one, as `cohort` does; it is never written to.",
    ),
]


def _cohort_dir(path: Path) -> Path:
    from csu_assure.loading import csu_folders

    if not path.is_dir() or not csu_folders(path):
        raise usage_error(f"{path} is not a cohort folder (one folder per CSU)")
    return path


def _settings(calendar: Path | None) -> Settings:
    from csu_assure.settings import Settings

    return Settings(calendar=calendar) if calendar is not None else Settings()


def _as_of(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


def _xlsx_path(path: Path | None) -> None:
    if path is not None and (path.is_dir() or path.suffix.lower() != ".xlsx"):
        raise usage_error(f"--xlsx {path}: give a file name ending .xlsx")


def whatif(
    cohort_dir: Annotated[Path, typer.Argument(help="A cohort folder: one folder per CSU.")],
    checkpoint: CheckpointOption,
    rules: Annotated[
        Path,
        typer.Option("--rules", help="The alternative rule set to assess the cohort under.", dir_okay=False),
    ],
    against: Annotated[
        Path | None,
        typer.Option(
            "--against",
            help="The rule set to compare with (default: CSU_ASSURE_RULES, else the shipped 2012 rule set).",
            dir_okay=False,
        ),
    ] = None,
    as_of: AsOf = None,
    calendar: CalendarFile = None,
    fmt: Format = OutputFormat.TEXT,
    xlsx: Xlsx = None,
    workers: Workers = 1,
    prior_plans: PriorPlans = True,
) -> None:
    """List every CSU whose outcome, domain statuses or development plan would change under another rule set,
    with the checks that flip and their figure against both rule sets' thresholds.

    Each submission is read once and assessed under both rule sets in memory: no reports, nothing recorded.
    Exit 0, or 1 when a rule-set file is invalid or an assessment raised; 2 on a usage error.
    """
    import checks
    from csu_assure.domain import Checkpoint
    from csu_assure.register import RegisterUnavailable
    from csu_assure.ruleset import RuleSetInvalid
    from csu_assure.whatif import run_whatif

    _cohort_dir(cohort_dir)
    _xlsx_path(xlsx)
    try:
        result = run_whatif(
            cohort_dir,
            Checkpoint(checkpoint),
            rules,
            _settings(calendar),
            checks.catalogue,
            base_rules=against,
            as_of=_as_of(as_of),
            prior_plans=prior_plans,
            workers=workers,
        )
    except RuleSetInvalid as error:
        print_problems(error.source, error.problems)
        raise typer.Exit(EXIT_INVALID) from None
    except RegisterUnavailable as error:
        raise usage_error(str(error)) from None
    if xlsx is not None:
        from csu_assure.render.analysis import write_whatif_xlsx

        written = write_whatif_xlsx(result, xlsx)
        err.print(f"workbook: {written}", markup=False)
    if fmt is OutputFormat.JSON:
        typer.echo(result.model_dump_json(indent=2))
    else:
        _show_whatif(result)
    for message in result.errors:
        err.print(f"[bold red]✗[/] could not be assessed: {message}", highlight=False)
    raise typer.Exit(EXIT_INVALID if result.errors else EXIT_OK)


def _identity_lines(label: str, identity: RuleSetIdentity) -> list[str]:
    from rich.markup import escape

    return [
        f"{label}: [bold]{escape(identity.name)} {escape(identity.version)}[/] ({escape(identity.source)})",
        f"  sha256 {identity.sha256}",
    ]


def _show_whatif(w: WhatIf) -> None:
    from rich.markup import escape
    from rich.table import Table

    from csu_assure.render.analysis import change_rows, flip_text, hinges_text
    from csu_assure.variants import shown

    lines = [
        f"[bold]What-if: {escape(w.cohort)}, checkpoint {int(w.checkpoint)}[/] (as of {w.as_of.isoformat()})",
        *_identity_lines("base", w.base),
        *_identity_lines("alternative", w.alt),
        f"prior plans: {escape(w.prior_plans)}",
    ]
    out.print("\n".join(lines))
    diff = w.rule_set_differences
    if diff.differences:
        table = Table(
            title=f"{len(diff.differences)} difference(s) between the rule sets", title_justify="left"
        )
        for column in ("what", "item", "base", "alternative"):
            table.add_column(column, overflow="fold")
        for d in diff.differences:
            table.add_row(escape(d.what), escape(d.item), escape(shown(d.a)), escape(shown(d.b)))
        out.print(table)
    else:
        out.print("The rule sets set every severity and threshold alike.")
    counts = Table(title="Decisions", title_justify="left")
    for column in ("decision", "base", "alternative"):
        counts.add_column(column, justify="left" if column == "decision" else "right")
    for label in sorted({*w.base_counts, *w.alt_counts}):
        counts.add_row(escape(label), str(w.base_counts.get(label, 0)), str(w.alt_counts.get(label, 0)))
    out.print(counts)
    if not w.changes:
        out.print(f"No CSU changes: {w.assessed} of {w.csus} decided alike under both rule sets.")
    else:
        table = Table(
            title=f"{len(w.changes)} of {w.csus} CSUs change ({len(w.outcome_changes)} in outcome)",
            title_justify="left",
            show_lines=True,
        )
        for column in ("CSU", "base → alternative", "what changes"):
            table.add_column(column, overflow="fold")
        listed = w.changes[:TEXT_ROWS_UP_TO]
        for change, row in zip(listed, change_rows(w), strict=False):
            what = [flip_text(f) for f in change.flips]
            if row["domains_changed"]:
                what.insert(0, f"domains: {row['domains_changed']}")
            if row["plan_changes"]:
                what.append(f"plan: {row['plan_changes']}")
            table.add_row(
                escape(change.csu_name),
                escape(
                    f"{_short(change.base_outcome, change.base_escalation, w)} → "
                    f"{_short(change.alt_outcome, change.alt_escalation, w)}"
                ),
                escape("\n".join(what)),
            )
        out.print(table)
        if len(listed) < len(w.changes):
            out.print(
                f"… and {len(w.changes) - len(listed):,} more: --format json or --xlsx lists every one."
            )
    if w.borderline:
        out.print(f"[bold]Borderline under the base rule set[/] ({len(w.borderline)}):")
        for b in w.borderline[:TEXT_ROWS_UP_TO]:
            out.print(f"  {escape(b.csu_name)}: {escape(hinges_text(b.firmness))}")
        if len(w.borderline) > TEXT_ROWS_UP_TO:
            out.print(f"  … and {len(w.borderline) - TEXT_ROWS_UP_TO:,} more (--format json or --xlsx).")


def _short(outcome: Outcome, escalation: Domain | None, w: WhatIf) -> str:
    from csu_assure.render.analysis import short_outcome

    return short_outcome(outcome) + (
        f" (escalated: {escalation.label(w.checkpoint).lower()})" if escalation else ""
    )


# -- sweep --------------------------------------------------------------------------------------------------------

MAX_STEPS = 10_000  # grid points: beyond this a sweep is a mistake in the options, not an analysis


def sweep(
    cohort_dir: Annotated[Path, typer.Argument(help="A cohort folder: one folder per CSU.")],
    checkpoint: CheckpointOption,
    param: Annotated[
        list[str],
        typer.Option(
            "--param", help="CHECK-ID.parameter to vary, e.g. CP2-CUS-04.pass_at; repeat for a grid."
        ),
    ],
    start: Annotated[list[str], typer.Option("--from", help="First value (once, or once per --param).")],
    stop: Annotated[list[str], typer.Option("--to", help="Last value (once, or once per --param).")],
    steps: Annotated[list[int], typer.Option("--steps", help="How many values, ends included (≥ 2).")],
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules", help="The rule set to vary (default: the shipped 2012 rule set).", dir_okay=False
        ),
    ] = None,
    as_of: AsOf = None,
    calendar: CalendarFile = None,
    fmt: Format = OutputFormat.TEXT,
    xlsx: Xlsx = None,
    workers: Workers = 1,
    prior_plans: PriorPlans = True,
) -> None:
    """Count the cohort's decisions at each value of one or more check parameters (several give a grid).

    The cohort is read once; each step is the rule set with the parameters at that step's values, validated as
    a rule-set file would be. Exit 0; 1 when the rule-set file is invalid; 2 on a usage error (an unknown
    parameter, a value it cannot take, a bad range).
    """
    import checks
    from csu_assure.domain import Checkpoint
    from csu_assure.register import RegisterUnavailable
    from csu_assure.ruleset import RuleSetInvalid
    from csu_assure.sweep import sweep_cohort
    from csu_assure.variants import ParamInvalid, decimal_steps, numeric_param, with_params
    from csu_assure.whatif import analysis_config, load_cohort

    _cohort_dir(cohort_dir)
    _xlsx_path(xlsx)
    n = len(param)
    for name, given in (("--from", start), ("--to", stop), ("--steps", steps)):
        if len(given) not in (1, n):
            raise usage_error(f"give {name} once, or once per --param ({n}); got {len(given)}")
    catalogue = checks.catalogue()
    settings = _settings(calendar)
    try:
        config, source = analysis_config(settings, catalogue, base_rules=rules, prior_plans=prior_plans)
    except RuleSetInvalid as error:
        print_problems(error.source, error.problems)
        raise typer.Exit(EXIT_INVALID) from None
    except RegisterUnavailable as error:
        raise usage_error(str(error)) from None
    try:
        axes = []
        for i, text in enumerate(param):
            ref = numeric_param(catalogue, text)
            axes.append(
                (ref, decimal_steps(start[i % len(start)], stop[i % len(stop)], steps[i % len(steps)]))
            )
        total = 1
        for _, values in axes:
            total *= len(values)
        if total > MAX_STEPS:
            raise usage_error(f"the grid has {total:,} steps; at most {MAX_STEPS:,} (fewer --steps)")
        for ref, values in axes:
            for value in values:
                with_params(config.ruleset, catalogue, {ref: value})
    except ParamInvalid as error:
        raise usage_error(str(error)) from None
    cohort = load_cohort(
        cohort_dir,
        Checkpoint(checkpoint),
        config,
        as_of=_as_of(as_of),
        skip=(settings.out_dir,),
        prior_plans=source,
    )
    result = sweep_cohort(cohort, config, axes, workers=workers, catalogue_factory=checks.catalogue)
    if xlsx is not None:
        from csu_assure.render.analysis import write_sweep_xlsx

        written = write_sweep_xlsx(result, xlsx)
        err.print(f"workbook: {written}", markup=False)
    if fmt is OutputFormat.JSON:
        typer.echo(result.model_dump_json(indent=2))
    else:
        _show_sweep(result)
    raise typer.Exit(EXIT_OK)


def _show_sweep(s: Sweep) -> None:
    from rich.markup import escape
    from rich.table import Table

    from csu_assure.domain import Outcome
    from csu_assure.render.analysis import short_outcome, sweep_rows
    from csu_assure.variants import shown

    out.print(
        f"[bold]Sweep: {escape(s.cohort)}, checkpoint {int(s.checkpoint)}[/] (as of {s.as_of.isoformat()}), "
        f"{s.csus} CSUs"
    )
    out.print("\n".join(_identity_lines("rule set", s.base)))
    out.print(
        "in the rule set: " + ", ".join(f"{escape(a.param)} = {escape(shown(a.base_value))}" for a in s.axes)
    )
    columns, rows = sweep_rows(s)
    short = {o.label: short_outcome(o) for o in Outcome}
    table = Table(show_lines=False)
    for column in columns:
        table.add_column(escape(short.get(column, column)), justify="right", overflow="fold")
    axes = [a.param for a in s.axes]
    for step, row in zip(s.steps, rows, strict=True):
        values = [str(v) for v in step.values]
        table.add_row(*values, *(escape(_cell(row[c])) for c in columns if c not in axes))
    out.print(table)
    base = ", ".join(f"{escape(k)}: {v}" for k, v in s.base_counts.items())
    out.print(f"under the rule set as it stands: {base}")


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)
