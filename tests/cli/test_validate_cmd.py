"""`csu-assure validate`: implausible figures as located warnings, and the exit codes with and without --strict."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from cli import app
from csu_assure.ruleset import default_ruleset_path
from csu_assure.synthetic import apply_patch, baseline
from csu_assure.workbook_template import write_workbook
from tests.flows.cohort_data import write_csu

runner = CliRunner()

PLACEHOLDER_COSTS = {
    "update": [{"table": "financial_plan", "where": {"year": 1}, "set": {"costs": "99999999.00"}}]
}
PRICE_900 = {"plan": {"price_per_head": "900.00"}}


def _run(*args: object) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_implausible_figures_are_warnings_with_their_location_and_exit_0(tmp_path: Path) -> None:
    csu = write_csu(
        tmp_path / "cohort", "alpha", checkpoints=(1, 2), patches={2: {**PLACEHOLDER_COSTS, **PRICE_900}}
    )

    code, output = _run("validate", csu)

    assert code == 0
    assert "⚠" in output and "2 warning(s)" in output
    # The file and its lines as the loader counts them (line 2 is the first data row), the column, the value and
    # the range expected.
    assert (
        "alpha/cp2/financial_plan.csv: lines 2–71, column costs: implausible: a placeholder, not a figure; "
        "expected a worked-out amount, not a run of 9s (£999,999.00 and up) or another fill value "
        "(got £99,999,999.00)"
    ) in output
    assert (
        "alpha/cp2/business_plan.yaml: price_per_head: implausible: outside the plausible range; expected £1.00 "
        "to £100.00 per head (got £900.00)"
    ) in output
    assert "2 valid (1 with 2 warning(s): implausible figures), 0 invalid" in output


def test_strict_makes_a_warning_exit_1(tmp_path: Path) -> None:
    csu = write_csu(tmp_path / "cohort", "alpha", checkpoints=(2,), patches={2: PLACEHOLDER_COSTS})
    code, output = _run("validate", csu, "--strict")
    assert code == 1 and "column costs" in output


def test_strict_passes_a_plausible_submission(tmp_path: Path) -> None:
    csu = write_csu(tmp_path / "cohort", "alpha", checkpoints=(1, 2, 3))
    code, output = _run("validate", csu, "--strict")
    assert code == 0 and "⚠" not in output and "3 valid, 0 invalid" in output


def test_a_workbook_warning_names_the_sheet_and_its_rows(tmp_path: Path) -> None:
    raw = apply_patch(
        baseline("beta", checkpoint=3),
        {"update": [{"table": "slas", "first": 1, "set": {"annual_value": "9999999.00"}}]},
    )
    write_workbook(raw, tmp_path / "beta" / "cp3.xlsx")

    code, output = _run("validate", tmp_path / "beta" / "cp3.xlsx")

    assert code == 0
    assert "beta/cp3.xlsx: sheet slas, row 2, column annual_value: implausible: a placeholder" in output


def test_the_ranges_come_from_the_rule_set_given(tmp_path: Path) -> None:
    csu = write_csu(tmp_path / "cohort", "alpha", checkpoints=(1,))  # price £11.00 a head
    spec = yaml.safe_load(default_ruleset_path().read_text(encoding="utf-8"))
    spec["plausibility"]["business_plan"]["price_per_head"]["max"] = "10.00"
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump(spec), encoding="utf-8")

    assert _run("validate", csu, "--strict")[0] == 0
    code, output = _run("validate", csu, "--strict", "--rules", rules)
    assert (
        code == 1
        and "price_per_head: implausible: outside the plausible range; expected £1.00 to £10.00" in output
    )


def test_an_invalid_rule_set_exits_1_with_located_problems(tmp_path: Path) -> None:
    csu = write_csu(tmp_path / "cohort", "alpha", checkpoints=(1,))
    spec = yaml.safe_load(default_ruleset_path().read_text(encoding="utf-8"))
    spec["plausibility"]["ccgs"]["rca_per_head"] = {"min": "35.00", "max": "25.00"}
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump(spec), encoding="utf-8")

    code, output = _run("validate", csu, "--rules", rules)
    assert code == 1 and "plausibility.ccgs.rca_per_head: min 35.00 is above max 25.00" in output


def test_a_missing_rule_set_file_is_a_usage_error(tmp_path: Path) -> None:
    csu = write_csu(tmp_path / "cohort", "alpha", checkpoints=(1,))
    assert _run("validate", csu, "--rules", tmp_path / "nope.yaml")[0] == 2


def test_an_invalid_submission_still_exits_1_and_its_problems_come_first(tmp_path: Path) -> None:
    root = tmp_path / "cohort"
    write_csu(root, "alpha", checkpoints=(2,), patches={2: PLACEHOLDER_COSTS})
    broken = write_csu(root, "beta", checkpoints=(1,))
    plan = broken / "cp1/business_plan.yaml"
    plan.write_text(plan.read_text().replace("price_per_head: '11.00'", "price_per_head: eleven"))

    code, output = _run("validate", root)
    assert code == 1
    assert output.index("beta/cp1/business_plan.yaml: price_per_head") < output.index("column costs")
    assert "1 valid (1 with 1 warning(s): implausible figures), 1 invalid" in output
