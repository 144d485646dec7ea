"""Sweeps: a cohort's outcome counts as one or more check parameters move through a range, so a panel sees where
its decisions turn.

The cohort is read once (`whatif.load_cohort`); each step is the validated rule set copied with the parameters
at that step's values (`variants.with_params`, validated as a rule-set file would be) and the cohort assessed
under it with the service's `evaluate`, nothing recorded or written. Several parameters give a grid (every
combination of their steps). A step's counts are keyed as a cohort run's summary keys them (`count_label`), so
they equal a separate cohort run at that value, a test holds.

With `workers` above 1 the steps are shared among worker processes, each given the cohort as read (pickled once
per worker, not read again) and the base rule set; each builds its catalogue from `catalogue_factory`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from csu_assure.calendar import Calendar
from csu_assure.catalogue import Catalogue
from csu_assure.domain import Checkpoint, Outcome
from csu_assure.results import count_label
from csu_assure.ruleset import RuleSet
from csu_assure.service import Config, dry_run_config
from csu_assure.variants import ParamRef, RuleSetIdentity, param_value, with_params
from csu_assure.whatif import LoadedCohort, assess_entry, chunks, under

# The order a table lists outcomes in: the checkpoint's decisions from best to worst, then the rest.
OUTCOME_ORDER = tuple(o.label for o in Outcome)


class Axis(BaseModel):
    """One parameter swept: its values, in order, and its value in the base rule set."""

    model_config = ConfigDict(frozen=True)

    param: str = Field(description="CHECK-ID.parameter")
    base_value: Any
    values: tuple[Decimal, ...]


class Step(BaseModel):
    """One point of the sweep: the parameters' values, the variant's identity and the cohort's counts."""

    model_config = ConfigDict(frozen=True)

    values: tuple[Decimal, ...] = Field(description="One value per axis, in the axes' order.")
    version: str
    sha256: str
    counts: dict[str, int] = Field(description="CSUs by decision, as a cohort run counts them.")
    changed: int = Field(description="CSUs whose outcome differs from the base rule set's.")
    borderline: int = Field(description="CSUs whose decision at this step hangs on a line within tolerance.")


class Sweep(BaseModel):
    model_config = ConfigDict(frozen=True)

    format: str = "csu-assure/sweep/1"
    cohort: str
    checkpoint: Checkpoint
    as_of: dt.date
    base: RuleSetIdentity
    axes: tuple[Axis, ...]
    csus: int
    base_counts: dict[str, int]
    steps: tuple[Step, ...]

    @property
    def outcomes(self) -> tuple[str, ...]:
        """Every decision label any step counts, best first."""
        seen = {label for step in (*self.steps,) for label in step.counts} | set(self.base_counts)
        order = {label: i for i, label in enumerate(OUTCOME_ORDER)}
        return tuple(sorted(seen, key=lambda label: (order.get(label, len(order)), label)))


def _outcomes(cohort: LoadedCohort, config: Config) -> tuple[list[str], list[Outcome | None], int]:
    """Each CSU's count label and outcome under `config`'s rule set, and how many are borderline."""
    labels: list[str] = []
    outcomes: list[Outcome | None] = []
    borderline = 0
    for entry in cohort.entries:
        run = assess_entry(entry, config)
        labels.append(count_label(run.row()))
        current = run.current
        outcomes.append(current.outcome if current is not None else None)
        borderline += bool(
            current is not None and current.firmness is not None and current.firmness.borderline
        )
    return labels, outcomes, borderline


def _step(
    cohort: LoadedCohort,
    config: Config,
    axes: Sequence[ParamRef],
    values: tuple[Decimal, ...],
    base_outcomes: Sequence[Outcome | None],
) -> Step:
    variant = with_params(config.ruleset, config.catalogue, dict(zip(axes, values, strict=True)))
    labels, outcomes, borderline = _outcomes(cohort, under(config, variant))
    return Step(
        values=values,
        version=variant.version,
        sha256=variant.sha256,
        counts=dict(sorted(Counter(labels).items())),
        changed=sum(a is not b for a, b in zip(base_outcomes, outcomes, strict=True)),
        borderline=borderline,
    )


# -- in worker processes ----------------------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _start_worker(
    cohort: LoadedCohort, catalogue_factory: Callable[[], Catalogue], ruleset: RuleSet, calendar: Calendar
) -> None:
    """Each worker receives the cohort as read and builds its configuration once."""
    _WORKER["cohort"] = cohort
    _WORKER["config"] = dry_run_config(catalogue_factory(), ruleset, calendar)


def _worker_steps(
    axes: Sequence[ParamRef], points: Sequence[tuple[Decimal, ...]], base_outcomes: Sequence[Outcome | None]
) -> list[Step]:
    return [_step(_WORKER["cohort"], _WORKER["config"], axes, values, base_outcomes) for values in points]


# -- the sweep ---------------------------------------------------------------------------------------------------


def sweep_cohort(
    cohort: LoadedCohort,
    config: Config,
    axes: Sequence[tuple[ParamRef, Sequence[Decimal]]],
    *,
    workers: int = 1,
    catalogue_factory: Callable[[], Catalogue] | None = None,
) -> Sweep:
    """The cohort's counts at every step of the grid the axes span (the first axis varies slowest). Each value is
    validated before anything is assessed (`variants.ParamInvalid`, naming the parameter and why)."""
    refs = [ref for ref, _ in axes]
    grid = list(itertools.product(*(tuple(values) for _, values in axes)))
    for ref, values in axes:  # every value of every axis, alone, before any work
        for value in values:
            with_params(config.ruleset, config.catalogue, {ref: value})
    base_labels, base_outcomes, _ = _outcomes(cohort, config)
    if workers > 1 and catalogue_factory is not None and len(grid) > 1:
        parts = chunks(grid, workers * 2)
        with ProcessPoolExecutor(
            max_workers=workers,
            initializer=_start_worker,
            initargs=(cohort, catalogue_factory, config.ruleset, config.calendar),
        ) as pool:
            futures = [pool.submit(_worker_steps, refs, part, base_outcomes) for part in parts]
            steps = [step for future in futures for step in future.result()]
    else:
        steps = [_step(cohort, config, refs, values, base_outcomes) for values in grid]
    return Sweep(
        cohort=cohort.name,
        checkpoint=cohort.checkpoint,
        as_of=cohort.as_of,
        base=RuleSetIdentity.of(config.ruleset),
        axes=tuple(
            Axis(param=str(ref), base_value=param_value(config.ruleset, ref), values=tuple(values))
            for ref, values in axes
        ),
        csus=len(cohort.entries),
        base_counts=dict(sorted(Counter(base_labels).items())),
        steps=tuple(steps),
    )


__all__ = ["Axis", "Step", "Sweep", "sweep_cohort"]
