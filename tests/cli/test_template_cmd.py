"""`csu-assure template`: writes a documented workbook, refuses to overwrite, and its example validates."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from cli import app
from csu_assure.submission import EXPECTED_TABLES, TABLES

runner = CliRunner()


def test_template_for_a_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "cp2.xlsx"
    result = runner.invoke(app, ["template", str(path), "--checkpoint", "2"])
    assert result.exit_code == 0, result.output
    assert "blank submission workbook for checkpoint 2" in result.output
    sheets = openpyxl.load_workbook(path, read_only=True).sheetnames
    assert sheets == ["README", "business_plan", *(t for t in TABLES if t in EXPECTED_TABLES[2])]  # type: ignore[index]


def test_template_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "cp1.xlsx"
    path.write_bytes(b"keep me")
    result = runner.invoke(app, ["template", str(path)])
    assert result.exit_code == 2
    assert "already exists; use --force" in result.output
    assert path.read_bytes() == b"keep me"

    result = runner.invoke(app, ["template", str(path), "--force"])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(path, read_only=True).sheetnames == ["README", "business_plan", *TABLES]


def test_example_template_validates(tmp_path: Path) -> None:
    path = tmp_path / "example" / "cp3.xlsx"
    result = runner.invoke(app, ["template", str(path), "--checkpoint", "3", "--example"])
    assert result.exit_code == 0, result.output
    check = runner.invoke(app, ["validate", str(path)])
    assert check.exit_code == 0, check.output
    assert "Example CSU, checkpoint 3" in check.output


def test_template_needs_an_xlsx_name_and_a_valid_checkpoint(tmp_path: Path) -> None:
    result = runner.invoke(app, ["template", str(tmp_path / "cp1.csv")])
    assert result.exit_code == 2 and "give a name ending in .xlsx" in result.output
    result = runner.invoke(app, ["template", str(tmp_path / "cp1.xlsx"), "--checkpoint", "4"])
    assert result.exit_code == 2
    assert not (tmp_path / "cp1.xlsx").exists()


def test_blank_template_fails_validation_with_located_problems(tmp_path: Path) -> None:
    path = tmp_path / "cp1.xlsx"
    assert runner.invoke(app, ["template", str(path), "--checkpoint", "1"]).exit_code == 0
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert "sheet business_plan, row 2, field csu_id: required field is missing" in result.output
    assert "Traceback" not in result.output
