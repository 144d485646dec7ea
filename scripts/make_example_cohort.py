"""Regenerate the committed example cohort in submissions/example-cohort/ (deterministic).

Fictional CSUs with realistic figures (BRIEF.md), chosen so that together they reach every decision. The
golden test (tests/test_example_cohort.py) pins the outcomes; run this after changing a profile and review the diff.

    .venv/bin/python scripts/make_example_cohort.py
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

from checks import catalogue as shipped_catalogue
from csu_assure.generate import CsuSpec, Rules, write_cohort

COHORT = Path(__file__).resolve().parent.parent / "submissions" / "example-cohort"

SPECS = [
    # Strong all the way: A, then recommend hosting.
    CsuSpec("north-vale", "North Vale CSU", seed=1, n_ccgs=7, population_per_ccg=320_000),
    CsuSpec(
        "south-downs",
        "South Downs CSU",
        seed=2,
        n_ccgs=9,
        population_per_ccg=280_000,
        price_per_head=Decimal("10.40"),
    ),
    # Strong, one advisory note at checkpoint 3 (hosting charge above 50p/head): recommend.
    CsuSpec("exe-estuary", "Exe Estuary CSU", ("hosting_high",), seed=3, n_ccgs=6),
    # Below 1 million people (AMBER scale at checkpoint 1) but a merger route is agreed: proceeds, A, recommended.
    CsuSpec(
        "isle-coast",
        "Isle and Coast CSU",
        seed=4,
        n_ccgs=4,
        population_per_ccg=210_000,
        plan_overrides={
            1: {"plan": {"merger_route_agreed": True}},
            2: {"plan": {"merger_route_agreed": True}},
            3: {"plan": {"merger_route_agreed": True}},
        },
    ),
    # B at checkpoint 2 (workforce a copy of cluster staffing); meets its development plan, recommended at 3.
    CsuSpec("west-moors", "West Moors CSU", ("workforce_copy",), seed=5, n_ccgs=6),
    # B at checkpoint 2 (interview coverage), conditions at 3 (efficiency below 4%).
    CsuSpec("tamar-link", "Tamar Link CSU", ("interview_gaps", "low_efficiency"), seed=6, n_ccgs=8),
    # B with escalation: exactly one RED domain (CCG confidence critical) at checkpoint 2; conditions at 3.
    CsuSpec(
        "pennine-ridge", "Pennine Ridge CSU", ("low_confidence", "survey_low_response"), seed=7, n_ccgs=6
    ),
    # Checkpoint 1: outline plan lacks costs → proceed but consolidate; recovers afterwards.
    CsuSpec("severn-bridge", "Severn Bridge CSU", ("outline_incomplete", "low_efficiency"), seed=8, n_ccgs=5),
    # C at checkpoint 2: no leader and a year-1 deficit (two RED domains). Stops; never submits checkpoint 3.
    CsuSpec("thames-gate", "Thames Gate CSU", ("no_leader", "deficit"), seed=9, n_ccgs=5, checkpoints=(1, 2)),
    # C at checkpoint 2: no agreed development plan.
    CsuSpec(
        "cheviot",
        "Cheviot CSU",
        ("no_development_plan",),
        seed=10,
        n_ccgs=4,
        population_per_ccg=330_000,
        checkpoints=(1, 2),
    ),
    # Misses the checkpoint 3 deadline: no checkpoint 3 submission at all.
    CsuSpec("marsh-lane", "Marsh Lane CSU", seed=11, n_ccgs=6, checkpoints=(1, 2)),
    # Misses a binding development-plan milestone (managing director never appointed): not recommended.
    CsuSpec("dales-moor", "Dales Moor CSU", ("missed_milestone",), seed=12, n_ccgs=6),
    # Most SLAs unsigned at 31 August: not recommended.
    CsuSpec("ure-valley", "Ure Valley CSU", ("unsigned_slas",), seed=13, n_ccgs=7),
    # Conditions at checkpoint 3 from a low survey response.
    CsuSpec("wear-side", "Wearside CSU", ("survey_low_response",), seed=14, n_ccgs=6),
    # Strong, larger footprint.
    CsuSpec(
        "mersey-plain",
        "Mersey Plain CSU",
        seed=15,
        n_ccgs=12,
        population_per_ccg=250_000,
        price_per_head=Decimal("9.80"),
    ),
    # B at checkpoint 2 (interview coverage, income not reconciled), then strong at 3.
    CsuSpec("kennet-wey", "Kennet and Wey CSU", ("interview_gaps",), seed=16, n_ccgs=7),
]


def main() -> None:
    if COHORT.exists():
        shutil.rmtree(COHORT)
    write_cohort(SPECS, COHORT, Rules.shipped(shipped_catalogue()))
    print(f"wrote {len(SPECS)} CSUs to {COHORT}")


if __name__ == "__main__":
    main()
