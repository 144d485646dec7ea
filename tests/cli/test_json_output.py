"""The `--format json` contract of `assess`, `progress` and `cohort`: one document, valid against the published
schema (docs/cli-output.schema.json), carrying every check's result and the development plan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from checks import catalogue
from cli import app
from csu_assure.domain import Checkpoint
from csu_assure.render.records import runs_schema
from tests.flows.cohort_data import STOP_AT_CP2, write_cohort, write_csu

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "cli-output.schema.json"
runner = CliRunner()


def _json(*args: object) -> dict[str, Any]:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code in (0, 1), result.output
    document: dict[str, Any] = json.loads(result.stdout)
    jsonschema.validate(document, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    return document


def test_the_published_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == runs_schema(), "regenerate it with: make docs"


def test_assess_carries_every_checks_result_and_the_plan(tmp_path: Path) -> None:
    csu = write_csu(
        tmp_path / "cohort",
        "alpha",
        checkpoints=(2,),
        patches={
            2: {"update": [{"table": "workforce", "set": {"planned_wte": "40.00", "baseline_wte": "41.00"}}]}
        },
    )
    document = _json("assess", csu, "-c", "2", "--out", tmp_path / "out", "--no-prefect", "--format", "json")
    [item] = document["assessments"]
    assert item["status"] == "assessed" and item["outcome"] == "A" and item["reasons"]
    assert set(item["domains"]) == {"leadership", "business", "customer"}
    ids = [r["check_id"] for r in item["results"]]
    assert ids == [c.id for c in catalogue().for_checkpoint(Checkpoint.VIABILITY)]
    workforce = next(r for r in item["results"] if r["check_id"] == "CP2-BUS-03")
    assert (workforce["status"], workforce["severity"], workforce["domain"]) == ("FAIL", "medium", "business")
    assert workforce["actual"] and workforce["expected"] and workforce["finding"]
    [plan_item] = item["development_plan"]
    assert plan_item["check_id"] == "CP2-BUS-03" and plan_item["binding"] is True and plan_item["measure"]
    assert document["totals"] == {"A — proceed": 1} and document["cohort_report"] is None


def test_cohort_json_covers_every_csu_with_totals_and_the_cohort_report(tmp_path: Path) -> None:
    cohort = write_cohort(tmp_path / "cohort", ("alpha", "beta"))
    write_csu(cohort, "gamma", patches={2: STOP_AT_CP2})
    write_csu(cohort, "delta", checkpoints=(1,))  # nothing for checkpoint 2
    out = tmp_path / "out"
    _json("cohort", cohort, "-c", "1", "--out", out, "--no-prefect", "--format", "json")
    _json("cohort", cohort, "-c", "2", "--out", out, "--no-prefect", "--format", "json")
    document = _json("cohort", cohort, "-c", "3", "--out", out, "--no-prefect", "--format", "json")
    by_csu = {a["csu_id"]: a for a in document["assessments"]}
    assert {k: v["status"] for k, v in by_csu.items()} == {
        "alpha": "assessed",
        "beta": "assessed",
        "gamma": "stopped",  # C at checkpoint 2
        "delta": "stopped",  # not submitted at checkpoint 2
    }
    assert by_csu["gamma"]["results"] is None and by_csu["gamma"]["message"].startswith(
        "stopped at checkpoint 2"
    )
    assert len(by_csu["alpha"]["results"]) == len(catalogue().for_checkpoint(Checkpoint.FULL_BUSINESS_PLAN))
    assert sum(document["totals"].values()) == 4 and document["totals"]["stopped earlier"] == 2
    assert document["cohort_report"] and Path(document["cohort_report"]).exists()


@pytest.mark.parametrize("fmt", ["json"])
def test_progress_json_lists_each_checkpoint_reached(tmp_path: Path, fmt: str) -> None:
    csu = write_csu(tmp_path / "cohort", "alpha", patches={2: STOP_AT_CP2})
    document = _json("progress", csu, "--out", tmp_path / "out", "--no-prefect", "--format", fmt)
    assert [(a["checkpoint"], a["outcome"]) for a in document["assessments"]] == [(1, "proceed"), (2, "C")]
    c = document["assessments"][1]
    assert c["development_plan"] == [] and "domains failed" in c["reasons"][0]
