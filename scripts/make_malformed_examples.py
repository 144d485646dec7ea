"""Write `submissions/malformed/`: deliberately broken submissions and the error each must produce.

Each case is the valid synthetic baseline with one small edit, written as `<case>/cpN/` (or `<case>/cpN.xlsx`),
so `csu-assure validate submissions/malformed/<case>` shows what a CSU sees for that mistake.
`EXPECTED.yaml` maps each case to a substring (file, location and message) its error must contain;
`tests/loading/test_malformed_examples.py` holds every case to it. Deterministic: run it again and nothing
changes.

    .venv/bin/python scripts/make_malformed_examples.py [OUT_DIR]   # default: submissions/malformed
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from csu_assure.synthetic import RawSubmission, baseline, write_folder
from csu_assure.workbook_template import write_workbook

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "submissions" / "malformed"


@dataclass(frozen=True)
class Case:
    name: str
    why: str  # one line: the mistake this case makes
    expect: str  # substring of the error: file, location and message
    checkpoint: int
    edit: Callable[[RawSubmission], None] = lambda raw: None
    after: Callable[[Path], None] = lambda folder: None  # byte-level edits once the folder is written
    workbook: bool = False
    folder_name: str | None = None  # write into a differently named cpN folder


def _set(table: str, row: int, column: str, value: object) -> Callable[[RawSubmission], None]:
    def edit(raw: RawSubmission) -> None:
        raw.tables[table][row][column] = value

    return edit


def _plan(path: str, value: object) -> Callable[[RawSubmission], None]:
    def edit(raw: RawSubmission) -> None:
        *parents, last = path.split(".")
        target = raw.plan
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value

    return edit


def _drop_column(table: str, column: str) -> Callable[[RawSubmission], None]:
    def edit(raw: RawSubmission) -> None:
        for record in raw.tables[table]:
            record.pop(column, None)

    return edit


def _add_column(table: str, column: str, value: str) -> Callable[[RawSubmission], None]:
    def edit(raw: RawSubmission) -> None:
        for record in raw.tables[table]:
            record[column] = value

    return edit


def _duplicate_ccg(raw: RawSubmission) -> None:
    raw.tables["ccgs"][2]["ccg_id"] = raw.tables["ccgs"][0]["ccg_id"]


def _shares_off(raw: RawSubmission) -> None:
    row = raw.tables["ccg_interviews"][1]
    row["pct_other"] = int(row["pct_other"]) + 20


def _write(folder: Path, name: str, data: bytes) -> None:
    (folder / name).write_bytes(data)


def _replace_line(name: str, line: int, text: str) -> Callable[[Path], None]:
    def after(folder: Path) -> None:
        lines = (folder / name).read_text(encoding="utf-8").splitlines(keepends=True)
        lines[line - 1] = text
        (folder / name).write_text("".join(lines), encoding="utf-8")

    return after


def _latin1(folder: Path) -> None:
    text = (folder / "ccgs.csv").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    lines[3] = lines[3].replace("NHS ", "NHS Sainte-Hélène ", 1)
    (folder / "ccgs.csv").write_bytes("".join(lines).encode("latin-1"))


def _not_a_zip(folder: Path) -> None:
    workbook = folder.parent / f"{folder.name}.xlsx"
    shutil.rmtree(folder)
    workbook.write_text("ccg_id,ccg_name\nAB01,NHS Avon CCG\n", encoding="utf-8")


CASES: tuple[Case, ...] = (
    Case(
        "unknown-yaml-field",
        "A misspelt field in business_plan.yaml (lead_nmae).",
        "cp1/business_plan.yaml: leadership.lead_nmae: unknown field",
        1,
        edit=_plan("leadership.lead_nmae", "Alex Morgan"),
    ),
    Case(
        "unknown-csv-column",
        "ccgs.csv has a column the format does not know (ccg_code).",
        "cp1/ccgs.csv: header, column 'ccg_code': unknown column",
        1,
        edit=_add_column("ccgs", "ccg_code", "X"),
    ),
    Case(
        "missing-required-column",
        "ccgs.csv has no population column.",
        "cp1/ccgs.csv: header: required column 'population' is missing",
        1,
        edit=_drop_column("ccgs", "population"),
    ),
    Case(
        "negative-money",
        "A negative income in the financial plan.",
        "cp2/financial_plan.csv: line 4, column income: Input should be greater than or equal to 0",
        2,
        edit=_set("financial_plan", 2, "income", "-1250.00"),
    ),
    Case(
        "pound-sign-in-money",
        "Money typed as text with a £ sign.",
        "cp1/ccgs.csv: line 2, column rca_per_head: Input should be a valid decimal (got '£12.50')",
        1,
        edit=_set("ccgs", 0, "rca_per_head", "£12.50"),
    ),
    Case(
        "nan-value",
        "NaN in a numeric column (a spreadsheet export artefact).",
        "cp2/workforce.csv: line 3, column planned_wte: Input should be a finite number",
        2,
        edit=_set("workforce", 1, "planned_wte", "NaN"),
    ),
    Case(
        "score-out-of-range",
        "An interview score of 7 on a 1-5 scale.",
        "cp2/ccg_interviews.csv: line 2, column understanding: Input should be less than or equal to 5",
        2,
        edit=_set("ccg_interviews", 0, "understanding", 7),
    ),
    Case(
        "shares-not-100",
        "A CCG's support shares add up to more than 100%.",
        "cp2/ccg_interviews.csv: line 3: pct_from_css + pct_in_house + pct_shared + pct_other = 120",
        2,
        edit=_shares_off,
    ),
    Case(
        "duplicate-ccg-id",
        "The same CCG code on two rows of ccgs.csv.",
        "cp1/ccgs.csv: line 4: duplicate ccg_id 'DC01' (first in row 1)",
        1,
        edit=_duplicate_ccg,
    ),
    Case(
        "sla-unknown-ccg",
        "An SLA with a CCG that is not in ccgs.csv.",
        "cp3/slas.csv: line 3: ccg_id 'ZZ99' is not a CCG listed in ccgs",
        3,
        edit=_set("slas", 1, "ccg_id", "ZZ99"),
    ),
    Case(
        "enum-typo",
        "A service function written in words instead of its code.",
        "cp1/services.csv: line 3, column function: Input should be 'health_needs_assessment'",
        1,
        edit=_set("services", 1, "function", "business intelligence"),
    ),
    Case(
        "checkpoint-mismatch",
        "A checkpoint 2 plan filed in the cp3 folder.",
        "cp3/business_plan.yaml: checkpoint: says checkpoint 2 but the folder is cp3",
        2,
        folder_name="cp3",
    ),
    Case(
        "csu-id-mismatch",
        "csu_id in the plan differs from the CSU folder name.",
        "cp1/business_plan.yaml: csu_id: does not match the CSU folder name 'csu-id-mismatch'",
        1,
        edit=_plan("csu_id", "some-other-csu"),
    ),
    Case(
        "missing-business-plan",
        "The tables arrived without business_plan.yaml.",
        "cp1/business_plan.yaml: is missing: every submission needs a business plan",
        1,
        after=lambda folder: (folder / "business_plan.yaml").unlink(),
    ),
    Case(
        "invalid-yaml",
        "business_plan.yaml is not valid YAML (an unclosed bracket).",
        "cp1/business_plan.yaml: line 8, column 8: is not valid YAML: expected ',' or ']'",
        1,
        after=_replace_line("business_plan.yaml", 5, "pct_clusters: [Avon cluster, Eden cluster\n"),
    ),
    Case(
        "empty-ccgs",
        "ccgs.csv is an empty file.",
        "cp1/ccgs.csv: is empty: expected a header row and data rows",
        1,
        after=lambda folder: _write(folder, "ccgs.csv", b""),
    ),
    Case(
        "missing-ccgs",
        "No ccgs.csv at all: the one table every submission needs.",
        "the CCG customer table (ccgs) is required and was not found",
        1,
        after=lambda folder: (folder / "ccgs.csv").unlink(),
    ),
    Case(
        "wrong-cell-count",
        "A row of ccgs.csv with one cell too many (an unquoted comma in a name).",
        "cp1/ccgs.csv: line 3: has 7 cells but the header has 6",
        1,
        after=_replace_line("ccgs.csv", 3, "WC02,NHS Avon, Brent CCG,310000,25.00,11.20,3\n"),
    ),
    Case(
        "latin1-csv",
        "ccgs.csv saved as Latin-1 (Excel's plain 'CSV') instead of UTF-8.",
        "cp1/ccgs.csv: byte 189: is not UTF-8 text",
        1,
        after=_latin1,
    ),
    Case(
        "unexpected-file",
        "A stray notes file in the submission folder.",
        "cp1/notes.txt: unexpected file in a submission folder",
        1,
        after=lambda folder: _write(folder, "notes.txt", b"remember to check the SLAs\n"),
    ),
    Case(
        "impossible-date",
        "A date that does not exist (30 February).",
        "cp2/senior_team.csv: line 2, column appointed_on: Input should be a valid date or datetime, "
        "day value is outside expected range (got '2012-02-30')",
        2,
        edit=_set("senior_team", 0, "appointed_on", "2012-02-30"),
    ),
    Case(
        "far-future-date",
        "A milestone due in 2099 (a typo for 2013?).",
        "cp2/development_plan.csv: line 3, column due: date must fall between 2000-01-01 and 2035-12-31",
        2,
        edit=_set("development_plan", 1, "due", "2099-08-31"),
    ),
    Case(
        "workbook-bad-cell",
        "A workbook with text where a number belongs.",
        "cp1.xlsx: sheet ccgs, row 3, column population: Input should be a valid integer, "
        "unable to parse string as an integer (got 'about 300k')",
        1,
        edit=_set("ccgs", 1, "population", "about 300k"),
        workbook=True,
    ),
    Case(
        "workbook-plan-out-of-range",
        "A workbook whose business_plan sheet has a rating of 9 on a 1-4 scale.",
        "cp2.xlsx: sheet business_plan, row 17, field leadership.leader_interview_rating: "
        "Input should be less than or equal to 4",
        2,
        edit=_plan("leadership.leader_interview_rating", 9),
        workbook=True,
    ),
    Case(
        "workbook-unknown-column",
        "A workbook sheet with a column the format does not know.",
        "cp1.xlsx: sheet services, header, column 'comments': unknown column",
        1,
        edit=_add_column("services", "comments", "agreed"),
        workbook=True,
    ),
    Case(
        "workbook-not-a-zip",
        "A CSV file renamed to .xlsx.",
        "cp1.xlsx: is not an Excel .xlsx workbook (the file is not a zip archive)",
        1,
        after=_not_a_zip,
    ),
)


def build(out: Path) -> list[Case]:
    """(Re)write every case under `out` and EXPECTED.yaml; return the cases."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for case in CASES:
        raw = baseline(
            csu_id=case.name, csu_name=case.name.replace("-", " ").title(), checkpoint=case.checkpoint
        )
        case.edit(raw)
        folder = out / case.name / (case.folder_name or f"cp{case.checkpoint}")
        if case.workbook:
            write_workbook(raw, folder.with_suffix(".xlsx"))
        else:
            write_folder(raw, folder)
            case.after(folder)
    lines = [
        "# Generated by scripts/make_malformed_examples.py; do not edit by hand.",
        "# Each case: a substring (file, location and message) that `csu-assure validate <case>` must print.",
    ]
    for case in CASES:
        lines += ["", f"# {case.why}", f"{case.name}: {json.dumps(case.expect, ensure_ascii=False)}"]
    (out / "EXPECTED.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return list(CASES)


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else DEFAULT_OUT
    cases = build(out)
    print(f"Wrote {len(cases)} malformed examples to {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
