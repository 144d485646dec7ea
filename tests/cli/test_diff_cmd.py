"""`csu-assure diff CSU --from 2 --to 3`: the comparison the report's "Since the last checkpoint" shows, from the
register, as text and JSON; a missing record or a backwards range is one sentence and exit 1 or 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("diff") / "out"
    result = runner.invoke(app, ["demo", "--no-prefect", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_diff_as_json(out: Path) -> None:
    result = runner.invoke(
        app, ["diff", "pennine-ridge", "--from", "2", "--to", "3", "--out", str(out), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    m = json.loads(result.output)
    assert (m["before_outcome"], m["after_outcome"], m["before_escalation"]) == (
        "B",
        "recommend_with_conditions",
        "customer",
    )
    assert [c["check_id"] for c in m["still_failing"]] == ["CP3-CUS-03"]
    assert {p["item_id"]: p["state"] for p in m["plan"]} == {
        "ESCALATION-customer@2": "met",
        "CP2-CUS-02@2": "met",
    }
    assert m["escalations"][0]["state"] == "resolved"


def test_diff_as_text_defaults_to_the_previous_checkpoint(out: Path) -> None:
    result = runner.invoke(app, ["diff", "pennine-ridge", "--to", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "checkpoint 2 (1 April 2012) B — proceed" in result.output
    assert "Still failing" in result.output and "CP3-CUS-03" in result.output
    assert "Escalation ESCALATION-customer@2 (customer, due 30 June 2012): resolved" in result.output


def test_diff_over_two_checkpoints(out: Path) -> None:
    result = runner.invoke(
        app, ["diff", "arden", "--from", "1", "--to", "3", "--out", str(out), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    m = json.loads(result.output)
    assert {c["check_id"]: c["follows"] for c in m["still_failing"]}["CP3-FIN-05"] == [
        "CP1-FIN-02",
        "CP1-FIN-03",
    ]


def test_a_missing_record_or_a_backwards_range_is_one_sentence(out: Path) -> None:
    missing = runner.invoke(app, ["diff", "cheviot", "--to", "3", "--out", str(out)])
    assert missing.exit_code == 1
    assert "no assessment of cheviot at checkpoint 3" in missing.stderr
    backwards = runner.invoke(app, ["diff", "arden", "--from", "3", "--to", "2", "--out", str(out)])
    assert backwards.exit_code == 2
    assert "--from 3 must be a checkpoint no later than --to 2" in backwards.stderr
