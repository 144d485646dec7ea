"""Synthetic, realistic submissions: the baseline for check tests, the example cohort and benchmark cohorts.

A `RawSubmission` is the submission as files would hold it (a business-plan mapping and rows of plain values),
so the same object can be written to a folder, written to a workbook, or parsed straight into a `Submission`
through the same validation code the loaders use. Figures follow BRIEF.md's reference figures.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from csu_assure.domain import Checkpoint
from csu_assure.loading.problems import SubmissionInvalid
from csu_assure.loading.tables import build_submission, parse_business_plan, parse_table
from csu_assure.submission import CORE_FUNCTIONS, QUESTIONS, TABLES, Submission

Row = dict[str, Any]

_PLACES = (
    "Avon",
    "Brent",
    "Calder",
    "Derwent",
    "Eden",
    "Fal",
    "Garry",
    "Hull",
    "Irwell",
    "Kennet",
    "Lune",
    "Medway",
    "Nene",
    "Ouse",
    "Parrett",
    "Roding",
    "Severn",
    "Tamar",
    "Ure",
    "Wear",
    "Wye",
    "Yare",
    "Test",
    "Itchen",
    "Exe",
    "Dart",
    "Tees",
    "Tyne",
    "Aire",
    "Mersey",
)
_SERVICE_LINES = (
    "business_intelligence",
    "contracting",
    "provider_management",
    "service_redesign",
    "communications_engagement",
    "procurement",
    "health_needs_assessment",
    "finance",
    "hr",
    "it",
)
_SUBMITTED = {1: dt.date(2012, 1, 27), 2: dt.date(2012, 3, 29), 3: dt.date(2012, 8, 30)}


@dataclass
class RawSubmission:
    plan: dict[str, Any]
    tables: dict[str, list[Row]] = field(default_factory=dict)

    @property
    def checkpoint(self) -> int:
        return int(self.plan["checkpoint"])


def _money(value: float | Decimal) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


def baseline(
    csu_id: str = "baseline",
    csu_name: str = "Baseline CSU",
    checkpoint: int = 2,
    seed: int = 0,
    n_ccgs: int = 6,
    population_per_ccg: int = 300_000,
    price_per_head: Decimal = Decimal("11.00"),
    populations: Sequence[int] = (),
    ccg_names: Sequence[str] = (),
) -> RawSubmission:
    """A CSU that passes every check at `checkpoint`: the starting point that cases and profiles alter. Its CCGs'
    populations vary ±30% around `population_per_ccg`, unless `populations` gives each exactly (then `n_ccgs` is
    their number); `ccg_names` names them."""
    rng = random.Random(f"{csu_id}:{seed}")
    cp = Checkpoint(checkpoint)
    prefix = "".join(w[0] for w in csu_id.split("-"))[:2].upper() or "CS"
    ccgs = []
    n_ccgs = len(populations) or n_ccgs
    for i in range(n_ccgs):
        jittered = int(population_per_ccg * rng.uniform(0.7, 1.3)) // 100 * 100
        pop = populations[i] if populations else jittered
        place = rng.choice(_PLACES)
        ccgs.append(
            {
                "ccg_id": f"{prefix}{i + 1:02d}",
                "ccg_name": ccg_names[i] if i < len(ccg_names) else f"NHS {place} Vale CCG {i + 1}",
                "population": pop,
                "rca_per_head": "25.00",
                "in_house_cost_per_head": _money(rng.uniform(10.5, 12.5)),
                "engagement_events": rng.randint(2, 6),
            }
        )
    plan: dict[str, Any] = {
        "csu_id": csu_id,
        "csu_name": csu_name,
        "checkpoint": checkpoint,
        "submitted_on": _SUBMITTED[checkpoint].isoformat(),
        "pct_clusters": [f"{rng.choice(_PLACES)} cluster", f"{rng.choice(_PLACES)} cluster"],
        "outline": {"structure": True, "services": True, "products": True, "costs": True},
        "back_office": "at_scale",
        "baseline_running_cost_per_head": _money(rng.uniform(28, 33)),
        "price_per_head": _money(price_per_head),
        "leadership": {"lead_name": "Alex Morgan", "lead_conflicting_role": False},
        "local_authority_engagements": rng.randint(1, 4),
        "merger_route_agreed": False,
    }
    services = [{"function": f.value, "delivery_model": "in_house"} for f in CORE_FUNCTIONS]
    services += [
        {"function": "contracting", "delivery_model": "in_house"},
        {"function": "ledger_payroll", "delivery_model": "at_scale"},
        {"function": "it", "delivery_model": "shared"},
    ]
    raw = RawSubmission(plan=plan, tables={"ccgs": ccgs, "services": services})
    if cp >= Checkpoint.VIABILITY:
        _add_viability(raw, rng, price_per_head)
    if cp >= Checkpoint.FULL_BUSINESS_PLAN:
        _add_full_plan(raw, rng)
    return raw


def _add_viability(raw: RawSubmission, rng: random.Random, price: Decimal) -> None:
    ccgs = raw.tables["ccgs"]
    raw.plan["leadership"].update({"leader_interviewed": True, "leader_interview_rating": 3})
    raw.plan["income_growth_rationale"] = "Growth from NHS Commissioning Board local area team contracts."
    raw.plan["surplus_retention_assumption"] = "Surplus retained up to 5% for reinvestment in BI tooling."
    raw.plan["development_plan_agreed"] = True
    raw.plan["hosting_charge_per_head"] = "0.50"
    raw.plan["governance"] = {"board_established": True, "non_executive_members": 2}
    weights = {line: rng.uniform(0.5, 1.5) for line in _SERVICE_LINES}
    total_w = sum(weights.values())
    finance: list[Row] = []
    for year in range(1, 5):
        growth = Decimal("1.01") ** (year - 1)
        for line in _SERVICE_LINES:
            share = Decimal(str(weights[line] / total_w))
            customers = [(c["ccg_id"], Decimal(c["population"]) * price) for c in ccgs]
            customers.append(("OTHER", sum((v for _, v in customers), Decimal(0)) * Decimal("0.08")))
            for customer, annual in customers:
                income = annual * share * growth
                finance.append(
                    {
                        "year": year,
                        "service_line": line,
                        "customer": customer,
                        "income": _money(income),
                        "costs": _money(income * Decimal("0.94")),
                        "efficiency_pct": "4.50",
                    }
                )
    raw.tables["financial_plan"] = finance
    income = sum(Decimal(c["population"]) * price for c in ccgs) * Decimal("1.08")
    total_wte = int(income / Decimal(55_000))
    raw.tables["workforce"] = [
        {
            "service_line": line,
            "baseline_wte": _money(total_wte * weights[line] / total_w / 0.85),
            "planned_wte": _money(total_wte * weights[line] / total_w),
            "transfer_wte": _money(total_wte * weights[line] / total_w),
        }
        for line in _SERVICE_LINES
    ]
    raw.tables["senior_team"] = [
        {
            "role": "managing_director",
            "name": "Alex Morgan",
            "status": "substantive",
            "appointed_on": "2012-05-14",
            "commercial_skills": "true",
        },
        {
            "role": "finance_director",
            "name": "Sam Patel",
            "status": "substantive",
            "appointed_on": "2012-04-02",
            "commercial_skills": "true",
        },
        {
            "role": "operations_director",
            "name": "Jo Evans",
            "status": "substantive",
            "appointed_on": "2012-04-16",
            "commercial_skills": "false",
        },
        {
            "role": "business_development_director",
            "name": "Chris Lee",
            "status": "interim",
            "appointed_on": "2012-03-01",
            "commercial_skills": "true",
        },
        {"role": "non_executive", "name": "Pat Quinn", "status": "substantive", "appointed_on": "2012-03-01"},
    ]
    raw.tables["development_plan"] = [
        {
            "milestone_id": "DP-01",
            "action": "Appoint a substantive managing director",
            "owner": "Alex Morgan",
            "due": "2012-06-30",
            "binding": "true",
            "met": "",
            "evidence_required": "Letter of appointment",
        },
        {
            "milestone_id": "DP-02",
            "action": "Sign SLAs with every customer CCG",
            "owner": "Sam Patel",
            "due": "2012-08-31",
            "binding": "true",
            "met": "",
            "evidence_required": "Signed SLAs",
        },
        {
            "milestone_id": "DP-03",
            "action": "Publish a BI product catalogue",
            "owner": "Jo Evans",
            "due": "2012-07-31",
            "binding": "false",
            "met": "",
            "evidence_required": "Catalogue",
        },
    ]
    interviews = []
    for c in ccgs:
        from_css = rng.choice([60, 65, 70, 75, 80])
        in_house = rng.choice([10, 15])
        shared = 5
        interviews.append(
            {
                "ccg_id": c["ccg_id"],
                "interviewed": "true",
                **{q: rng.choice([3, 4, 4, 5]) for q in QUESTIONS},
                "pct_from_css": from_css,
                "pct_in_house": in_house,
                "pct_shared": shared,
                "pct_other": 100 - from_css - in_house - shared,
                "intended_spend": _money(Decimal(c["population"]) * price),
            }
        )
    raw.tables["ccg_interviews"] = interviews


def _add_full_plan(raw: RawSubmission, rng: random.Random) -> None:
    for milestone in raw.tables["development_plan"]:
        milestone["met"] = "true"
    raw.plan["documents"] = {"full_business_plan": True, "financial_model": True, "balanced_scorecard": True}
    raw.plan["site_visit"] = {"held": True, "visited_on": "2012-09-18", "unresolved_red_findings": 0}
    raw.plan["ccg_leads_meeting"] = {"held": True, "withdrawing_ccgs": []}
    raw.plan["governance"] = {"board_established": True, "non_executive_members": 2}
    income_y1: dict[str, Decimal] = {}
    for r in raw.tables["financial_plan"]:
        if r["year"] == 1 and r["customer"] != "OTHER":
            income_y1[r["customer"]] = income_y1.get(r["customer"], Decimal(0)) + Decimal(r["income"])
    raw.tables["slas"] = [
        {
            "ccg_id": c["ccg_id"],
            "signed_on": "2012-08-24",
            "annual_value": _money(income_y1[c["ccg_id"]]),
            "term_months": 36,
            "notice_months": 6,
            "outcome_kpis": rng.randint(10, 16),  # at least one outcome KPI per service line (CP3-CUS-02)
            "satisfaction_measured": "true",
        }
        for c in raw.tables["ccgs"]
    ]
    raw.tables["ccg_survey"] = [
        {"ccg_id": c["ccg_id"], "responded": "true", **{q: rng.choice([3, 4, 4, 5]) for q in QUESTIONS}}
        for c in raw.tables["ccgs"]
    ]
    raw.tables["scorecard"] = [
        {"kpi": kpi, "perspective": perspective, "baseline": baseline, "target": target}
        for kpi, perspective, baseline, target in (
            ("CCG satisfaction (top-2-box %)", "customer", "55", "75"),
            ("SLA KPIs met (%)", "customer", "80", "95"),
            ("Surplus (%)", "financial", "5.0", "5.6"),
            ("Cost per head (£)", "financial", "10.80", "10.20"),
            ("BI reports on time (%)", "internal", "85", "98"),
            ("Contract queries closed in 10 days (%)", "internal", "70", "90"),
            ("Staff turnover (%)", "learning", "14", "10"),
            ("Staff with a development plan (%)", "learning", "60", "95"),
        )
    ]


def deep_merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _matches(row: dict[str, Any], where: dict[str, Any]) -> bool:
    return all(str(row.get(k)) == str(v) for k, v in where.items())


def apply_patch(raw: RawSubmission, patch: dict[str, Any]) -> RawSubmission:
    plan = deep_merge(raw.plan, patch.get("plan", {}))
    tables = copy.deepcopy(raw.tables)
    for name in patch.get("drop", []):
        tables.pop(name, None)
    for name, rows in patch.get("rows", {}).items():
        tables[name] = copy.deepcopy(rows)
    for update in patch.get("update", []):
        hits = [row for row in tables[update["table"]] if _matches(row, update.get("where", {}))]
        hits = hits[: update["first"]] if "first" in update else hits
        if not hits:  # a case whose patch changes nothing would pass or fail for the wrong reason
            raise ValueError(f"update matched no rows of {update['table']}: {update.get('where')}")
        for row in hits:
            row.update(update["set"])
    for name, count in patch.get("limit", {}).items():
        tables[name] = tables[name][:count]
    unknown = set(patch) - {"plan", "drop", "rows", "update", "limit"}
    if unknown:
        raise ValueError(f"unknown patch operation(s): {sorted(unknown)}")
    return RawSubmission(plan=plan, tables=tables)


def to_submission(raw: RawSubmission, source: str = "<generated>") -> Submission:
    """Parse a RawSubmission through the loaders' own validation (raises SubmissionInvalid)."""
    plan, problems = parse_business_plan(_jsonish(raw.plan), f"{source}/business_plan.yaml")
    tables = {}
    for name, rows in raw.tables.items():
        header = (
            list(TABLES[name].model_fields) if not rows else list(dict.fromkeys(k for r in rows for k in r))
        )
        parsed, row_problems = parse_table(
            name, header, [_stringify(r) for r in rows], f"{source}/{name}.csv"
        )
        problems.extend(row_problems)
        if parsed is not None:
            tables[name] = parsed
    return build_submission(
        source, plan, tables, (), problems, {n: (f"{source}/{n}.csv", 2, "line") for n in raw.tables}
    )


def _stringify(row: Row) -> dict[str, str]:
    return {
        k: "" if v is None else ("true" if v is True else "false" if v is False else str(v))
        for k, v in row.items()
    }


def _jsonish(value: Any) -> Any:
    """Plain YAML-safe values (Decimals become strings, as a person would type them)."""
    if isinstance(value, dict):
        return {k: _jsonish(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonish(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def write_folder(raw: RawSubmission, folder: Path) -> Path:
    """Write a RawSubmission as `business_plan.yaml` + one CSV per table."""
    folder.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(_jsonish(raw.plan), sort_keys=False, allow_unicode=True)
    (folder / "business_plan.yaml").write_text(text, encoding="utf-8")
    for name, rows in raw.tables.items():
        header = list(dict.fromkeys(k for r in rows for k in r)) or list(TABLES[name].model_fields)
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=header)
            writer.writeheader()
            writer.writerows(_stringify(r) for r in rows)
    return folder


__all__ = ["RawSubmission", "SubmissionInvalid", "apply_patch", "baseline", "to_submission", "write_folder"]
