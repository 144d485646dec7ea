"""Loading one checkpoint submission from an Excel workbook: a `business_plan` sheet plus one sheet per table.

Cells are turned into the strings a CSV file would hold and then validated by `loading/tables.py`, the same
code the folder loader uses, so a workbook and a folder with the same content yield the same `Submission`.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook as open_workbook
from openpyxl.utils import get_column_letter
from pydantic import BaseModel

from csu_assure.contract_docs import LIST_SEPARATOR, PLAN_SHEET, plan_fields
from csu_assure.loading.files import input_file
from csu_assure.loading.folder import _folder_naming_problems
from csu_assure.loading.problems import Problem, SubmissionInvalid, show_value
from csu_assure.loading.tables import MAX_ROWS, build_submission, parse_business_plan, parse_table
from csu_assure.submission import TABLES, BusinessPlan, InputFile, Submission

MAX_WORKBOOK_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200  # real workbooks compress 5-20×; a zip bomb compresses thousands of times
RATIO_CHECKED_FROM_BYTES = 1024 * 1024  # a small part may compress very well (blank styles) and harms nothing
MAX_ZIP_MEMBERS = 2_000
MAX_COLUMNS = 200
README_SHEET = "README"  # the template's explanation sheet; ignored when loading
PLAN_HEADER = ("field", "value", "help")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")  # a <f> element in a worksheet part: some cell holds a formula
FORMULA_MESSAGE = (
    "holds a formula whose result was not saved in the file; open the workbook in Excel and save it, "
    "or paste the value"
)
# One row of a sheet: its number, its cells as CSV-like text, and the (column index, formula) of every cell
# whose formula has no saved result (blank in `cells`, reported by the caller so nothing is lost silently).
SheetRow = tuple[int, list[str], list[tuple[int, str]]]


def load_workbook(path: Path) -> Submission:
    """Load a `.xlsx` checkpoint submission; raise SubmissionInvalid with every located problem."""
    path = Path(path)
    label = _label(path)
    data = _read_checked(path, label)
    try:
        # Parse the very bytes that were checked and hashed, not the file again (it could change meanwhile).
        book = open_workbook(io.BytesIO(data), read_only=True, data_only=True)
        # Formulas: their saved results are read (what Excel showed); a second, formula view of the same
        # bytes finds formulas with no saved result, which would otherwise read as blank cells.
        formulas = (
            open_workbook(io.BytesIO(data), read_only=True, data_only=False) if _has_formulas(data) else None
        )
    except Exception as error:  # openpyxl raises many kinds (KeyError, ValueError, XML errors) on a bad file
        raise SubmissionInvalid(
            label,
            [Problem(label, "", f"is not a readable Excel workbook ({error.__class__.__name__})")],
            (input_file(label, data),),
        ) from None
    try:
        return _load_sheets(book, formulas, path, label, input_file(label, data))
    finally:
        book.close()
        if formulas is not None:
            formulas.close()


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet part holds a formula (parts are small: `_read_checked` bounded their sizes)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(
            _FORMULA.search(archive.read(member))
            for member in archive.namelist()
            if member.startswith("xl/worksheets/") and member.endswith(".xml")
        )


def _label(path: Path) -> str:
    """`csu/cp2.xlsx`: enough of the path to find the file in a cohort, as the folder loader shows CSVs."""
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def _read_checked(path: Path, label: str) -> bytes:
    """Refuse what is not a bounded, plain zip before openpyxl sees it (oversized files and zip bombs)."""

    data: bytes | None = None

    def refuse(message: str) -> SubmissionInvalid:
        # Once read, the refused bytes are the input the record vouches for.
        return SubmissionInvalid(
            label, [Problem(label, "", message)], (input_file(label, data),) if data else ()
        )

    if not path.is_file():
        raise refuse("does not exist or is not a file")
    if path.is_symlink() and not path.resolve().is_relative_to(path.parent.resolve()):
        raise refuse("is a link to a file outside the CSU folder; refusing to read it (copy the file in)")
    size = path.stat().st_size
    if size > MAX_WORKBOOK_BYTES:
        raise refuse(f"is {size:,} bytes; the limit for a workbook is {MAX_WORKBOOK_BYTES:,}")
    with path.open("rb") as handle:
        data = handle.read(MAX_WORKBOOK_BYTES + 1)
    if len(data) > MAX_WORKBOOK_BYTES:  # it grew after the size check
        raise refuse(f"is larger than the limit for a workbook ({MAX_WORKBOOK_BYTES:,} bytes)")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise refuse("is not an Excel .xlsx workbook (the file is not a zip archive); save it as .xlsx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise refuse(f"is not a readable .xlsx workbook: {error}") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise refuse(f"holds {len(members):,} parts; a workbook has far fewer (limit {MAX_ZIP_MEMBERS:,})")
    # The sizes in the zip directory bound what Python's zipfile will inflate (it stops at the declared size),
    # so checking them here bounds memory and time before any part is decompressed.
    total = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise refuse(
            f"would expand to {total:,} bytes; the limit is {MAX_UNCOMPRESSED_BYTES:,} (a zip bomb?)"
        )
    worst = max(members, key=lambda m: m.file_size / max(m.compress_size, 1), default=None)
    if worst is not None and worst.file_size > RATIO_CHECKED_FROM_BYTES:
        ratio = worst.file_size / max(worst.compress_size, 1)
        if ratio > MAX_COMPRESSION_RATIO:
            raise refuse(
                f"part {worst.filename} is compressed {ratio:,.0f} times; more than "
                f"{MAX_COMPRESSION_RATIO} is refused as a possible zip bomb"
            )
    if total > RATIO_CHECKED_FROM_BYTES and total / max(packed, 1) > MAX_COMPRESSION_RATIO:
        raise refuse(
            f"is compressed {total / max(packed, 1):,.0f} times; more than {MAX_COMPRESSION_RATIO} is "
            "refused as a possible zip bomb"
        )
    return data


def _load_sheets(book: Any, formulas: Any, path: Path, label: str, source: InputFile) -> Submission:
    problems: list[Problem] = []
    known = {PLAN_SHEET, README_SHEET, *TABLES}
    for name in book.sheetnames:
        if name not in known:
            problems.append(
                Problem(
                    label,
                    f"sheet {name!r}",
                    f"unexpected sheet; expected {PLAN_SHEET} and some of: {', '.join(TABLES)}",
                )
            )
    plan = None
    if PLAN_SHEET not in book.sheetnames:
        problems.append(
            Problem(label, f"sheet {PLAN_SHEET}", "is missing: every submission needs a business plan")
        )
    else:
        try:
            plan, plan_problems = _read_plan(book[PLAN_SHEET], _twin(formulas, PLAN_SHEET), label, path)
        except Exception as error:  # any parse error: a damaged sheet is a located problem, never a traceback
            plan, plan_problems = None, [_unreadable(label, PLAN_SHEET, error)]
        problems.extend(plan_problems)
    tables: dict[str, tuple[BaseModel, ...]] = {}
    locate: dict[str, tuple[str, int, str]] = {}
    for name in TABLES:
        if name not in book.sheetnames:
            continue
        try:
            header, rows, sheet_problems = _read_table_sheet(book[name], _twin(formulas, name), name, label)
        except Exception as error:  # any parse error: a damaged sheet is a located problem, never a traceback
            header, rows, sheet_problems = [], [], [_unreadable(label, name, error)]
        problems.extend(sheet_problems)
        if sheet_problems:
            continue
        if not header or not rows:
            continue  # a blank template sheet means the table was not submitted (ccgs: reported below)
        parsed, row_problems = parse_table(name, header, rows, label, 2, f"sheet {name}, row")
        problems.extend(_in_sheet(p, name) for p in row_problems)
        if parsed is not None:
            tables[name] = parsed
            locate[name] = (label, 2, f"sheet {name}, row")
    inputs = (source,)
    return build_submission(label, plan, tables, inputs, problems, locate)


def _twin(formulas: Any, name: str) -> Any:
    return formulas[name] if formulas is not None else None


def _unreadable(label: str, sheet: str, error: Exception) -> Problem:
    """openpyxl parses a read-only sheet while it is iterated: bad XML (an invalid character, an undefined
    entity, a cut-off part) surfaces here as one of many exception types."""
    if isinstance(error, MemoryError):
        raise error
    detail = " ".join(str(error).split())[:120]
    return Problem(
        label,
        f"sheet {sheet}",
        f"cannot be read: the sheet is damaged ({error.__class__.__name__}: {detail})",
    )


def _in_sheet(problem: Problem, sheet: str) -> Problem:
    """Header and size problems from `parse_table` name no sheet; a workbook has several."""
    if problem.where.startswith("sheet "):
        return problem
    where = f"sheet {sheet}, {problem.where}" if problem.where else f"sheet {sheet}"
    return Problem(problem.file, where, problem.message, problem.value)


def _rows(sheet: Any, formulas: Any = None) -> Iterator[SheetRow]:
    """(sheet row number, cells as CSV-like strings, unresolved formulas) for every row, trailing empty cells
    dropped. `formulas` is the same sheet opened with formulas rather than their saved results."""
    sheet.reset_dimensions()  # a workbook's stored dimensions may be wrong or huge; read what is there
    written: Iterator[tuple[Any, ...]] = itertools.repeat(())
    if formulas is not None:
        formulas.reset_dimensions()
        written = formulas.iter_rows(values_only=True)
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        unresolved = [
            (i, str(getattr(formula, "text", formula)))
            for i, (value, formula) in enumerate(zip(values, next(written, ()), strict=False))
            if value is None and formula is not None
        ]
        cells = [cell_text(v) for v in values[:MAX_COLUMNS]]
        beyond = next(
            (i for i, v in enumerate(values[MAX_COLUMNS:], MAX_COLUMNS) if cell_text(v).strip()), None
        )
        if beyond is not None:  # pad up to it, so the caller reports it instead of silently dropping it
            cells += [""] * (beyond - len(cells)) + [cell_text(values[beyond])]
        while cells and not cells[-1].strip():
            cells.pop()
        yield number, cells, unresolved


def _read_table_sheet(
    sheet: Any, formulas: Any, name: str, label: str
) -> tuple[list[str], list[dict[str, str]], list[Problem]]:
    where = f"sheet {name}"
    header: list[str] = []
    rows: list[dict[str, str]] = []
    blank_row: int | None = None
    unsaved: list[Problem] = []
    for number, cells, unresolved in _rows(sheet, formulas):
        for index, formula in unresolved:
            column = header[index] if number > 1 and index < len(header) and header[index] else None
            unsaved.append(
                Problem(
                    label,
                    f"{where}, row {number}, column {column or get_column_letter(index + 1)}",
                    FORMULA_MESSAGE,
                    show_value(formula),
                )
            )
        if number == 1:
            header = [c.strip() for c in cells]
            continue
        if not cells:
            blank_row = blank_row or number
            continue
        if number > MAX_ROWS + 1:
            return (
                header,
                [],
                [
                    Problem(
                        label,
                        where,
                        f"too many rows: data in row {number:,} (the limit is {MAX_ROWS:,} rows)",
                    )
                ],
            )
        if blank_row is not None:
            return (
                header,
                [],
                [Problem(label, f"{where}, row {blank_row}", "blank row inside the data; delete it")],
            )
        if not header and cells:
            return header, [], [Problem(label, f"{where}, row 1", "the header row is empty")]
        if len(cells) > len(header):
            return (
                header,
                [],
                [
                    Problem(
                        label,
                        f"{where}, row {number}",
                        f"has a value in column {get_column_letter(len(cells))} but the header has only "
                        f"{len(header)} column{'' if len(header) == 1 else 's'}",
                        show_value(cells[-1]),  # trailing blanks were dropped: the last cell holds a value
                    )
                ],
            )
        cells += [""] * (len(header) - len(cells))
        unnamed = [i for i, h in enumerate(header) if not h and cells[i].strip()]
        if unnamed:
            return (
                header,
                [],
                [
                    Problem(
                        label,
                        f"{where}, row {number}",
                        f"has a value in column {get_column_letter(unnamed[0] + 1)}, whose header cell is empty",
                        show_value(cells[unnamed[0]]),
                    )
                ],
            )
        rows.append({h: c for h, c in zip(header, cells, strict=True) if h})
    if unsaved:  # their cells read as blank: any other complaint about them would mislead
        return header, [], unsaved
    return header, rows, []


def _read_plan(
    sheet: Any, formulas: Any, label: str, path: Path
) -> tuple[BusinessPlan | None, list[Problem]]:
    """`field | value | help` rows with dotted field paths, turned into the mapping a YAML file would hold."""
    where = f"sheet {PLAN_SHEET}"
    lists = {f.path for f in plan_fields() if f.is_list}
    data: dict[str, Any] = {}
    row_of: dict[str, int] = {}
    problems: list[Problem] = []
    for number, cells, unresolved in _rows(sheet, formulas):
        for index, formula in unresolved:
            field = cells[0].strip() if cells and index > 0 else ""
            problems.append(
                Problem(
                    label,
                    f"{where}, row {number}" + (f", field {field}" if field else ""),
                    FORMULA_MESSAGE,
                    show_value(formula),
                )
            )
        if number == 1:
            header = tuple(c.strip().lower() for c in cells[:2])
            if header != PLAN_HEADER[:2]:
                problems.append(
                    Problem(label, f"{where}, row 1", "the header must be: field | value | help", repr(cells))
                )
                break
            continue
        if number > MAX_ROWS + 1:
            problems.append(Problem(label, where, f"too many rows (the limit is {MAX_ROWS:,})"))
            break
        field = cells[0].strip() if cells else ""
        value = cells[1].strip() if len(cells) > 1 else ""
        if not field:
            if value:
                problems.append(Problem(label, f"{where}, row {number}", "a value without a field name"))
            continue
        if field in row_of:
            problems.append(
                Problem(
                    label,
                    f"{where}, row {number}",
                    f"field {field} appears twice (first in row {row_of[field]})",
                )
            )
            continue
        row_of[field] = number
        if not value:
            continue  # blank = not stated, as a key left out of business_plan.yaml
        parts = field.split(".")
        if any(not part for part in parts):
            problems.append(Problem(label, f"{where}, row {number}", "is not a field path", repr(field)))
            continue
        target = data
        clash = False
        for part in parts[:-1]:
            existing = target.setdefault(part, {})
            if not isinstance(existing, dict):
                clash = True
                break
            target = existing
        if clash or isinstance(target.get(parts[-1]), dict):
            problems.append(
                Problem(label, f"{where}, row {number}", f"field {field} clashes with another row")
            )
            continue
        target[parts[-1]] = (
            [item.strip() for item in value.split(LIST_SEPARATOR.strip()) if item.strip()]
            if field in lists
            else value
        )
    if problems:
        return None, problems
    plan, plan_problems = parse_business_plan(data, label)
    if plan is not None:
        # cpN.xlsx in a folder named after the CSU: the same naming rule as a cpN/ folder
        plan_problems = _folder_naming_problems(
            path.with_suffix(""), plan.csu_id, int(plan.checkpoint), label
        )
    return plan, [_locate_plan_problem(p, row_of, where) for p in plan_problems]


def _locate_plan_problem(problem: Problem, row_of: dict[str, int], where: str) -> Problem:
    """Point a business-plan problem (`leadership.lead_name`) at the sheet row holding that field."""
    path = problem.where
    candidates = [f for f in row_of if path == f or path.startswith(f + ".")]
    if candidates:
        field = max(candidates, key=len)
        located = f"{where}, row {row_of[field]}, field {path}"
    elif path:
        # a section with a missing required field: point at the first row of that section, if any
        section = [n for f, n in row_of.items() if f.startswith(path.rsplit(".", 1)[0] + ".")]
        located = f"{where}, row {min(section)}" if section and "." in path else where
        located += f", field {path}"
    else:
        located = where
    return Problem(problem.file, located, problem.message, problem.value)


def cell_text(value: object) -> str:
    """A cell's value as the text a CSV file would hold: ISO dates, numbers without float noise, true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return repr(value)  # "nan" / "inf": the models reject them with a located message
        text = format(Decimal(repr(value)), "f")  # repr is the shortest exact form: 12.5, not 12.4999…
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


__all__ = ["MAX_WORKBOOK_BYTES", "cell_text", "load_workbook"]
