"""Property-based tests: any submission either validates or fails with located problems; any valid one assesses
without an ERROR result (a crashing check would show up here first)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks import catalogue as shipped_catalogue
from csu_assure.calendar import load_calendar
from csu_assure.domain import Status
from csu_assure.engine import assess
from csu_assure.loading import SubmissionInvalid
from csu_assure.ruleset import load_ruleset
from csu_assure.synthetic import RawSubmission, baseline, to_submission

BASELINES = {cp: baseline("prop-csu", "Property CSU", checkpoint=cp) for cp in (1, 2, 3)}

cell_values = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)).map(dt.date.isoformat),
    st.sampled_from(
        [
            "true",
            "false",
            "yes",
            "",
            "0",
            "1",
            "5",
            "-1",
            "12.50",
            "£12.50",
            "1e9",
            "NaN",
            "inf",
            '=HYPERLINK("x")',
            "{{ 7*7 }}",
            "<b>&amp;</b>",
            "\x00\x07",
            "B01",
            "OTHER",
        ]
    ),
)


@st.composite
def mutated(draw: st.DrawFn) -> RawSubmission:
    raw = BASELINES[draw(st.sampled_from((1, 2, 3)))]
    plan: dict[str, Any] = {k: v for k, v in raw.plan.items()}
    tables = {name: [dict(r) for r in rows] for name, rows in raw.tables.items()}
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        target = draw(st.sampled_from(["plan", "table", "drop"]))
        if target == "plan":
            plan[draw(st.sampled_from(sorted(plan)))] = draw(cell_values)
        elif target == "drop" and len(tables) > 1:
            tables.pop(draw(st.sampled_from(sorted(t for t in tables if t != "ccgs"))), None)
        else:
            name = draw(st.sampled_from(sorted(tables)))
            if tables[name]:
                row = tables[name][draw(st.integers(min_value=0, max_value=len(tables[name]) - 1))]
                row[draw(st.sampled_from(sorted(row)))] = draw(cell_values)
    return RawSubmission(plan=plan, tables=tables)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_any_submission_validates_or_fails_with_located_problems(raw: RawSubmission) -> None:
    try:
        to_submission(raw)
    except SubmissionInvalid as error:
        assert error.problems, "an invalid submission must say what is wrong"
        assert all(p.file and p.message for p in error.problems)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_any_valid_submission_assesses_without_error(raw: RawSubmission) -> None:
    try:
        sub = to_submission(raw)
    except SubmissionInvalid:
        return
    catalogue = shipped_catalogue()
    assessment = assess(
        sub,
        catalogue=catalogue,
        ruleset=load_ruleset(catalogue),
        calendar=load_calendar(),
        as_of=dt.date(2012, 9, 1),
        assessor="property test",
    )
    errors = [f"{r.check_id}: {r.note}" for r in assessment.results if r.status is Status.ERROR]
    assert not errors, errors
