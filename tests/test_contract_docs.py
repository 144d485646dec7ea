"""The published contract (docs/submission.schema.json, docs/submission-format.md) matches the models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from cli import app
from csu_assure.contract_docs import (
    REGENERATE,
    plan_fields,
    render_schema,
    submission_format_markdown,
    table_columns,
)
from csu_assure.submission import TABLES
from csu_assure.synthetic import baseline, to_submission

DOCS = Path(__file__).resolve().parents[1] / "docs"
runner = CliRunner()


@pytest.mark.parametrize(
    ("name", "render"),
    [("submission.schema.json", render_schema), ("submission-format.md", submission_format_markdown)],
)
def test_generated_docs_are_not_stale(name: str, render: Any) -> None:
    committed = (DOCS / name).read_text(encoding="utf-8") if (DOCS / name).exists() else ""
    assert committed == render(), f"docs/{name} is stale; regenerate it with: {REGENERATE}"


def _as_json(checkpoint: int) -> dict[str, Any]:
    sub = to_submission(baseline(checkpoint=checkpoint))
    tables = {
        n: [r.model_dump(mode="json") for r in getattr(sub, n)] for n in TABLES if getattr(sub, n) is not None
    }
    return {"business_plan": sub.plan.model_dump(mode="json"), "tables": tables}


@pytest.mark.parametrize("checkpoint", [1, 2, 3])
def test_valid_submissions_satisfy_the_schema(checkpoint: int) -> None:
    jsonschema.Draft202012Validator(json.loads(render_schema())).validate(_as_json(checkpoint))


def test_the_schema_refuses_what_the_models_refuse() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(render_schema()))
    document = _as_json(1)
    document["tables"]["ccgs"][0]["ccg_code"] = "X"
    document["business_plan"]["checkpoint"] = 4
    document["tables"]["services"][0]["function"] = "HR dept"
    errors = {error.message.split(" ")[0] for error in validator.iter_errors(document)}
    assert len(list(validator.iter_errors(document))) == 3, errors
    del document["tables"]["ccgs"]
    assert any("'ccgs' is a required property" in e.message for e in validator.iter_errors(document))


def test_format_reference_lists_every_field_and_column() -> None:
    text = submission_format_markdown()
    for doc in plan_fields():
        assert f"| `{doc.path}` |" in text
    for name in TABLES:
        assert f"## {name}.csv (sheet {name})" in text
        for column in table_columns(name):
            assert f"| `{column.path}` |" in text
    assert "| `population` | integer | yes | 10,000 to 2,000,000 | Registered population. |" in text
    assert "| `back_office` | choice | no | one of: in_house, shared, at_scale, partner, outsourced |" in text


def test_schema_command_prints_and_writes(tmp_path: Path) -> None:
    printed = runner.invoke(app, ["schema"])
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.stdout)["title"] == "CSU checkpoint submission"

    target, markdown = tmp_path / "out" / "schema.json", tmp_path / "out" / "format.md"
    written = runner.invoke(app, ["schema", "--write", str(target), "--markdown", str(markdown)])
    assert written.exit_code == 0, written.output
    assert target.read_text(encoding="utf-8") == render_schema()
    assert markdown.read_text(encoding="utf-8") == submission_format_markdown()
