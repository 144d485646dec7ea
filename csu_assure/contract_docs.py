"""The submission contract described field by field: the JSON Schema, the format reference and template help.

Everything here is derived from the pydantic models in `submission.py` (through their JSON Schema), so the
published schema, `docs/submission-format.md`, the workbook template's help and the workbook loader's notion
of list fields can never disagree with what the loaders accept.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from csu_assure.domain import Checkpoint
from csu_assure.submission import EXPECTED_TABLES, ONE_LINE_KEY, TABLES, BusinessPlan

PLAN_SHEET = "business_plan"
LIST_SEPARATOR = "; "  # how a list (e.g. pct_clusters) is written in one workbook cell
SCHEMA_ID = "https://csu-assure.invalid/submission.schema.json"
REGENERATE = "make docs"


@dataclass(frozen=True)
class FieldDoc:
    """One field of the business plan (dotted path) or one column of a table, as a person needs to know it."""

    path: str
    kind: str  # text, integer, decimal, date, boolean, choice, list
    required: bool
    description: str = ""
    choices: tuple[str, ...] = ()
    minimum: str | None = None
    maximum: str | None = None
    pattern: str | None = None
    max_length: int | None = None
    one_line: bool = False  # a name or label: a line break in it is refused
    item_kind: str | None = None  # for lists: the kind of each item
    section_required: bool = True  # False when the field sits in an optional section (e.g. outline.*)

    @property
    def is_list(self) -> bool:
        return self.kind == "list"

    @property
    def allowed(self) -> str:
        """Allowed values or range, in words."""
        if self.choices:
            return "one of: " + ", ".join(self.choices)
        parts = []
        if self.minimum is not None and self.maximum is not None:
            parts.append(f"{self.minimum} to {self.maximum}")
        elif self.minimum is not None:
            parts.append(f"at least {self.minimum}")
        elif self.maximum is not None:
            parts.append(f"at most {self.maximum}")
        if self.kind == "date":
            parts.append("YYYY-MM-DD, 2000-01-01 to 2035-12-31")
        if self.kind == "boolean":
            parts.append("true or false")
        if self.pattern:
            parts.append(f"matching {self.pattern}")
        elif self.max_length:
            parts.append(f"up to {self.max_length} characters" + (", one line" if self.one_line else ""))
        if self.is_list:
            parts.append(f"a list; in a workbook cell separate items with '{LIST_SEPARATOR.strip()} '")
        return "; ".join(parts)

    @property
    def requirement(self) -> str:
        if not self.required:
            return "no"
        return "yes" if self.section_required else "yes, if the section is given"


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) and abs(value) >= 10_000 else str(value)


def _branches(prop: dict[str, Any], defs: dict[str, Any]) -> list[dict[str, Any]]:
    """The non-null alternatives of a property, with nested anyOf flattened and $refs resolved."""
    if "$ref" in prop:
        return _branches(defs[prop["$ref"].split("/")[-1]], defs)
    if "anyOf" not in prop:
        return [prop] if prop.get("type") != "null" else []
    found = []
    for branch in prop["anyOf"]:
        inner = _branches(branch, defs)
        if inner and branch.get("description") and not inner[0].get("description"):
            inner[0] = {**inner[0], "description": branch["description"]}
        found.extend(inner)
    return found


def _describe(
    path: str, prop: dict[str, Any], defs: dict[str, Any], required: bool, section_required: bool
) -> list[FieldDoc]:
    resolved = _branches(prop, defs)
    main = resolved[0]
    description = prop.get("description") or next(
        (b["description"] for b in resolved if b.get("description")), ""
    )
    if main.get("type") == "object" and "properties" in main:
        needed = set(main.get("required", ()))
        docs: list[FieldDoc] = []
        for name, sub in main["properties"].items():
            docs.extend(_describe(f"{path}.{name}", sub, defs, name in needed, section_required and required))
        return docs
    types = {b.get("type") for b in resolved}
    item_kind = None
    if "enum" in main:
        kind = "choice"
    elif "number" in types:
        kind = "decimal"
    elif main.get("type") == "array":
        kind = "list"
        item_kind = "text"
    elif main.get("format") == "date":
        kind = "date"
    else:
        kind = {"integer": "integer", "boolean": "boolean"}.get(str(main.get("type")), "text")
    limits = main.get("items", main)
    return [
        FieldDoc(
            path=path,
            kind=kind,
            required=required,
            description=description or limits.get("description", ""),
            choices=tuple(str(v) for v in main.get("enum", ())),
            minimum=_number(main["minimum"]) if "minimum" in main else None,
            maximum=_number(main["maximum"]) if "maximum" in main else None,
            pattern=limits.get("pattern"),
            max_length=limits.get("maxLength"),
            one_line=bool(limits.get(ONE_LINE_KEY)),
            item_kind=item_kind,
            section_required=section_required,
        )
    ]


def _fields_of(model: type[BaseModel]) -> tuple[FieldDoc, ...]:
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    needed = set(schema.get("required", ()))
    docs: list[FieldDoc] = []
    for name, prop in schema["properties"].items():
        docs.extend(_describe(name, prop, defs, name in needed, True))
    return tuple(docs)


@functools.cache
def plan_fields() -> tuple[FieldDoc, ...]:
    """Every leaf field of the business plan, nested sections flattened to dotted paths (`leadership.lead_name`)."""
    return _fields_of(BusinessPlan)


@functools.cache
def table_columns(table: str) -> tuple[FieldDoc, ...]:
    """Every column of one table, in the order the row model declares them."""
    return _fields_of(TABLES[table])


def expected_at(table: str) -> tuple[int, ...]:
    """The checkpoints at which the BDU expects this table."""
    return tuple(int(cp) for cp in Checkpoint if table in EXPECTED_TABLES[cp])


# ----------------------------------------------------------------------------------------------- JSON Schema


def submission_schema() -> dict[str, Any]:
    """The JSON Schema of one checkpoint submission: the business plan plus an array of rows per table."""
    models: list[type[BaseModel]] = [BusinessPlan, *TABLES.values()]
    refs, top = models_json_schema(
        [(m, "validation") for m in models], ref_template="#/$defs/{model}", title="CSU checkpoint submission"
    )
    ref = {m: refs[(m, "validation")]["$ref"] for m in models}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "CSU checkpoint submission",
        "description": (
            "One emerging commissioning support unit's submission at one BDU checkpoint: business_plan.yaml "
            "plus one CSV file per table (or one workbook with a sheet per table). Only ccgs is required; the "
            "tables expected at each checkpoint are listed in each table's description."
        ),
        "type": "object",
        "additionalProperties": False,
        "required": ["business_plan", "tables"],
        "properties": {
            "business_plan": {"$ref": ref[BusinessPlan]},
            "tables": {
                "type": "object",
                "additionalProperties": False,
                "required": ["ccgs"],
                "properties": {
                    name: {
                        "description": f"{name}.csv (sheet {name}); expected at checkpoint(s) "
                        + (", ".join(str(cp) for cp in expected_at(name)) or "none (optional evidence)"),
                        "type": "array",
                        "items": {"$ref": ref[model]},
                        **({"minItems": 1} if name == "ccgs" else {}),
                    }
                    for name, model in TABLES.items()
                },
            },
        },
        "$defs": top["$defs"],
    }


def render_schema() -> str:
    return json.dumps(submission_schema(), indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------------------------------ format reference

_CROSS_TABLE_RULES = (
    "`ccgs.ccg_id` is unique.",
    "`slas.ccg_id`, `ccg_interviews.ccg_id` and `ccg_survey.ccg_id` name a CCG listed in `ccgs`, at most once each.",
    "`financial_plan.customer` names a CCG listed in `ccgs`, or is `OTHER` for non-CCG income; "
    "year + service_line + customer is unique.",
    "`development_plan.milestone_id` is unique.",
    "`business_plan.ccg_leads_meeting.withdrawing_ccgs` name CCGs listed in `ccgs`.",
    "In `ccg_interviews`, when all four `pct_*` shares are given they add up to 100 (±1).",
    "A folder named `cpN` must hold a plan with `checkpoint: N`, and its parent folder is named after `csu_id`.",
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(docs: tuple[FieldDoc, ...], heading: str) -> list[str]:
    lines = [
        f"| {heading} | type | required | allowed values / range | description |",
        "|---|---|---|---|---|",
    ]
    for doc in docs:
        lines.append(
            f"| `{doc.path}` | {doc.kind} | {doc.requirement} | {_cell(doc.allowed)} | {_cell(doc.description)} |"
        )
    return lines


def submission_format_markdown() -> str:
    """`docs/submission-format.md`: a readable table per file of a submission."""
    lines = [
        "# Submission format",
        "",
        f"<!-- Generated from csu_assure/submission.py; do not edit. Regenerate with: {REGENERATE} -->",
        "",
        "A checkpoint submission is a folder `<csu_id>/cpN/` holding `business_plan.yaml` and one CSV file per "
        "table (UTF-8, header row first), or one Excel workbook `<csu_id>/cpN.xlsx` with a `business_plan` "
        "sheet (`field | value | help` rows, dotted field paths) and one sheet per table. "
        "`csu-assure template cpN.xlsx --checkpoint N` writes a documented blank workbook. "
        'Blank cells mean "not stated". Unknown fields, columns, files and sheets are errors, so a typo '
        "is reported instead of ignored. Money is in pounds with at most 2 decimals, without a £ sign.",
        "",
        "The machine-readable form of this contract is [`submission.schema.json`](submission.schema.json).",
        "",
        "## business_plan.yaml (sheet business_plan)",
        "",
        "Nested fields are written as YAML sections (`leadership:` then `  lead_name: …`); in the workbook "
        "each is one row with its dotted path.",
        "",
        *_table(plan_fields(), "field"),
    ]
    for name in TABLES:
        expected = expected_at(name)
        when = (
            "expected at checkpoint " + ", ".join(str(cp) for cp in expected)
            if expected
            else "optional at every checkpoint"
        )
        lines += [
            "",
            f"## {name}.csv (sheet {name})",
            "",
            f"{'Required' if name == 'ccgs' else 'Optional to the loader'}; {when}. "
            "A check that needs a table that is missing reports insufficient evidence.",
            "",
            *_table(table_columns(name), "column"),
        ]
    lines += ["", "## Rules across tables", "", *(f"- {rule}" for rule in _CROSS_TABLE_RULES), ""]
    return "\n".join(lines)


__all__ = [
    "LIST_SEPARATOR",
    "PLAN_SHEET",
    "REGENERATE",
    "FieldDoc",
    "expected_at",
    "plan_fields",
    "render_schema",
    "submission_format_markdown",
    "submission_schema",
    "table_columns",
]
