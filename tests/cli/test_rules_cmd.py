"""`csu-assure rules`: the catalogue listing, `explain`, `reference`, and their errors, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from checks import catalogue as shipped_catalogue
from cli import app
from csu_assure.domain import Checkpoint
from csu_assure.rule_reference import render_rule_reference
from csu_assure.ruleset import default_ruleset_path, load_ruleset

runner = CliRunner()
CP1_IDS = sorted(c.id for c in shipped_catalogue().for_checkpoint(Checkpoint.OUTLINE_PLAN))


def _alternative_rules(tmp_path: Path, check_id: str, **params: object) -> Path:
    spec = yaml.safe_load(default_ruleset_path().read_text(encoding="utf-8"))
    spec["checks"][check_id].setdefault("params", {}).update(params)
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def test_rules_lists_the_catalogue_as_a_table() -> None:
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0, result.output
    assert "CP1-OFF-01" in result.output and "critical" in result.output
    assert f"{len(shipped_catalogue())} checks" in result.output


def test_rules_json_for_one_checkpoint() -> None:
    result = runner.invoke(app, ["rules", "--checkpoint", "1", "--format", "json"])
    assert result.exit_code == 0, result.output
    rules = json.loads(result.stdout)
    assert [r["id"] for r in rules] == CP1_IDS
    assert {r["checkpoint"] for r in rules} == {1}
    fin03 = next(r for r in rules if r["id"] == "CP1-FIN-03")
    assert set(fin03) == {"id", "name", "checkpoint", "domain", "group", "severity", "summary", "parameters"}
    assert fin03["domain"] == "business" and fin03["group"] == "business" and fin03["severity"] == "high"
    assert fin03["parameters"] == {"max_per_head": "25.00", "critical_above_per_head": "35.00"}


def test_rules_reads_an_alternative_rule_set(tmp_path: Path) -> None:
    path = _alternative_rules(tmp_path, "CP1-SCL-01", min_population=1_500_000)
    result = runner.invoke(app, ["rules", "--format", "json", "--rules", str(path)])
    assert result.exit_code == 0, result.output
    scl01 = next(r for r in json.loads(result.stdout) if r["id"] == "CP1-SCL-01")
    assert scl01["parameters"] == {"min_population": 1_500_000}


def test_rules_reports_an_invalid_rule_set_with_its_location(tmp_path: Path) -> None:
    path = _alternative_rules(tmp_path, "CP1-SCL-01", min_population="lots")
    result = runner.invoke(app, ["rules", "--rules", str(path)])
    assert result.exit_code == 1
    assert "checks.CP1-SCL-01.params.min_population" in result.output
    assert "Traceback" not in result.output


def test_rules_with_a_missing_rule_set_file_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["rules", "--rules", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_explain_prints_every_section_parameters_and_action() -> None:
    result = runner.invoke(app, ["rules", "explain", "CP1-FIN-03"])
    assert result.exit_code == 0, result.output
    for text in (
        "What it checks",
        "Why it matters",
        "Evidence used",
        "Source",
        "Parameters",
        "max_per_head",
        "critical_above_per_head",
        "35.00",
        "ready-reckoner",
        "Development-plan action",
        "Evidence required",
    ):
        assert text in result.output, text


def test_explain_forgives_case_and_underscores() -> None:
    result = runner.invoke(app, ["rules", "explain", "cp1_off_01"])
    assert result.exit_code == 0, result.output
    assert "CP1-OFF-01" in result.output


def test_explain_unknown_id_exits_2_with_close_matches() -> None:
    result = runner.invoke(app, ["rules", "explain", "CP1-OFF-9"])
    assert result.exit_code == 2
    assert "unknown check id 'CP1-OFF-9'" in result.stderr
    assert "CP1-OFF-01" in result.stderr


def test_explain_unknown_id_without_matches_points_to_the_list() -> None:
    result = runner.invoke(app, ["rules", "explain", "XYZ"])
    assert result.exit_code == 2
    assert "csu-assure rules" in result.stderr


def test_reference_prints_and_writes_the_generated_page(tmp_path: Path) -> None:
    catalogue = shipped_catalogue()
    expected = render_rule_reference(catalogue, load_ruleset(catalogue))
    printed = runner.invoke(app, ["rules", "reference"])
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == expected
    target = tmp_path / "docs" / "rules.md"
    written = runner.invoke(app, ["rules", "reference", "--write", str(target)])
    assert written.exit_code == 0, written.output
    assert target.read_text(encoding="utf-8") == expected
