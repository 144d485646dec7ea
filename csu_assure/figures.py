"""Key figures of a submission (income, costs, scores, capture…), computed once and kept in the record.

The financial plan (~300 rows at checkpoint 3) is read by `key_figures` and by a dozen checks. Rather than
each re-scanning it, `plan_totals` splits it once per submission object into per-year columns whose figures
every reader shares; the CCG survey and interview scores are shared the same way. Those repeated scans were
over half of an assessment's time (the engine aims at ≥ 1,000 CSUs a second).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from decimal import Decimal
from functools import cached_property
from itertools import compress, groupby, repeat
from operator import is_, itemgetter, mul
from typing import Any

from csu_assure.results import KeyFigures, QuestionScore, YearFigures
from csu_assure.submission import (
    OTHER_CUSTOMER,
    QUESTION_LABELS,
    QUESTIONS,
    FinanceRow,
    Submission,
    _ScoredRow,
)

_ZERO = Decimal(0)
_YEAR = itemgetter("year")


class PlanYear:
    """One plan year of the financial plan, held as columns. Each figure is computed on first use and kept,
    so a checkpoint pays only for the figures its checks read. Sums run in row order from `Decimal(0)`, as a
    reader summing the rows itself would, so every Decimal (value and exponent) is exactly the one it would
    get. Money columns are validated ≥ 0, so "non-zero" and "> 0" are the same test."""

    def __init__(self, year: int, fields: list[dict[str, Any]]) -> None:
        self.year = year
        self.rows = len(fields)
        self.customers: list[str] = list(map(itemgetter("customer"), fields))
        self.lines: list[str] = list(map(itemgetter("service_line"), fields))
        self.incomes: list[Decimal] = list(map(itemgetter("income"), fields))
        self.costs_by_row: list[Decimal] = list(map(itemgetter("costs"), fields))
        self.efficiencies: list[Decimal | None] = list(map(itemgetter("efficiency_pct"), fields))

    @cached_property
    def income(self) -> Decimal:
        # From the per-customer subtotals (a dozen additions, not one per row). Money is validated to at most
        # £10bn with 2 decimals, so every sum is exact and its value and exponent do not depend on grouping.
        return sum(self.income_by_customer.values(), _ZERO)

    @cached_property
    def costs(self) -> Decimal:
        return sum(self.costs_by_row, _ZERO)

    @cached_property
    def income_by_customer(self) -> Mapping[str, Decimal]:
        """Every customer including OTHER, in the order of its first row (a tie for largest keeps it)."""
        out: dict[str, Decimal] = {}
        for customer, income in zip(self.customers, self.incomes, strict=True):
            out[customer] = out.get(customer, _ZERO) + income
        return out

    @cached_property
    def net_by_line(self) -> Mapping[str, Decimal]:
        """Income − costs by service line."""
        out: dict[str, Decimal] = {}
        for line, income, costs in zip(self.lines, self.incomes, self.costs_by_row, strict=True):
            out[line] = out.get(line, _ZERO) + (income - costs)
        # ServiceFunction is a StrEnum, hashing and comparing as its value: plain str keys once per line.
        return {str(line): v for line, v in out.items()}

    @cached_property
    def _active(self) -> list[bool]:
        """Per row: does it carry non-zero income or costs?"""
        return list(map(any, zip(self.incomes, self.costs_by_row, strict=True)))

    @cached_property
    def active_customers(self) -> frozenset[str]:
        """Customers with a row of non-zero income or costs."""
        return frozenset(compress(self.customers, self._active))

    @cached_property
    def active_lines(self) -> frozenset[str]:
        """Service lines with a row of non-zero income or costs."""
        return frozenset(map(str, set(compress(self.lines, self._active))))

    @cached_property
    def earning_lines(self) -> Mapping[str, frozenset[str]]:
        """Customer → the service lines bringing it income > 0."""
        out: dict[str, set[str]] = {}
        for customer, line in compress(zip(self.customers, self.lines, strict=True), self.incomes):
            out.setdefault(customer, set()).add(line)
        return {c: frozenset(map(str, lines)) for c, lines in out.items()}

    @cached_property
    def efficiency_saved(self) -> Decimal:
        """Σ costs × efficiency_pct, a blank counting as 0 (an unstated saving is not a planned one)."""
        rates = [e or _ZERO for e in self.efficiencies]
        return sum(map(mul, self.costs_by_row, rates), _ZERO)

    @cached_property
    def rows_without_efficiency(self) -> int:
        # `is None`, not `list.count(None)`: Decimal's `==` against None goes through slow ABC checks.
        return sum(map(is_, self.efficiencies, repeat(None)))


class PlanTotals:
    """The financial plan split by year (ascending) once; per-year figures computed on demand."""

    def __init__(self, rows: tuple[FinanceRow, ...]) -> None:
        # Fields are read from each row's `__dict__` (where pydantic keeps a model's field values) by C-level
        # getters: attribute access on a pydantic model goes through its `__getattr__` hook, which made reading
        # ~300 rows × 6 fields a quarter of an assessment. Rows keep their order within a year.
        by_year: dict[int, list[dict[str, Any]]] = {}
        for year, run in groupby([r.__dict__ for r in rows], _YEAR):
            by_year.setdefault(year, []).extend(run)
        self.years: Mapping[int, PlanYear] = {y: PlanYear(y, by_year[y]) for y in sorted(by_year)}

    def year(self, year: int) -> PlanYear | None:
        return self.years.get(year)

    @cached_property
    def any_efficiency(self) -> bool:
        """At least one row states efficiency_pct."""
        return any(y.rows_without_efficiency < y.rows for y in self.years.values())

    @cached_property
    def year_figures(self) -> tuple[YearFigures, ...]:
        return tuple(YearFigures(year=y.year, income=y.income, costs=y.costs) for y in self.years.values())


class _Derived:
    """What is memoised for one submission object. It must not refer to the submission itself, which would
    keep the submission (and so its entry) alive for ever."""

    __slots__ = ("interview_scores", "plan", "survey_scores")

    def __init__(self) -> None:
        self.plan: PlanTotals | None = None
        self.survey_scores: tuple[QuestionScore, ...] | None = None
        self.interview_scores: tuple[QuestionScore, ...] | None = None


# Figures several checks and `key_figures` read, computed once per live submission object: keyed by id() and
# dropped by a weakref finalizer when the submission is collected (so an id is never reused while its entry
# lives). Not a cached_property or private attribute on `Submission`: `model_copy(update=...)` copies those,
# so a patched copy would read its original's figures. A frozen model's rows cannot change, so the key is
# sound. A race between threads at worst computes an entry twice; both results are equal.
_DERIVED: dict[int, _Derived] = {}


def _derived(sub: Submission) -> _Derived:
    key = id(sub)
    entry = _DERIVED.get(key)
    if entry is None:
        entry = _DERIVED[key] = _Derived()
        weakref.finalize(sub, _DERIVED.pop, key, None)
    return entry


def plan_totals(sub: Submission) -> PlanTotals:
    """The financial plan of `sub` aggregated by year, computed on first use and shared afterwards."""
    entry = _derived(sub)
    if entry.plan is None:
        entry.plan = PlanTotals(sub.financial_plan or ())
    return entry.plan


def survey_scores(sub: Submission) -> tuple[QuestionScore, ...]:
    """Per-question scores of the CCGs that responded to the checkpoint 3 survey (memoised)."""
    entry = _derived(sub)
    if entry.survey_scores is None:
        entry.survey_scores = question_scores(tuple(r for r in sub.ccg_survey or () if r.responded))
    return entry.survey_scores


def interview_scores(sub: Submission) -> tuple[QuestionScore, ...]:
    """Per-question scores of the CCGs interviewed at checkpoint 2 (memoised)."""
    entry = _derived(sub)
    if entry.interview_scores is None:
        entry.interview_scores = question_scores(tuple(r for r in sub.ccg_interviews or () if r.interviewed))
    return entry.interview_scores


def year_totals(sub: Submission) -> tuple[YearFigures, ...]:
    return plan_totals(sub).year_figures


def ccg_income_by_ccg(sub: Submission, year: int) -> dict[str, Decimal] | None:
    """Planned income from each CCG customer in `year` (OTHER excluded); None when the plan has no row for
    that year, which checks report as insufficient evidence rather than as zero income."""
    totals = plan_totals(sub).year(year)
    if totals is None:
        return None
    return {c: v for c, v in totals.income_by_customer.items() if c != OTHER_CUSTOMER}


def ccg_income(sub: Submission, year: int) -> Decimal:
    return sum((ccg_income_by_ccg(sub, year) or {}).values(), Decimal(0))


def total_rca(sub: Submission) -> Decimal:
    return sum((c.rca_per_head * c.population for c in sub.ccgs), Decimal(0))


_ANSWERS = itemgetter(*QUESTIONS)


def question_scores(rows: tuple[_ScoredRow, ...]) -> tuple[QuestionScore, ...]:
    # One C-level read of each row's answers from its field dict (see `PlanTotals` on why), then per question.
    by_row: list[tuple[int | None, ...]] = list(map(_ANSWERS, [r.__dict__ for r in rows]))
    out = []
    for i, q in enumerate(QUESTIONS):
        answers = [s for r in by_row if (s := r[i]) is not None]
        out.append(
            QuestionScore(
                question=q,
                label=QUESTION_LABELS[q],
                answers=len(answers),
                mean=sum(answers) / len(answers) if answers else None,
                top2_share=sum(1 for a in answers if a >= 4) / len(answers) if answers else None,
            )
        )
    return tuple(out)


def key_figures(sub: Submission) -> KeyFigures:
    years = year_totals(sub)
    rca = total_rca(sub)
    income_y1 = ccg_income(sub, 1) if sub.financial_plan else None
    y1 = next((y for y in years if y.year == 1), None)
    scores: tuple[QuestionScore, ...] = ()
    source = None
    if sub.ccg_survey:
        scores, source = survey_scores(sub), "ccg_survey"
    elif sub.ccg_interviews:
        scores, source = interview_scores(sub), "ccg_interviews"
    signed = (
        sum((s.annual_value for s in sub.slas if s.signed_on is not None), Decimal(0))
        if sub.slas is not None
        else None
    )
    return KeyFigures(
        population=sub.population,
        ccg_count=len(sub.ccgs),
        price_per_head=sub.plan.price_per_head,
        rca_per_head_mean=(rca / sub.population).quantize(Decimal("0.01")) if sub.population else None,
        total_rca=rca,
        planned_ccg_income_y1=income_y1,
        capture=float(income_y1 / rca) if income_y1 is not None and rca else None,
        surplus_y1_pct=float(y1.surplus / y1.income) if y1 and y1.income else None,
        years=years,
        scores=scores,
        scores_source=source,
        signed_sla_value=signed,
    )
