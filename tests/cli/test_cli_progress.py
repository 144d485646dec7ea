"""Issue 15, item 7: long runs show progress and end with totals; `assess` given a cohort folder says so."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from checks import catalogue
from cli import app
from cli.show import LIST_ALL_UP_TO
from csu_assure import progress, service
from csu_assure.domain import Checkpoint
from csu_assure.generate import Rules, random_specs, write_cohort

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "submissions" / "example-cohort"
runner = CliRunner()


def test_the_sequences_tell_progress_as_csus_become_final(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort"
    for name in ("north-vale", "south-downs", "ure-valley"):
        shutil.copytree(EXAMPLE / name, cohort / name)
    options = service.Options(out_dir=tmp_path / "out")
    config = service.configure(options.settings(), catalogue())
    told: list[progress.Step] = []
    with progress.listening(told.append):
        service.assess_cohort(cohort, Checkpoint(1), config, options, service.DryRun(), max_batches=3)
        service.progress_csu(cohort / "north-vale", config, options, service.DryRun())
    cohort_steps = [s for s in told if s.what == "CSUs"]
    assert {s.total for s in cohort_steps} == {3} and sum(s.done for s in cohort_steps) == 3
    assert len(cohort_steps) == 4  # the total first, then one per batch
    checkpoint_steps = [s for s in told if s.what == "checkpoints"]
    assert sum(s.done for s in checkpoint_steps) == 3  # north-vale goes through all three
    told.clear()
    service.assess_cohort(cohort, Checkpoint(1), config, options, service.DryRun())
    assert told == []  # no longer listening


def test_a_cohort_run_ends_with_totals_and_lists_what_needs_attention(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort"
    write_cohort(random_specs(LIST_ALL_UP_TO + 10, seed=3), cohort, Rules.shipped(catalogue()))
    result = runner.invoke(
        app, ["cohort", str(cohort), "-c", "1", "--no-prefect", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(f"{LIST_ALL_UP_TO + 10} CSUs: ")
    if "not listed" in result.output:
        assert "proceed with no conditions are not listed" in result.output

    as_json = runner.invoke(
        app,
        [
            "cohort",
            str(cohort),
            "-c",
            "1",
            "--no-prefect",
            "--out",
            str(tmp_path / "out"),
            "--format",
            "json",
        ],
    )
    document = json.loads(as_json.stdout)
    assert sum(document["totals"].values()) == LIST_ALL_UP_TO + 10 == len(document["assessments"])
    assert document["cohort_report"].endswith(".docx")


def test_assess_given_a_cohort_folder_is_a_usage_error_naming_its_csus(tmp_path: Path) -> None:
    for command in (["assess", str(EXAMPLE), "-c", "1"], ["progress", str(EXAMPLE)]):
        result = runner.invoke(app, [*command, "--no-prefect", "--out", str(tmp_path / "out")])
        assert result.exit_code == 2, result.output
        assert "is a cohort folder (21 CSUs: arden, cheviot" in result.output
        assert "csu-assure cohort" in result.output
    assert not (tmp_path / "out" / "arden").exists()
