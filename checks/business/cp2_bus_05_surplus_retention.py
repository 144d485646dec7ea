"""The business plan does not say what happens to any surplus the CSS makes."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, at_least, check, judge, measure
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    min_words: int = Field(
        ge=1, le=200, description="A statement shorter than this many words does not count."
    )


@check(
    id="CP2-BUS-05",
    name="No surplus-retention assumption stated",
    checkpoint=2,
    domain=Domain.BUSINESS,
    group=CheckGroup.BUSINESS,
    params=Params,
    action="State in the business plan what share of any surplus the CSS assumes it may retain, and for what.",
    evidence_required="The business plan's surplus-retention assumption, agreed with the host.",
)
def surplus_retention(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    That the plan states its surplus-retention assumption (`surplus_retention_assumption`, at least
    `min_words` words). A plan that says nothing FAILS rather than being NOT_EVIDENCED: the missing
    assumption is itself the finding, not missing data.

    ## Why it matters
    CSS leaders wanted "to be able to demonstrate an operating surplus", and the sector was later held to a
    5% surplus requirement; whether a hosted CSS may keep a surplus to reinvest changes the whole financial
    plan, so the assumption must be explicit.

    ## Severity
    Low, advice: the assumption matters to the financial model but its absence does not change the business.

    ## Evidence used
    `business_plan.yaml`: `surplus_retention_assumption`.

    ## Source
    [S] seed `003` (the problem: CSS leaders keen to show an operating surplus) and BRIEF.md reference
    figures (5% surplus requirement); the test and `min_words` [A] from BRIEF.md CP2-BUS-05.
    """
    text = sub.plan.surplus_retention_assumption
    words = len(text.split()) if text else 0
    if words >= p.min_words:
        finding = f"The plan states its surplus-retention assumption ({words} words)."
    elif words:
        finding = (
            f"The surplus-retention assumption is only {words} word(s); at least {p.min_words} are needed."
        )
    else:
        finding = "The plan states no surplus-retention assumption."
    return judge(
        passed=words >= p.min_words,
        measures=[
            measure(
                "words in the surplus-retention assumption",
                words,
                Unit.WORDS,
                at_least("min_words", p.min_words),
            )
        ],
        actual=f"{words} words",
        expected=f"a stated assumption of ≥ {p.min_words} words",
        finding=finding,
    )
