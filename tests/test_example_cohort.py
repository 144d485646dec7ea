"""Golden test: the committed example cohort reaches every outcome, and each CSU's path is pinned."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from checks import catalogue as shipped_catalogue
from csu_assure.calendar import load_calendar
from csu_assure.domain import Checkpoint, Outcome
from csu_assure.engine import assess, assess_not_submitted
from csu_assure.loading import load_submission
from csu_assure.results import Assessment
from csu_assure.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parent.parent
COHORT = ROOT / "submissions" / "example-cohort"

# csu -> outcome at each checkpoint reached ("!" marks checkpoint 2 B with the escalation flag).
GOLDEN: dict[str, tuple[str, ...]] = {
    "cheviot": ("proceed", "C"),
    "dales-moor": ("proceed", "A", "not_recommended"),
    "exe-estuary": ("proceed", "A", "recommend"),
    "isle-coast": ("proceed", "A", "recommend"),
    "kennet-wey": ("proceed", "B", "recommend"),
    "marsh-lane": ("proceed", "A", "not_submitted"),
    "mersey-plain": ("proceed", "A", "recommend"),
    "north-vale": ("proceed", "A", "recommend"),
    "pennine-ridge": ("proceed", "B!", "recommend_with_conditions"),
    "severn-bridge": ("proceed_consolidate", "A", "recommend_with_conditions"),
    "south-downs": ("proceed", "A", "recommend"),
    "tamar-link": ("proceed", "B", "recommend_with_conditions"),
    "thames-gate": ("proceed", "C"),
    "ure-valley": ("proceed", "A", "not_recommended"),
    "wear-side": ("proceed", "A", "recommend_with_conditions"),
    "west-moors": ("proceed", "B", "recommend"),
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
    got = tuple(r.outcome.value + ("!" if r.escalation else "") for r in paths[csu])
    assert got == GOLDEN[csu], [f"{r.checkpoint}: {[x.check_id for x in r.conditions]}" for r in paths[csu]]


def test_cohort_reaches_every_decision(paths: dict[str, list[Assessment]]) -> None:
    reached = {(int(r.checkpoint), r.outcome, r.escalation) for records in paths.values() for r in records}
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


def test_special_cases_are_what_they_claim(paths: dict[str, list[Assessment]]) -> None:
    # A CSU below 1m population that still deserves to proceed.
    isle = paths["isle-coast"]
    assert isle[0].figures is not None and isle[0].figures.population < 1_000_000
    assert all(r.outcome.proceeds for r in isle)
    # A CSU that misses a binding development-plan milestone fails checkpoint 3 critically on it.
    dales = paths["dales-moor"][-1]
    assert dales.result("CP3-DEL-01").status.counts_as_failure
    assert dales.result("CP3-DEL-01").severity.value == "critical"
    # A CSU that misses its checkpoint 3 deadline is recorded as not submitted, with a failed evidence check.
    marsh = paths["marsh-lane"][-1]
    assert marsh.outcome is Outcome.NOT_SUBMITTED and marsh.result("CP3-EVD-01").status.value == "FAIL"


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

    write_cohort(module.SPECS, tmp_path, Rules.shipped(shipped_catalogue()))
    fresh = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    committed = {p.relative_to(COHORT): p.read_bytes() for p in COHORT.rglob("*") if p.is_file()}
    stale = sorted(str(k) for k in fresh.keys() | committed.keys() if fresh.get(k) != committed.get(k))
    assert not stale, (
        f"example cohort is stale ({stale[:5]}…): run .venv/bin/python scripts/make_example_cohort.py"
    )
