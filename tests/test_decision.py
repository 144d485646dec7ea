"""Decision-table tests for `csu_assure.decision`: domain RAG from check results, then each checkpoint's outcome."""

from __future__ import annotations

import pytest

from csu_assure.decision import Decision, decide, domain_rag
from csu_assure.domain import Checkpoint, Domain, Outcome, Rag, Severity, Status
from csu_assure.results import CheckResult


def result(
    status: Status, severity: Severity, domain: Domain = Domain.CUSTOMER, check_id: str = "CP2-CUS-91"
) -> CheckResult:
    return CheckResult(
        check_id=check_id,
        name="A problem",
        domain=domain,
        severity=severity,
        computed_status=status,
        status=status,
        finding="finding",
    )


# ------------------------------------------------------------------------------------------------ domain RAG


@pytest.mark.parametrize(
    ("status", "severity", "rag"),
    [
        (Status.FAIL, Severity.CRITICAL, Rag.RED),
        (Status.FAIL, Severity.MAJOR, Rag.AMBER),
        (Status.FAIL, Severity.MINOR, Rag.GREEN),  # advisory only
        (Status.NOT_EVIDENCED, Severity.CRITICAL, Rag.RED),  # insufficient evidence counts as a failure
        (Status.NOT_EVIDENCED, Severity.MAJOR, Rag.AMBER),
        (Status.ERROR, Severity.CRITICAL, Rag.RED),  # a broken check can never pass a CSU
        (Status.ERROR, Severity.MAJOR, Rag.AMBER),
        (Status.WAIVED, Severity.CRITICAL, Rag.GREEN),
        (Status.NOT_APPLICABLE, Severity.CRITICAL, Rag.GREEN),
        (Status.PASS, Severity.CRITICAL, Rag.GREEN),
    ],
)
def test_one_result_colours_its_domain(status: Status, severity: Severity, rag: Rag) -> None:
    assert domain_rag([result(status, severity)]) == {Domain.CUSTOMER: rag}


def test_the_worst_result_in_a_domain_sets_its_colour() -> None:
    results = [
        result(Status.FAIL, Severity.MAJOR),
        result(Status.PASS, Severity.CRITICAL),
        result(Status.FAIL, Severity.CRITICAL),
        result(Status.FAIL, Severity.MINOR),
    ]
    assert domain_rag(results) == {Domain.CUSTOMER: Rag.RED}
    assert domain_rag(results[:2]) == {Domain.CUSTOMER: Rag.AMBER}


def test_domains_are_coloured_independently_and_listed_in_domain_order() -> None:
    rags = domain_rag(
        [
            result(Status.FAIL, Severity.MAJOR, Domain.BUSINESS),
            result(Status.FAIL, Severity.CRITICAL, Domain.LEADERSHIP),
            result(Status.PASS, Severity.MAJOR, Domain.EVIDENCE),
        ]
    )
    assert rags == {Domain.EVIDENCE: Rag.GREEN, Domain.LEADERSHIP: Rag.RED, Domain.BUSINESS: Rag.AMBER}
    assert list(rags) == [Domain.EVIDENCE, Domain.LEADERSHIP, Domain.BUSINESS]


def test_no_results_give_no_domains() -> None:
    assert domain_rag([]) == {}


# ------------------------------------------------------------------------------------------------ outcomes

G, A, R = Rag.GREEN, Rag.AMBER, Rag.RED


def rags(*colours: Rag) -> dict[Domain, Rag]:
    return dict(
        zip([Domain.LEADERSHIP, Domain.CUSTOMER, Domain.BUSINESS, Domain.GOVERNANCE], colours, strict=False)
    )


@pytest.mark.parametrize(
    ("checkpoint", "colours", "plan_agreed", "expected"),
    [
        # checkpoint 1: any RED → proceed but consolidate; otherwise proceed
        (Checkpoint.OUTLINE_PLAN, (G, G, G), True, Decision(Outcome.PROCEED)),
        (Checkpoint.OUTLINE_PLAN, (G, A, A), True, Decision(Outcome.PROCEED)),
        (Checkpoint.OUTLINE_PLAN, (R, G, G), True, Decision(Outcome.PROCEED_CONSOLIDATE)),
        (Checkpoint.OUTLINE_PLAN, (R, R, R), True, Decision(Outcome.PROCEED_CONSOLIDATE)),
        # checkpoint 2: A / B / B with escalation / C
        (Checkpoint.VIABILITY, (G, G, G), True, Decision(Outcome.A)),
        (Checkpoint.VIABILITY, (G, A, G), True, Decision(Outcome.B)),
        (Checkpoint.VIABILITY, (A, A, A), True, Decision(Outcome.B)),
        (Checkpoint.VIABILITY, (R, G, G), True, Decision(Outcome.B, escalation=True)),
        (Checkpoint.VIABILITY, (R, A, A), True, Decision(Outcome.B, escalation=True)),
        (Checkpoint.VIABILITY, (R, R, G), True, Decision(Outcome.C)),
        (Checkpoint.VIABILITY, (R, R, R, R), True, Decision(Outcome.C)),
        (Checkpoint.VIABILITY, (G, G, G), False, Decision(Outcome.C)),  # no agreed development plan
        (Checkpoint.VIABILITY, (R, G, G), False, Decision(Outcome.C)),
        # checkpoint 3: recommend / with conditions / not recommended
        (Checkpoint.FULL_BUSINESS_PLAN, (G, G, G, G), True, Decision(Outcome.RECOMMEND)),
        (Checkpoint.FULL_BUSINESS_PLAN, (G, A, G, G), True, Decision(Outcome.RECOMMEND_WITH_CONDITIONS)),
        (Checkpoint.FULL_BUSINESS_PLAN, (G, A, R, G), True, Decision(Outcome.NOT_RECOMMENDED)),
        (Checkpoint.FULL_BUSINESS_PLAN, (R, G, G, G), True, Decision(Outcome.NOT_RECOMMENDED)),
    ],
)
def test_decision_table(
    checkpoint: Checkpoint, colours: tuple[Rag, ...], plan_agreed: bool, expected: Decision
) -> None:
    assert decide(checkpoint, rags(*colours), development_plan_agreed=plan_agreed) == expected


@pytest.mark.parametrize("checkpoint", [Checkpoint.OUTLINE_PLAN, Checkpoint.FULL_BUSINESS_PLAN])
def test_only_checkpoint_2_needs_an_agreed_development_plan(checkpoint: Checkpoint) -> None:
    decision = decide(checkpoint, rags(G, G, G), development_plan_agreed=False)
    assert decision.outcome in (Outcome.PROCEED, Outcome.RECOMMEND)
    assert not decision.escalation


@pytest.mark.parametrize(
    ("outcome", "proceeds"),
    [
        (Outcome.PROCEED, True),
        (Outcome.PROCEED_CONSOLIDATE, True),
        (Outcome.A, True),
        (Outcome.B, True),
        (Outcome.C, False),
        (Outcome.RECOMMEND, True),
        (Outcome.RECOMMEND_WITH_CONDITIONS, True),
        (Outcome.NOT_RECOMMENDED, False),
        (Outcome.NOT_SUBMITTED, False),
    ],
)
def test_which_outcomes_proceed_and_so_get_a_development_plan(outcome: Outcome, proceeds: bool) -> None:
    assert outcome.proceeds is proceeds
    assert outcome.label
