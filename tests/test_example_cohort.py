"""Golden test: the committed example cohort reaches every outcome, and each CSU's path is pinned."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from checks import catalogue as shipped_catalogue
from csu_assure.calendar import load_calendar
from csu_assure.domain import Checkpoint, Domain, DomainStatus, Outcome, Severity, Status
from csu_assure.engine import assess, assess_not_submitted
from csu_assure.loading import load_submission
from csu_assure.results import Assessment
from csu_assure.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parent.parent
COHORT = ROOT / "submissions" / "example-cohort"

# csu -> outcome at each checkpoint reached ("!" marks a checkpoint 2 B with an escalation, then its domain).
GOLDEN: dict[str, tuple[str, ...]] = {
    "arden": ("proceed_consolidate", "B", "recommend_with_conditions"),  # published figures
    "cheviot": ("proceed", "C"),  # C: no agreed development plan
    "dales-moor": ("proceed", "A", "not_recommended"),
    "exe-estuary": ("proceed", "A", "recommend"),
    "fen-marsh": ("proceed", "C"),  # C: two failed domains
    "isle-coast": ("proceed", "A", "recommend"),
    "kennet-wey": ("proceed", "B", "recommend"),
    "marsh-lane": ("proceed", "A", "not_submitted"),
    "mersey-plain": ("proceed", "A", "recommend"),
    "north-vale": ("proceed", "A", "recommend"),
    "pennine-ridge": ("proceed", "B!customer", "recommend_with_conditions"),
    "severn-bridge": ("proceed_consolidate", "A", "recommend"),
    "south-downs": ("proceed", "A", "recommend"),
    "south-london": ("proceed", "A", "recommend"),  # published figures
    "staffordshire": ("proceed", "A", "recommend"),  # published figures
    "tamar-link": ("proceed", "B", "recommend"),
    "thames-gate": ("proceed", "B", "not_submitted"),  # the data-quality case
    "ure-valley": ("proceed", "A", "not_recommended"),
    "wear-side": ("proceed", "A", "recommend_with_conditions"),
    "west-moors": ("proceed", "A", "recommend"),
    "wolds-edge": ("proceed", "A", "recommend"),  # borderline at 2 and 3: priced at 49% of the allowance
}


def progress(csu: Path, assessor: str = "golden") -> list[Assessment]:
    """Checkpoints 1 → 2 → 3, each assessed the day after its deadline, stopping at a stop outcome."""
    catalogue, calendar = shipped_catalogue(), load_calendar()
    ruleset = load_ruleset(catalogue)
    records: list[Assessment] = []
    for checkpoint in Checkpoint:
        as_of = calendar.deadline(checkpoint) + dt.timedelta(days=1)
        prior = records[-1].development_plan if records else ()
        folder = csu / f"cp{int(checkpoint)}"
        if folder.exists():
            record = assess(
                load_submission(folder),
                catalogue=catalogue,
                ruleset=ruleset,
                calendar=calendar,
                as_of=as_of,
                assessor=assessor,
                prior_plan=prior,
            )
        else:
            record = assess_not_submitted(
                csu.name,
                csu.name,
                checkpoint,
                catalogue=catalogue,
                ruleset=ruleset,
                calendar=calendar,
                as_of=as_of,
                assessor=assessor,
            )
        records.append(record)
        if not record.outcome.proceeds:
            break
    return records


@pytest.fixture(scope="module")
def paths() -> dict[str, list[Assessment]]:
    return {csu.name: progress(csu) for csu in sorted(COHORT.iterdir()) if csu.is_dir()}


def test_cohort_has_at_least_fourteen_csus(paths: dict[str, list[Assessment]]) -> None:
    assert len(paths) >= 14
    assert set(paths) == set(GOLDEN)


@pytest.mark.parametrize("csu", sorted(GOLDEN))
def test_each_csu_follows_its_pinned_path(csu: str, paths: dict[str, list[Assessment]]) -> None:
    got = tuple(r.outcome.value + (f"!{r.escalation.value}" if r.escalation else "") for r in paths[csu])
    assert got == GOLDEN[csu], [f"{r.checkpoint}: {[x.check_id for x in r.conditions]}" for r in paths[csu]]


def test_cohort_reaches_every_decision(paths: dict[str, list[Assessment]]) -> None:
    reached = {
        (int(r.checkpoint), r.outcome, r.escalation is not None)
        for records in paths.values()
        for r in records
    }
    outcomes = {(cp, o) for cp, o, _ in reached}
    for needed in [
        (1, Outcome.PROCEED),
        (1, Outcome.PROCEED_CONSOLIDATE),
        (2, Outcome.A),
        (2, Outcome.B),
        (2, Outcome.C),
        (3, Outcome.RECOMMEND),
        (3, Outcome.RECOMMEND_WITH_CONDITIONS),
        (3, Outcome.NOT_RECOMMENDED),
        (3, Outcome.NOT_SUBMITTED),
    ]:
        assert needed in outcomes, f"no CSU reaches {needed}"
    assert (2, Outcome.B, True) in reached, "no checkpoint-2 B with escalation"


def test_checkpoint_2_shows_every_way_the_bdu_decided(paths: dict[str, list[Assessment]]) -> None:
    cp2 = {csu: records[1] for csu, records in paths.items() if len(records) > 1}
    # A with medium issues in its development plan: an A is not "no findings".
    west = cp2["west-moors"]
    assert west.outcome is Outcome.A and [i.severity for i in west.issues] == [Severity.MEDIUM]
    assert [(i.check_id, i.binding) for i in west.development_plan] == [("CP2-BUS-03", True)]
    # B by a domain passed only marginally (no domain failed, so no escalation).
    kennet = cp2["kennet-wey"]
    assert kennet.outcome is Outcome.B and kennet.escalation is None
    assert kennet.domains[Domain.CUSTOMER] is DomainStatus.MARGINAL
    # B with escalation: one failed domain, escalated in the development plan.
    pennine = cp2["pennine-ridge"]
    assert (pennine.outcome, pennine.escalation) == (Outcome.B, Domain.CUSTOMER)
    assert pennine.development_plan[0].item_id == "ESCALATION-customer@2"
    # C by two failed domains, and C by no agreed development plan.
    fen = cp2["fen-marsh"]
    assert fen.outcome is Outcome.C and sum(s is DomainStatus.FAIL for s in fen.domains.values()) == 2
    cheviot = cp2["cheviot"]
    assert cheviot.outcome is Outcome.C and cheviot.reasons[0] == "no development plan agreed"
    # The missing plan fails leadership too (CP2-GOV-01 is critical), but one failed domain alone would be a B.
    assert [d for d, s in cheviot.domains.items() if s is DomainStatus.FAIL] == [Domain.LEADERSHIP]


def test_special_cases_are_what_they_claim(paths: dict[str, list[Assessment]]) -> None:
    # Below 1m people with a merger route agreed from the start: the remedy lowers the scale finding one step.
    isle = paths["isle-coast"]
    assert isle[0].figures is not None and isle[0].figures.population < 1_000_000
    assert isle[0].result("CP1-SCL-01").severity is Severity.HIGH and isle[0].result("CP1-SCL-01").remedy
    assert all(r.outcome.proceeds for r in isle)
    # Below 1m with no route at checkpoint 1 is advised to consolidate; its route agreed by checkpoint 2 lowers it.
    severn = paths["severn-bridge"]
    assert severn[0].outcome is Outcome.PROCEED_CONSOLIDATE
    assert (
        severn[1].result("CP2-SCL-01").severity is Severity.MEDIUM and severn[1].result("CP2-SCL-01").remedy
    )
    # Checkpoint 1 findings are advice, not binding milestones.
    assert severn[0].development_plan and not any(i.binding for i in severn[0].development_plan)
    # A CSU that misses a binding development-plan milestone fails checkpoint 3 critically on it.
    dales = paths["dales-moor"][-1]
    assert dales.result("CP3-DEL-01").failed and dales.result("CP3-DEL-01").severity is Severity.CRITICAL
    # The escalation agreed at checkpoint 2 is re-examined at checkpoint 3, and resolved (a merger route agreed).
    assert paths["pennine-ridge"][-1].result("CP3-DEL-05").status is Status.PASS
    # A CSU that misses its checkpoint 3 deadline is recorded as not submitted, with a failed evidence check.
    marsh = paths["marsh-lane"][-1]
    assert marsh.outcome is Outcome.NOT_SUBMITTED and marsh.result("CP3-EVD-01").status.value == "FAIL"


def test_the_implausible_thames_gate_plan_is_a_data_quality_finding_not_a_deficit(
    paths: dict[str, list[Assessment]],
) -> None:
    thames = paths["thames-gate"][1]
    assert thames.data_quality, "the placeholder costs are not reported as a data-quality problem"
    assert any("financial_plan" in str(issue) for issue in thames.data_quality)
    deficit = thames.result("CP2-BUS-01")
    assert deficit.status is Status.NOT_EVIDENCED and "implausible" in deficit.finding.lower()
    assert not any("5,981,915,016" in (r.actual or "") + r.finding for r in thames.results)
    assert thames.figures is not None and not any(y.year == 1 for y in thames.figures.years)


def test_committed_cohort_matches_its_generator(tmp_path: Path) -> None:
    """The committed files are exactly what scripts/make_example_cohort.py writes (regenerate after changes)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_example_cohort", ROOT / "scripts" / "make_example_cohort.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from csu_assure.generate import Rules, write_cohort

    write_cohort(module.SPECS, tmp_path, Rules.shipped(shipped_catalogue()), name=module.COHORT_NAME)
    fresh = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    committed = {p.relative_to(COHORT): p.read_bytes() for p in COHORT.rglob("*") if p.is_file()}
    stale = sorted(str(k) for k in fresh.keys() | committed.keys() if fresh.get(k) != committed.get(k))
    assert not stale, (
        f"example cohort is stale ({stale[:5]}…): run .venv/bin/python scripts/make_example_cohort.py"
    )


def test_the_borderline_csu_is_the_only_one_and_hangs_on_the_affordability_line(
    paths: dict[str, list[Assessment]],
) -> None:
    """Wolds Edge's price is 49% of its CCGs' allowance: A and recommended, each within 5% of the 50% line whose
    crossing would make it B, then hosting with conditions; every other decision of the cohort is firm."""
    hanging = {
        (csu, int(r.checkpoint)): r.firmness.hinges
        for csu, records in paths.items()
        for r in records
        if r.firmness is not None and r.firmness.borderline
    }
    assert set(hanging) == {("wolds-edge", 2), ("wolds-edge", 3)}
    (cp2,), (cp3,) = hanging[("wolds-edge", 2)], hanging[("wolds-edge", 3)]
    assert (cp2.margin.check_id, cp2.margin.param, cp2.outcome_if_crossed) == (
        "CP2-BUS-04",
        "max_share_of_rca",
        Outcome.B,
    )
    assert (cp3.margin.check_id, cp3.outcome_if_crossed) == ("CP3-FIN-05", Outcome.RECOMMEND_WITH_CONDITIONS)
    assert cp2.margin.value == pytest.approx(0.49) and cp2.margin.share == pytest.approx(-0.02)
