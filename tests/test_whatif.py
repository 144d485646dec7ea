"""What-if and sweeps (csu_assure/whatif.py, sweep.py): held to assessing each rule set separately, and to a
separate cohort run at each step."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

import checks
from csu_assure import service
from csu_assure.calendar import load_calendar
from csu_assure.domain import Checkpoint
from csu_assure.engine import assess
from csu_assure.loading import load_submission
from csu_assure.register import Register
from csu_assure.results import Assessment
from csu_assure.ruleset import load_ruleset
from csu_assure.service import DryRun, Options, dry_run_config
from csu_assure.sweep import sweep_cohort
from csu_assure.variants import ParamRef, decimal_steps, with_params
from csu_assure.whatif import Setup, compare, load_cohort, whatif_cohort, whatif_loaded

ROOT = Path(__file__).resolve().parent.parent
COHORT = ROOT / "submissions" / "example-cohort"
CATALOGUE = checks.catalogue()
RULESET = load_ruleset(CATALOGUE)
CALENDAR = load_calendar()
PRICE_CEILING = ParamRef("CP2-BUS-04", "max_share_of_rca")


def _separately(checkpoint: int, ruleset: object) -> dict[str, Assessment]:
    """Each CSU's submission at `checkpoint` assessed on its own with the engine, under `ruleset`."""
    as_of = CALENDAR.deadline(Checkpoint(checkpoint)) + dt.timedelta(days=1)
    found = {}
    for csu in sorted(p for p in COHORT.iterdir() if p.is_dir()):
        folder = csu / f"cp{checkpoint}"
        if folder.is_dir():
            found[csu.name] = assess(
                load_submission(folder),
                catalogue=CATALOGUE,
                ruleset=ruleset,  # type: ignore[arg-type]
                calendar=CALENDAR,
                as_of=as_of,
                assessor="separately",
            )
    return found


def _decision(a: Assessment) -> tuple[object, ...]:
    return (
        a.outcome,
        a.escalation,
        tuple(sorted(a.domains.items())),
        tuple(sorted((i.item_id, i.severity, i.binding) for i in a.development_plan)),
    )


@pytest.mark.parametrize(
    ("ref", "value"),
    [
        (PRICE_CEILING, Decimal("0.40")),  # a high line: the business plan turns marginal for most CSUs
        (
            ParamRef("CP2-CUS-04", "pass_at"),
            Decimal("0.45"),
        ),  # a medium line: plans change, outcomes need not
        (ParamRef("CP2-SCL-01", "min_population"), 1_900_000),
    ],
)
def test_a_whatif_lists_exactly_the_csus_that_threshold_decides(ref: ParamRef, value: object) -> None:
    alt = with_params(RULESET, CATALOGUE, {ref: value})
    config = dry_run_config(CATALOGUE, RULESET, CALENDAR)
    result = whatif_loaded(load_cohort(COHORT, Checkpoint.VIABILITY, config), config, alt)
    base, other = _separately(2, RULESET), _separately(2, alt)
    differ = {csu for csu in base if _decision(base[csu]) != _decision(other[csu])}
    assert differ, "the threshold should decide something in the example cohort"
    assert {c.csu_id for c in result.changes} == differ
    assert {c.csu_id for c in result.outcome_changes} == {
        csu
        for csu in base
        if (base[csu].outcome, base[csu].escalation) != (other[csu].outcome, other[csu].escalation)
    }
    for change in result.changes:
        assert {f.check_id for f in change.flips} <= {ref.check_id}
        assert change.alt_outcome is other[change.csu_id].outcome
    assert result.alt.version.endswith(f"+{ref}={value}") and result.alt.sha256 != result.base.sha256
    assert [d.item for d in result.rule_set_differences.differences] == [ref.name]
    assert result.base_counts == dict(Counter(a.outcome.label for a in base.values()))
    assert result.alt_counts == dict(Counter(a.outcome.label for a in other.values()))


def test_the_same_rule_set_changes_nothing() -> None:
    config = dry_run_config(CATALOGUE, RULESET, CALENDAR)
    result = whatif_loaded(load_cohort(COHORT, Checkpoint.FULL_BUSINESS_PLAN, config), config, RULESET)
    assert result.changes == () and result.rule_set_differences.differences == ()
    assert result.base_counts == result.alt_counts


def test_compare_names_the_domain_the_plan_and_the_figure_against_both_lines() -> None:
    alt = with_params(RULESET, CATALOGUE, {PRICE_CEILING: Decimal("0.40")})
    base, other = _separately(2, RULESET)["north-vale"], _separately(2, alt)["north-vale"]
    change = compare(base, other)
    assert change is not None and change.outcome_changed
    (flip,) = change.flips
    assert flip.base_expected != flip.alt_expected
    (before,), (after,) = flip.base_measures, flip.alt_measures
    assert before.value == after.value and before.lines[0].at == 0.5 and after.lines[0].at == 0.4
    assert [p.change for p in change.plan] == ["added"]


@pytest.mark.slow
def test_workers_give_the_same_what_if() -> None:
    alt = with_params(RULESET, CATALOGUE, {PRICE_CEILING: Decimal("0.40")})
    config = dry_run_config(CATALOGUE, RULESET, CALENDAR)
    alone = whatif_cohort(COHORT, Checkpoint.VIABILITY, config, alt)
    setup = Setup(checks.catalogue, CALENDAR, config.assessor, None)
    spread = whatif_cohort(COHORT, Checkpoint.VIABILITY, config, alt, workers=2, setup=setup)
    assert spread == alone


def test_prior_plans_and_gates_come_from_the_register_as_a_cohort_run_reads_them(tmp_path: Path) -> None:
    """After checkpoint 2 is recorded, a what-if at checkpoint 3 skips the CSUs stopped at 2 and carries each
    plan to 3, as `cohort` does: its base counts are a cohort run's at checkpoint 3."""
    register = Register(f"sqlite:///{tmp_path / 'register.sqlite'}")
    config = service.Config(CATALOGUE, RULESET, CALENDAR, register, tmp_path, "test")
    for checkpoint in (Checkpoint.OUTLINE_PLAN, Checkpoint.VIABILITY):
        service.assess_cohort(COHORT, checkpoint, config, Options(), DryRun())
    shutil.copy(tmp_path / "register.sqlite", tmp_path / "copy.sqlite")
    result = whatif_loaded(load_cohort(COHORT, Checkpoint.FULL_BUSINESS_PLAN, config), config, RULESET)
    cohort_run = service.assess_cohort(COHORT, Checkpoint.FULL_BUSINESS_PLAN, config, Options(), DryRun())
    assert result.base_counts == dict(cohort_run.counts)
    assert "stopped earlier" in result.base_counts


# -- sweeps ------------------------------------------------------------------------------------------------------


def test_a_sweep_s_counts_at_each_step_are_a_separate_cohort_run_at_that_value() -> None:
    config = dry_run_config(CATALOGUE, RULESET, CALENDAR)
    cohort = load_cohort(COHORT, Checkpoint.VIABILITY, config)
    values = decimal_steps("0.40", "0.50", 6)
    result = sweep_cohort(cohort, config, [(PRICE_CEILING, values)])
    assert [s.values for s in result.steps] == [(v,) for v in values]
    for step in result.steps:
        variant = with_params(RULESET, CATALOGUE, {PRICE_CEILING: step.values[0]})
        run = service.assess_cohort(
            COHORT, Checkpoint.VIABILITY, dry_run_config(CATALOGUE, variant, CALENDAR), Options(), DryRun()
        )
        assert step.counts == dict(run.counts), step.values
        assert step.sha256 == variant.sha256
    assert len({s.sha256 for s in result.steps}) == len(values)
    assert result.steps[-1].counts == result.base_counts and result.steps[-1].changed == 0
    assert result.steps[0].changed > 0


def test_a_grid_sweeps_every_combination_first_axis_slowest() -> None:
    config = dry_run_config(CATALOGUE, RULESET, CALENDAR)
    cohort = load_cohort(COHORT, Checkpoint.VIABILITY, config)
    population = ParamRef("CP2-SCL-01", "min_population")
    result = sweep_cohort(
        cohort,
        config,
        [
            (PRICE_CEILING, decimal_steps("0.40", "0.50", 3)),
            (population, decimal_steps("800000", "1200000", 3)),
        ],
    )
    assert [s.values for s in result.steps][:4] == [
        (Decimal("0.40"), Decimal("800000")),
        (Decimal("0.40"), Decimal("1000000")),
        (Decimal("0.40"), Decimal("1200000")),
        (Decimal("0.45"), Decimal("800000")),
    ]
    assert all(sum(s.counts.values()) == result.csus for s in result.steps)
    assert [a.base_value for a in result.axes] == [Decimal("0.50"), 1_000_000]


@pytest.mark.slow
def test_a_sweep_over_worker_processes_is_the_same_sweep() -> None:
    config = dry_run_config(CATALOGUE, RULESET, CALENDAR)
    cohort = load_cohort(COHORT, Checkpoint.VIABILITY, config)
    axes = [(PRICE_CEILING, decimal_steps("0.40", "0.50", 5))]
    assert sweep_cohort(cohort, config, axes, workers=2, catalogue_factory=checks.catalogue) == sweep_cohort(
        cohort, config, axes
    )
