"""The rule reference: each check's documentation, severity and thresholds, as markdown and as plain data.

Built from the catalogue (names, docstring sections, `Params` descriptions, actions) and a rule set (severity
and values), so `docs/rules.md`, `csu-assure rules` and `csu-assure rules explain` can never disagree with
what the engine runs. A meta-test regenerates `docs/rules.md` and fails when the committed page is stale.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from csu_assure.catalogue import Catalogue
from csu_assure.checking import DOC_SECTIONS, Check
from csu_assure.domain import Checkpoint
from csu_assure.ruleset import PlaceholderRules, PlausibleRange, RuleSet

REGENERATE = "make docs"


@dataclass(frozen=True)
class ParamDoc:
    """One threshold of one check: its name, what it means and its value in the rule set."""

    name: str
    description: str
    value: Any  # JSON-ready: numbers, strings (Decimals), lists

    @property
    def shown(self) -> str:
        return show_value(self.value)


def show_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(show_value(v) for v in value)
    return str(value)


def param_docs(item: Check[Any], ruleset: RuleSet) -> tuple[ParamDoc, ...]:
    values = ruleset.params[item.id].model_dump(mode="json")
    return tuple(
        ParamDoc(name=name, description=field.description or "", value=values.get(name))
        for name, field in item.params.model_fields.items()
    )


def rule_view(item: Check[Any], ruleset: RuleSet) -> dict[str, Any]:
    """One check as plain data (the `--format json` view)."""
    return {
        "id": item.id,
        "name": item.name,
        "checkpoint": int(item.checkpoint),
        "domain": item.domain.value,
        "group": item.group.value,
        "severity": ruleset.severity[item.id].value,
        "summary": " ".join(item.summary.split()),
        "parameters": {p.name: p.value for p in param_docs(item, ruleset)},
    }


def catalogue_view(
    catalogue: Catalogue, ruleset: RuleSet, checkpoint: Checkpoint | None = None
) -> list[dict[str, Any]]:
    return [rule_view(item, ruleset) for item in select(catalogue, checkpoint)]


def select(catalogue: Catalogue, checkpoint: Checkpoint | None = None) -> list[Check[Any]]:
    """Checks in reference order: by checkpoint, then id."""
    chosen = catalogue if checkpoint is None else catalogue.for_checkpoint(checkpoint)
    return sorted(chosen, key=lambda c: (int(c.checkpoint), c.id))


def find_check(catalogue: Catalogue, query: str) -> Check[Any] | None:
    """A check by id, forgiving case and underscores (`cp1_off_01` finds CP1-OFF-01)."""
    wanted = query.strip().upper().replace("_", "-")
    return catalogue.checks.get(wanted)


def close_matches(catalogue: Catalogue, query: str, limit: int = 5) -> list[str]:
    """Ids that look like `query`, or whose name contains it (`explain engagement`)."""
    wanted = query.strip().upper().replace("_", "-")
    ids = sorted(catalogue.checks)
    found = difflib.get_close_matches(wanted, ids, n=limit, cutoff=0.6)
    words = query.strip().casefold()
    if len(words) >= 3:
        found += [i for i in ids if words in catalogue[i].name.casefold() and i not in found]
    return found[:limit]


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def module_path(item: Check[Any]) -> str:
    return item.module.replace(".", "/") + ".py"


def render_check(item: Check[Any], ruleset: RuleSet, level: int = 3, anchor: bool = True) -> str:
    """One check's section of the reference, as markdown."""
    h = "#" * level
    lines = [f'<a id="{item.id.lower()}"></a>', ""] if anchor else []
    enabled = ruleset.enabled.get(item.id, True)
    lines += [
        f"{h} {item.id} — {item.name}",
        "",
        "| | |",
        "|---|---|",
        f"| Checkpoint | {item.checkpoint.title} |",
        f"| Decision domain | {item.domain.label(item.checkpoint)} |",
        f"| Group | {item.group.value} |",
        f"| Severity | {ruleset.severity[item.id].value}{'' if enabled else ' (disabled in this rule set)'} |",
        f"| Module | `{module_path(item)}` |",
        "",
    ]
    extra = [name for name in item.doc if name not in DOC_SECTIONS]
    for name in (*DOC_SECTIONS, *extra):
        lines += [f"{h}# {name}", "", item.doc.get(name, "").strip() or "_Not documented._", ""]
    lines += [f"{h}# Parameters", ""]
    params = param_docs(item, ruleset)
    if params:
        lines += ["| parameter | value | meaning |", "|---|---|---|"]
        lines += [f"| `{p.name}` | {_cell(p.shown)} | {_cell(p.description)} |" for p in params]
    else:
        lines.append("None: the check has no threshold.")
    lines += [
        "",
        f"{h}# When it fails",
        "",
        f"- **Development-plan action:** {item.action}",
        f"- **Evidence required:** {item.evidence_required}",
        "",
    ]
    return "\n".join(lines)


def render_rule_reference(catalogue: Catalogue, ruleset: RuleSet) -> str:
    """The whole rule reference page (`docs/rules.md`)."""
    lines = [
        "# Rule reference",
        "",
        f"<!-- Generated by `{REGENERATE}` from the check catalogue and the rule set. Do not edit by hand: "
        "a test fails when this page is stale. -->",
        "",
        f"Rule set **{ruleset.name}**, version {ruleset.version}. {len(catalogue)} checks. Severities and "
        "thresholds below are the rule set's; an assessor may pass an edited copy with `--rules`. Sources are "
        "marked [S] sourced, [D] derived from sourced figures, [A] our assumption.",
        "",
        "Each check gives PASS, FAIL, NOT_EVIDENCED (the data it needs is missing: scored as a failure of the "
        "check's severity) or NOT_APPLICABLE, and counts towards one decision domain of its checkpoint. A critical "
        "failure makes its domain fail; a high one makes it marginal, as do "
        f"{ruleset.decision.medium_issues_for_marginal} medium ones together; medium and low failures are "
        "development-plan items. Some checks grade a failure past a second threshold, as their parameters say, "
        "and an agreed remedy in the submission lowers a failure one step. The decision model itself is "
        "[docs/decision-model.md](decision-model.md).",
        "",
        "A decision is *borderline* when moving one threshold by at most "
        f"{ruleset.robustness.borderline_tolerance:.0%} of itself (`robustness.borderline_tolerance`) would change "
        "the outcome; `csu-assure whatif` and `csu-assure sweep` show what other thresholds would decide.",
        "",
    ]
    for checkpoint in Checkpoint:
        chosen = select(catalogue, checkpoint)
        lines += [f"## {checkpoint.title}", ""]
        if not chosen:
            lines += ["No checks yet.", ""]
            continue
        lines += ["| id | decision domain | severity | problem it finds |", "|---|---|---|---|"]
        lines += [
            f"| [{c.id}](#{c.id.lower()}) | {c.domain.label(checkpoint)} | {ruleset.severity[c.id].value} "
            f"| {_cell(c.name)} |"
            for c in chosen
        ]
        lines.append("")
        for item in chosen:
            lines.append(render_check(item, ruleset))
    lines += render_plausibility(ruleset)
    return "\n".join(lines).rstrip() + "\n"


def render_plausibility(ruleset: RuleSet) -> list[str]:
    """The rule set's plausible ranges and placeholder patterns, as a section of the reference."""
    lines = [
        "## Plausible ranges",
        "",
        "A submitted figure outside these ranges, or a money value that looks like a placeholder, is not evidence: "
        "it is a data-quality issue the assessor must resolve with the CSU. Before the checks run, an implausible "
        "optional business-plan figure is treated as not given and an optional table with an implausible row as "
        "not submitted, so the checks that need them report insufficient evidence; the required CCG table is "
        "judged as given and its issues reported. `csu-assure validate` lists them as warnings. The reasons for "
        "each bound are in the rule-set file's comments.",
        "",
        "| file | figure | plausible range | meaning |",
        "|---|---|---|---|",
    ]
    placeholders: PlaceholderRules | None = None
    # By declared field (iterating a model would also yield the values its cached properties keep).
    for section in type(ruleset.plausibility).model_fields:
        limits = getattr(ruleset.plausibility, section)
        if isinstance(limits, PlaceholderRules):
            placeholders = limits
            continue
        file = "business_plan.yaml" if section == "business_plan" else f"{section}.csv"
        for name, info in type(limits).model_fields.items():
            bounds = getattr(limits, name)
            if isinstance(bounds, PlausibleRange):
                meaning = _cell(info.description or "")
                lines.append(f"| `{file}` | `{name}` | {bounds.min:,} to {bounds.max:,} | {meaning} |")
    if placeholders is not None:
        fills = ", ".join(f"{v:,}" for v in placeholders.values) or "none"
        lines += [
            "",
            f"Placeholders (financial_plan income and costs, SLA annual values): money made only of 9s from "
            f"{placeholders.nines_from_digits} digits before the decimal point (with .00 or .99 pence), and the fill "
            f"values {fills}.",
        ]
    return [*lines, ""]
