"""Turning raw inputs (a YAML mapping, rows of strings) into submission models, with every problem located.

Both the folder loader (YAML + CSV) and the workbook loader (one sheet per table) feed this module, so the two
forms of a submission are validated by exactly the same code and yield the same `Submission`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from csu_assure.loading.problems import Problem, SubmissionInvalid, problems_from_validation, show_value
from csu_assure.submission import TABLES, BusinessPlan, InputFile, Submission, find_inconsistencies

MAX_ROWS = 5_000  # per table: the largest real footprint had 24 CCGs; 5,000 rows bounds memory and time.

RawRow = Mapping[str, Any]


def parse_business_plan(data: object, file: str) -> tuple[BusinessPlan | None, list[Problem]]:
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        return None, [Problem(file, "", f"expected a mapping of fields (key: value), got {kind}")]
    try:
        return BusinessPlan.model_validate(data), []
    except ValidationError as error:
        return None, list(problems_from_validation(error, file))


def parse_table(
    name: str,
    header: Sequence[str],
    rows: Sequence[RawRow],
    file: str,
    first_line: int = 2,
    row_label: str = "line",
) -> tuple[tuple[BaseModel, ...] | None, list[Problem]]:
    """Validate rows of one table. `first_line` is the file line (or sheet row) of the first data row."""
    model = TABLES[name]
    problems: list[Problem] = []
    fields = model.model_fields
    columns = [str(c).strip() for c in header]
    unknown = [c for c in columns if c and c not in fields]
    for column in unknown:
        problems.append(
            Problem(
                file, f"header, column {column!r}", f"unknown column; expected some of: {', '.join(fields)}"
            )
        )
    dupes = sorted({c for c in columns if c and columns.count(c) > 1})
    for column in dupes:
        problems.append(Problem(file, f"header, column {column!r}", "column appears more than once"))
    missing = [f for f, info in fields.items() if info.is_required() and f not in columns]
    for column in missing:
        problems.append(Problem(file, "header", f"required column {column!r} is missing"))
    if len(rows) > MAX_ROWS:
        problems.append(Problem(file, "", f"too many rows: {len(rows)} (the limit is {MAX_ROWS})"))
    if problems:
        return None, problems
    parsed: list[BaseModel] = []
    for index, raw in enumerate(rows):
        line = first_line + index
        values = {k: _blank_to_none(v) for k, v in raw.items() if k in fields}
        try:
            parsed.append(model.model_validate(values))
        except ValidationError as error:
            problems.extend(problems_from_validation(error, file, locate=f"{row_label} {line}"))
    return (tuple(parsed) if not problems else None), problems


def _blank_to_none(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def build_submission(
    source: str,
    plan: BusinessPlan | None,
    tables: Mapping[str, tuple[BaseModel, ...]],
    inputs: Sequence[InputFile],
    problems: list[Problem],
    locate_row: Mapping[str, tuple[str, int, str]],
) -> Submission:
    """Assemble a Submission once every part parsed; raise SubmissionInvalid listing every problem.

    `locate_row` maps a table name to (file, first data line, row label) so cross-table problems point at
    the right line of the right file or sheet.
    """
    if "ccgs" not in tables and not any(
        p.file.endswith(("ccgs.csv", "ccgs")) or p.where.startswith("sheet ccgs") for p in problems
    ):
        problems.append(
            Problem(source, "ccgs", "the CCG customer table (ccgs) is required and was not found")
        )
    # Cross-table rules run even when other parts failed, so one pass reports everything wrong.
    parts: dict[str, Any] = {name: tables.get(name) for name in TABLES}
    parts["plan"] = plan  # may be None here: find_inconsistencies copes, and this draft is never returned
    draft = Submission.model_construct(inputs=tuple(inputs), **parts)
    cross = find_inconsistencies(draft) if "ccgs" in tables else []
    for where, message in cross:
        table, _, row = where.partition(" row ")
        if row and table in locate_row:
            file, first_line, label = locate_row[table]
            problems.append(Problem(file, f"{label} {first_line + int(row) - 1}", message))
        else:
            problems.append(Problem(source, where, message))
    if plan is None and not problems:
        problems.append(Problem(source, "business_plan", "no valid business plan"))
    if plan is None or problems:
        raise SubmissionInvalid(source, problems, inputs)
    try:
        return Submission.model_validate({"plan": plan, "inputs": tuple(inputs), **tables})
    except ValidationError as error:  # e.g. an empty ccgs table
        raise SubmissionInvalid(source, list(problems_from_validation(error, source)), inputs) from error


__all__ = ["MAX_ROWS", "build_submission", "parse_business_plan", "parse_table", "show_value"]
