"""The folder form of a submission (business_plan.yaml + CSV files): loading, provenance, located problems."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from csu_assure.domain import Checkpoint
from csu_assure.loading import discover, load_submission
from csu_assure.loading.folder import MAX_TABLE_BYTES, load_folder
from csu_assure.loading.problems import SubmissionInvalid
from csu_assure.submission import Submission
from csu_assure.synthetic import baseline, to_submission, write_folder


def _problems(folder: Path) -> list[str]:
    with pytest.raises(SubmissionInvalid) as caught:
        load_folder(folder)
    return [str(p) for p in caught.value.problems]


def _without_inputs(sub: Submission) -> Submission:
    return sub.model_copy(update={"inputs": ()})


@pytest.mark.parametrize("checkpoint", [1, 2, 3])
def test_folder_loads_the_same_submission_as_the_raw_data(tmp_path: Path, checkpoint: int) -> None:
    raw = baseline(checkpoint=checkpoint)
    folder = write_folder(raw, tmp_path / "baseline" / f"cp{checkpoint}")
    sub = load_folder(folder)
    assert _without_inputs(sub) == _without_inputs(to_submission(raw))
    assert sub.checkpoint == Checkpoint(checkpoint)


def test_every_input_file_is_recorded_with_its_sha256(tmp_path: Path) -> None:
    folder = write_folder(baseline(checkpoint=1), tmp_path / "baseline" / "cp1")
    sub = load_folder(folder)
    recorded = {i.path: i.sha256 for i in sub.inputs}
    assert set(recorded) == {
        "baseline/cp1/business_plan.yaml",
        "baseline/cp1/ccgs.csv",
        "baseline/cp1/services.csv",
    }
    assert recorded["baseline/cp1/ccgs.csv"] == hashlib.sha256((folder / "ccgs.csv").read_bytes()).hexdigest()


def test_every_problem_is_reported_in_one_pass(tmp_path: Path) -> None:
    raw = baseline(checkpoint=2)
    raw.plan["leadership"]["leader_interview_rating"] = 9
    raw.tables["ccgs"][1]["population"] = "lots"
    raw.tables["workforce"][0]["planned_wte"] = "-1"
    folder = write_folder(raw, tmp_path / "baseline" / "cp2")
    problems = _problems(folder)
    assert len(problems) == 3
    assert (
        "baseline/cp2/business_plan.yaml: leadership.leader_interview_rating: "
        "Input should be less than or equal to 4 (got 9)" in problems
    )
    assert any(
        p.startswith("baseline/cp2/ccgs.csv: line 3, column population: Input should be a valid integer")
        for p in problems
    )
    assert any(
        p.startswith("baseline/cp2/workforce.csv: line 2, column planned_wte: Input should be greater")
        for p in problems
    )


def test_yaml_aliases_are_refused(tmp_path: Path) -> None:
    folder = write_folder(baseline(checkpoint=1), tmp_path / "baseline" / "cp1")
    plan = folder / "business_plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + "x: &a [1]\ny: *a\n", encoding="utf-8")
    problems = _problems(folder)
    assert len(problems) == 1 and "YAML aliases (*name) are not allowed" in problems[0]


def test_a_plan_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    folder = write_folder(baseline(checkpoint=1), tmp_path / "baseline" / "cp1")
    (folder / "business_plan.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    assert _problems(folder) == [
        "baseline/cp1/business_plan.yaml: expected a mapping of fields (key: value), got list"
    ]


def test_a_link_out_of_the_folder_is_not_followed(tmp_path: Path) -> None:
    folder = write_folder(baseline(checkpoint=1), tmp_path / "baseline" / "cp1")
    secret = tmp_path / "secret.csv"
    secret.write_text("function,delivery_model\nhr,in_house\n", encoding="utf-8")
    (folder / "services.csv").unlink()
    (folder / "services.csv").symlink_to(secret)
    problems = _problems(folder)
    assert problems == [
        "baseline/cp1/services.csv: points outside the submission folder (a link?); refusing to read it"
    ]


def test_an_oversized_table_is_refused(tmp_path: Path) -> None:
    folder = write_folder(baseline(checkpoint=1), tmp_path / "baseline" / "cp1")
    with (folder / "services.csv").open("ab") as handle:
        handle.truncate(MAX_TABLE_BYTES + 1)
    assert _problems(folder) == [
        f"baseline/cp1/services.csv: is {MAX_TABLE_BYTES + 1:,} bytes; the limit is {MAX_TABLE_BYTES:,}"
    ]


def test_a_binary_file_posing_as_csv_is_refused(tmp_path: Path) -> None:
    folder = write_folder(baseline(checkpoint=1), tmp_path / "baseline" / "cp1")
    (folder / "services.csv").write_bytes(b"PK\x03\x04\x00\x00binary")
    assert _problems(folder) == [
        "baseline/cp1/services.csv: is a binary file, not text (expected UTF-8 text)"
    ]


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    folder = write_folder(baseline(checkpoint=1), tmp_path / "baseline" / "cp1")
    ccgs = folder / "ccgs.csv"
    ccgs.write_bytes(b"\xef\xbb\xbf" + ccgs.read_bytes())  # what Excel's "CSV UTF-8" writes
    assert len(load_folder(folder).ccgs) == 6


def test_load_submission_reports_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(SubmissionInvalid) as caught:
        load_submission(tmp_path / "nowhere")
    assert "does not exist" in str(caught.value)


def test_discover_finds_a_cohort_sorted_and_reports_a_checkpoint_folder_without_a_plan(
    tmp_path: Path,
) -> None:
    write_folder(baseline("beta", checkpoint=2), tmp_path / "beta" / "cp2")
    write_folder(baseline("alpha", checkpoint=1), tmp_path / "alpha" / "cp1")
    broken = write_folder(baseline("alpha", checkpoint=2), tmp_path / "alpha" / "cp2")
    (broken / "business_plan.yaml").unlink()
    (tmp_path / "alpha" / "cp3").mkdir()  # an empty folder is not a submission yet

    found = discover(tmp_path).found

    assert [(f.csu_key, f.checkpoint) for f in found] == [
        ("alpha", Checkpoint.OUTLINE_PLAN),
        ("alpha", Checkpoint.VIABILITY),
        ("beta", Checkpoint.VIABILITY),
    ]
    assert _problems(broken) == [
        "alpha/cp2/business_plan.yaml: is missing: every submission needs a business plan"
    ]
