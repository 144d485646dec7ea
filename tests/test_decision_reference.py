"""docs/decision-model.md is generated from the decision code, the rule set, the catalogue and the example
cohort's assessments; it must be current, and its worked examples must be what the engine decides."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli import app
from csu_assure.decision_reference import REGENERATE

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "decision-model.md"


def test_the_committed_page_is_current(tmp_path: Path) -> None:
    fresh = tmp_path / "decision-model.md"
    result = CliRunner().invoke(
        app,
        [
            "rules",
            "decision-model",
            "--write",
            str(fresh),
            "--examples",
            str(ROOT / "submissions/example-cohort"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert PAGE.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), (
        f"docs/decision-model.md is stale: regenerate it with `{REGENERATE}`"
    )


def test_the_page_states_the_model_and_its_sources() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for needed in (
        "| critical | fails its domain",
        "| 2 viability | two or three domains failed | C — stop | [S] |",
    ):
        assert needed in text
    assert "## Worked examples" in text and text.count("Rule applied:") >= 3
