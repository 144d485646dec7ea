"""The rule-set file's plausibility section: loaded typed, and refused with located problems when it is wrong."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from checks import catalogue as shipped_catalogue
from csu_assure.ruleset import RuleSetInvalid, default_ruleset_path, load_ruleset


def shipped() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(default_ruleset_path().read_text(encoding="utf-8"))
    return spec


def problems_of(spec: dict[str, Any], tmp_path: Path) -> list[tuple[str, str]]:
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    with pytest.raises(RuleSetInvalid) as raised:
        load_ruleset(shipped_catalogue(), path)
    assert raised.value.source == str(path)
    return [(p.where, p.message) for p in raised.value.problems]


def test_the_shipped_plausible_ranges_are_loaded_as_typed_values() -> None:
    limits = load_ruleset(shipped_catalogue()).plausibility
    assert limits.business_plan.price_per_head.min == Decimal("1.00")
    assert limits.financial_plan.costs_to_income.max == Decimal("10")
    assert Decimal("99999999.00") in limits.placeholders.fill_values
    assert limits.placeholders.smallest == Decimal("999999")


def test_a_range_whose_minimum_is_above_its_maximum_is_located(tmp_path: Path) -> None:
    spec = shipped()
    spec["plausibility"]["business_plan"]["price_per_head"] = {"min": "100.00", "max": "1.00"}
    assert problems_of(spec, tmp_path) == [
        ("plausibility.business_plan.price_per_head", "min 100.00 is above max 1.00")
    ]


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (
            ("financial_plan", "row_costs", {"max": "-1"}),
            "plausibility.financial_plan.row_costs.max",
            "greater",
        ),
        (("workforce", "line_wte", {"min": "1"}), "plausibility.workforce.line_wte.max", "required"),
        (("slas", "annual_valu", {"max": "1"}), "plausibility.slas.annual_valu", "unknown field"),
        (("placeholders", "nines_from_digits", 1), "plausibility.placeholders.nines_from_digits", "greater"),
    ],
)
def test_a_bad_bound_is_located(
    tmp_path: Path, change: tuple[str, str, Any], where: str, message: str
) -> None:
    section, name, value = change
    spec = shipped()
    spec["plausibility"][section][name] = value
    [(located, said)] = problems_of(spec, tmp_path)
    assert located == where and message in said


def test_a_rule_set_without_plausible_ranges_is_refused_with_its_other_problems(tmp_path: Path) -> None:
    spec = shipped()
    del spec["plausibility"]
    spec["checks"]["NOPE-01"] = {"severity": "low"}
    problems = problems_of(spec, tmp_path)
    assert (
        "plausibility",
        "missing: every rule set needs plausible ranges (copy the section of the shipped rule set)",
    ) in problems
    assert ("checks.NOPE-01", "no such check in the catalogue") in problems


def test_validate_reads_the_shipped_plausible_ranges_as_the_whole_rule_set_has_them() -> None:
    """`validate` without --rules reads only the plausibility section (no check imported); it must be the same
    ranges the loaded, catalogue-checked rule set gives."""
    from csu_assure.ruleset import shipped_plausibility

    assert shipped_plausibility() == load_ruleset(shipped_catalogue()).plausibility
