"""A corpus of hostile, broken and awkward-but-valid submissions, each with what `csu-assure validate` must say.

Every case is a small function that writes one CSU folder (checkpoint folders or workbooks inside it) and is
registered with its expectation: the located message `validate` must print (file, location, message), or
`ACCEPTED` when the input is valid and must be assessed and rendered safely. The cases go beyond the committed
examples in `submissions/malformed/` (see its EXPECTED.yaml); none repeats one of those.

The folder layout a case writes into: `<root>/submissions/<csu>/` for the CSU, `<root>/outside/` for files
that links point at, so a test can check that nothing outside the output folder changes.
"""

from __future__ import annotations

import csv
import io
import os
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from csu_assure.loading.folder import MAX_PLAN_BYTES, MAX_TABLE_BYTES, MAX_YAML_DEPTH
from csu_assure.loading.tables import MAX_ROWS
from csu_assure.loading.workbook import MAX_UNCOMPRESSED_BYTES
from csu_assure.synthetic import RawSubmission, baseline, write_folder
from csu_assure.workbook_template import write_workbook

ACCEPTED = None  # the expectation of a case whose input is valid
CSU = "baseline"  # the csu_id of `synthetic.baseline`, and so the CSU folder's name
MARKUP = "<w:p><w:r><w:t>x</w:t></w:r></w:p> &amp; {{ 7*7 }} {% for x in y %}{% endfor %} ]]>"
FORMULAS = ('=HYPERLINK("http://x","y")', "+SUM(1)", "@cmd")


@dataclass(frozen=True)
class Case:
    """One corpus entry; `write(csu_folder)` writes the submission, `outside` is a folder beside it."""

    name: str
    write: Callable[[Path], None]
    expect: str | None  # a substring `validate` must print (exit 1), or ACCEPTED (exit 0)
    checkpoint: int
    shows: str | None = None  # an accepted case: a note `validate` must print as well
    assess: bool = False  # also run `assess` and check what it writes, and where
    isolated: bool = False  # run in a subprocess with a memory limit and a hang guard
    literal: tuple[str, ...] = ()  # text the Word report must show exactly as submitted
    csu_folder: str = CSU
    refused: bool = False  # the folder layout refuses the CSU folder itself: nothing is assessed or recorded

    @property
    def accepted(self) -> bool:
        return self.expect is ACCEPTED

    def build(self, root: Path) -> Path:
        """Write the case under `root`; returns the CSU folder."""
        csu = root / "submissions" / self.csu_folder
        csu.mkdir(parents=True)
        (root / "outside").mkdir(exist_ok=True)
        self.write(csu)
        return csu


CASES: dict[str, Case] = {}


def case(
    expect: str | None,
    checkpoint: int = 1,
    **options: Any,
) -> Callable[[Callable[[Path], None]], Callable[[Path], None]]:
    def register(write: Callable[[Path], None]) -> Callable[[Path], None]:
        name = write.__name__.removeprefix("_").replace("_", "-")
        assert name not in CASES, name
        CASES[name] = Case(name, write, expect, checkpoint, **options)
        return write

    return register


# ------------------------------------------------------------------------------------------------- helpers


def folder(csu: Path, checkpoint: int, change: Callable[[RawSubmission], None] | None = None) -> Path:
    """Write the baseline submission for `checkpoint` (altered by `change`) as csu/cpN/; returns cpN/."""
    raw = baseline(checkpoint=checkpoint)
    if change is not None:
        change(raw)
    return write_folder(raw, csu / f"cp{checkpoint}")


def workbook(csu: Path, checkpoint: int, change: Callable[[RawSubmission], None] | None = None) -> Path:
    raw = baseline(checkpoint=checkpoint)
    if change is not None:
        change(raw)
    return write_workbook(raw, csu / f"cp{checkpoint}.xlsx")


def set_cell(table: str, row: int, column: str, value: object) -> Callable[[RawSubmission], None]:
    """A change that sets one cell (row counted from 1, as in the CSV's data rows)."""

    def change(raw: RawSubmission) -> None:
        raw.tables[table][row - 1][column] = value

    return change


def set_plan(path: str, value: object) -> Callable[[RawSubmission], None]:
    def change(raw: RawSubmission) -> None:
        *parents, last = path.split(".")
        target = raw.plan
        for part in parents:
            target = target[part]
        target[last] = value

    return change


def edit_text(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def rewrite_zip(
    path: Path, change: Callable[[str, bytes], bytes], extra: dict[str, bytes] | None = None
) -> None:
    """Rewrite a workbook's zip, passing every part through `change` and adding `extra` parts."""
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as source:
        parts = [(info.filename, change(info.filename, source.read(info))) for info in source.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as packed:
        for name, data in parts:
            packed.writestr(name, data)
        for name, data in (extra or {}).items():
            packed.writestr(name, data)
    path.write_bytes(buffer.getvalue())


def replace_in_sheet(path: Path, old: bytes, new: bytes) -> None:
    hits: list[str] = []

    def change(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/") and old in data:
            hits.append(name)
            return data.replace(old, new, 1)
        return data

    rewrite_zip(path, change)
    assert hits, f"{old!r} is in no sheet of {path}"


# ------------------------------------------------------------------------------- truncated, garbage, empty


@case("baseline/cp1/ccgs.csv: line 7: has 3 cells but the header has 6")
def _truncated_csv_mid_row(csu: Path) -> None:
    ccgs = folder(csu, 1) / "ccgs.csv"
    text = ccgs.read_text(encoding="utf-8").rstrip("\n")
    last = text.rsplit("\n", 1)[1]
    ccgs.write_text(text[: len(text) - len(last)] + ",".join(last.split(",")[:3]), encoding="utf-8")


@case("baseline/cp1/ccgs.csv: line 7: is not valid CSV: unexpected end of data")
def _truncated_csv_inside_quotes(csu: Path) -> None:
    ccgs = folder(csu, 1, set_cell("ccgs", 6, "ccg_name", "NHS Eden, Fal and Wye CCG")) / "ccgs.csv"
    text = ccgs.read_text(encoding="utf-8")
    ccgs.write_text(text[: text.index("Fal and")], encoding="utf-8")


@case("baseline/cp1/business_plan.yaml: line 4, column 20: is not valid YAML: found unexpected end of stream")
def _truncated_yaml(csu: Path) -> None:
    plan = folder(csu, 1) / "business_plan.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text[: text.index("2012-01-27") + 4], encoding="utf-8")


@case("baseline/cp1/services.csv: is a binary file, not text")
def _binary_garbage_csv(csu: Path) -> None:
    noise = random.Random(6).randbytes(4096)
    (folder(csu, 1) / "services.csv").write_bytes(noise + b"\x00")


@case("baseline/cp1/business_plan.yaml: byte 0: is not UTF-8 text; save it as UTF-8")
def _binary_garbage_yaml(csu: Path) -> None:
    noise = bytes(b for b in random.Random(7).randbytes(4096) if b)  # no NUL: the UTF-8 check must catch it
    (folder(csu, 1) / "business_plan.yaml").write_bytes(b"\xff" + noise)


@case("baseline/cp1/business_plan.yaml: expected a mapping of fields (key: value), got empty")
def _empty_plan_file(csu: Path) -> None:
    (folder(csu, 1) / "business_plan.yaml").write_bytes(b"")


@case("baseline/cp1/services.csv: is empty: expected a header row and data rows")
def _empty_optional_table(csu: Path) -> None:
    (folder(csu, 1) / "services.csv").write_bytes(b"")


@case("baseline/cp1/ccgs.csv: is empty: expected a header row and data rows")
def _whitespace_only_table(csu: Path) -> None:
    (folder(csu, 1) / "ccgs.csv").write_text("   \n", encoding="utf-8")


@case(ACCEPTED, 3, assess=True)
def _header_only_tables(csu: Path) -> None:
    """Every table but ccgs holds its header and no rows: valid, and every check must cope with nothing."""

    def empty(raw: RawSubmission) -> None:
        for name in raw.tables:
            if name != "ccgs":
                raw.tables[name] = []

    folder(csu, 3, empty)


@case(ACCEPTED, 1, shows="missing, checks will report insufficient evidence: services", assess=True)
def _missing_expected_table(csu: Path) -> None:
    (folder(csu, 1) / "services.csv").unlink()


@case(ACCEPTED, 2)
def _missing_table_not_used_at_this_checkpoint(csu: Path) -> None:
    """A cp3-only table (the survey) is absent from a cp2 submission: nothing to say."""
    assert not (folder(csu, 2) / "ccg_survey.csv").exists()


@case("baseline/cp1.xlsx: ccgs: the CCG customer table (ccgs) is required and was not found")
def _workbook_without_ccgs_sheet(csu: Path) -> None:
    workbook(csu, 1, lambda raw: raw.tables.pop("ccgs"))
    rewrite_zip(csu / "cp1.xlsx", lambda _name, data: data)


# ------------------------------------------------------------------------------------------- wrong types


@case("baseline/cp1/ccgs.csv: line 3, column engagement_events: Input should be a valid integer")
def _text_in_an_integer_column(csu: Path) -> None:
    folder(csu, 1, set_cell("ccgs", 2, "engagement_events", "three"))


@case("baseline/cp1/business_plan.yaml: leadership: Input should be a valid dictionary")
def _list_where_a_mapping_belongs(csu: Path) -> None:
    folder(csu, 1, set_plan("leadership", ["Alex Morgan", "lead"]))


@case("baseline/cp1/business_plan.yaml: pct_clusters: Input should be a valid tuple")
def _mapping_where_a_list_belongs(csu: Path) -> None:
    folder(csu, 1, set_plan("pct_clusters", {"Avon cluster": 1}))


@case("baseline/cp1/business_plan.yaml: expected a mapping of fields (key: value), got str")
def _plan_is_one_line_of_text(csu: Path) -> None:
    (folder(csu, 1) / "business_plan.yaml").write_text("see attached spreadsheet\n", encoding="utf-8")


@case("baseline/cp3/slas.csv: line 2, column satisfaction_measured: Input should be a valid boolean", 3)
def _boolean_typed_as_maybe(csu: Path) -> None:
    folder(csu, 3, set_cell("slas", 1, "satisfaction_measured", "maybe"))


# ----------------------------------------------------------------------------------------- money, scores


@case("baseline/cp1/business_plan.yaml: price_per_head: Input should be greater than or equal to 0")
def _negative_price_in_the_plan(csu: Path) -> None:
    folder(csu, 1, set_plan("price_per_head", "-11.00"))


@case("baseline/cp2/financial_plan.csv: line 3, column costs: Input should be a valid decimal", 2)
def _accounting_negative_in_brackets(csu: Path) -> None:
    folder(csu, 2, set_cell("financial_plan", 2, "costs", "(1200.00)"))


@case("baseline/cp2/financial_plan.csv: line 2, column income: Input should be a finite number", 2)
def _infinite_income(csu: Path) -> None:
    folder(csu, 2, set_cell("financial_plan", 1, "income", "inf"))


@case("baseline/cp2/financial_plan.csv: line 2, column costs: Input should be a finite number", 2)
def _minus_infinite_costs(csu: Path) -> None:
    folder(csu, 2, set_cell("financial_plan", 1, "costs", "-inf"))


@case(
    "baseline/cp3/slas.csv: line 2, column annual_value: Decimal input should have no more than 14 digits", 3
)
def _money_of_1e400(csu: Path) -> None:
    folder(csu, 3, set_cell("slas", 1, "annual_value", "1e400"))


@case("baseline/cp2/ccg_interviews.csv: line 2, column understanding: Input should be a valid integer", 2)
def _nan_score(csu: Path) -> None:
    folder(csu, 2, set_cell("ccg_interviews", 1, "understanding", "NaN"))


@case("baseline/cp3/ccg_survey.csv: line 3, column recommend: Input should be a valid integer", 3)
def _infinite_score(csu: Path) -> None:
    folder(csu, 3, set_cell("ccg_survey", 2, "recommend", "inf"))


@case("baseline/cp2/ccg_interviews.csv: line 4, column capability: Input should be a valid integer", 2)
def _score_of_1e400(csu: Path) -> None:
    folder(csu, 2, set_cell("ccg_interviews", 3, "capability", "1e400"))


@case("baseline/cp1/business_plan.yaml: price_per_head: Input should be a finite number (got nan)")
def _yaml_nan_money(csu: Path) -> None:
    edit_text(folder(csu, 1) / "business_plan.yaml", "price_per_head: '11.00'", "price_per_head: .nan")


@case(
    "baseline/cp2/business_plan.yaml: hosting_charge_per_head: Input should be a finite number (got -inf)", 2
)
def _yaml_minus_infinite_money(csu: Path) -> None:
    edit_text(
        folder(csu, 2) / "business_plan.yaml",
        "hosting_charge_per_head: '0.50'",
        "hosting_charge_per_head: -.inf",
    )


@case("baseline/cp1/business_plan.yaml: line 19, column 30: '9999999999999999999999999999999999999")
def _yaml_integer_of_5000_digits(csu: Path) -> None:
    edit_text(
        folder(csu, 1) / "business_plan.yaml",
        "local_authority_engagements: 1",
        "local_authority_engagements: " + "9" * 5000,
    )


@case("baseline/cp1/ccgs.csv: line 2, column population: Unable to parse input string as an integer")
def _csv_integer_of_5000_digits(csu: Path) -> None:
    folder(csu, 1, set_cell("ccgs", 1, "population", "9" * 5000))


# ------------------------------------------------------------------------------------------------- dates


@case("baseline/cp1/business_plan.yaml: line 4, column 15: '2012-02-30' is not a valid date")
def _yaml_impossible_date(csu: Path) -> None:
    edit_text(folder(csu, 1) / "business_plan.yaml", "submitted_on: '2012-01-27'", "submitted_on: 2012-02-30")


@case("baseline/cp3/business_plan.yaml: line 36, column 15: '2012-13-01' is not a valid date", 3)
def _yaml_month_13(csu: Path) -> None:
    edit_text(folder(csu, 3) / "business_plan.yaml", "visited_on: '2012-09-18'", "visited_on: 2012-13-01")


@case("baseline/cp2/development_plan.csv: line 2, column due: Input should be a valid date", 2)
def _csv_month_13(csu: Path) -> None:
    folder(csu, 2, set_cell("development_plan", 1, "due", "2012-13-01"))


@case("baseline/cp2/senior_team.csv: line 2, column appointed_on: date must fall between 2000-01-01", 2)
def _far_past_date(csu: Path) -> None:
    folder(csu, 2, set_cell("senior_team", 1, "appointed_on", "1066-10-14"))


@case("baseline/cp1/business_plan.yaml: submitted_on: date must fall between 2000-01-01 and 2035-12-31")
def _far_future_date_in_the_plan(csu: Path) -> None:
    edit_text(folder(csu, 1) / "business_plan.yaml", "submitted_on: '2012-01-27'", "submitted_on: 9999-12-31")


# -------------------------------------------------------------------------------------------- duplicates


@case("baseline/cp1/ccgs.csv: line 3: duplicate ccg_id 'B01' (first in row 1)")
def _duplicate_ccg_id_hidden_by_spaces(csu: Path) -> None:
    folder(csu, 1, set_cell("ccgs", 2, "ccg_id", "  B01 "))


@case("baseline/cp1.xlsx: sheet ccgs, row 4: duplicate ccg_id 'B01' (first in row 1)")
def _duplicate_ccg_id_in_a_workbook(csu: Path) -> None:
    workbook(csu, 1, set_cell("ccgs", 3, "ccg_id", "B01"))


@case("baseline/cp2/ccg_interviews.csv: line 3: duplicate ccg_id 'B01' (first in row 1)", 2)
def _duplicate_interview_rows(csu: Path) -> None:
    def change(raw: RawSubmission) -> None:
        raw.tables["ccg_interviews"][1] = dict(raw.tables["ccg_interviews"][0])

    folder(csu, 2, change)


@case("baseline/cp2/financial_plan.csv: line 3: duplicate year/service_line/customer", 2)
def _duplicate_finance_rows(csu: Path) -> None:
    def change(raw: RawSubmission) -> None:
        raw.tables["financial_plan"][1] = dict(raw.tables["financial_plan"][0])

    folder(csu, 2, change)


@case("baseline/cp1/business_plan.yaml: line 13, column 1: key 'csu_name' appears twice (first on line 2)")
def _duplicate_yaml_key(csu: Path) -> None:
    plan = folder(csu, 1) / "business_plan.yaml"
    lines = plan.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(12, "csu_name: A Different CSU\n")
    plan.write_text("".join(lines), encoding="utf-8")


@case("baseline/cp1/services.csv: header, column 'delivery_model': column appears more than once")
def _duplicate_csv_column(csu: Path) -> None:
    services = folder(csu, 1) / "services.csv"
    rows = list(csv.reader(io.StringIO(services.read_text(encoding="utf-8"))))
    services.write_text(csv_text([[*r, r[1]] for r in rows]), encoding="utf-8")


# ------------------------------------------------------------------------------------------- percentages


@case("baseline/cp2/ccg_interviews.csv: line 2: pct_from_css + pct_in_house + pct_shared + pct_other = 98", 2)
def _shares_add_up_to_98(csu: Path) -> None:
    folder(csu, 2, set_cell("ccg_interviews", 1, "pct_other", 3))


@case(ACCEPTED, 2)
def _shares_within_rounding_of_100(csu: Path) -> None:
    folder(csu, 2, set_cell("ccg_interviews", 1, "pct_other", "5.5"))


# ------------------------------------------------------------------------------ unknown fields, odd YAML


@case("baseline/cp1/business_plan.yaml: comments: unknown field")
def _unknown_top_level_yaml_field(csu: Path) -> None:
    folder(csu, 1, set_plan("comments", "see email"))


@case("baseline/cp2/workforce.csv: header, column 'notes': unknown column", 2)
def _unknown_csv_column_in_another_table(csu: Path) -> None:
    folder(csu, 2, set_cell("workforce", 1, "notes", "agency staff"))


@case("baseline/cp1/ccgs.csv: line 2: has a value in cell 7, whose header is empty")
def _value_under_an_empty_csv_header(csu: Path) -> None:
    ccgs = folder(csu, 1) / "ccgs.csv"
    rows = list(csv.reader(io.StringIO(ccgs.read_text(encoding="utf-8"))))
    rows = [[*rows[0], ""]] + [
        [*r, "population is an estimate" if i == 0 else ""] for i, r in enumerate(rows[1:])
    ]
    ccgs.write_text(csv_text(rows), encoding="utf-8")


@case("baseline/cp1/business_plan.yaml: line 13, column 1: YAML merge keys (<<) are not allowed")
def _yaml_merge_key(csu: Path) -> None:
    plan = folder(csu, 1) / "business_plan.yaml"
    lines = plan.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(12, "<<: {csu_name: Hidden Name}\n")
    plan.write_text("".join(lines), encoding="utf-8")


@case("baseline/cp1/business_plan.yaml: line 5, column 15: the YAML type 'set' is not allowed here")
def _yaml_set_tag(csu: Path) -> None:
    plan = folder(csu, 1) / "business_plan.yaml"
    text = plan.read_text(encoding="utf-8")
    start = text.index("pct_clusters:")
    end = text.index("\n", text.index("\n- ", start) + 3)
    end = text.index("\n", end + 1) if text[end + 1 : end + 3] == "- " else end
    plan.write_text(
        text[:start] + "pct_clusters: !!set {Avon cluster, Brent cluster}" + text[end:], encoding="utf-8"
    )


@case("baseline/cp1/business_plan.yaml: line 13, column 8: could not determine a constructor for the tag")
def _yaml_python_object_tag(csu: Path) -> None:
    plan = folder(csu, 1) / "business_plan.yaml"
    lines = plan.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(12, 'notes: !!python/object/apply:os.system ["touch pwned"]\n')
    plan.write_text("".join(lines), encoding="utf-8")


# ---------------------------------------------------------------------------------- control characters


@case("baseline/cp1/business_plan.yaml: is a binary file, not text")
def _nul_in_yaml(csu: Path) -> None:
    edit_text(folder(csu, 1) / "business_plan.yaml", "Baseline CSU", "Baseline\x00CSU")


@case("baseline/cp1/ccgs.csv: line 2, column ccg_name: contains control character '\\x1b'; remove it")
def _terminal_escape_in_csv_text(csu: Path) -> None:
    folder(csu, 1, set_cell("ccgs", 1, "ccg_name", "NHS \x1b[31mRed\x1b[0m CCG"))


@case("baseline/cp1/business_plan.yaml: leadership.le\\x1b[2Jad: unknown field")
def _terminal_escape_in_a_yaml_key(csu: Path) -> None:
    folder(csu, 1, set_plan("leadership.le\x1b[2Jad", "x"))


@case("baseline/cp1/notes\\x1b[2J\\n.csv: unexpected file in a submission folder")
def _terminal_escape_in_a_file_name(csu: Path) -> None:
    (folder(csu, 1) / "notes\x1b[2J\n.csv").write_text("x\n", encoding="utf-8")


@case(ACCEPTED, 1, assess=True)
def _delete_character_in_text(csu: Path) -> None:
    """DEL is not forbidden by the contract; the report replaces it (Word cannot show it) and carries on."""
    folder(csu, 1, set_cell("ccgs", 1, "ccg_name", "NHS Avon\x7f CCG"))


@case("baseline/cp1.xlsx: sheet ccgs: cannot be read: the sheet is damaged")
def _lone_surrogate_in_a_workbook(csu: Path) -> None:
    path = workbook(csu, 1, set_cell("ccgs", 1, "ccg_name", "PLACEHOLDER"))
    replace_in_sheet(path, b"PLACEHOLDER", b"NHS &#xD800; CCG")


@case("baseline/cp1.xlsx: sheet ccgs: cannot be read: the sheet is damaged (ParseError: undefined entity")
def _undefined_xml_entity_in_a_workbook(csu: Path) -> None:
    path = workbook(csu, 1, set_cell("ccgs", 1, "ccg_name", "PLACEHOLDER"))
    replace_in_sheet(path, b"PLACEHOLDER", b"&xxe;")


# ------------------------------------------------------------------------------ markup and formula text


@case(ACCEPTED, 2, assess=True, literal=(MARKUP,))
def _markup_and_template_syntax_in_text(csu: Path) -> None:
    def change(raw: RawSubmission) -> None:
        raw.plan["csu_name"] = MARKUP
        raw.plan["income_growth_rationale"] = MARKUP
        raw.tables["development_plan"][0]["action"] = MARKUP
        raw.tables["services"][0]["description"] = MARKUP

    folder(csu, 2, change)


@case(ACCEPTED, 2, assess=True, literal=(FORMULAS[0],))
def _spreadsheet_formulas_as_text(csu: Path) -> None:
    def change(raw: RawSubmission) -> None:
        raw.plan["csu_name"] = FORMULAS[0]
        raw.tables["ccgs"][0]["ccg_name"] = FORMULAS[1]
        raw.tables["development_plan"][0]["owner"] = FORMULAS[2]
        raw.tables["services"][0]["description"] = FORMULAS[1]

    folder(csu, 2, change)


@case("baseline/cp2/business_plan.yaml: csu_name: must be one line", 2, assess=True)
def _a_line_break_in_a_name_to_forge_the_decision(csu: Path) -> None:
    """Issue 14: a name whose lines would read as the report's own ("Decision: A - proceed") in every footer."""
    folder(csu, 2, set_plan("csu_name", "X CSU\nCheckpoint 2 - viability\nDecision: A - proceed"))


@case("baseline/cp1.xlsx: sheet ccgs, row 2, column ccg_name: must be one line")
def _a_line_break_in_a_workbook_cell_name(csu: Path) -> None:
    workbook(csu, 1, set_cell("ccgs", 1, "ccg_name", "NHS One\nDecision: A - proceed"))


# ------------------------------------------------------------------------------------------ path traversal


@case("baseline/cp1/business_plan.yaml: csu_id: String should match pattern", assess=True)
def _path_traversal_in_the_csu_id(csu: Path) -> None:
    folder(csu, 1, set_plan("csu_id", "../../evil"))


@case(
    "North CSU (draft): is not a CSU id: the folder name is the CSU's id",
    assess=True,
    csu_folder="North CSU (draft)",
    refused=True,
)
def _path_traversal_id_and_an_untidy_folder_name(csu: Path) -> None:
    folder(csu, 1, set_plan("csu_id", "../../../../evil"))


@case("baseline/cp1/ccgs.csv: line 2, column ccg_id: String should match pattern")
def _path_traversal_in_a_ccg_id(csu: Path) -> None:
    folder(csu, 1, set_cell("ccgs", 1, "ccg_id", "../x"))


@case("baseline/cp2/financial_plan.csv: line 2, column customer: String should match pattern", 2)
def _path_traversal_in_a_customer_id(csu: Path) -> None:
    folder(csu, 2, set_cell("financial_plan", 1, "customer", "..\\..\\x"))


@case(ACCEPTED, 1, assess=True)
def _path_traversal_in_a_zip_member_name(csu: Path) -> None:
    """A workbook part named ../../evil.txt: openpyxl ignores unknown parts and nothing is ever extracted."""
    path = workbook(csu, 1)
    rewrite_zip(path, lambda _name, data: data, {"../../evil.txt": b"evil", "/tmp/evil.txt": b"evil"})


@case("baseline/cp1/ccgs\\..\\..\\evil.csv: unexpected file in a submission folder")
def _windows_traversal_in_a_file_name(csu: Path) -> None:
    cp1 = folder(csu, 1)
    (cp1 / "ccgs\\..\\..\\evil.csv").write_text("ccg_id\n", encoding="utf-8")


@case("baseline/cp1/CCGS.csv: unexpected file in a submission folder")
def _file_name_in_capitals(csu: Path) -> None:
    cp1 = folder(csu, 1)
    (cp1 / "ccgs.csv").rename(cp1 / "CCGS.csv")


# -------------------------------------------------------------------------------------------------- links


def _outside(csu: Path) -> Path:
    return csu.parent.parent / "outside"


@case(
    "baseline/cp1/ccgs.csv: points outside the submission folder (a link?); refusing to read it", assess=True
)
def _table_linked_outside(csu: Path) -> None:
    cp1 = folder(csu, 1)
    secret = _outside(csu) / "ccgs.csv"
    (cp1 / "ccgs.csv").rename(secret)
    (cp1 / "ccgs.csv").symlink_to(secret)


@case("baseline/cp1/business_plan.yaml: points outside the submission folder", assess=True)
def _plan_linked_outside(csu: Path) -> None:
    cp1 = folder(csu, 1)
    secret = _outside(csu) / "business_plan.yaml"
    (cp1 / "business_plan.yaml").rename(secret)
    (cp1 / "business_plan.yaml").symlink_to(secret)


@case("baseline/cp1: is a link to a folder outside the CSU folder; refusing to read it", assess=True)
def _folder_linked_outside(csu: Path) -> None:
    target = folder(_outside(csu), 1)
    (csu / "cp1").symlink_to(target, target_is_directory=True)


@case(ACCEPTED, 1, assess=True)
def _folder_linked_inside(csu: Path) -> None:
    """cp1 is a link to a draft folder inside the CSU folder: nothing leaves the CSU folder, so it is read."""
    target = folder(csu / ".drafts", 1)
    (csu / "cp1").symlink_to(target, target_is_directory=True)


@case("baseline/cp1/services.csv: is a link that leads nowhere (a loop or a missing target)")
def _link_loop(csu: Path) -> None:
    cp1 = folder(csu, 1)
    (cp1 / "services.csv").unlink()
    (cp1 / "services.csv").symlink_to(cp1 / "services.csv")


@case("baseline/cp1.xlsx: is a link to a file outside the CSU folder; refusing to read it", assess=True)
def _workbook_linked_outside(csu: Path) -> None:
    target = workbook(_outside(csu), 1)
    (csu / "cp1.xlsx").symlink_to(target)


@case("baseline/cp1/services.csv: is not a regular file", isolated=True)
def _named_pipe_as_a_table(csu: Path) -> None:
    """Opening a FIFO would block for ever: it must be refused without being opened."""
    cp1 = folder(csu, 1)
    (cp1 / "services.csv").unlink()
    os.mkfifo(cp1 / "services.csv")


# ------------------------------------------------------------------------------------------------ encodings


@case("baseline/cp1/business_plan.yaml: byte 40: is not UTF-8 text; save it as UTF-8 and try again")
def _latin1_yaml(csu: Path) -> None:
    plan = folder(csu, 1) / "business_plan.yaml"
    text = plan.read_text(encoding="utf-8").replace("Baseline CSU", "Baseline CSU £")
    plan.write_bytes(text.encode("latin-1"))


@case("baseline/cp1/ccgs.csv: is UTF-16/UTF-32 text (Excel's 'Unicode text'); save it as 'CSV UTF-8'")
def _utf16_csv(csu: Path) -> None:
    ccgs = folder(csu, 1) / "ccgs.csv"
    ccgs.write_bytes(ccgs.read_text(encoding="utf-8").encode("utf-16"))


@case(ACCEPTED, 2, assess=True)
def _bom_and_crlf_everywhere(csu: Path) -> None:
    for path in folder(csu, 2).iterdir():
        text = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        path.write_bytes(b"\xef\xbb\xbf" + text)


@case(ACCEPTED, 1)
def _old_mac_line_endings(csu: Path) -> None:
    for path in folder(csu, 1).glob("*.csv"):
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))


# ---------------------------------------------------------------------------------- bombs and big files


@case(
    "baseline/cp1/business_plan.yaml: line 22, column 8: is not valid YAML: YAML aliases (*name) are not allowed",
    assess=True,
    isolated=True,
)
def _yaml_alias_bomb(csu: Path) -> None:
    laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    laughs += [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]" for i in range(9)]
    plan = folder(csu, 1) / "business_plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + "\n".join(laughs) + "\n", encoding="utf-8")


@case(
    f"baseline/cp1/business_plan.yaml: line 13, column 27: is not valid YAML: nested more than {MAX_YAML_DEPTH} levels",
    isolated=True,
)
def _yaml_nested_100000_deep(csu: Path) -> None:
    plan = folder(csu, 1) / "business_plan.yaml"
    lines = plan.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(12, "notes: " + "[" * 100_000 + "\n")
    plan.write_text("".join(lines), encoding="utf-8")


@case(f"baseline/cp1/ccgs.csv: is 4,294,967,296 bytes; the limit is {MAX_TABLE_BYTES:,}", isolated=True)
def _very_large_csv(csu: Path) -> None:
    """4 GiB (sparse on disk): reading it would break the subprocess's memory limit."""
    with (folder(csu, 1) / "ccgs.csv").open("r+b") as handle:
        handle.truncate(4 * 1024**3)


@case(f"baseline/cp1/business_plan.yaml: is {MAX_PLAN_BYTES + 1:,} bytes; the limit is {MAX_PLAN_BYTES:,}")
def _plan_over_the_size_limit(csu: Path) -> None:
    plan = folder(csu, 1) / "business_plan.yaml"
    text = plan.read_text(encoding="utf-8") + "# "
    plan.write_text(text + "x" * (MAX_PLAN_BYTES + 1 - len(text.encode()) - 1) + "\n", encoding="utf-8")


@case(f"baseline/cp1/services.csv: too many rows: {MAX_ROWS + 1} (the limit is {MAX_ROWS})")
def _too_many_rows(csu: Path) -> None:
    services = folder(csu, 1) / "services.csv"
    services.write_text("function,delivery_model\n" + "hr,in_house\n" * (MAX_ROWS + 1), encoding="utf-8")


@case("baseline/cp1.xlsx: is not a readable Excel workbook")
def _zip_that_is_not_a_workbook(csu: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ccgs.csv", "ccg_id\n")
    (csu / "cp1.xlsx").write_bytes(buffer.getvalue())


@case("baseline/cp1.xlsx: is not an Excel .xlsx workbook (the file is not a zip archive)")
def _truncated_workbook(csu: Path) -> None:
    path = workbook(csu, 1)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@case("baseline/cp1.xlsx: is not an Excel .xlsx workbook (the file is not a zip archive)")
def _empty_workbook_file(csu: Path) -> None:
    (csu / "cp1.xlsx").write_bytes(b"")


@case(
    f"baseline/cp1.xlsx: would expand to 209,7"
    f"{''}",  # the declared size of 200 MiB of zeros plus the workbook's own parts
    assess=True,
    isolated=True,
)
def _workbook_zip_bomb(csu: Path) -> None:
    path = workbook(csu, 1)
    bomb = b"\x00" * (200 * 1024 * 1024)
    assert len(bomb) > MAX_UNCOMPRESSED_BYTES
    rewrite_zip(path, lambda _name, data: data, {"xl/media/image1.bin": bomb})


@case("baseline/cp1.xlsx: part xl/worksheets/sheet3.xml is compressed", isolated=True)
def _workbook_part_compressed_thousands_of_times(csu: Path) -> None:
    path = workbook(csu, 1)
    padding = b"<!--" + b" " * (40 * 1024 * 1024) + b"-->"

    def change(name: str, data: bytes) -> bytes:
        return (
            data.replace(b"<sheetData>", padding + b"<sheetData>", 1) if name.endswith("sheet3.xml") else data
        )

    rewrite_zip(path, change)


@case("baseline/cp1.xlsx: sheet 'Notes': unexpected sheet")
def _workbook_with_an_extra_sheet(csu: Path) -> None:
    from openpyxl import load_workbook

    path = workbook(csu, 1)
    book = load_workbook(path)
    book.create_sheet("Notes")["A1"] = "working notes"
    book.save(path)


@case(
    "baseline/cp1.xlsx: sheet ccgs, row 3, column in_house_cost_per_head: holds a formula whose result was not saved"
)
def _workbook_formula_without_a_saved_result(csu: Path) -> None:
    workbook(csu, 1, set_cell("ccgs", 2, "in_house_cost_per_head", "=B2*0+11.5"))


@case(ACCEPTED, 1, assess=True)
def _workbook_formula_with_its_saved_result(csu: Path) -> None:
    """What Excel writes: the formula and its result; the result is what the CSU saw, so it is what counts."""
    path = workbook(csu, 1, set_cell("ccgs", 1, "population", 327_400))
    replace_in_sheet(
        path, b'<c r="C2" t="n"><v>327400</v></c>', b'<c r="C2"><f>300000+27400</f><v>327400</v></c>'
    )


__all__ = ["ACCEPTED", "CASES", "FORMULAS", "MARKUP", "Case"]
