"""The rule reference built from the catalogue and a rule set: markdown page, JSON view and id lookup."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from checks import catalogue as shipped_catalogue
from csu_assure.domain import Checkpoint
from csu_assure.rule_reference import (
    catalogue_view,
    close_matches,
    find_check,
    render_check,
    render_rule_reference,
)
from csu_assure.ruleset import RuleSet, default_ruleset_path, load_ruleset

CATALOGUE = shipped_catalogue()


def _ruleset(tmp_path: Path, edit: dict[str, dict[str, object]] | None = None) -> RuleSet:
    spec = yaml.safe_load(default_ruleset_path().read_text(encoding="utf-8"))
    for check_id, change in (edit or {}).items():
        spec["checks"][check_id].update(change)
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return load_ruleset(CATALOGUE, path)


def test_page_has_a_section_per_check_with_its_values(tmp_path: Path) -> None:
    page = render_rule_reference(CATALOGUE, _ruleset(tmp_path))
    for item in CATALOGUE:
        assert f"### {item.id} — {item.name}" in page
        assert f"[{item.id}](#{item.id.lower()})" in page
    assert "| `min_population` | 1000000 |" in page
    assert "| `core_functions` | health_needs_assessment, business_intelligence," in page


def test_page_follows_the_rule_set(tmp_path: Path) -> None:
    ruleset = _ruleset(
        tmp_path,
        {
            "CP1-SCL-03": {"enabled": False, "severity": "high"},
            "CP1-SCL-01": {"params": {"min_population": 2}},
        },
    )
    section = render_check(CATALOGUE["CP1-SCL-03"], ruleset)
    assert "| Severity | high (disabled in this rule set) |" in section
    assert "| `min_population` | 2 |" in render_check(CATALOGUE["CP1-SCL-01"], ruleset)


def test_check_without_parameters_says_so(tmp_path: Path) -> None:
    section = render_check(CATALOGUE["CP1-LEA-01"], _ruleset(tmp_path), anchor=False)
    assert "None: the check has no threshold." in section
    assert "<a id=" not in section


def test_json_view_is_plain_data(tmp_path: Path) -> None:
    view = catalogue_view(CATALOGUE, _ruleset(tmp_path), Checkpoint.OUTLINE_PLAN)
    assert {v["checkpoint"] for v in view} == {1}
    off02 = next(v for v in view if v["id"] == "CP1-OFF-02")
    assert off02["parameters"]["min_covered"] == 5
    assert off02["summary"].startswith("How many of the `core_functions`")
    assert json.loads(json.dumps(view)) == view


def test_lookup_forgives_case_and_suggests_neighbours() -> None:
    item = find_check(CATALOGUE, " cp1_fin_02 ")
    assert item is not None and item.id == "CP1-FIN-02"
    assert find_check(CATALOGUE, "CP1-FIN-99") is None
    assert "CP1-FIN-02" in close_matches(CATALOGUE, "CP1-FIN-2")
    assert "CP1-PAR-01" in close_matches(CATALOGUE, "local authorities")
    assert close_matches(CATALOGUE, "zz") == []
