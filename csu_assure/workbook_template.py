"""Writing submission workbooks: a blank, documented template for CSUs, or one filled from a RawSubmission.

The layout is the one `loading/workbook.py` reads: a README sheet, a `business_plan` sheet of
`field | value | help` rows and one sheet per table (header in row 1). Help text, comments and drop-down lists
come from `contract_docs`, so the template documents exactly what the loader accepts.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

from csu_assure.contract_docs import (
    LIST_SEPARATOR,
    PLAN_SHEET,
    FieldDoc,
    expected_at,
    plan_fields,
    table_columns,
)
from csu_assure.domain import Checkpoint
from csu_assure.loading.tables import MAX_ROWS
from csu_assure.loading.workbook import PLAN_HEADER, README_SHEET
from csu_assure.render.atomic import write_atomically
from csu_assure.submission import EXPECTED_TABLES, TABLES
from csu_assure.synthetic import RawSubmission

# A fixed timestamp in the file's metadata and zip entries: the same content always gives the same bytes,
# so committed example workbooks do not change when they are regenerated.
_STAMP = dt.datetime(2012, 1, 1)
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="005EB8")  # NHS blue
_DATE_FORMAT = "yyyy-mm-dd"


def write_template(path: Path, checkpoint: int | None = None, example: RawSubmission | None = None) -> Path:
    """Write a documented workbook: blank, or filled from `example`; one sheet per table expected at
    `checkpoint` (every table when no checkpoint is given) plus any table the example holds."""
    if example is not None and checkpoint is None:
        checkpoint = example.checkpoint
    cp = Checkpoint(checkpoint) if checkpoint is not None else None
    wanted = set(EXPECTED_TABLES[cp]) if cp is not None else set(TABLES)
    wanted |= set(example.tables) if example is not None else set()
    book = Workbook()
    readme = book.active
    readme.title = README_SHEET
    _write_readme(readme, cp)
    plan = dict(example.plan) if example is not None else ({"checkpoint": int(cp)} if cp is not None else {})
    _write_plan_sheet(book.create_sheet(PLAN_SHEET), plan)
    for name in TABLES:
        if name in wanted:
            rows = example.tables.get(name, []) if example is not None else []
            _write_table_sheet(book.create_sheet(name), name, rows)
    _save_atomically(book, Path(path))
    return Path(path)


def write_workbook(raw: RawSubmission, path: Path) -> Path:
    """Write a filled workbook holding exactly `raw`: the workbook twin of `synthetic.write_folder`."""
    return write_template(path, raw.checkpoint, example=raw)


# ---------------------------------------------------------------------------------------------------- sheets


def _write_readme(sheet: Any, cp: Checkpoint | None) -> None:
    lines = [
        "CSU checkpoint submission workbook",
        "",
        f"For: {cp.title}" if cp is not None else "For: any checkpoint (every table is included).",
        "",
        "How to fill it in",
        f"1. Sheet '{PLAN_SHEET}': one row per field. Type the answer in the 'value' column; the 'help' column "
        "says what is expected. Leave a value blank when it is not stated. Do not rename or move the fields.",
        f"2. Lists (e.g. pct_clusters) go in one cell, items separated by '{LIST_SEPARATOR.strip()}', "
        "e.g. 'North cluster; South cluster'.",
        "3. One sheet per table: keep the header row (row 1) as it is and add one row per record from row 2. "
        "Point at a header cell to see what the column means and which values it allows; drop-down lists "
        "offer the allowed values. Do not leave blank rows between records.",
        "4. Money is in pounds with at most 2 decimals, typed as a number (no £ sign, no text). "
        "Dates are dates (YYYY-MM-DD), between 2000 and 2035. Yes/no columns take true or false.",
        "5. A table sheet left with only its header counts as not submitted; the checks that need it will "
        "report insufficient evidence. Only the ccgs sheet is required.",
        "6. Do not add other sheets. Save as .xlsx and name the file cpN.xlsx inside a folder named after "
        "your csu_id, e.g. north-central/cp2.xlsx.",
        "",
        "Check the workbook before sending it: csu-assure validate north-central/cp2.xlsx",
        "The full format reference is docs/submission-format.md.",
        "",
        "Tables and the checkpoints that expect them:",
    ]
    lines += [
        f"  {name}: checkpoint {', '.join(str(c) for c in expected_at(name)) or '— (optional)'}"
        for name in TABLES
    ]
    for number, line in enumerate(lines, start=1):
        sheet.cell(row=number, column=1, value=line)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A5"].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 120
    for row in sheet.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


def _write_header(sheet: Any, names: Iterable[str]) -> None:
    for column, name in enumerate(names, start=1):
        cell = sheet.cell(row=1, column=column, value=name)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    sheet.freeze_panes = "A2"


def _help(doc: FieldDoc) -> str:
    parts = [doc.description.rstrip(".") + "." if doc.description else ""]
    parts.append(f"Type: {doc.kind}.")
    if doc.allowed:
        parts.append(f"Allowed: {doc.allowed}.")
    parts.append(f"Required: {doc.requirement}.")
    return " ".join(p for p in parts if p)


def _choices(doc: FieldDoc) -> tuple[str, ...]:
    return doc.choices or (("true", "false") if doc.kind == "boolean" else ())


def _dropdown(doc: FieldDoc, cells: str) -> DataValidation | None:
    """A drop-down list of the allowed values; Excel limits an inline list to 255 characters."""
    options = ",".join(_choices(doc))
    if not options or len(options) > 255:
        return None
    validation = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
    validation.error = f"Allowed values: {', '.join(_choices(doc))}"
    validation.errorTitle = doc.path
    validation.add(cells)
    return validation


def _write_plan_sheet(sheet: Any, plan: dict[str, Any]) -> None:
    _write_header(sheet, PLAN_HEADER)
    for row, doc in enumerate(plan_fields(), start=2):
        sheet.cell(row=row, column=1, value=doc.path).font = Font(bold=doc.required and doc.section_required)
        value = _lookup(plan, doc.path)
        _set_value(sheet.cell(row=row, column=2), doc, value)
        sheet.cell(row=row, column=3, value=_help(doc)).alignment = Alignment(wrap_text=True, vertical="top")
        validation = _dropdown(doc, f"B{row}")
        if validation is not None:
            sheet.add_data_validation(validation)
    known = {doc.path for doc in plan_fields()}
    extra = [(p, v) for p, v in _flatten(plan) if p not in known]
    for row, (path, value) in enumerate(extra, start=len(known) + 2):  # only malformed examples get here
        sheet.cell(row=row, column=1, value=path)
        _set_value(sheet.cell(row=row, column=2), None, value)
    sheet.column_dimensions["A"].width = 38
    sheet.column_dimensions["B"].width = 36
    sheet.column_dimensions["C"].width = 90


def _write_table_sheet(sheet: Any, name: str, rows: list[dict[str, Any]]) -> None:
    docs = {doc.path: doc for doc in table_columns(name)}
    columns = list(dict.fromkeys(k for r in rows for k in r)) or list(docs)
    _write_header(sheet, columns)
    for column, key in enumerate(columns, start=1):
        letter = get_column_letter(column)
        doc = docs.get(key)
        if doc is None:  # only a deliberately malformed example has an unknown column
            continue
        comment = Comment(_help(doc), "csu-assure")
        comment.width, comment.height = 320, 160
        sheet.cell(row=1, column=column).comment = comment
        validation = _dropdown(doc, f"{letter}2:{letter}{MAX_ROWS + 1}")
        if validation is not None:
            sheet.add_data_validation(validation)
        width = max(len(key), max((len(str(r.get(key) or "")) for r in rows), default=0), 10)
        sheet.column_dimensions[letter].width = min(width + 2, 50)
    for row_number, record in enumerate(rows, start=2):
        for column, key in enumerate(columns, start=1):
            _set_value(sheet.cell(row=row_number, column=column), docs.get(key), record.get(key))


def _flatten(data: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            found.extend(_flatten(value, f"{prefix}{key}."))
        else:
            found.append((f"{prefix}{key}", value))
    return found


def _lookup(plan: dict[str, Any], path: str) -> Any:
    value: Any = plan
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _set_value(cell: Any, doc: FieldDoc | None, value: Any) -> None:
    """Store a raw value as the type a person would type into Excel (numbers, dates, true/false)."""
    typed = _typed(doc, value)
    cell.value = typed
    if isinstance(typed, dt.date):
        cell.number_format = _DATE_FORMAT


def _typed(doc: FieldDoc | None, value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if doc is None:
        return str(value)
    if doc.is_list and isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(v) for v in value) or None
    text = str(value).strip()
    try:
        if doc.kind == "boolean" and text.lower() in ("true", "false"):
            return text.lower() == "true"
        if doc.kind == "integer" or (doc.kind == "choice" and text.isdigit()):
            return int(text)
        if doc.kind == "decimal":
            number = Decimal(text)
            return number if number.is_finite() else text
        if doc.kind == "date":
            return dt.date.fromisoformat(text)
    except (ValueError, InvalidOperation):
        pass  # not what the column expects: keep the text, so the loader reports it where it is
    return value if isinstance(value, bool | int) else text


# ------------------------------------------------------------------------------------------------------ saving


def _save_atomically(book: Workbook, path: Path) -> None:
    """Written in one step (`render.atomic`), so a reader never sees half a workbook; the bytes are reproducible."""
    book.properties.creator = "csu-assure"
    book.properties.created = _STAMP
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()

    def write(out: BinaryIO) -> None:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as packed, zipfile.ZipFile(buffer) as source:
            for member in source.infolist():
                info = zipfile.ZipInfo(member.filename, date_time=_STAMP.timetuple()[:6])
                info.compress_type = zipfile.ZIP_DEFLATED
                packed.writestr(info, _fixed_modified(member.filename, source.read(member)))

    write_atomically(path, write)


def _fixed_modified(name: str, data: bytes) -> bytes:
    """openpyxl stamps the save time into docProps/core.xml; pin it so the bytes are reproducible."""
    if name != "docProps/core.xml":
        return data
    return re.sub(
        rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
        rb"\g<1>" + _STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
        data,
    )


__all__ = ["write_template", "write_workbook"]
