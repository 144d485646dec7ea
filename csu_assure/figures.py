"""Key figures of a submission (income, costs, scores, capture…), computed once and kept in the record."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from csu_assure.results import KeyFigures, QuestionScore, YearFigures
from csu_assure.submission import OTHER_CUSTOMER, QUESTION_LABELS, QUESTIONS, Submission, _ScoredRow


def year_totals(sub: Submission) -> tuple[YearFigures, ...]:
    income: dict[int, Decimal] = defaultdict(Decimal)
    costs: dict[int, Decimal] = defaultdict(Decimal)
    for row in sub.financial_plan or ():
        income[row.year] += row.income
        costs[row.year] += row.costs
    return tuple(YearFigures(year=y, income=income[y], costs=costs[y]) for y in sorted(income))


def ccg_income_by_ccg(sub: Submission, year: int) -> dict[str, Decimal] | None:
    """Planned income from each CCG customer in `year` (OTHER excluded); None when the plan has no row for
    that year, which checks report as insufficient evidence rather than as zero income."""
    by_ccg: dict[str, Decimal] = defaultdict(Decimal)
    rows = 0
    for r in sub.financial_plan or ():
        if r.year == year:
            rows += 1
            if r.customer != OTHER_CUSTOMER:
                by_ccg[r.customer] += r.income
    return dict(by_ccg) if rows else None


def ccg_income(sub: Submission, year: int) -> Decimal:
    return sum((ccg_income_by_ccg(sub, year) or {}).values(), Decimal(0))


def total_rca(sub: Submission) -> Decimal:
    return sum((c.rca_per_head * c.population for c in sub.ccgs), Decimal(0))


def question_scores(rows: tuple[_ScoredRow, ...]) -> tuple[QuestionScore, ...]:
    out = []
    for q in QUESTIONS:
        answers = [s for r in rows if (s := getattr(r, q)) is not None]
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
        scores, source = question_scores(tuple(r for r in sub.ccg_survey if r.responded)), "ccg_survey"
    elif sub.ccg_interviews:
        scores, source = (
            question_scores(tuple(r for r in sub.ccg_interviews if r.interviewed)),
            "ccg_interviews",
        )
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
