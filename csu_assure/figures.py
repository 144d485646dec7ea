"""Key figures of a submission (income, costs, scores, capture…), computed once and kept in the record.

The financial plan (~300 rows at checkpoint 3) is read by `key_figures` and by a dozen checks. Rather than
each re-scanning it, `plan_totals` splits it once per submission into per-year columns whose figures every
reader shares, kept on the submission itself (`Submission.derived`); the CCG survey and interview scores are
shared the same way. Those repeated scans were over half of an assessment's time (the engine aims at ≥ 1,000
CSUs a second).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from decimal import Decimal
from itertools import chain, compress, groupby, repeat
from operator import is_, is_not, itemgetter, mul
from typing import Any, Generic, Literal, TypeVar, overload

from csu_assure.results import (
    QUESTION_SCORES,
    YEAR_FIGURES,
    ChartThresholds,
    KeyFigures,
    QuestionScore,
    YearFigures,
)
from csu_assure.submission import (
    OTHER_CUSTOMER,
    QUESTION_LABELS,
    QUESTIONS,
    CcgRow,
    FinanceRow,
    InterviewRow,
    ServiceFunction,
    Submission,
    SurveyRow,
    _ScoredRow,
)

_ZERO = Decimal(0)
_CENT = Decimal("0.01")

_S = TypeVar("_S")
_T = TypeVar("_T")


class _memo(Generic[_S, _T]):  # noqa: N801 - named like the decorator it replaces
    """`functools.cached_property` without its lock: on Python 3.11 every first read takes an `RLock`, which
    made it ~5k instructions against ~2k here, and the plan's figures are ~40 first reads an assessment. The
    value is kept in the instance's `__dict__`, where later reads find it without calling this. Two threads
    racing on one object at worst compute a figure twice; both results are equal."""

    def __init__(self, function: Callable[[_S], _T]) -> None:
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__

    @overload
    def __get__(self, instance: None, owner: type[_S]) -> _memo[_S, _T]: ...
    @overload
    def __get__(self, instance: _S, owner: type[_S]) -> _T: ...
    def __get__(self, instance: _S | None, owner: type[_S]) -> _memo[_S, _T] | _T:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.function(instance)
        return value


# FinanceRow's fields in declaration order: the order pydantic keeps them in each row's `__dict__`.
_PLAN_FIELDS: tuple[str, ...] = tuple(FinanceRow.model_fields)
_WIDTH = len(_PLAN_FIELDS)


class PlanYear:
    """One plan year of the financial plan, held as columns. Each figure is computed on first use and kept,
    so a checkpoint pays only for the figures its checks read. Sums run in row order from `Decimal(0)`, as a
    reader summing the rows itself would, so every Decimal (value and exponent) is exactly the one it would
    get. Money columns are validated ≥ 0, so "non-zero" and "> 0" are the same test."""

    def __init__(
        self, year: int, columns: Mapping[str, tuple[Any, ...]], runs: tuple[tuple[int, int], ...] = ()
    ) -> None:
        self.year = year
        self.rows = len(columns["year"])
        # Where this year's rows sit in the plan: [start, stop) ranges of 0-based row positions, in order.
        self.runs = runs or ((0, self.rows),)
        self.customers: tuple[str, ...] = columns["customer"]
        self.lines: tuple[ServiceFunction, ...] = columns["service_line"]
        self.incomes: tuple[Decimal, ...] = columns["income"]
        self.costs_by_row: tuple[Decimal, ...] = columns["costs"]
        self.efficiencies: tuple[Decimal | None, ...] = columns["efficiency_pct"]

    @_memo
    def _period(self) -> int:
        """m when the rows cycle through the same m distinct customers in the same order, service line after
        service line (the layout of the workbook template and of generated plans), else 0. Row i then belongs
        to customer i mod m, so a customer's rows are the C-level slice `[k::m]`: per-customer figures need no
        Python loop over the rows. Any other layout is handled row by row, with the same results."""
        customers = self.customers
        try:
            m = customers.index(customers[0], 1)
        except ValueError:
            m = len(customers)
        # Each row repeats the one m rows before it, and the first m are distinct: so every block of m rows
        # lists the same customers at the same positions.
        return m if customers[m:] == customers[:-m] and len(set(customers[:m])) == m else 0

    @_memo
    def data_rows(self) -> tuple[int, ...]:
        """The plan's data row (counted from 1, as the loaders count) of each of this year's rows, in order."""
        return tuple(chain.from_iterable(range(start + 1, stop + 1) for start, stop in self.runs))

    @_memo
    def income(self) -> Decimal:
        # From the per-customer subtotals (a dozen additions, not one per row). Money is validated to at most
        # £10bn with 2 decimals, so every sum is exact and its value and exponent do not depend on grouping.
        return sum(self.income_by_customer.values(), _ZERO)

    @_memo
    def costs(self) -> Decimal:
        return sum(self.costs_by_row, _ZERO)

    @_memo
    def income_by_customer(self) -> Mapping[str, Decimal]:
        """Every customer including OTHER, in the order of its first row (a tie for largest keeps it)."""
        m = self._period
        if m:
            incomes = self.incomes
            return {c: sum(incomes[k::m], _ZERO) for k, c in enumerate(self.customers[:m])}
        out: dict[str, Decimal] = {}
        for customer, income in zip(self.customers, self.incomes, strict=True):
            out[customer] = out.get(customer, _ZERO) + income
        return out

    @_memo
    def net_by_line(self) -> Mapping[str, Decimal]:
        """Income − costs by service line."""
        out: dict[str, Decimal] = {}
        for line, income, costs in zip(self.lines, self.incomes, self.costs_by_row, strict=True):
            out[line] = out.get(line, _ZERO) + (income - costs)
        # ServiceFunction is a StrEnum, hashing and comparing as its value: plain str keys once per line.
        return {str(line): v for line, v in out.items()}

    @_memo
    def _every_row_earns(self) -> bool:
        """Every row carries income (the usual case), so every row is active: no per-row mask is needed."""
        return all(self.incomes)

    @_memo
    def _active(self) -> list[bool]:
        """Per row: does it carry non-zero income or costs?"""
        return list(map(any, zip(self.incomes, self.costs_by_row, strict=True)))

    @_memo
    def active_customers(self) -> frozenset[str]:
        """Customers with a row of non-zero income or costs."""
        if self._every_row_earns:
            return frozenset(self.income_by_customer)  # every customer of the year, each hashed once
        return frozenset(compress(self.customers, self._active))

    @_memo
    def active_lines(self) -> frozenset[str]:
        """Service lines with a row of non-zero income or costs (`ServiceFunction`s, which are `str`s)."""
        if self._every_row_earns:
            return frozenset(self.lines)
        return frozenset(compress(self.lines, self._active))

    @_memo
    def earning_line_counts(self) -> Mapping[str, int]:
        """Customer → how many service lines bring it income > 0 (customers with none are left out). A
        validated plan has one row per year, service line and customer (`Submission` refuses duplicates), so
        this counts the customer's rows with income: one C-level pass."""
        return Counter(compress(self.customers, self.incomes))

    @_memo
    def rows_without_efficiency(self) -> int:
        # `is None`, not `list.count(None)`: Decimal's `==` against None goes through slow ABC checks.
        return sum(map(is_, self.efficiencies, repeat(None)))

    @_memo
    def efficiency_mean(self) -> Decimal:
        """The cost-weighted mean of efficiency_pct (%), to 2 decimals: Σ costs × efficiency_pct ÷ Σ costs, a
        blank counting as 0 (an unstated saving is not a planned one); 0.00 for a year without costs."""
        if not self.costs:
            return _ZERO.quantize(_CENT)
        rates = self.efficiencies
        if rates[0] is not None and rates.count(rates[0]) == self.rows:
            # One rate on every row, the usual planning assumption: the cost-weighted mean of equal rates is
            # that rate, so the ~300 products and their sum are not needed. The same number: amounts and rates
            # are validated to at most 14 and 6 digits, so the products, their sum and the quotient are exact
            # (28-digit context) and the quotient is exactly the rate, quantized the same way.
            return (rates[0] or _ZERO).quantize(_CENT)
        saved = sum(map(mul, self.costs_by_row, [e or _ZERO for e in rates]), _ZERO)
        return (saved / self.costs).quantize(_CENT)


class PlanTotals:
    """The financial plan split by year (ascending) once; per-year figures computed on demand."""

    def __init__(self, rows: tuple[FinanceRow, ...] | None) -> None:
        self.years: Mapping[int, PlanYear] = {}
        if not rows:
            return
        # Fields are read from each row's `__dict__`, where pydantic keeps a model's field values, because
        # attribute access on a pydantic model goes through its `__getattr__` hook: reading ~300 rows × 6
        # fields that way was a quarter of an assessment. pydantic keeps them in declaration order (validation,
        # `model_construct`, `model_copy` and pickling all do; `tests/test_figures.py` pins it), so the rows'
        # values are chained into one flat tuple, row after row, and each column is a C-level stride slice of
        # it: no lookup by name (a dict lookup costs more than the rest of reading a value), and no container
        # per row, which would set off the cyclic garbage collector (zipping the rows' ~300 value views did,
        # for about every other plan). The order is checked on the first row and the count on all; rows put
        # together some other way are read by name into the same layout.
        dicts = [r.__dict__ for r in rows]
        flat: tuple[Any, ...] = ()
        if tuple(dicts[0]) == _PLAN_FIELDS:
            flat = tuple(chain.from_iterable(map(dict.values, dicts)))
        if len(flat) != _WIDTH * len(rows):
            flat = tuple(chain.from_iterable(map(itemgetter(*_PLAN_FIELDS), dicts)))
        # Each year's rows keep their order; a year whose rows are not contiguous is joined from its runs.
        runs: dict[int, list[tuple[int, int]]] = {}
        start = 0
        for year, run in groupby(flat[0::_WIDTH]):
            stop = start + len(list(run))
            runs.setdefault(year, []).append((start, stop))
            start = stop
        self.years = {y: PlanYear(y, _columns(flat, runs[y]), tuple(runs[y])) for y in sorted(runs)}

    def year(self, year: int) -> PlanYear | None:
        return self.years.get(year)

    @_memo
    def any_efficiency(self) -> bool:
        """At least one row states efficiency_pct (stops at the first that does)."""
        return any(any(map(is_not, y.efficiencies, repeat(None))) for y in self.years.values())

    @_memo
    def year_figures(self) -> tuple[YearFigures, ...]:
        return YEAR_FIGURES.validate_python(
            [{"year": y.year, "income": y.income, "costs": y.costs} for y in self.years.values()]
        )


def _columns(flat: tuple[Any, ...], runs: list[tuple[int, int]]) -> dict[str, tuple[Any, ...]]:
    """The columns of the rows `runs` (each a [start, stop) range of rows) from the flat plan."""
    if len(runs) == 1:  # the usual case: one stride slice per column
        start, stop = runs[0]
        return {f: flat[start * _WIDTH + i : stop * _WIDTH : _WIDTH] for i, f in enumerate(_PLAN_FIELDS)}
    parts = [_columns(flat, [r]) for r in runs]
    return {f: tuple(chain.from_iterable(p[f] for p in parts)) for f in _PLAN_FIELDS}


def plan_totals(sub: Submission) -> PlanTotals:
    """The financial plan of `sub` aggregated by year, computed on first use and shared afterwards."""
    return sub.derived(PlanTotals, sub.financial_plan)


def _responders_scores(rows: tuple[SurveyRow, ...] | None) -> tuple[QuestionScore, ...]:
    return question_scores(tuple(r for r in rows or () if r.responded))


def _interviewed_scores(rows: tuple[InterviewRow, ...] | None) -> tuple[QuestionScore, ...]:
    return question_scores(tuple(r for r in rows or () if r.interviewed))


def survey_scores(sub: Submission) -> tuple[QuestionScore, ...]:
    """Per-question scores of the CCGs that responded to the checkpoint 3 survey (computed once per submission)."""
    return sub.derived(_responders_scores, sub.ccg_survey)


def interview_scores(sub: Submission) -> tuple[QuestionScore, ...]:
    """Per-question scores of the CCGs interviewed at checkpoint 2 (computed once per submission)."""
    return sub.derived(_interviewed_scores, sub.ccg_interviews)


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


def non_buyers(sub: Submission, min_share: Decimal | int) -> tuple[CcgRow, ...]:
    """The footprint CCGs known not to buy from the CSS: interviewed, intending to take less than `min_share`%
    of their support from it and stating no spend with it (a CCG keeping its support in house). A CCG whose
    intention is unknown (not interviewed, share not stated) is not excluded: scale is counted on who buys,
    and nothing says it will not."""
    intentions = {r.ccg_id: r for r in sub.ccg_interviews or () if r.interviewed}
    out = []
    for ccg in sub.ccgs:
        said = intentions.get(ccg.ccg_id)
        if said is None or said.pct_from_css is None:
            continue
        if said.pct_from_css < min_share and not said.intended_spend:
            out.append(ccg)
    return tuple(out)


def total_rca(sub: Submission) -> Decimal:
    return sum([c.rca_per_head * c.population for c in sub.ccgs], Decimal(0))


def question_scores(rows: tuple[_ScoredRow, ...]) -> tuple[QuestionScore, ...]:
    # Each row's answers in one read (`_ScoredRow.answers`), transposed into one column per question.
    by_row = [r.answers() for r in rows]
    columns = zip(*by_row, strict=True) if by_row else ((),) * len(QUESTIONS)
    out = []
    for q, column in zip(QUESTIONS, columns, strict=True):
        answers = [s for s in column if s is not None]
        high = [s for s in answers if s >= 4]
        out.append(
            {
                "question": q,
                "label": QUESTION_LABELS[q],
                "mean": sum(answers) / len(answers) if answers else None,
                "top2_share": len(high) / len(answers) if answers else None,
                "answers": len(answers),
            }
        )
    return QUESTION_SCORES.validate_python(out)  # the seven validated in one call


def key_figures(sub: Submission, thresholds: ChartThresholds | None = None) -> KeyFigures:
    """The submission's key figures, with the rule set's `thresholds` the charts draw beside them."""
    years = year_totals(sub)
    rca = total_rca(sub)
    population = sub.population
    income_y1 = ccg_income(sub, 1) if sub.financial_plan else None
    y1 = next((y for y in years if y.year == 1), None)
    scores: tuple[QuestionScore, ...] = ()
    source: Literal["ccg_interviews", "ccg_survey"] | None = None
    if sub.ccg_survey:
        scores, source = survey_scores(sub), "ccg_survey"
    elif sub.ccg_interviews:
        scores, source = interview_scores(sub), "ccg_interviews"
    signed = (
        sum([s.annual_value for s in sub.slas if s.signed_on is not None], Decimal(0))
        if sub.slas is not None
        else None
    )
    return KeyFigures(
        population=population,
        ccg_count=len(sub.ccgs),
        price_per_head=sub.plan.price_per_head,
        rca_per_head_mean=(rca / population).quantize(_CENT) if population else None,
        total_rca=rca,
        planned_ccg_income_y1=income_y1,
        capture=float(income_y1 / rca) if income_y1 is not None and rca else None,
        surplus_y1_pct=float(y1.surplus / y1.income) if y1 and y1.income else None,
        years=years,
        scores=scores,
        scores_source=source,
        signed_sla_value=signed,
        thresholds=thresholds,
    )
