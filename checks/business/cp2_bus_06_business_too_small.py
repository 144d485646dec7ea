"""The CSS's planned year-1 income is smaller than any real commissioning support service of 2012-13."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from csu_assure.checking import CheckParams, Context, at_least, check, gbp, judge, measure, not_evidenced, row
from csu_assure.domain import CheckGroup, Domain, Severity, Unit
from csu_assure.figures import plan_totals
from csu_assure.remedies import agreed_merger_route, merger_route_short_of_agreed
from csu_assure.results import Judgement
from csu_assure.submission import OTHER_CUSTOMER, Submission


def _pounds(amount: Decimal) -> str:
    """Whole pounds: a threshold of millions reads better without pence."""
    return f"£{amount:,.0f}"


class Params(CheckParams):
    min_income: Decimal = Field(
        ge=0,
        description="Smallest year-1 total income (£) that passes: the revenue of the smallest real CSS.",
    )
    critical_below: Decimal = Field(
        ge=0, description="Below this year-1 total income (£) the failure is critical."
    )


@check(
    id="CP2-BUS-06",
    name="Business too small: year-1 income below the smallest real CSS",
    checkpoint=2,
    domain=Domain.BUSINESS,
    group=CheckGroup.BUSINESS,
    params=Params,
    action="Reach a viable size: agree a merger or collaboration with a neighbouring CSS, or win the further "
    "CCG and other customers that take year-1 income above the smallest viable CSS.",
    evidence_required="A signed merger or collaboration agreement, or a revised financial plan with the "
    "customers' written intentions behind the added income.",
    remedy="a merger or collaboration route agreed or completed",
)
def business_too_small(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    Year-1 (2013/14) total income in the financial plan, from CCGs and other customers, against `min_income`
    (£4.5m); below `critical_below` (£2.25m) the failure is critical. An agreed merger or collaboration route
    (`merger_route` agreed or completed by the assessment date, or the older `merger_route_agreed: true`) does
    not make a small business pass; it lowers the failure one step.

    ## Why it matters
    Population (CP2-SCL-01) is one measure of scale; income is the other, and the one the business lives on.
    The CSSs of the time had revenues of £4.5m to £90m: a CSS planning to earn less than the smallest of them
    would be smaller than any real commissioning support business, and the number of prospectuses fell "to
    reflect the need to keep costs down by providing services at scale".

    ## Severity
    High below `min_income`: a business smaller than the smallest real CSS needs rapid management (a merger or
    more customers) before checkpoint 3, but the smallest real CSS shows that a business near that size could
    proceed. Critical below `critical_below`, half the smallest real CSS: at Arden's ~£55,000 of income per
    member of staff (£11m for 200 staff) it would pay about 40 staff across the six core functions and the back
    office, a handful per function, too few to be "commercially viable" on its own. An agreed merger or
    collaboration route lowers either one step (to medium, or to high): the route is the remedy the BDU
    steered small CSSs to, and the plan must carry it through. A route only proposed is not a remedy.

    ## Evidence used
    `financial_plan.csv`: `year`, `customer`, `income`; `business_plan.yaml`: `merger_route` (`partner`,
    `status`, `agreed_on`) or `merger_route_agreed`. Evidence rows give year-1 income by customer.

    ## Source
    [S] BRIEF.md reference figures (CSS revenues £4.5m–£90m); seed `000` (Arden: ~£11m revenue, 200 staff;
    services at scale; merger as the alternative at checkpoint 2). `min_income` is the smallest real CSS [S];
    `critical_below` at half of it [A, reason under Severity]; the remedy rule is BRIEF.md's "context changes
    severity" [A].
    """
    expected = f"year-1 income ≥ {_pounds(p.min_income)} (critical below {_pounds(p.critical_below)})"
    year1 = plan_totals(sub).year(1)
    if year1 is None:
        return not_evidenced("year-1 income (financial_plan.csv)", expected)
    income = year1.income
    passed = income >= p.min_income
    route = None if passed else agreed_merger_route(sub, ctx.as_of)
    if passed:
        verdict = f"at least the {_pounds(p.min_income)} of the smallest real CSS"
    else:
        far = f"below {_pounds(p.critical_below)}, far under" if income < p.critical_below else "below"
        verdict = f"{far} the {_pounds(p.min_income)} of the smallest real CSS" + (
            f"; {route}"
            if route
            else f", and {merger_route_short_of_agreed(sub, ctx.as_of) or 'no merger route is agreed'}"
        )
    by_customer = year1.income_by_customer
    return judge(
        passed=passed,
        critical=income < p.critical_below,
        measures=[
            measure(
                "year-1 income",
                income,
                Unit.POUNDS,
                at_least("min_income", p.min_income),
                at_least("critical_below", p.critical_below, grade=Severity.CRITICAL),
            )
        ],
        remedy=route,
        actual=gbp(income),
        expected=expected,
        finding=f"Year-1 income is {gbp(income)}, {verdict}.",
        evidence=[]
        if passed
        else [
            row(customer=customer, kind="other" if customer == OTHER_CUSTOMER else "CCG", income=gbp(amount))
            for customer, amount in by_customer.items()
        ],
    )
