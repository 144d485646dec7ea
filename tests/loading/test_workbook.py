"""The workbook form of a submission: round trip with the folder form, located errors, and the size guards."""

from __future__ import annotations

import datetime as dt
import os
import struct
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from csu_assure.contract_docs import plan_fields
from csu_assure.loading import load_submission
from csu_assure.loading.folder import load_folder
from csu_assure.loading.problems import SubmissionInvalid
from csu_assure.loading.tables import MAX_ROWS
from csu_assure.loading.workbook import MAX_WORKBOOK_BYTES, cell_text, load_workbook
from csu_assure.submission import EXPECTED_TABLES, TABLES, Submission
from csu_assure.synthetic import RawSubmission, apply_patch, baseline, to_submission, write_folder
from csu_assure.workbook_template import write_template, write_workbook


def _without_inputs(sub: Submission) -> Submission:
    return sub.model_copy(update={"inputs": ()})


def _problems(path: Path) -> list[str]:
    with pytest.raises(SubmissionInvalid) as caught:
        load_workbook(path)
    return [str(p) for p in caught.value.problems]


def _edit_cell(path: Path, sheet: str, cell: str, value: object) -> None:
    book = openpyxl.load_workbook(path)
    book[sheet][cell] = value
    book.save(path)


def _baseline_workbook(tmp_path: Path, checkpoint: int = 2) -> Path:
    return write_workbook(baseline(checkpoint=checkpoint), tmp_path / "baseline" / f"cp{checkpoint}.xlsx")


# -------------------------------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("checkpoint", [1, 2, 3])
def test_workbook_and_folder_of_the_same_submission_load_equal(tmp_path: Path, checkpoint: int) -> None:
    raw = baseline(checkpoint=checkpoint)
    workbook = write_workbook(raw, tmp_path / "wb" / "baseline" / f"cp{checkpoint}.xlsx")
    folder = write_folder(raw, tmp_path / "csv" / "baseline" / f"cp{checkpoint}")

    from_workbook = load_workbook(workbook)
    from_folder = load_folder(folder)

    assert _without_inputs(from_workbook) == _without_inputs(from_folder)
    assert _without_inputs(from_workbook) == _without_inputs(to_submission(raw))
    assert [i.path for i in from_workbook.inputs] == [f"baseline/cp{checkpoint}.xlsx"]
    assert from_workbook.checkpoint == checkpoint


def test_merger_route_pay_cost_and_acting_round_trip_in_both_forms(tmp_path: Path) -> None:
    """The nested `merger_route` object is dotted rows of the business_plan sheet; `pay_cost` and `acting` are an
    optional column and a status value: a workbook and a folder of the same submission load equal."""
    raw = apply_patch(
        baseline(checkpoint=2),
        {
            "plan": {
                "merger_route_agreed": None,
                "merger_route": {"partner": "Arden CSS", "status": "agreed", "agreed_on": "2012-03-20"},
            },
            "update": [
                {"table": "workforce", "set": {"pay_cost": "400000.00"}},
                {"table": "senior_team", "where": {"role": "managing_director"}, "set": {"status": "acting"}},
            ],
        },
    )
    workbook = write_workbook(raw, tmp_path / "wb" / "baseline" / "cp2.xlsx")
    folder = write_folder(raw, tmp_path / "csv" / "baseline" / "cp2")
    from_workbook, from_folder = load_workbook(workbook), load_folder(folder)
    assert (
        _without_inputs(from_workbook) == _without_inputs(from_folder) == _without_inputs(to_submission(raw))
    )
    route = from_workbook.plan.merger_route
    assert route is not None and (route.partner, route.agreed_on) == ("Arden CSS", dt.date(2012, 3, 20))
    assert {r.pay_cost for r in from_workbook.workforce or ()} == {Decimal("400000.00")}
    plan_rows = [r[0].value for r in openpyxl.load_workbook(workbook)["business_plan"].iter_rows(min_row=2)]
    assert {"merger_route.partner", "merger_route.status", "merger_route.agreed_on"} <= set(plan_rows)


def test_load_submission_dispatches_xlsx_to_the_workbook_loader(tmp_path: Path) -> None:
    path = _baseline_workbook(tmp_path)
    assert _without_inputs(load_submission(path)) == _without_inputs(to_submission(baseline(checkpoint=2)))


def test_numbers_typed_as_floats_and_text_load_like_csv_text(tmp_path: Path) -> None:
    path = _baseline_workbook(tmp_path)
    _edit_cell(path, "ccgs", "C2", 300000.0)  # population as a float, as Excel often stores it
    _edit_cell(path, "ccgs", "D2", 12.5)
    _edit_cell(path, "ccgs", "E2", "11.25")  # a number stored as text
    sub = load_workbook(path)
    assert sub.ccgs[0].population == 300_000
    assert sub.ccgs[0].rca_per_head == Decimal("12.5")
    assert sub.ccgs[0].in_house_cost_per_head == Decimal("11.25")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (300000, "300000"),
        (300000.0, "300000"),
        (12.5, "12.5"),
        (0.1, "0.1"),
        (1e16, "10000000000000000"),
        (-1250.75, "-1250.75"),
        (float("nan"), "nan"),
        (dt.datetime(2012, 2, 29), "2012-02-29"),
        (dt.datetime(2012, 2, 29, 9, 30), "2012-02-29T09:30:00"),
        (dt.date(2012, 8, 30), "2012-08-30"),
        (Decimal("11.00"), "11.00"),
        (" NHS Avon ", " NHS Avon "),
    ],
)
def test_cell_text_matches_what_a_csv_would_hold(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_writing_the_same_submission_twice_gives_identical_bytes(tmp_path: Path) -> None:
    raw = baseline(checkpoint=3)
    first = write_workbook(raw, tmp_path / "a" / "cp3.xlsx").read_bytes()
    second = write_workbook(raw, tmp_path / "b" / "cp3.xlsx").read_bytes()
    assert first == second


# ---------------------------------------------------------------------------------------------------- template


def test_blank_template_documents_every_field_and_column(tmp_path: Path) -> None:
    path = write_template(tmp_path / "template.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["README", "business_plan", *TABLES]
    plan = book["business_plan"]
    assert [c.value for c in plan[1]] == ["field", "value", "help"]
    listed = [plan.cell(row=r, column=1).value for r in range(2, plan.max_row + 1)]
    assert listed == [f.path for f in plan_fields()]
    help_of = {
        plan.cell(row=r, column=1).value: plan.cell(row=r, column=3).value for r in range(2, plan.max_row + 1)
    }
    assert "Indicative CSS price to CCGs per head" in help_of["price_per_head"]
    assert "one of: in_house, shared" in help_of["back_office"]

    services = book["services"]
    assert [c.value for c in services[1]] == ["function", "delivery_model", "description"]
    assert services.freeze_panes == "A2"
    assert "business_intelligence" in services["A1"].comment.text
    lists = {str(v.sqref): v.formula1 for v in services.data_validations.dataValidation}
    assert "business_intelligence" in lists[f"A2:A{MAX_ROWS + 1}"]
    assert "in_house" in lists[f"B2:B{MAX_ROWS + 1}"]
    ccgs = book["ccgs"]
    assert "Registered population" in ccgs["C1"].comment.text
    assert ccgs.column_dimensions["B"].width >= len("ccg_name")


def test_template_for_a_checkpoint_holds_only_its_tables(tmp_path: Path) -> None:
    path = write_template(tmp_path / "cp1.xlsx", checkpoint=1)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["README", "business_plan", *EXPECTED_TABLES[1]]  # type: ignore[index]
    plan = book["business_plan"]
    checkpoint_row = next(
        r for r in range(2, plan.max_row + 1) if plan.cell(row=r, column=1).value == "checkpoint"
    )
    assert plan.cell(row=checkpoint_row, column=2).value == 1


def test_blank_template_is_refused_with_located_problems(tmp_path: Path) -> None:
    path = write_template(tmp_path / "cp2.xlsx", checkpoint=2)
    problems = _problems(path)
    assert "tmp_path" not in problems[0]
    assert any("sheet business_plan, row 2, field csu_id: required field is missing" in p for p in problems)
    assert any("the CCG customer table (ccgs) is required" in p for p in problems)


def test_template_is_written_atomically_and_replaces_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_text("old", encoding="utf-8")
    write_template(path, checkpoint=1)
    assert zipfile.is_zipfile(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]  # no temporary file left behind


# -------------------------------------------------------------------------------------------- located problems


def test_bad_cell_is_located_by_sheet_row_and_column(tmp_path: Path) -> None:
    path = _baseline_workbook(tmp_path)
    _edit_cell(path, "ccgs", "C4", "lots")
    _edit_cell(path, "workforce", "C3", -5)
    problems = _problems(path)
    assert any(
        p.startswith(
            "baseline/cp2.xlsx: sheet ccgs, row 4, column population: Input should be a valid integer"
        )
        for p in problems
    ), problems
    assert any(
        "sheet workforce, row 3, column planned_wte: Input should be greater than or equal to 0" in p
        for p in problems
    )
    assert not any("ccgs) is required" in p for p in problems)  # a bad ccgs row is not a missing table


def test_business_plan_problem_points_at_its_row(tmp_path: Path) -> None:
    path = _baseline_workbook(tmp_path)
    row = 2 + [f.path for f in plan_fields()].index("leadership.leader_interview_rating")
    _edit_cell(path, "business_plan", f"B{row}", 9)
    problems = _problems(path)
    assert problems == [
        f"baseline/cp2.xlsx: sheet business_plan, row {row}, field leadership.leader_interview_rating: "
        "Input should be less than or equal to 4 (got '9')"
    ]


def test_unknown_plan_field_and_unknown_sheet_are_errors(tmp_path: Path) -> None:
    path = _baseline_workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    plan = book["business_plan"]
    plan.cell(row=plan.max_row + 1, column=1, value="leadership.lead_nmae")
    plan.cell(row=plan.max_row, column=2, value="Alex")
    book.create_sheet("notes")["A1"] = "to do"
    book.save(path)
    problems = _problems(path)
    assert any("sheet 'notes': unexpected sheet" in p for p in problems)
    assert any("field leadership.lead_nmae: unknown field" in p for p in problems)


def test_cross_table_problem_is_located_in_its_sheet(tmp_path: Path) -> None:
    path = _baseline_workbook(tmp_path, checkpoint=3)
    _edit_cell(path, "slas", "A3", "ZZ99")
    assert _problems(path) == [
        "baseline/cp3.xlsx: sheet slas, row 3: ccg_id 'ZZ99' is not a CCG listed in ccgs"
    ]


def test_blank_row_inside_the_data_and_value_outside_the_header_are_located(tmp_path: Path) -> None:
    path = _baseline_workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    services = book["services"]
    services.cell(row=services.max_row + 2, column=1, value="hr")  # leaves one blank row
    services.cell(row=services.max_row, column=2, value="in_house")
    book["ccgs"]["H3"] = "stray note"
    book.save(path)
    problems = _problems(path)
    assert any("sheet services, row 11: blank row inside the data; delete it" in p for p in problems), (
        problems
    )
    assert any(
        "sheet ccgs, row 3: has a value in column H but the header has only 6 columns" in p for p in problems
    )


def test_workbook_name_must_agree_with_the_plan(tmp_path: Path) -> None:
    path = write_workbook(baseline(checkpoint=2), tmp_path / "someone-else" / "cp3.xlsx")
    problems = _problems(path)
    assert any("field checkpoint: says checkpoint 2 but the folder is cp3" in p for p in problems)
    assert any("field csu_id: does not match the CSU folder name 'someone-else'" in p for p in problems)


def test_too_many_rows_are_refused(tmp_path: Path) -> None:
    raw = baseline(checkpoint=1)
    template = raw.tables["ccgs"][0]
    raw.tables["ccgs"] = [{**template, "ccg_id": f"C{i:05d}"} for i in range(MAX_ROWS + 1)]
    path = write_workbook(raw, tmp_path / "baseline" / "cp1.xlsx")
    assert _problems(path) == [
        f"baseline/cp1.xlsx: sheet ccgs: too many rows: data in row {MAX_ROWS + 2:,} (the limit is {MAX_ROWS:,} rows)"
    ]


# ---------------------------------------------------------------------------------------------- hostile files


def test_a_file_that_is_not_a_zip_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "cp1.xlsx"
    path.write_text("ccg_id,ccg_name\n08H,NHS Avon\n", encoding="utf-8")
    assert _problems(path) == [
        f"{tmp_path.name}/cp1.xlsx: is not an Excel .xlsx workbook (the file is not a zip archive); save it as .xlsx"
    ]


def test_a_zip_that_is_not_a_workbook_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "cp1.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    problems = _problems(path)
    assert len(problems) == 1 and "is not a readable Excel workbook" in problems[0]


def test_an_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "cp1.xlsx"
    with path.open("wb") as handle:
        handle.truncate(MAX_WORKBOOK_BYTES + 1)
    problems = _problems(path)
    assert problems == [
        f"{tmp_path.name}/cp1.xlsx: is {MAX_WORKBOOK_BYTES + 1:,} bytes; "
        f"the limit for a workbook is {MAX_WORKBOOK_BYTES:,}"
    ]


def test_a_highly_compressed_part_is_refused_as_a_zip_bomb(tmp_path: Path) -> None:
    path = _baseline_workbook(tmp_path)
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/pad.bin", "w") as part,
    ):
        for _ in range(8):
            part.write(bytes(1024 * 1024))  # 8 MB of zeros compresses about 1,000 times
    problems = _problems(path)
    assert len(problems) == 1
    assert "part xl/media/pad.bin is compressed" in problems[0] and "possible zip bomb" in problems[0]


def test_a_zip_directory_declaring_a_huge_size_is_refused(tmp_path: Path) -> None:
    """A bomb that lies small in its local header is caught by the sizes in the central directory."""
    path = _baseline_workbook(tmp_path)
    data = bytearray(path.read_bytes())
    directory = data.index(b"PK\x01\x02")  # first central-directory entry
    struct.pack_into("<I", data, directory + 24, 150 * 1024 * 1024)  # its uncompressed size
    path.write_bytes(bytes(data))
    problems = _problems(path)
    assert len(problems) == 1 and "would expand to" in problems[0] and "a zip bomb?" in problems[0]


def test_a_missing_workbook_is_a_located_problem(tmp_path: Path) -> None:
    assert _problems(tmp_path / "cp1.xlsx") == [f"{tmp_path.name}/cp1.xlsx: does not exist or is not a file"]


def test_raw_submission_with_unknown_column_round_trips_as_an_error(tmp_path: Path) -> None:
    raw: RawSubmission = baseline(checkpoint=1)
    for row in raw.tables["services"]:
        row["comments"] = "agreed"
    path = write_workbook(raw, tmp_path / "baseline" / "cp1.xlsx")
    assert _problems(path)[0].startswith(
        "baseline/cp1.xlsx: sheet services, header, column 'comments': unknown column"
    )
    assert os.path.getsize(path) > 0


def test_values_under_an_empty_header_or_far_right_are_not_dropped(tmp_path: Path) -> None:
    path = _baseline_workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    book["services"]["A1"] = None
    book["ccgs"]["ZZ4"] = "far away"
    book.save(path)
    problems = _problems(path)
    assert any(
        "sheet services, row 2: has a value in column A, whose header cell is empty" in p for p in problems
    )
    assert any(
        "sheet ccgs, row 4: has a value in column ZZ but the header has only 6 columns (got 'far away')" in p
        for p in problems
    )
