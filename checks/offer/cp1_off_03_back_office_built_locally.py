"""Ledger and payroll are to be built locally rather than shared or bought at scale."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, check, judge, not_evidenced, row
from csu_assure.domain import CheckGroup, Domain
from csu_assure.results import EvidenceRow, Judgement
from csu_assure.submission import DeliveryModel, ServiceFunction, Submission


class Params(CheckParams):
    acceptable_models: tuple[DeliveryModel, ...] = Field(
        min_length=1, description="Delivery models for ledger and payroll that count as shared or at scale."
    )


@check(
    id="CP1-OFF-03",
    name="Ledger and payroll to be built locally, not shared or bought at scale",
    checkpoint=1,
    domain=Domain.BUSINESS,
    group=CheckGroup.OFFER,
    params=Params,
    action="Appraise shared or at-scale ledger and payroll (e.g. NHS Shared Business Services) before "
    "building them locally.",
    evidence_required="An options appraisal for ledger and payroll and the chosen delivery model.",
)
def back_office_built_locally(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    How the plan will deliver ledger and payroll: the business plan's `back_office` model and any
    `ledger_payroll` line of the service catalogue must use one of the `acceptable_models` (shared, at scale,
    outsourced or with a partner), not a new in-house build.

    ## Why it matters
    Back-office functions can be standardised, and shared services and outsourcing save up to 40%; many
    clusters were nonetheless planning to build their own, adding cost the CCGs would pay for.

    ## Severity
    Low, advice. The stock take found clusters planning to build back offices locally; the QIPP work
    favoured shared services, but a local back office is a cost question, not a viability failure.

    ## Evidence used
    `business_plan.yaml`: `back_office`; `services.csv`: `function` = `ledger_payroll`, `delivery_model`.

    ## Source
    [S] seed `004` (back-office functions "configured at scale on a national or multi regional basis";
    clusters "considering developing internal back office functions"), seed `000` (NHS Shared Business
    Services); the pass rule [A].
    """
    stated: list[tuple[str, DeliveryModel]] = []
    if sub.plan.back_office is not None:
        stated.append(("business_plan.yaml back_office", sub.plan.back_office))
    for i, service in enumerate(sub.services or (), start=1):
        if service.function is ServiceFunction.LEDGER_PAYROLL:
            stated.append((f"services row {i}", service.delivery_model))
    if not stated:
        return not_evidenced(
            "how ledger and payroll will be delivered (business_plan.yaml back_office, or a ledger_payroll "
            "line in services.csv)"
        )
    local: list[EvidenceRow] = [
        row(where=where, delivery_model=model.value)
        for where, model in stated
        if model not in p.acceptable_models
    ]
    models = sorted({model.value for _, model in stated})
    return judge(
        passed=not local,
        actual=", ".join(models),
        expected=f"one of {', '.join(m.value for m in p.acceptable_models)}",
        finding=f"Ledger and payroll are planned as {' and '.join(m.replace('_', ' ') for m in models)}"
        + (f"; {len(local)} statement(s) plan a local build." if local else "."),
        evidence=local,
    )
