"""Write the example cohort (`submissions/example-cohort/`): a CSU for every outcome the BDU's 2012 process
reached, and three CSUs built only from published 2012 figures. Run it after changing the generator or the
specs; a test fails when the committed cohort differs from what this writes.

Each synthetic CSU is the generator's baseline (a CSU that passes every check) with named weakness profiles
(`csu_assure.generate.PROFILES`); what each is meant to show is in its comment, and the golden test pins what it
actually reaches. The published-figure CSUs change the baseline only where a 2012 source gives a figure; the
neutral value used for everything unpublished, and why, is written beside them in SOURCES.md.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

from checks import catalogue as shipped_catalogue
from csu_assure.generate import CsuSpec, Rules, write_cohort

COHORT = Path(__file__).resolve().parent.parent / "submissions" / "example-cohort"

# Merger routes agreed by CSUs below the economic scale: a partner named, and the date it was agreed (a route
# counts from that date on).
ROUTE_FROM_THE_START = {"partner": "Solent CSS", "status": "agreed", "agreed_on": "2012-01-16"}
ROUTE_AFTER_CHECKPOINT_1 = {"partner": "Wessex Downs CSS", "status": "agreed", "agreed_on": "2012-03-12"}

NEUTRAL = """
Everything not listed above is the generator's neutral baseline (`csu_assure.synthetic.baseline`), the same for
every CSU: an RCA of £25 a head (the 2013/14 allowance, BRIEF.md); year-1 costs at 94% of income (a 6% surplus,
near the sector's 5.6% in 2013/14); 8% non-CCG income; 4.5% efficiency a year (above the 4% guidance); staff at
£55,000 of income each (Arden's £11m / 200 staff); every named CCG interviewed at checkpoint 2, scoring 3-5 on
every question and intending to take 60-80% of its support from the CSS, with an intended spend equal to its
planned income; a substantive managing director appointed on 14 May 2012; a development plan agreed with three
milestones, reported met at checkpoint 3; SLAs signed on 24 August 2012 for the planned income, 6-month notice,
outcome KPIs and a satisfaction measure; a September survey with every CCG responding, scoring 3-5.
"""

# The cohort's name, written to its cohort.yaml: the title of its summary reports.
COHORT_NAME = "Example cohort: twenty emerging CSUs, England 2012"

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
    # Strong, with low advice at checkpoint 3 (hosting charge above 50p/head): recommend.
    CsuSpec("exe-estuary", "Exe Estuary CSU", ("hosting_high",), seed=3, n_ccgs=6),
    # Below 1 million people with a merger route agreed from the start: the remedy lowers the scale finding one step
    # (high at checkpoint 1, medium after): proceeds, A with a medium issue, recommended.
    CsuSpec(
        "isle-coast",
        "Isle and Coast CSU",
        seed=4,
        n_ccgs=4,
        population_per_ccg=210_000,
        plan_overrides={
            cp: {"plan": {"merger_route_agreed": None, "merger_route": ROUTE_FROM_THE_START}}
            for cp in (1, 2, 3)
        },
    ),
    # A with a medium issue at checkpoint 2 (workforce a copy of cluster staffing: a binding plan item), met by
    # checkpoint 3: recommended.
    CsuSpec("west-moors", "West Moors CSU", ("workforce_copy",), seed=5, n_ccgs=6),
    # B by a marginal domain (two CCGs not interviewed, so a third of planned income has no stated intent: high),
    # then recommend at 3 with a medium issue (efficiency below 4%).
    CsuSpec("tamar-link", "Tamar Link CSU", ("interview_gaps", "low_efficiency"), seed=6, n_ccgs=8),
    # B with escalation: customer focus fails (CCG confidence below 2.5), escalated to a merger, which is agreed by
    # checkpoint 3; conditions at 3 (a low survey response).
    CsuSpec(
        "pennine-ridge", "Pennine Ridge CSU", ("low_confidence", "survey_low_response"), seed=7, n_ccgs=6
    ),
    # Checkpoint 1: 800,000 people and no route to scale → proceed, but consolidate. It agrees a merger route by
    # checkpoint 2 (the remedy): A with a medium issue, then recommended.
    CsuSpec(
        "severn-bridge",
        "Severn Bridge CSU",
        ("low_efficiency",),
        seed=8,
        n_ccgs=4,
        population_per_ccg=200_000,
        plan_overrides={
            cp: {"plan": {"merger_route_agreed": None, "merger_route": ROUTE_AFTER_CHECKPOINT_1}}
            for cp in (2, 3)
        },
    ),
    # The data-quality case: a placeholder (99,999,999.00) in every year-1 cost at checkpoint 2. The figures are
    # set aside, not judged: the business-plan checks that need them lack evidence (B), and the report asks the
    # assessor to resolve them. It never submits checkpoint 3.
    CsuSpec("thames-gate", "Thames Gate CSU", ("placeholder_costs",), seed=9, n_ccgs=5, checkpoints=(1, 2)),
    # C by two failed domains: no leader identified, and a year-1 deficit of about a third of income.
    CsuSpec("fen-marsh", "Fen Marsh CSU", ("no_leader", "deficit"), seed=17, n_ccgs=5, checkpoints=(1, 2)),
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
    # B by a marginal domain at checkpoint 2 (interview coverage, income not backed by intentions), then strong at 3.
    CsuSpec("kennet-wey", "Kennet and Wey CSU", ("interview_gaps",), seed=16, n_ccgs=7),
    # Borderline: strong in every other respect, but priced at £12.25 a head, 49% of its CCGs' £25 running-cost
    # allowance, just inside the 50% affordability line (CP2-BUS-04 at checkpoint 2, CP3-FIN-05 on the signed SLAs
    # at 3, both high). A, then recommend hosting, but each decision hangs on that line: it stands 2% from it, within
    # the rule set's 5% tolerance (robustness.borderline_tolerance), and a line 2% lower would have made it a B and
    # then hosting with conditions. The cohort output names it as borderline, with the line.
    CsuSpec("wolds-edge", "Wolds Edge CSU", seed=18, n_ccgs=6, price_per_head=Decimal("12.25")),
    # --------------------------------------------------------------- built only from published 2012 figures
    CsuSpec(
        "arden",
        "Arden CSS",
        seed=21,
        price_per_head=Decimal("13.50"),
        populations=(200_000, 307_400, 307_400),
        notes="""# Arden CSS: what is published, and what is a neutral fill

Published (seed `000`, Healthcare Finance, April 2012):
- "likely to have an annual revenue from CCGs of £11m based on spending of £13-£14 per head of population":
  price £13.50 a head (the middle of £13-£14) and CCG income of about £11m, so a population served of
  £11m / £13.50 ≈ 814,800;
- "the final figure could be three" CCGs, some "relatively small - covering populations of 200,000": three
  CCGs, one of 200,000 and the other two sharing the rest equally (307,400 each: nothing more is published);
- "training its 200 staff": the baseline's £55,000 of income per member of staff gives about 200 WTE here;
- back-office functions, commissioning support and governance support offered; "committed to working
  together" with Coventry City Council and Warwickshire County Council (local-authority engagement recorded).
"""
        + NEUTRAL,
    ),
    CsuSpec(
        "staffordshire",
        "Staffordshire CSS",
        seed=22,
        populations=(250_000,) * 7,
        notes="""# Staffordshire CSS: what is published, and what is a neutral fill

Published (seed `000`, Healthcare Finance, April 2012):
- "offering services to seven pathfinder CCGs": seven CCGs;
- "costs less than 50% of the CCG running cost allocation per head": the baseline price of £11.00 a head, 44%
  of a £25 allowance (the price itself is not published);
- established over nine months in 2011, with its vision developed with CCGs in workshops and one-to-one
  interviews (engagement recorded with every CCG).

Not published: the CCGs' populations. Each is set at 250,000, the mean English CCG in 2012 (about 53 million
people in 212 CCGs, BRIEF.md) [D].
"""
        + NEUTRAL,
    ),
    CsuSpec(
        "south-london",
        "South London CSU",
        seed=23,
        price_per_head=Decimal("8.33"),
        populations=(250_000,) * 6 + (192_000,) + (250_000,) * 8,
        ccg_names=(
            *(f"NHS South London CCG {i}" for i in range(1, 7)),
            "NHS Kingston CCG",
            *(f"NHS South London CCG {i}" for i in range(7, 13)),
            *(f"NHS Surrey CCG {i}" for i in range(1, 4)),
        ),
        notes="""# South London CSU: what is published, and what is a neutral fill

Published (seed `001`, Kingston CCG's chief officer, 2014, looking back on its CSU):
- "commissioning support for 12 groups in south London and three in Surrey": fifteen CCGs;
- Kingston CCG spends "roughly £1.6m - or one third of our £25 per head budget": £1.6m is a third of £25 a head
  for 192,000 people (£1.6m / £8.33), so Kingston's population is 192,000 and the price is £8.33 a head;
- "IT support to a large number of CCGs in Sussex and London": non-CCG income (the baseline's 8%).

Not published: the other fourteen CCGs' populations, each set at 250,000, the mean English CCG in 2012 [D];
the same £8.33 a head is assumed for every CCG.
"""
        + NEUTRAL,
    ),
]


def main() -> None:
    if COHORT.exists():
        shutil.rmtree(COHORT)
    write_cohort(SPECS, COHORT, Rules.shipped(shipped_catalogue()), name=COHORT_NAME)
    print(f"wrote {len(SPECS)} CSUs to {COHORT}")


if __name__ == "__main__":
    main()
