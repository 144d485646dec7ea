"""The assessing commands: assess, cohort, progress, history, report, moderate, demo (exit codes and output)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.flows.cohort_data import STOP_AT_CP2, write_cohort, write_csu

runner = CliRunner()


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_assess_no_prefect_json_and_idempotent_rerun(tmp_path: Path) -> None:
    csu = write_csu(tmp_path / "cohort", "alpha", checkpoints=(1,))
    code, stdout, _ = _run(
        "assess", csu, "--checkpoint", "1", "--out", tmp_path / "out", "--no-prefect", "--format", "json"
    )
    assert code == 0
    [item] = json.loads(stdout)["assessments"]
    assert item["outcome"] == "proceed" and item["checkpoint"] == 1 and Path(item["report"]).exists()
    code, again, _ = _run(
        "assess", csu, "-c", "1", "--out", tmp_path / "out", "--no-prefect", "--format", "json"
    )
    assert json.loads(again)["assessments"][0]["assessment_id"] == item["assessment_id"]
    code, stdout, _ = _run("history", "alpha", "--out", tmp_path / "out", "--format", "json")
    assert code == 0 and len(json.loads(stdout)["history"]) == 1


def test_invalid_submission_exits_1_with_located_problems(tmp_path: Path) -> None:
    csu = write_csu(tmp_path / "cohort", "alpha", checkpoints=(1,))
    plan = csu / "cp1/business_plan.yaml"
    plan.write_text(plan.read_text().replace("price_per_head: '11.00'", "price_per_head: eleven"))
    code, stdout, stderr = _run(
        "assess", csu, "-c", "1", "--out", tmp_path / "out", "--no-prefect", "--format", "json"
    )
    assert code == 1
    assert "alpha/cp1/business_plan.yaml: price_per_head" in stderr and "eleven" in stderr
    [item] = json.loads(stdout)["assessments"]
    assert (item["status"], item["outcome"]) == ("invalid_submission", "not_submitted")


@pytest.mark.parametrize(
    "args",
    [
        ("assess", "missing-folder", "-c", "1"),
        ("assess", ".", "-c", "4"),
        ("cohort", "missing-folder", "-c", "2"),
        ("moderate", "not-a-uuid", "--assessor", "A", "--accept"),
        ("moderate", str(uuid.uuid4()), "--assessor", "A"),
        ("moderate", str(uuid.uuid4()), "--assessor", "A", "--override", "CP2-CUS-03=MAYBE:why"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    code, _, _ = _run(*args)
    assert code == 2


def test_bad_rules_file_is_a_located_input_error(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        'name: x\nversion: "1"\ndecision: {medium_issues_for_marginal: 3}\nchecks: {NOPE-01: {severity: critical}}\n'
    )
    csu = write_csu(tmp_path / "cohort", "alpha", checkpoints=(1,))
    code, _, stderr = _run(
        "assess", csu, "-c", "1", "--rules", rules, "--out", tmp_path / "out", "--no-prefect"
    )
    assert code == 1 and "checks.NOPE-01" in stderr


def test_cohort_and_progress_no_prefect_then_report_rerenders(tmp_path: Path) -> None:
    cohort = write_cohort(tmp_path / "cohort", ("alpha", "beta"))
    out = tmp_path / "out"
    code, stdout, _ = _run("cohort", cohort, "-c", "1", "--out", out, "--no-prefect", "--format", "json")
    assert code == 0 and [a["outcome"] for a in json.loads(stdout)["assessments"]] == ["proceed", "proceed"]
    stop = write_csu(tmp_path / "other", "gamma", patches={2: STOP_AT_CP2})
    code, stdout, _ = _run("progress", stop, "--out", out, "--no-prefect", "--format", "json")
    assert code == 0 and [a["outcome"] for a in json.loads(stdout)["assessments"]] == ["proceed", "C"]
    report = out / "gamma/cp2/gamma-cp2-report.docx"
    report.unlink()
    code, stdout, _ = _run("report", "gamma", "--checkpoint", "2", "--out", out)
    assert code == 0 and report.exists()
    code, _, stderr = _run("report", "nobody", "--out", out)
    assert code == 1 and "no assessment of nobody" in stderr
