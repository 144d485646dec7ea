"""What the engine decides and computes for the example cohort, pinned CSU by CSU, checkpoint by checkpoint.

Every CSU of `submissions/example-cohort` is carried through its checkpoints as the golden test does
(`tests.test_example_cohort.progress`: prior plans carried, a missed deadline recorded), and each record is
compared with `tests/expectations/example-cohort/<csu>.yaml`, which states what matters in it:

- the decision: outcome, escalation, and the RAG of every domain;
- every check's severity, computed and final status, `actual` and `expected`, and how many evidence rows it
  gives (a failure with a table of offending rows must keep its rows);
- the development plan's item ids;
- the key figures the reports chart (population, price per head, capture, surplus, each year's income and
  costs, CCG scores, the rule set's thresholds…), Decimals compared as their text, so exponents count too.

Findings, check names, sources and the text of evidence rows are for people and are not pinned: rewording
them never requires regenerating the expectations. A failure names the CSU and checkpoint (the test id) and
each check or figure that changed (the message).

When results change on purpose, regenerate the expectations and review their diff:
`.venv/bin/python -m tests.test_example_cohort_records --update`.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from csu_assure.results import Assessment
from tests.test_example_cohort import progress

ROOT = Path(__file__).resolve().parent.parent
COHORT = ROOT / "submissions" / "example-cohort"
EXPECTATIONS = Path(__file__).resolve().parent / "expectations" / "example-cohort"
CSUS = sorted(p.name for p in COHORT.iterdir() if p.is_dir())

HEADER = """\
# What the engine concludes for the example CSU {csu}, per checkpoint reached (see
# tests/test_example_cohort_records.py). Written by `.venv/bin/python -m tests.test_example_cohort_records
# --update`; a change here is a change of results, to be reviewed. Rewording a finding never changes this file.
"""


def summary(record: Assessment) -> dict[str, Any]:
    """The parts of `record` that the expectations pin, as plain YAML-able values."""
    data = record.model_dump(mode="json")
    figures = data["figures"]
    if figures is not None:
        for score in figures["scores"]:
            del score["label"]  # the question's wording, for people
    return {
        "outcome": data["outcome"],
        "escalation": data["escalation"],
        "domains": data["domains"],
        "checks": {
            r["check_id"]: {
                "severity": r["severity"],
                "computed_status": r["computed_status"],
                "status": r["status"],
                "actual": r["actual"],
                "expected": r["expected"],
                "evidence_rows": len(r["evidence"]),
            }
            for r in data["results"]
        },
        "development_plan": [item["item_id"] for item in data["development_plan"]],
        "figures": figures,
    }


def cohort_summaries() -> dict[str, dict[int, dict[str, Any]]]:
    return {
        csu: {int(r.checkpoint): summary(r) for r in progress(COHORT / csu, assessor="expectations")}
        for csu in CSUS
    }


@cache
def expected(csu: str) -> dict[int, dict[str, Any]]:
    data: dict[int, dict[str, Any]] = yaml.safe_load((EXPECTATIONS / f"{csu}.yaml").read_text("utf-8"))
    return data


def render(csu: str, summaries: dict[int, dict[str, Any]]) -> str:
    # Flow style for leaf mappings and lists: one line per check, per domain set, per plan year.
    body = yaml.safe_dump(
        summaries, sort_keys=False, allow_unicode=True, default_flow_style=None, width=1_000_000
    )
    return HEADER.format(csu=csu) + body


def differences(want: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """One line per value that differs, naming it: `CP2-CUS-03 status: …`, `capture: …`."""
    lines = []
    for key in [*want, *(k for k in got if k not in want)]:
        mine, theirs = want.get(key, "<absent>"), got.get(key, "<absent>")
        if isinstance(mine, dict) and isinstance(theirs, dict):
            lines += [f"{key} {line}" for line in differences(mine, theirs)]
        elif mine != theirs:
            lines.append(f"{key}: expected {mine!r}, got {theirs!r}")
    return lines


@pytest.fixture(scope="module")
def current() -> dict[str, dict[int, dict[str, Any]]]:
    return cohort_summaries()


def reached() -> list[tuple[str, int]]:
    """(csu, checkpoint) for every record the expectations hold."""
    return [(csu, cp) for csu in CSUS if (EXPECTATIONS / f"{csu}.yaml").exists() for cp in expected(csu)]


POINTS = pytest.mark.parametrize(("csu", "checkpoint"), reached(), ids=[f"{c}-cp{n}" for c, n in reached()])


def test_every_csu_has_expectations_and_no_other() -> None:
    assert sorted(p.stem for p in EXPECTATIONS.glob("*.yaml")) == CSUS
    assert len(reached()) >= 40  # 16 CSUs, most reaching checkpoint 3


@pytest.mark.parametrize("csu", CSUS)
def test_each_csu_reaches_the_expected_checkpoints(
    csu: str, current: dict[str, dict[int, dict[str, Any]]]
) -> None:
    assert list(current[csu]) == list(expected(csu))


def mismatches(csu: str, checkpoint: int, current: dict[str, dict[int, dict[str, Any]]], *keys: str) -> str:
    want, got = expected(csu)[checkpoint], current[csu][checkpoint]
    return "\n".join(differences({k: want[k] for k in keys}, {k: got[k] for k in keys}))


@POINTS
def test_decision_and_domains(
    csu: str, checkpoint: int, current: dict[str, dict[int, dict[str, Any]]]
) -> None:
    assert not (problems := mismatches(csu, checkpoint, current, "outcome", "escalation", "domains")), (
        problems
    )


@POINTS
def test_check_results(csu: str, checkpoint: int, current: dict[str, dict[int, dict[str, Any]]]) -> None:
    assert not (problems := mismatches(csu, checkpoint, current, "checks")), problems


@POINTS
def test_development_plan(csu: str, checkpoint: int, current: dict[str, dict[int, dict[str, Any]]]) -> None:
    assert not (problems := mismatches(csu, checkpoint, current, "development_plan")), problems


@POINTS
def test_key_figures(csu: str, checkpoint: int, current: dict[str, dict[int, dict[str, Any]]]) -> None:
    assert not (problems := mismatches(csu, checkpoint, current, "figures")), problems


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        raise SystemExit("usage: python -m tests.test_example_cohort_records --update")
    EXPECTATIONS.mkdir(parents=True, exist_ok=True)
    for stale in EXPECTATIONS.glob("*.yaml"):
        stale.unlink()
    for csu, summaries in cohort_summaries().items():
        (EXPECTATIONS / f"{csu}.yaml").write_text(render(csu, summaries), encoding="utf-8")
    print(f"wrote {len(CSUS)} files under {EXPECTATIONS.relative_to(ROOT)}")
