"""Rule-set variants and differences (csu_assure/variants.py)."""

from __future__ import annotations

import pickle
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from checks import catalogue as shipped_catalogue
from csu_assure.ruleset import default_ruleset_path, load_ruleset
from csu_assure.variants import (
    ParamInvalid,
    ParamRef,
    decimal_steps,
    diff_rulesets,
    numeric_param,
    param_value,
    parse_param,
    with_params,
)

CATALOGUE = shipped_catalogue()
RULESET = load_ruleset(CATALOGUE)
CAPTURE = ParamRef("CP2-CUS-04", "pass_at")


def test_a_variant_changes_one_parameter_and_says_so() -> None:
    variant = with_params(RULESET, CATALOGUE, {CAPTURE: Decimal("0.25")})
    assert param_value(variant, CAPTURE) == Decimal("0.25")
    assert param_value(RULESET, CAPTURE) == Decimal("0.30")  # the base is untouched
    assert variant.version == f"{RULESET.version}+CP2-CUS-04.pass_at=0.25"
    assert variant.sha256 != RULESET.sha256
    assert {c for c in RULESET.params if variant.params[c] != RULESET.params[c]} == {"CP2-CUS-04"}
    assert with_params(RULESET, CATALOGUE, {}) is RULESET


def test_a_variant_keeps_each_parameter_s_type_and_the_charts_follow() -> None:
    population = ParamRef("CP2-SCL-01", "min_population")
    variant = with_params(RULESET, CATALOGUE, {population: Decimal("1200000")})
    assert param_value(variant, population) == 1_200_000 and isinstance(param_value(variant, population), int)
    mean = ParamRef("CP2-CUS-02", "pass_mean")
    assert isinstance(param_value(with_params(RULESET, CATALOGUE, {mean: Decimal("3.5")}), mean), float)
    assert variant.chart_thresholds[2] is not None and variant.chart_thresholds[2].min_population == 1_200_000


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({CAPTURE: Decimal("1.5")}, "CP2-CUS-04.pass_at = 1.5 is not allowed"),
        ({ParamRef("CP2-SCL-01", "min_population"): Decimal("1000000.5")}, "min_population"),
        # The check's own rule between its parameters: the critical line cannot sit below the pass line.
        ({ParamRef("CP1-FIN-03", "critical_above_per_head"): Decimal("20")}, "critical_above_per_head"),
    ],
)
def test_a_value_the_rule_set_file_could_not_hold_is_refused(changes: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ParamInvalid, match=message):
        with_params(RULESET, CATALOGUE, changes)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("CP2-CUS-04", "name a parameter as CHECK-ID.parameter"),
        ("CP9-XXX-01.pass_at", "no check CP9-XXX-01"),
        ("CP2-CUS-04.pass", "its parameters: pass_at, high_below"),
    ],
)
def test_an_unknown_parameter_is_named_with_the_check_s_parameters(text: str, message: str) -> None:
    with pytest.raises(ParamInvalid, match=message):
        parse_param(CATALOGUE, text)


def test_only_a_number_can_be_swept() -> None:
    assert numeric_param(CATALOGUE, "cp2-cus-04.pass_at") == CAPTURE
    with pytest.raises(ParamInvalid, match="numeric parameters: grace_days"):
        numeric_param(CATALOGUE, "CP3-EVD-01.required")


def test_steps_are_exact_and_evenly_spaced() -> None:
    steps = decimal_steps("0.20", "0.40", 41)
    assert len(steps) == 41 and steps[0] == Decimal("0.200") and steps[-1] == Decimal("0.400")
    assert steps[1] == Decimal("0.205") and str(steps[20]) == "0.300"
    assert decimal_steps("900000", "1100000", 3) == (Decimal(900000), Decimal(1000000), Decimal(1100000))
    for start, stop, n, message in [
        ("0.4", "0.2", 5, "must be below"),
        ("0.2", "0.4", 1, "at least 2 steps"),
        ("x", "0.4", 5, "not numbers"),
        ("0.2", "inf", 5, "not finite"),
    ]:
        with pytest.raises(ParamInvalid, match=message):
            decimal_steps(start, stop, n)


def test_a_rule_set_pickles_for_worker_processes() -> None:
    again = pickle.loads(pickle.dumps(with_params(RULESET, CATALOGUE, {CAPTURE: Decimal("0.25")})))
    assert param_value(again, CAPTURE) == Decimal("0.25")
    assert again == with_params(RULESET, CATALOGUE, {CAPTURE: Decimal("0.25")})


def _edited(tmp_path: Path, edit: dict) -> Path:  # type: ignore[type-arg]
    spec = yaml.safe_load(default_ruleset_path().read_text(encoding="utf-8"))
    for path, value in edit.items():
        *parents, leaf = path.split("/")
        node = spec
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    target = tmp_path / "edited.yaml"
    target.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return target


def test_a_diff_lists_parameters_severities_enabled_checks_and_settings(tmp_path: Path) -> None:
    path = _edited(
        tmp_path,
        {
            "version": "x",
            "checks/CP2-CUS-04/params/pass_at": "0.25",
            "checks/CP2-CUS-03/severity": "critical",
            "checks/CP3-FIN-04/enabled": False,
            "robustness/borderline_tolerance": 0.1,
        },
    )
    found = diff_rulesets(RULESET, load_ruleset(CATALOGUE, path), CATALOGUE)
    assert [(d.kind, d.what, d.item, d.a, d.b) for d in found.differences] == [
        ("severity", "CP2-CUS-03", "severity", "high", "critical"),
        ("parameter", "CP2-CUS-04", "pass_at", "0.30", "0.25"),
        ("enabled", "CP3-FIN-04", "enabled", True, False),
        ("setting", "robustness", "borderline_tolerance", 0.05, 0.1),
    ]
    assert found.checks == ("CP2-CUS-03", "CP2-CUS-04", "CP3-FIN-04")
    assert found.b.version == "x" and found.a.sha256 == RULESET.sha256 and not found.same_file
    assert diff_rulesets(RULESET, RULESET, CATALOGUE).differences == ()
