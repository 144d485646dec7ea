"""`csu-assure whatif`, `sweep` and `rules diff` through the real CLI, their outputs and their errors."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from cli import app
from csu_assure.ruleset import default_ruleset_path, load_ruleset

ROOT = Path(__file__).resolve().parents[2]
COHORT = str(ROOT / "submissions" / "example-cohort")
runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """No register to read: the what-if runs on the inputs alone, whatever the working folder holds."""
    return {
        "CSU_ASSURE_OUT_DIR": str(tmp_path / "out"),
        "CSU_ASSURE_REGISTER_URL": f"sqlite:///{tmp_path / 'none' / 'register.db'}",
    }


def _rules(tmp_path: Path, name: str = "alt.yaml", **changes: object) -> Path:
    spec = yaml.safe_load(default_ruleset_path().read_text(encoding="utf-8"))
    spec["version"] = "2012.3-panel"
    for ref, value in changes.items():
        check_id, param = ref.replace("__", ".").rsplit(".", 1)
        spec["checks"][check_id.replace("_", "-")]["params"][param] = value
    path = tmp_path / name
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def _price_ceiling(tmp_path: Path, value: str = "0.40") -> Path:
    return _rules(tmp_path, **{"CP2_BUS_04__max_share_of_rca": value})


def test_whatif_lists_the_csus_that_change_with_both_rule_sets(tmp_path: Path, env: dict[str, str]) -> None:
    alt = _price_ceiling(tmp_path)
    result = runner.invoke(app, ["whatif", COHORT, "--checkpoint", "2", "--rules", str(alt)], env=env)
    assert result.exit_code == 0, result.output
    shipped = load_ruleset(__import__("checks").catalogue())
    assert shipped.sha256 in result.output and "2012.3-panel" in result.output
    assert "CP2-BUS-04" in result.output and "max_share_of_rca" in result.output
    assert "North Vale CSU" in result.output and "A → B" in result.output
    assert "prior plans: none (no register)" in result.output


def test_whatif_json_and_workbook(tmp_path: Path, env: dict[str, str]) -> None:
    alt = _price_ceiling(tmp_path)
    book = tmp_path / "whatif.xlsx"
    args = ["whatif", COHORT, "-c", "2", "--rules", str(alt), "--format", "json", "--xlsx", str(book)]
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["format"] == "csu-assure/whatif/1"
    assert {data["base"]["version"], data["alt"]["version"]} == {"2012.3", "2012.3-panel"}
    assert len(data["base"]["sha256"]) == 64 and data["base"]["sha256"] != data["alt"]["sha256"]
    north = next(c for c in data["changes"] if c["csu_id"] == "north-vale")
    assert (north["base_outcome"], north["alt_outcome"]) == ("A", "B")
    (flip,) = north["flips"]
    assert flip["check_id"] == "CP2-BUS-04" and flip["base_measures"][0]["lines"][0]["at"] == 0.5
    assert flip["alt_measures"][0]["lines"][0]["at"] == 0.4
    assert data["rule_set_differences"]["differences"][0]["item"] == "max_share_of_rca"
    sheets = openpyxl.load_workbook(book)
    assert sheets.sheetnames[:3] == ["about", "changes", "checks flipped"]
    about = {row[0].value: row[1].value for row in sheets["about"].iter_rows(min_row=2)}
    assert about["alternative rule set sha256"] == data["alt"]["sha256"]
    assert any(r[0].value == "north-vale" for r in sheets["checks flipped"].iter_rows(min_row=2))


def test_whatif_against_another_base(tmp_path: Path, env: dict[str, str]) -> None:
    alt = _price_ceiling(tmp_path)
    same = runner.invoke(
        app,
        ["whatif", COHORT, "-c", "2", "--rules", str(alt), "--against", str(alt), "--format", "json"],
        env=env,
    )
    assert same.exit_code == 0, same.output
    assert json.loads(same.stdout)["changes"] == []


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--rules", "{missing}"], 1, "cannot be read"),
        (["--rules", "{invalid}"], 1, "checks.CP2-BUS-04.params.max_share_of_rca"),
        (["--rules", "{alt}", "--against", "{invalid}"], 1, "checks.CP2-BUS-04.params.max_share_of_rca"),
        (["--rules", "{alt}", "--xlsx", "{tmp}"], 2, "ending .xlsx"),
        (["--rules", "{alt}", "--checkpoint", "4"], 2, "--checkpoint"),
    ],
)
def test_whatif_refuses_bad_input(
    tmp_path: Path, env: dict[str, str], args: list[str], code: int, message: str
) -> None:
    paths = {
        "missing": str(tmp_path / "nope.yaml"),
        "invalid": str(_rules(tmp_path, "invalid.yaml", **{"CP2_BUS_04__max_share_of_rca": "lots"})),
        "alt": str(_price_ceiling(tmp_path)),
        "tmp": str(tmp_path),
    }
    given = [a.format(**paths) for a in args]
    checkpoint = [] if "--checkpoint" in given else ["--checkpoint", "2"]
    result = runner.invoke(app, ["whatif", COHORT, *checkpoint, *given], env=env)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_whatif_needs_a_cohort(tmp_path: Path, env: dict[str, str]) -> None:
    result = runner.invoke(
        app, ["whatif", str(tmp_path), "-c", "2", "--rules", str(_price_ceiling(tmp_path))], env=env
    )
    assert result.exit_code == 2 and "is not a cohort folder" in result.output


# -- sweep -------------------------------------------------------------------------------------------------------


def test_sweep_counts_per_value_as_a_table_json_and_a_workbook_with_a_chart(
    tmp_path: Path, env: dict[str, str]
) -> None:
    book = tmp_path / "sweep.xlsx"
    args = [
        "sweep",
        COHORT,
        "-c",
        "2",
        "--param",
        "CP2-BUS-04.max_share_of_rca",
        "--from",
        "0.40",
        "--to",
        "0.50",
    ]
    result = runner.invoke(app, [*args, "--steps", "11", "--xlsx", str(book)], env=env)
    assert result.exit_code == 0, result.output
    assert "0.40" in result.output and "0.50" in result.output and "in the rule set: " in result.output
    as_json = runner.invoke(app, [*args, "--steps", "3", "--format", "json"], env=env)
    data = json.loads(as_json.stdout)
    assert [s["values"] for s in data["steps"]] == [["0.40"], ["0.45"], ["0.50"]]
    assert data["steps"][-1]["counts"] == data["base_counts"] and data["steps"][0]["changed"] > 0
    assert data["base"]["version"] == "2012.3" and len(data["base"]["sha256"]) == 64
    sheet = openpyxl.load_workbook(book)["sweep"]
    assert sheet.max_row == 12 and sheet["A1"].value == "CP2-BUS-04.max_share_of_rca"
    import zipfile

    assert any(n.startswith("xl/charts/chart") for n in zipfile.ZipFile(book).namelist())


def test_sweep_grid(tmp_path: Path, env: dict[str, str]) -> None:
    book = tmp_path / "grid.xlsx"
    result = runner.invoke(
        app,
        [
            "sweep", COHORT, "-c", "2",
            "--param", "CP2-BUS-04.max_share_of_rca", "--from", "0.40", "--to", "0.50", "--steps", "3",
            "--param", "CP2-SCL-01.min_population", "--from", "800000", "--to", "1200000", "--steps", "2",
            "--format", "json", "--xlsx", str(book),
        ],
        env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["steps"]) == 6
    assert "A" in openpyxl.load_workbook(book).sheetnames[1]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--param", "CP2-BUS-04.max_share", "--from", "0.4", "--to", "0.5", "--steps", "3"], 2,
         "CP2-BUS-04 has no parameter 'max_share' (its parameters: max_share_of_rca, critical_share_of_rca"),
        (["--param", "CP9-XXX-01.x", "--from", "0.4", "--to", "0.5", "--steps", "3"], 2, "no check CP9-XXX-01"),
        (["--param", "CP3-EVD-01.required", "--from", "0", "--to", "1", "--steps", "3"], 2, "not a number"),
        (["--param", "CP2-BUS-04.max_share_of_rca", "--from", "0.5", "--to", "0.4", "--steps", "3"], 2,
         "--from 0.5 must be below --to 0.4"),
        (["--param", "CP2-BUS-04.max_share_of_rca", "--from", "0.4", "--to", "1.5", "--steps", "3"], 2,
         "is not allowed: max_share_of_rca: Input should be less than or equal to 1"),
        (["--param", "CP2-BUS-04.max_share_of_rca", "--from", "0.4", "--to", "0.5", "--steps", "1"], 2,
         "at least 2 steps"),
        (["--param", "CP2-BUS-04.max_share_of_rca", "--from", "0.4", "--from", "0.3", "--to", "0.5", "--steps",
          "3"], 2, "give --from once, or once per --param"),
        (["--param", "CP2-SCL-01.min_population", "--from", "0", "--to", "999", "--steps", "1000",
          "--param", "CP2-BUS-04.max_share_of_rca", "--from", "0.1", "--to", "0.5", "--steps", "11"], 2,
         "at most 10,000"),
        (["--param", "CP2-BUS-04.max_share_of_rca", "--from", "0.4", "--to", "0.5", "--steps", "3",
          "--rules", "{invalid}"], 1, "checks.CP2-BUS-04.params.max_share_of_rca"),
        (["--param", "CP2-BUS-04.max_share_of_rca", "--from", "0.4", "--to", "0.5", "--steps", "3",
          "--rules", "{missing}"], 1, "cannot be read"),
    ],
)  # fmt: skip
def test_sweep_refuses_bad_input(
    tmp_path: Path, env: dict[str, str], args: list[str], code: int, message: str
) -> None:
    paths = {
        "invalid": str(_rules(tmp_path, "invalid.yaml", **{"CP2_BUS_04__max_share_of_rca": "lots"})),
        "missing": str(tmp_path / "nope.yaml"),
    }
    result = runner.invoke(app, ["sweep", COHORT, "-c", "2", *(a.format(**paths) for a in args)], env=env)
    assert result.exit_code == code, result.output
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    if code == 2:
        assert len(result.output.strip().splitlines()) == 1, result.output  # one clear line


# -- rules diff -------------------------------------------------------------------------------------------------


def test_rules_diff_lists_what_differs_with_versions_and_hashes(tmp_path: Path) -> None:
    alt = _price_ceiling(tmp_path)
    shipped = str(default_ruleset_path())
    result = runner.invoke(app, ["rules", "diff", shipped, str(alt)])
    assert result.exit_code == 0, result.output
    assert "max_share_of_rca" in result.output and "0.50" in result.output and "0.40" in result.output
    assert "2012.3-panel" in result.output and "Checks that differ: CP2-BUS-04" in result.output
    data = json.loads(runner.invoke(app, ["rules", "diff", shipped, str(alt), "--format", "json"]).stdout)
    assert data["checks_that_differ"] == ["CP2-BUS-04"]
    assert data["a"]["sha256"] != data["b"]["sha256"]
    same = runner.invoke(app, ["rules", "diff", shipped, shipped])
    assert same.exit_code == 0 and "identical" in same.output


def test_rules_diff_refuses_an_invalid_or_unreadable_file(tmp_path: Path) -> None:
    invalid = _rules(tmp_path, "invalid.yaml", **{"CP2_BUS_04__max_share_of_rca": "lots"})
    result = runner.invoke(app, ["rules", "diff", str(default_ruleset_path()), str(invalid)])
    assert result.exit_code == 1 and "checks.CP2-BUS-04.params.max_share_of_rca" in result.output
    missing = runner.invoke(app, ["rules", "diff", str(tmp_path / "a.yaml"), str(invalid)])
    assert missing.exit_code == 1 and "cannot be read" in missing.output
