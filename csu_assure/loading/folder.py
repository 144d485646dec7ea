"""Loading one checkpoint submission from its folder: `business_plan.yaml` plus one CSV file per table."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from csu_assure.loading.problems import Problem, SubmissionInvalid
from csu_assure.loading.tables import build_submission, parse_business_plan, parse_table
from csu_assure.submission import TABLES, InputFile, Submission

PLAN_FILE = "business_plan.yaml"
MAX_PLAN_BYTES = 256 * 1024
MAX_TABLE_BYTES = 5 * 1024 * 1024


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors/aliases: a submission never needs them, and they allow "billion laughs"."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in a submission", event.start_mark
            )
        return super().compose_node(parent, index)


def read_bytes(path: Path, root: Path, limit: int, label: str) -> tuple[bytes | None, Problem | None]:
    """Read a file that must lie inside `root` and be at most `limit` bytes."""
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError) as error:
        return None, Problem(label, "", f"cannot be read: {error.__class__.__name__}")
    if not resolved.is_relative_to(root.resolve()):
        return None, Problem(label, "", "points outside the submission folder (a link?); refusing to read it")
    if not resolved.is_file():
        return None, Problem(label, "", "is not a regular file")
    size = resolved.stat().st_size
    if size > limit:
        return None, Problem(label, "", f"is {size:,} bytes; the limit is {limit:,}")
    return resolved.read_bytes(), None


def decode_text(data: bytes, label: str) -> tuple[str | None, Problem | None]:
    if b"\x00" in data:
        return None, Problem(label, "", "is a binary file, not text (expected UTF-8 text)")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        return None, Problem(
            label,
            f"byte {error.start}",
            "is not UTF-8 text; save it as 'CSV UTF-8' (Excel) or UTF-8 and try again",
        )


def parse_yaml(text: str, label: str) -> tuple[object, Problem | None]:
    try:
        return yaml.load(text, Loader=_NoAliasLoader), None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return None, Problem(label, where, f"is not valid YAML: {error.problem or error.context}")
    except yaml.YAMLError as error:
        return None, Problem(label, "", f"is not valid YAML: {error}")


def read_csv_rows(text: str, label: str) -> tuple[list[str], list[dict[str, str]], Problem | None]:
    """Parse CSV text into a header and rows of strings (the csv module keeps every cell a string).

    Trailing blank lines are ignored; a blank line between data rows is an error, so that every line number
    reported afterwards is the line a person sees in their editor.
    """
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        records = [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        return [], [], Problem(label, "", f"is not valid CSV: {error}")
    while records and not any(cell.strip() for cell in records[-1][1]):
        records.pop()
    if not records:
        return [], [], Problem(label, "", "is empty: expected a header row and data rows")
    header = [h.strip() for h in records[0][1]]
    rows: list[dict[str, str]] = []
    for number, record in records[1:]:
        if not any(cell.strip() for cell in record):
            return header, [], Problem(label, f"line {number}", "is blank between data rows; delete it")
        if len(record) != len(header):
            return (
                header,
                [],
                Problem(label, f"line {number}", f"has {len(record)} cells but the header has {len(header)}"),
            )
        rows.append(dict(zip(header, record, strict=True)))
    return header, rows, None


def load_folder(folder: Path, display_root: Path | None = None) -> Submission:
    """Load a checkpoint folder; raise SubmissionInvalid with every located problem."""
    folder = Path(folder)
    base = display_root or (folder.parent.parent if folder.parent != folder else folder)

    def label(path: Path) -> str:
        try:
            return str(path.relative_to(base))
        except ValueError:
            return str(path)

    if not folder.is_dir():
        raise SubmissionInvalid(str(folder), [Problem(str(folder), "", "is not a folder")])
    problems: list[Problem] = []
    inputs: list[InputFile] = []
    plan = None
    plan_path = folder / PLAN_FILE
    if not plan_path.exists():
        problems.append(Problem(label(plan_path), "", "is missing: every submission needs a business plan"))
    else:
        data, problem = read_bytes(plan_path, folder, MAX_PLAN_BYTES, label(plan_path))
        text = None
        if data is not None:
            inputs.append(InputFile(path=label(plan_path), sha256=hashlib.sha256(data).hexdigest()))
            text, problem = decode_text(data, label(plan_path))
        if text is not None:
            raw, problem = parse_yaml(text, label(plan_path))
            if problem is None:
                plan, plan_problems = parse_business_plan(raw, label(plan_path))
                problems.extend(plan_problems)
        if problem:
            problems.append(problem)
    known = {f"{name}.csv" for name in TABLES} | {PLAN_FILE}
    for extra in sorted(folder.iterdir()):
        if extra.name not in known and not extra.name.startswith("."):
            problems.append(
                Problem(
                    label(extra),
                    "",
                    "unexpected file in a submission folder; expected "
                    f"{PLAN_FILE} and some of: {', '.join(f'{t}.csv' for t in TABLES)}",
                )
            )
    tables: dict[str, tuple[BaseModel, ...]] = {}
    locate: dict[str, tuple[str, int, str]] = {}
    for name in TABLES:
        path = folder / f"{name}.csv"
        if not path.exists() and not path.is_symlink():
            continue
        data, problem = read_bytes(path, folder, MAX_TABLE_BYTES, label(path))
        if data is not None:
            inputs.append(InputFile(path=label(path), sha256=hashlib.sha256(data).hexdigest()))
            text, problem = decode_text(data, label(path))
            if text is not None:
                header, rows, problem = read_csv_rows(text, label(path))
                if problem is None:
                    parsed, row_problems = parse_table(name, header, rows, label(path))
                    problems.extend(row_problems)
                    if parsed is not None:
                        tables[name] = parsed
                        locate[name] = (label(path), 2, "line")
        if problem:
            problems.append(problem)
    if plan is not None:
        problems.extend(_folder_naming_problems(folder, plan.csu_id, int(plan.checkpoint), label(plan_path)))
    return build_submission(label(folder), plan, tables, inputs, problems, locate)


def _folder_naming_problems(folder: Path, csu_id: str, checkpoint: int, plan_label: str) -> list[Problem]:
    """A folder named cpN under a folder named after the CSU must agree with what the plan says."""
    problems = []
    if folder.name.startswith("cp") and folder.name[2:].isdigit():
        if int(folder.name[2:]) != checkpoint:
            problems.append(
                Problem(
                    plan_label,
                    "checkpoint",
                    f"says checkpoint {checkpoint} but the folder is {folder.name}",
                    str(checkpoint),
                )
            )
        if folder.parent.name and folder.parent.name != csu_id:
            problems.append(
                Problem(
                    plan_label,
                    "csu_id",
                    f"does not match the CSU folder name {folder.parent.name!r}",
                    repr(csu_id),
                )
            )
    return problems
