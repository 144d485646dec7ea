"""The engine's records for the example cohort are byte-for-byte those of the committed snapshot.

The snapshot was written before the engine was optimised (shared financial-plan aggregates, cheaper result
construction), so this test pins that the fast path changes no result, finding, evidence row or figure. Every
CSU is carried through its checkpoints as the golden test does (prior plans carried, non-submission recorded).

If a check's behaviour changes on purpose, regenerate the snapshot and review its diff:
`.venv/bin/python -m tests.test_engine_snapshot --update`.
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from csu_assure.figures import _DERIVED, key_figures, plan_totals
from csu_assure.synthetic import baseline, to_submission
from tests.test_example_cohort import progress

ROOT = Path(__file__).resolve().parent.parent
COHORT = ROOT / "submissions" / "example-cohort"
SNAPSHOT = Path(__file__).resolve().parent / "snapshots" / "example-cohort-assessments.json"


def cohort_json() -> dict[str, list[dict[str, Any]]]:
    """Each CSU's records as JSON; the engine version is masked so a version bump alone does not fail."""
    out: dict[str, list[dict[str, Any]]] = {}
    for csu in sorted(p for p in COHORT.iterdir() if p.is_dir()):
        dumped = []
        for record in progress(csu, assessor="snapshot"):
            data = record.model_dump(mode="json")
            data["provenance"]["engine_version"] = "<masked>"
            dumped.append(data)
        out[csu.name] = dumped
    return out


def render(data: dict[str, list[dict[str, Any]]]) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


@pytest.fixture(scope="module")
def current() -> dict[str, list[dict[str, Any]]]:
    return cohort_json()


def test_snapshot_covers_the_whole_cohort(current: dict[str, list[dict[str, Any]]]) -> None:
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert sorted(current) == sorted(expected)
    assert sum(len(v) for v in expected.values()) >= 40  # 16 CSUs, most reaching checkpoint 3


@pytest.mark.parametrize("csu", sorted(p.name for p in COHORT.iterdir() if p.is_dir()))
def test_records_match_the_snapshot(csu: str, current: dict[str, list[dict[str, Any]]]) -> None:
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))[csu]
    got = current[csu]
    assert len(got) == len(expected)
    for mine, theirs in zip(got, expected, strict=True):
        # Compare result by result first so a failure names the check that changed.
        for r_mine, r_theirs in zip(mine["results"], theirs["results"], strict=True):
            assert r_mine == r_theirs, r_theirs["check_id"]
        assert mine == theirs


def test_records_serialise_to_the_snapshot_text(current: dict[str, list[dict[str, Any]]]) -> None:
    """The whole file, as text: field order and number formatting (Decimals as strings) unchanged too."""
    assert render(current) == SNAPSHOT.read_text(encoding="utf-8")


def test_a_patched_copy_gets_its_own_figures_not_its_originals() -> None:
    """The memo is keyed by the object, so `model_copy(update=...)` (how case patches and adjustments make
    variants) never reads the original's aggregates."""
    sub = to_submission(baseline(checkpoint=3))
    before = key_figures(sub)
    rows = sub.financial_plan or ()
    doubled = tuple(r.model_copy(update={"income": r.income * 2}) for r in rows)
    patched = sub.model_copy(update={"financial_plan": doubled})
    after = key_figures(patched)
    assert [y.income * 2 for y in before.years] == [y.income for y in after.years]
    assert key_figures(sub) == before


def test_memoised_figures_are_dropped_with_their_submission() -> None:
    sub = to_submission(baseline(checkpoint=3))
    key = id(sub)
    assert plan_totals(sub) is plan_totals(sub)
    assert key in _DERIVED
    del sub
    gc.collect()
    assert key not in _DERIVED


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        raise SystemExit("usage: python -m tests.test_engine_snapshot --update")
    SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
    SNAPSHOT.write_text(render(cohort_json()), encoding="utf-8")
    print(f"wrote {SNAPSHOT.relative_to(ROOT)}")
