"""Loading one checkpoint submission from its folder: `business_plan.yaml` plus one CSV file per table."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from csu_assure.loading.files import input_file, read_bytes
from csu_assure.loading.layout import is_hidden
from csu_assure.loading.problems import Problem, SubmissionInvalid, show_value
from csu_assure.loading.tables import build_submission, parse_business_plan, parse_table
from csu_assure.submission import TABLES, InputFile, Submission

PLAN_FILE = "business_plan.yaml"
MAX_PLAN_BYTES = 256 * 1024
MAX_TABLE_BYTES = 5 * 1024 * 1024


MAX_YAML_DEPTH = 20  # the plan nests 3 levels; a deeper file is a mistake or an attack (recursion)
# YAML types a plan never needs: a set is unordered (a re-run could order its items differently), and
# omap/pairs/binary have no place in a business plan. Refused by name, so the message says what to change.
_REFUSED_TAGS = ("set", "omap", "pairs", "binary")


class _SubmissionLoader(yaml.SafeLoader):
    """Safe YAML restricted to what a plan needs, so that a hostile or mistyped file gives a located error.

    No anchors/aliases or merge keys ("billion laughs", and `<<` silently drops keys), no duplicate keys
    (YAML keeps the last one: the first value would be lost without a word), bounded nesting (PyYAML
    composes recursively), and a value the constructors cannot build (a date like 2012-02-30, an integer of
    thousands of digits) becomes a located error instead of a bare ValueError.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in a submission", event.start_mark
            )
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_YAML_DEPTH} levels deep", event.start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as error:  # int("9" * 5000), datetime.date(2012, 2, 30), ...
            kind = {"timestamp": "date", "int": "whole number", "float": "number"}.get(
                str(node.tag).rsplit(":", 1)[-1], "value"
            )
            raise yaml.constructor.ConstructorError(
                None, None, f"{_short(node)} is not a valid {kind} ({error})", node.start_mark
            ) from None

    def flatten_mapping(self, node: Any) -> None:
        for key, _ in node.value:
            if key.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "YAML merge keys (<<) are not allowed in a submission", key.start_mark
                )
        seen: dict[tuple[str, str], int] = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue  # a mapping or list as a key: the constructor refuses it, located
            if (key.tag, key.value) in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key {key.value!r} appears twice (first on line {seen[key.tag, key.value] + 1}); "
                    "YAML would silently keep only the last",
                    key.start_mark,
                )
            seen[key.tag, key.value] = key.start_mark.line
        super().flatten_mapping(node)


def _short(node: Any) -> str:
    value = getattr(node, "value", "")
    return show_value(value, 40) if isinstance(value, str) else f"({node.id})"


def _refuse_tag(loader: _SubmissionLoader, node: Any) -> Any:
    raise yaml.constructor.ConstructorError(
        None, None, f"the YAML type {node.tag.rsplit(':', 1)[-1]!r} is not allowed here", node.start_mark
    )


for _tag in _REFUSED_TAGS:
    _SubmissionLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse_tag)


_UTF16_32_MARKS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def decode_text(data: bytes, label: str) -> tuple[str | None, Problem | None]:
    how = "save it as 'CSV UTF-8' (Excel) or UTF-8" if label.endswith(".csv") else "save it as UTF-8"
    if data.startswith(_UTF16_32_MARKS):
        return None, Problem(
            label, "", f"is UTF-16/UTF-32 text (Excel's 'Unicode text'); {how} and try again"
        )
    if b"\x00" in data:
        return None, Problem(label, "", "is a binary file, not text (expected UTF-8 text)")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        return None, Problem(label, f"byte {error.start}", f"is not UTF-8 text; {how} and try again")


def parse_yaml(text: str, label: str) -> tuple[object, Problem | None]:
    try:
        return yaml.load(text, Loader=_SubmissionLoader), None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        # A constructor's complaint is about a value (a date that does not exist), not the YAML syntax.
        prefix = "" if isinstance(error, yaml.constructor.ConstructorError) else "is not valid YAML: "
        return None, Problem(label, where, f"{prefix}{error.problem or error.context}")
    except yaml.YAMLError as error:
        return None, Problem(label, "", f"is not valid YAML: {error}")
    except (ValueError, RecursionError) as error:  # not expected past the loader's guards; never a traceback
        return None, Problem(label, "", f"is not valid YAML: {error.__class__.__name__}: {error}")


def read_csv_rows(text: str, label: str) -> tuple[list[str], list[dict[str, str]], Problem | None]:
    """Parse CSV text into a header and rows of strings (the csv module keeps every cell a string).

    Trailing blank lines are ignored; a blank line between data rows is an error, so that every line number
    reported afterwards is the line a person sees in their editor. A value under an empty header cell is an
    error too: dropping it would lose data without a word.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    try:
        start = 1
        for row in reader:
            records.append((start, row))
            start = reader.line_num + 1
    except csv.Error as error:
        return [], [], Problem(label, f"line {start}", f"is not valid CSV: {error}")
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
        unnamed = [i for i, h in enumerate(header) if not h and record[i].strip()]
        if unnamed:
            return (
                header,
                [],
                Problem(
                    label,
                    f"line {number}",
                    f"has a value in cell {unnamed[0] + 1}, whose header is empty; name the column or "
                    "delete the value",
                    show_value(record[unnamed[0]]),
                ),
            )
        rows.append({h: cell for h, cell in zip(header, record, strict=True) if h})
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
    if folder.is_symlink() and not folder.resolve().is_relative_to(folder.parent.resolve()):
        raise SubmissionInvalid(
            label(folder),
            [
                Problem(
                    label(folder),
                    "",
                    "is a link to a folder outside the CSU folder; refusing to read it (copy the files in)",
                )
            ],
        )
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
            inputs.append(input_file(label(plan_path), data))
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
        if extra.name not in known and not is_hidden(extra.name):
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
            inputs.append(input_file(label(path), data))
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
