"""The financial model does not give four years of income and expenditure by service line and customer."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, check, judge, not_evidenced, row
from csu_assure.domain import CheckGroup, Domain
from csu_assure.figures import plan_totals
from csu_assure.results import EvidenceRow, Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    years: int = Field(ge=1, le=4, description="Plan years the model must cover (year 1 = 2013/14).")


@check(
    id="CP3-FIN-01",
    name="The financial model does not give four years of income and expenditure by service line and customer",
    checkpoint=3,
    domain=Domain.BUSINESS,
    group=CheckGroup.BUSINESS,
    params=Params,
    action="Complete the financial model: income and expenditure for every year, service line and customer CCG.",
    evidence_required="The completed 4-year financial model (income and expenditure by service line and by customer).",
)
def financial_model_complete(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    That the financial model is fully populated: for each of the first `years` plan years there are rows
    with income for every customer CCG listed in the footprint, and every service line that appears in any year
    appears in that year too. Each missing year, (year, CCG) or (year, service line) is one gap.

    ## Why it matters
    The BDU's checkpoint 3 financial test reads income and expenditure by service line (is each line viable?)
    and by customer (does each CCG's spend match what it signed?). A model with gaps hides exactly the lines
    or customers that do not pay their way.

    ## Severity
    Medium. An incomplete four-year model is a gap to fill as a binding obligation; the surplus and
    affordability checks judge the figures that are there.

    ## Evidence used
    `financial_plan.csv`: `year`, `service_line`, `customer`, `income`, `costs`; `ccgs.csv` for the customers.

    ## Source
    [S] BRIEF.md checkpoint table (financial model: 4 years income and expenditure by service line and by
    customer), seed `000` (checkpoint 3 tests the full business plan, strategy and viability). Treating a line
    that vanishes in a later year as a gap is our reading of "fully populated" [A]: a line being dropped needs
    saying, not leaving blank.
    """
    if not sub.financial_plan:
        return not_evidenced("the financial model (financial_plan.csv)")
    # Years with at least one non-zero row: customers and service lines that carry money in that year.
    totals = plan_totals(sub).years.values()
    customers = {t.year: t.active_customers for t in totals if t.active_lines}
    lines = {t.year: t.active_lines for t in totals if t.active_lines}
    all_lines = set().union(*lines.values()) if lines else set()
    footprint = sub.ccg_ids
    gaps: list[EvidenceRow] = []
    for year in range(1, p.years + 1):
        if year not in lines:
            gaps.append(row(year=year, missing="the whole year"))
            continue
        gaps.extend(row(year=year, missing=f"customer {c}") for c in sorted(footprint - customers[year]))
        gaps.extend(row(year=year, missing=f"service line {s}") for s in sorted(all_lines - lines[year]))
    years_present = sum(1 for y in range(1, p.years + 1) if y in lines)
    return judge(
        passed=not gaps,
        actual=f"{len(gaps)} gap(s)",
        expected=f"{p.years} years × {len(sub.ccgs)} CCGs × {len(all_lines)} service lines, no gaps",
        finding=f"The financial model covers {years_present} of {p.years} years and has {len(gaps)} gap(s) "
        "by customer or service line.",
        evidence=gaps,
    )
