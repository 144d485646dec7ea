"""One generic driver for every check's data-driven pass/fail cases (tests/checks/cases/*.yaml)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from checks import catalogue as shipped_catalogue
from csu_assure.calendar import load_calendar
from csu_assure.engine import graded_severity, make_context, run_check
from csu_assure.results import PlanItem
from csu_assure.ruleset import load_ruleset
from csu_assure.synthetic import to_submission
from tests.checks.case_patching import case_submission

CASES_DIR = Path(__file__).parent / "cases"


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert spec["check"] == path.stem, f"{path.name} declares check {spec['check']}"
        found.extend((spec["check"], case) for case in spec["cases"])
    return found


def _prior_plan(items: list[dict[str, Any]], due: dt.date) -> tuple[PlanItem, ...]:
    """Plan items from a case's `prior_plan`: a finding by default (`{check_id: ...}`), or an escalation
    (`{kind: escalation, item_id: ESCALATION-leadership@2}`)."""
    return tuple(
        PlanItem(
            item_id=i.get("item_id") or f"{i['check_id']}@{i.get('from_checkpoint', 2)}",
            check_id=i.get("check_id", ""),
            kind=i.get("kind", "finding"),
            finding=i.get("finding", "finding"),
            action=i.get("action", "action"),
            owner="owner",
            due=i.get("due", due),
            evidence_required="evidence",
            binding=i.get("binding", True),
            severity=i.get("severity", "high"),
        )
        for i in items
    )


@pytest.mark.parametrize(
    ("check_id", "case"), load_cases(), ids=lambda v: v if isinstance(v, str) else v["name"]
)
def test_check_case(check_id: str, case: dict[str, Any]) -> None:
    catalogue = shipped_catalogue()
    ruleset = load_ruleset(catalogue)
    calendar = load_calendar()
    item = catalogue[check_id]
    checkpoint = case.get("checkpoint", int(item.checkpoint))
    sub = to_submission(case_submission(checkpoint, case.get("patch", {})))
    deadline = calendar.deadline(item.checkpoint)
    as_of = case.get("as_of", deadline + dt.timedelta(days=1))
    ctx = make_context(calendar, item.checkpoint, as_of, _prior_plan(case.get("prior_plan", []), deadline))
    judgement, error = run_check(item, sub, ruleset, ctx)
    assert judgement is not None, f"{check_id} raised: {error}"
    assert judgement.status.value == case["expect"], judgement.finding
    assert judgement.finding.strip()
    if "severity" in case:
        assert graded_severity(judgement, ruleset.severity[check_id]).value == case["severity"]
    if "remedy" in case:
        assert (judgement.remedy is not None) == case["remedy"], judgement.remedy
    if case.get("evidence_rows") is not None:
        assert len(judgement.evidence) == case["evidence_rows"]
