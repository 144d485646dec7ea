"""Synthetic cohorts: named weakness profiles applied to baseline CSUs, for the example cohort and benchmarks.

A profile is a set of declarative patches (the same format as the check cases, see `synthetic.apply_patch`), one
per checkpoint it affects. A CSU is a baseline plus zero or more profiles; `generate_cohort` draws profiles at
random (seeded) so a large cohort has a realistic spread of outcomes.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from csu_assure.calendar import Calendar, load_calendar
from csu_assure.catalogue import Catalogue
from csu_assure.domain import Domain
from csu_assure.engine import assess
from csu_assure.remedies import escalated_domain
from csu_assure.results import PlanItem
from csu_assure.ruleset import RuleSet, load_ruleset
from csu_assure.synthetic import RawSubmission, apply_patch, baseline, to_submission, write_folder

Patch = dict[str, Any]

# Each profile: checkpoint -> patch. What each one is meant to trip is in its comment; the example cohort's golden
# test pins what they actually produce.
PROFILES: dict[str, dict[int, Patch]] = {
    # Checkpoint 1: the outline plan has no cost section (critical) → proceed but consolidate.
    "outline_incomplete": {1: {"plan": {"outline": {"costs": False}}}},
    # Checkpoint 2: income plan copies the cluster's staffing (major) → B.
    "workforce_copy": {
        2: {"update": [{"table": "workforce", "set": {"planned_wte": "40.00", "baseline_wte": "41.00"}}]},
        3: {"update": [{"table": "workforce", "set": {"planned_wte": "40.00", "baseline_wte": "41.00"}}]},
    },
    # Checkpoint 2: two of the CCGs were not interviewed (coverage below 80%, major) → B.
    "interview_gaps": {
        2: {
            "update": [
                {
                    "table": "ccg_interviews",
                    "first": 2,
                    "set": {
                        "interviewed": "false",
                        "understanding": "",
                        "offer_clarity": "",
                        "value_for_money": "",
                        "leadership_confidence": "",
                        "responsiveness": "",
                        "capability": "",
                        "recommend": "",
                        "pct_from_css": "",
                        "pct_in_house": "",
                        "pct_shared": "",
                        "pct_other": "",
                        "intended_spend": "",
                    },
                }
            ]
        },
    },
    # Checkpoint 2: CCGs have little confidence in the offer (mean below 2.5: critical) → one RED domain.
    "low_confidence": {
        2: {
            "update": [
                {
                    "table": "ccg_interviews",
                    "set": {
                        "understanding": 2,
                        "offer_clarity": 2,
                        "value_for_money": 2,
                        "leadership_confidence": 2,
                        "responsiveness": 2,
                        "capability": 2,
                        "recommend": 1,
                    },
                }
            ]
        },
    },
    # Checkpoint 2: no leader identified or interviewed, and no managing director appointed (critical leadership
    # failure: without the vacancy, the baseline's MD starting in May would be an appointment made, a remedy).
    "no_leader": {
        2: {
            "plan": {
                "leadership": {
                    "leader_interviewed": False,
                    "leader_interview_rating": None,
                    "lead_name": None,
                }
            },
            "update": [
                {
                    "table": "senior_team",
                    "where": {"role": "managing_director"},
                    "set": {"name": "", "status": "vacant", "appointed_on": ""},
                }
            ],
        },
    },
    # Checkpoint 2: a placeholder typed into every year-1 cost (99,999,999.00): implausible, so a data-quality
    # problem for the assessor, never a judged deficit.
    "placeholder_costs": {
        2: {"update": [{"table": "financial_plan", "where": {"year": 1}, "set": {"costs": "99999999.00"}}]},
    },
    # Checkpoint 2: a real year-1 deficit, costs about 1.5 times income (critical: the business plan fails).
    "deficit": {
        2: {"update": [{"table": "financial_plan", "where": {"year": 1}, "set": {"costs": "500000.00"}}]},
    },
    # Checkpoint 2: no development plan agreed → C whatever else.
    "no_development_plan": {2: {"plan": {"development_plan_agreed": False}, "drop": ["development_plan"]}},
    # Checkpoint 3: the managing director was never appointed: binding milestone DP-01 missed (critical).
    "missed_milestone": {
        3: {
            "update": [
                {"table": "development_plan", "where": {"milestone_id": "DP-01"}, "set": {"met": "false"}},
                {
                    "table": "senior_team",
                    "where": {"role": "managing_director"},
                    "set": {"status": "interim"},
                },
            ]
        },
    },
    # Checkpoint 3: most SLAs unsigned by 31 August (critical below 50% of planned income).
    "unsigned_slas": {
        3: {"update": [{"table": "slas", "first": 4, "set": {"signed_on": ""}}]},
    },
    # Checkpoint 3: planned efficiency 3% a year, below the 4% guidance (major).
    "low_efficiency": {3: {"update": [{"table": "financial_plan", "set": {"efficiency_pct": "3.00"}}]}},
    # Checkpoint 3: only 4 of 6 CCGs answered the survey (response below 75%, major).
    "survey_low_response": {
        3: {
            "update": [
                {
                    "table": "ccg_survey",
                    "first": 2,
                    "set": {
                        "responded": "false",
                        "understanding": "",
                        "offer_clarity": "",
                        "value_for_money": "",
                        "leadership_confidence": "",
                        "responsiveness": "",
                        "capability": "",
                        "recommend": "",
                    },
                }
            ]
        },
    },
    # Checkpoint 3: hosting charge above the 50p/head planning assumption (minor, advisory only).
    "hosting_high": {3: {"plan": {"hosting_charge_per_head": "0.65"}}},
}


@dataclass(frozen=True)
class CsuSpec:
    csu_id: str
    csu_name: str
    profiles: tuple[str, ...] = ()
    checkpoints: tuple[int, ...] = (1, 2, 3)  # a checkpoint left out was not submitted
    n_ccgs: int = 6
    population_per_ccg: int = 300_000
    price_per_head: Decimal = Decimal("11.00")
    seed: int = 0
    plan_overrides: dict[int, Patch] = field(default_factory=dict)
    populations: tuple[int, ...] = ()  # each CCG's population exactly, instead of varying around a mean
    ccg_names: tuple[str, ...] = ()
    notes: str = ""  # written beside the submissions as SOURCES.md: what is published, what is a neutral fill


@dataclass(frozen=True)
class Rules:
    """What the generator assesses each checkpoint with, to carry its development plan to the next: loaded once
    (`Rules.shipped`) and handed to every `build_csu` of a cohort, since parsing the rule set costs more than
    a small CSU."""

    catalogue: Catalogue
    ruleset: RuleSet
    calendar: Calendar

    @classmethod
    def shipped(cls, catalogue: Catalogue) -> Rules:
        """`catalogue` with the shipped rule set and calendar."""
        return cls(catalogue, load_ruleset(catalogue), load_calendar())


def build_csu(spec: CsuSpec, rules: Rules) -> dict[int, RawSubmission]:
    """The CSU's submissions by checkpoint, each a baseline with the spec's profiles applied.

    Like a real CSU, each submission reports on the development plan the BDU set at the previous checkpoint: the
    generator assesses checkpoint N and writes its plan items into checkpoint N+1's `development_plan` as met
    (a profile such as `missed_milestone` then marks what was missed), with the remedy an escalation asks for in
    place (`_escalation_remedy`).
    """
    unknown = [p for p in spec.profiles if p not in PROFILES]
    if unknown:
        raise ValueError(f"unknown profile(s) {unknown}; known: {sorted(PROFILES)}")
    out: dict[int, RawSubmission] = {}
    carried: tuple[PlanItem, ...] = ()
    for checkpoint in spec.checkpoints:
        raw = baseline(
            spec.csu_id,
            spec.csu_name,
            checkpoint=checkpoint,
            seed=spec.seed,
            n_ccgs=spec.n_ccgs,
            population_per_ccg=spec.population_per_ccg,
            price_per_head=spec.price_per_head,
            populations=spec.populations,
            ccg_names=spec.ccg_names,
        )
        if carried and "development_plan" in raw.tables:
            raw.tables["development_plan"].extend(_reported_met(carried))
            raw.plan.update(_escalation_remedy(carried, raw.plan))
        for name in spec.profiles:
            patch = PROFILES[name].get(checkpoint)
            if patch:
                raw = apply_patch(raw, patch)
        if checkpoint in spec.plan_overrides:
            raw = apply_patch(raw, spec.plan_overrides[checkpoint])
        out[checkpoint] = raw
        if checkpoint + 1 in spec.checkpoints:
            carried = _development_plan(raw, carried, rules)
    return out


def _development_plan(raw: RawSubmission, prior: tuple[PlanItem, ...], rules: Rules) -> tuple[PlanItem, ...]:
    """The plan the BDU would set on this submission (assessed the day after its deadline)."""
    sub = to_submission(raw)
    as_of = rules.calendar.deadline(sub.checkpoint) + dt.timedelta(days=1)
    record = assess(
        sub,
        catalogue=rules.catalogue,
        ruleset=rules.ruleset,
        calendar=rules.calendar,
        as_of=as_of,
        assessor="generator",
        prior_plan=prior,
    )
    return record.development_plan


def _escalation_remedy(items: tuple[PlanItem, ...], plan: dict[str, Any]) -> Patch:
    """What a CSU reporting a business-plan or customer escalation met must also show (CP3-DEL-05): a merger or
    collaboration route agreed by the escalation's due date. A leadership escalation needs a substantive managing
    director in post, which the baseline already has (a profile such as `missed_milestone` takes it away)."""
    for item in items:
        if escalated_domain(item) in (Domain.BUSINESS, Domain.CUSTOMER) and plan.get("merger_route") is None:
            route = {"partner": "Neighbouring CSS", "status": "agreed", "agreed_on": item.due.isoformat()}
            return {"merger_route_agreed": None, "merger_route": route}
    return {}


def _reported_met(items: tuple[PlanItem, ...]) -> list[dict[str, Any]]:
    return [
        {
            "milestone_id": i.item_id,
            "check_id": i.check_id,
            "action": i.action,
            "owner": i.owner,
            "due": i.due.isoformat(),
            "binding": "true" if i.binding else "false",
            "met": "true",
            "evidence_required": i.evidence_required,
        }
        for i in items
    ]


def write_cohort(specs: Iterable[CsuSpec], out: Path, rules: Rules, *, name: str | None = None) -> list[Path]:
    """Write `<out>/<csu_id>/cp<N>/` folders (and `<out>/cohort.yaml` naming the cohort, when `name` is given);
    returns the CSU folders."""
    folders = []
    if name is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "cohort.yaml").write_text(
            "# The cohort's name: the title of its summary report (docs/limits.md, the cohort and CSU folders).\n"
            f"name: {json.dumps(name)}\n",
            encoding="utf-8",
        )
    for spec in specs:
        for checkpoint, raw in build_csu(spec, rules).items():
            write_folder(raw, out / spec.csu_id / f"cp{checkpoint}")
        (out / spec.csu_id).mkdir(parents=True, exist_ok=True)
        if spec.notes:
            (out / spec.csu_id / "SOURCES.md").write_text(spec.notes.strip() + "\n", encoding="utf-8")
        folders.append(out / spec.csu_id)
    return folders


_WEIGHTED_PROFILES: Sequence[tuple[str, float]] = (
    ("outline_incomplete", 0.05),
    ("workforce_copy", 0.12),
    ("interview_gaps", 0.10),
    ("low_confidence", 0.06),
    ("no_leader", 0.04),
    ("deficit", 0.04),
    ("no_development_plan", 0.03),
    ("missed_milestone", 0.05),
    ("unsigned_slas", 0.05),
    ("low_efficiency", 0.10),
    ("survey_low_response", 0.08),
    ("hosting_high", 0.10),
)


def random_specs(count: int, seed: int) -> list[CsuSpec]:
    """`count` CSUs with randomly drawn profiles, sizes and prices (deterministic for a seed)."""
    rng = random.Random(seed)
    specs = []
    for i in range(count):
        profiles = tuple(name for name, weight in _WEIGHTED_PROFILES if rng.random() < weight)
        checkpoints = (1, 2) if rng.random() < 0.03 else (1, 2, 3)
        specs.append(
            CsuSpec(
                csu_id=f"csu-{seed}-{i:05d}",
                csu_name=f"Synthetic CSU {i + 1}",
                profiles=profiles,
                checkpoints=checkpoints,
                n_ccgs=rng.randint(3, 12),
                population_per_ccg=rng.randint(150, 450) * 1000,
                price_per_head=Decimal(rng.choice(["9.50", "10.00", "10.80", "11.20", "11.90", "12.40"])),
                seed=seed * 100_003 + i,
            )
        )
    return specs
