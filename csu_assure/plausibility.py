"""Implausible data: figures no real 2012 CSS could have, found before the checks run (BRIEF.md: "implausible data
is not evidence").

`find_implausible` compares a submission with the rule set's plausible ranges and placeholder patterns and
returns each finding as a located `DataIssue`. `set_aside` gives the submission the engine judges instead: an
implausible optional business-plan figure becomes "not given", and an optional table with an implausible row
becomes "not submitted" (one placeholder makes every total of its table meaningless). The required CCG table is
never set aside: its issues are reported and it is judged as given. `not_judged` is what a check that needed a
figure set aside concludes.

The financial plan (~300 rows at checkpoint 3) is read through the per-year columns `figures.plan_totals` keeps
for the checks, so the screening reuses their totals: a year's total within a row's range means every row is
(money is never negative), and its rows are visited one by one only when a total or a column's largest value says
something is there to find.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from operator import attrgetter

from csu_assure.domain import Status
from csu_assure.figures import PlanYear, plan_totals
from csu_assure.results import DataIssue, EvidenceRow, Judgement, KeyFigures, row_ranges
from csu_assure.ruleset import FinancialPlanLimits, PlaceholderRules, PlausibilityRules, PlausibleRange
from csu_assure.submission import BusinessPlan, Submission

PLAN_FILE = "business_plan.yaml"
_WTE_FIELDS = ("baseline_wte", "planned_wte", "transfer_wte")
_WTE = attrgetter(*_WTE_FIELDS)
SHOWN_VALUES = 5  # distinct values an issue keeps; its rows say how many there are

_OUT_OF_RANGE = "outside the plausible range"
_PLACEHOLDER = "a placeholder, not a figure"
_ZERO = Decimal(0)

Show = Callable[[Decimal], str]


def _gbp(value: Decimal) -> str:
    return f"£{value:,.2f}"


def _number(value: Decimal) -> str:
    return f"{value:,}"


def _ratio(value: Decimal) -> str:
    return f"{value:,.1f}" if value >= 10 else f"{value:,.2f}"


def describe_range(bounds: PlausibleRange, show: Show, unit: str = "") -> str:
    """E.g. "£1.00 to £100.00 per head", or "at most £100,000,000.00" when the range starts at 0."""
    text = f"{show(bounds.min)} to {show(bounds.max)}" if bounds.min else f"at most {show(bounds.max)}"
    return f"{text}{unit}"


def _placeholder_rule(rules: PlaceholderRules) -> str:
    smallest_run = _gbp(Decimal(10**rules.nines_from_digits - 1))
    return f"a worked-out amount, not a run of 9s ({smallest_run} and up) or another fill value"


def _distinct(values: Iterable[Decimal], show: Show) -> tuple[str, ...]:
    shown = dict.fromkeys(show(v) for v in values)
    return tuple(shown)[:SHOWN_VALUES]


# ------------------------------------------------------------------------------------------------- finding


def find_implausible(sub: Submission, limits: PlausibilityRules) -> tuple[DataIssue, ...]:
    """Every figure of `sub` outside the rule set's plausible ranges or matching a placeholder pattern, located:
    the file, the field, the data rows (counted from 1), the value(s) and the range expected."""
    issues: list[DataIssue] = []
    _business_plan(sub.plan, limits, issues)
    _ccgs(sub, limits, issues)
    if sub.financial_plan:
        _financial_plan(sub, limits, issues)
    if sub.workforce:
        _workforce(sub, limits, issues)
    if sub.slas:
        _slas(sub, limits, issues)
    return tuple(issues)


def _business_plan(plan: BusinessPlan, limits: PlausibilityRules, issues: list[DataIssue]) -> None:
    # Every limit of the section names an optional £-per-head field of the business plan.
    section = limits.business_plan
    for name in type(section).model_fields:
        bounds: PlausibleRange = getattr(section, name)
        value = getattr(plan, name)
        if value is not None and value not in bounds:
            issues.append(
                DataIssue(
                    file=PLAN_FILE,
                    field=name,
                    values=(_gbp(value),),
                    problem=_OUT_OF_RANGE,
                    expected=describe_range(bounds, _gbp, " per head"),
                )
            )


def _ccgs(sub: Submission, limits: PlausibilityRules, issues: list[DataIssue]) -> None:
    bounds = limits.ccgs.rca_per_head
    rcas = [c.rca_per_head for c in sub.ccgs]
    if bounds.min <= min(rcas) and max(rcas) <= bounds.max:
        return
    hits = [(i, v) for i, v in enumerate(rcas, start=1) if v not in bounds]
    issues.append(
        DataIssue(
            file="ccgs.csv",
            field="rca_per_head",
            rows=tuple(i for i, _ in hits),
            values=_distinct((v for _, v in hits), _gbp),
            problem=_OUT_OF_RANGE,
            expected=describe_range(bounds, _gbp, " per head"),
            set_aside=False,  # required: the checks judge the CCGs as given
        )
    )


class _Rows:
    """Row-level hits of one rule in one column, gathered over the plan's years into one issue."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.values: list[Decimal] = []

    def add(self, year: PlanYear, column: Sequence[Decimal], positions: Iterable[int]) -> None:
        for k in positions:
            self.rows.append(year.data_rows[k])
            self.values.append(column[k])


def _financial_plan(sub: Submission, limits: PlausibilityRules, issues: list[DataIssue]) -> None:
    rules, fills = limits.financial_plan, limits.placeholders
    # The bounds read once, as plain values: this runs for every assessment with a plan.
    income_year, costs_year, ratio = rules.year_income, rules.year_costs, rules.costs_to_income
    income_low, income_high, costs_low, costs_high = (
        income_year.min,
        income_year.max,
        costs_year.min,
        costs_year.max,
    )
    ratio_low, ratio_high = ratio.min, ratio.max
    found: dict[tuple[str, str], _Rows] = {}
    totals: list[DataIssue] = []
    for year in plan_totals(sub).years.values():
        income, costs = year.income, year.costs
        flagged = _scan(year, "income", year.incomes, income, rules.row_income, fills, found)
        flagged = _scan(year, "costs", year.costs_by_row, costs, rules.row_costs, fills, found) or flagged
        if flagged:
            continue  # a year with an implausible row has meaningless totals: the rows are the issue
        # A year with nothing in a column is an unfilled year (CP3-FIN-01 judges completeness), not a figure.
        if (
            (income and not income_low <= income <= income_high)
            or (costs and not costs_low <= costs <= costs_high)
            or (income and costs and not ratio_low * income <= costs <= ratio_high * income)
        ):
            totals.extend(_year_totals(year, rules))
    for (name, rule), hit in found.items():
        bounds = rules.row_income if name == "income" else rules.row_costs
        placeholder = rule == "placeholder"
        issues.append(
            DataIssue(
                file="financial_plan.csv",
                field=name,
                rows=tuple(hit.rows),
                values=_distinct(hit.values, _gbp),
                problem=_PLACEHOLDER if placeholder else _OUT_OF_RANGE,
                expected=_placeholder_rule(fills) if placeholder else describe_range(bounds, _gbp, " a row"),
            )
        )
    issues.extend(totals)


def _scan(
    year: PlanYear,
    name: str,
    column: tuple[Decimal, ...],
    total: Decimal,
    bounds: PlausibleRange,
    fills: PlaceholderRules,
    found: dict[tuple[str, str], _Rows],
) -> bool:
    """Record the rows of one column of one year outside `bounds` or holding a placeholder; True if any."""
    flagged = False
    # Money is never negative, so a total within a row's range puts every row of the column there too.
    if total > bounds.max or bounds.min:
        hits = [k for k, v in enumerate(column) if v not in bounds]
        if hits:
            found.setdefault((name, "range"), _Rows()).add(year, column, hits)
            flagged = True
    # Likewise a column whose total, or else largest value, is below the smallest placeholder holds none. This
    # `max` is most of what screening a plan costs (a comparison per row): there is no cheaper sound test.
    smallest = fills.smallest
    if smallest is not None and total >= smallest and max(column) >= smallest:
        fill_values = fills.fill_values
        hits = [k for k, v in enumerate(column) if v in fill_values]
        if hits:
            found.setdefault((name, "placeholder"), _Rows()).add(year, column, hits)
            flagged = True
    return flagged


def _year_totals(year: PlanYear, rules: FinancialPlanLimits) -> list[DataIssue]:
    """The issues of a year whose totals or ratio are out of range (`_financial_plan` found that one is)."""
    out: list[DataIssue] = []
    income, costs = year.income, year.costs
    for name, total, year_range in (
        ("income", income, rules.year_income),
        ("costs", costs, rules.year_costs),
    ):
        # A year with nothing in a column is an unfilled year (CP3-FIN-01 judges completeness), not a figure.
        if total and total not in year_range:
            out.append(
                DataIssue(
                    file="financial_plan.csv",
                    field=name,
                    scope=f"year {year.year} total",
                    rows=year.data_rows,
                    values=(_gbp(total),),
                    problem=_OUT_OF_RANGE,
                    expected=describe_range(year_range, _gbp, " a year"),
                )
            )
    ratio = rules.costs_to_income
    if income and costs and not ratio.min * income <= costs <= ratio.max * income:
        out.append(
            DataIssue(
                file="financial_plan.csv",
                field="costs ÷ income",
                scope=f"year {year.year}",
                rows=year.data_rows,
                values=(_ratio(costs / income),),
                problem=_OUT_OF_RANGE,
                expected=describe_range(ratio, _ratio),
            )
        )
    return out


def _workforce(sub: Submission, limits: PlausibilityRules, issues: list[DataIssue]) -> None:
    rules = limits.workforce
    rows = sub.workforce or ()
    columns = zip(*map(_WTE, rows), strict=True) if rows else ((), (), ())
    for name, column in zip(_WTE_FIELDS, columns, strict=True):
        total = sum(filter(None, column), _ZERO)  # blanks (None) and zeros add nothing
        hits = []
        # WTE is never negative, so a total within a line's range puts every line there too.
        if total > rules.line_wte.max or rules.line_wte.min:
            hits = [
                (i, v) for i, v in enumerate(column, start=1) if v is not None and v not in rules.line_wte
            ]
        if hits:
            issues.append(
                DataIssue(
                    file="workforce.csv",
                    field=name,
                    rows=tuple(i for i, _ in hits),
                    values=_distinct((v for _, v in hits), _number),
                    problem=_OUT_OF_RANGE,
                    expected=describe_range(rules.line_wte, _number, " WTE a service line"),
                )
            )
            continue  # the total of an implausible column says nothing more
        if total not in rules.total_wte:
            issues.append(
                DataIssue(
                    file="workforce.csv",
                    field=name,
                    scope="total",
                    rows=tuple(range(1, len(rows) + 1)),
                    values=(_number(total),),
                    problem=_OUT_OF_RANGE,
                    expected=describe_range(rules.total_wte, _number, " WTE in all"),
                )
            )


def _slas(sub: Submission, limits: PlausibilityRules, issues: list[DataIssue]) -> None:
    bounds, fills = limits.slas.annual_value, limits.placeholders
    values = [s.annual_value for s in sub.slas or ()]
    top, smallest = max(values), fills.smallest
    out_of_range: list[tuple[int, Decimal]] = []
    placeholders: list[tuple[int, Decimal]] = []
    # The values are read one by one only when their largest says there is something to find.
    if top > bounds.max or bounds.min:
        out_of_range = [(i, v) for i, v in enumerate(values, start=1) if v not in bounds]
    if smallest is not None and top >= smallest:
        placeholders = [(i, v) for i, v in enumerate(values, start=1) if v in fills.fill_values]
    for hits, placeholder in ((out_of_range, False), (placeholders, True)):
        if hits:
            issues.append(
                DataIssue(
                    file="slas.csv",
                    field="annual_value",
                    rows=tuple(i for i, _ in hits),
                    values=_distinct((v for _, v in hits), _gbp),
                    problem=_PLACEHOLDER if placeholder else _OUT_OF_RANGE,
                    expected=_placeholder_rule(fills)
                    if placeholder
                    else describe_range(bounds, _gbp, " a year"),
                )
            )


# ------------------------------------------------------------------------------------------- setting aside


def part_of(issue: DataIssue) -> str:
    """What setting `issue` aside removes: a business-plan field ("business_plan.yaml:price_per_head") or a
    whole table ("financial_plan.csv")."""
    return f"{PLAN_FILE}:{issue.field}" if issue.file == PLAN_FILE else issue.file


def parts_set_aside(issues: Iterable[DataIssue]) -> tuple[str, ...]:
    """The parts of the submission the engine sets aside for `issues`, in the order they were found."""
    return tuple(dict.fromkeys(part_of(i) for i in issues if i.set_aside))


def set_aside(sub: Submission, parts: Iterable[str]) -> Submission:
    """`sub` with each of `parts` (see `part_of`) treated as not submitted: a business-plan field as not given
    (None), a table as absent. A new submission with its own figures cache, never a changed `sub`."""
    fields: dict[str, None] = {}
    tables: dict[str, None] = {}
    for part in parts:
        file, _, name = part.partition(":")
        if file == PLAN_FILE:
            fields[name] = None
        else:
            tables[file.removesuffix(".csv")] = None
    values = {name: getattr(sub, name) for name in Submission.model_fields}
    values.update(tables)
    if fields:
        values["plan"] = sub.plan.model_copy(update=fields)
    # Built from the validated parts of `sub`, less what is set aside: nothing to validate again, and a fresh
    # instance, so the figures `sub` keeps (`Submission.derived`) are not shared with it.
    return Submission.model_construct(_fields_set=sub.model_fields_set, **values)


def figures_without(figures: KeyFigures, issues: Iterable[DataIssue]) -> KeyFigures:
    """`figures` less what comes from implausible figures that were judged as given (the CCGs' RCA per head), so
    that charts leave them out as they leave out the figures set aside."""
    if any(i.file == "ccgs.csv" and i.field == "rca_per_head" for i in issues):
        return figures.model_copy(update={"rca_per_head_mean": None, "total_rca": None, "capture": None})
    return figures


def issue_row(issue: DataIssue) -> EvidenceRow:
    """One issue as an evidence row of a check result."""
    return {
        "file": issue.file,
        "rows": row_ranges(issue.rows),
        "field": f"{issue.field} ({issue.scope})" if issue.scope else issue.field,
        "value": ", ".join(issue.values),
        "expected": issue.expected,
    }


def not_judged(issues: Sequence[DataIssue], expected: str = "") -> Judgement:
    """What a check concludes when figures it needs were set aside as implausible: insufficient evidence (a
    failure of its own severity), naming where they are, for the assessor to resolve."""
    places: dict[tuple[str, str], list[int]] = {}
    for i in issues:
        places.setdefault((i.file, i.field), []).extend(i.rows)
    where = "; ".join(
        f"{file} {field}" + (f", rows {row_ranges(tuple(set(rows)))}" if rows else "")
        for (file, field), rows in places.items()
    )
    return Judgement(
        status=Status.NOT_EVIDENCED,
        actual="implausible figures",
        expected=expected,
        finding=f"Insufficient evidence: data this check needs was set aside as implausible ({where}); the "
        "assessor must resolve it with the CSU.",
        evidence=tuple(issue_row(i) for i in issues),
    )
