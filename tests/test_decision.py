"""Decision-table tests for `csu_assure.decision`: every domain-status boundary, then every outcome of each
checkpoint with the reason it gives, and a property: adding a low finding never changes an outcome."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csu_assure.decision import decide, domain_statuses
from csu_assure.domain import DECISION_DOMAINS, Checkpoint, Domain, DomainStatus, Outcome, Severity, Status
from csu_assure.results import CheckResult

CP1, CP2, CP3 = Checkpoint.OUTLINE_PLAN, Checkpoint.VIABILITY, Checkpoint.FULL_BUSINESS_PLAN
MEDIUM_FOR_MARGINAL = 3
P, M, F = DomainStatus.PASS, DomainStatus.MARGINAL, DomainStatus.FAIL


def result(
    status: Status = Status.FAIL,
    severity: Severity = Severity.MEDIUM,
    domain: Domain = Domain.CUSTOMER,
    n: int = 91,
) -> CheckResult:
    return CheckResult(
        check_id=f"CP2-CUS-{n:02d}",
        name="A problem",
        domain=domain,
        group="customer",
        severity=severity,
        computed_status=status,
        status=status,
        finding="finding",
    )


def statuses_of(*results: CheckResult, checkpoint: Checkpoint = CP2) -> dict[Domain, DomainStatus]:
    return domain_statuses(results, checkpoint, MEDIUM_FOR_MARGINAL)


# --------------------------------------------------------------------------------------- domain statuses


@pytest.mark.parametrize(
    ("status", "severity", "expected"),
    [
        (Status.FAIL, Severity.CRITICAL, F),
        (Status.FAIL, Severity.HIGH, M),
        (Status.FAIL, Severity.MEDIUM, P),  # one medium issue is a plan item: the domain passes
        (Status.FAIL, Severity.LOW, P),  # advice
        (
            Status.NOT_EVIDENCED,
            Severity.CRITICAL,
            F,
        ),  # insufficient evidence counts as a failure of its severity
        (Status.NOT_EVIDENCED, Severity.HIGH, M),
        (Status.ERROR, Severity.CRITICAL, F),  # a broken check can never pass a CSU
        (Status.ERROR, Severity.HIGH, M),
        (Status.WAIVED, Severity.CRITICAL, P),
        (Status.NOT_APPLICABLE, Severity.CRITICAL, P),
        (Status.PASS, Severity.CRITICAL, P),
    ],
)
def test_one_result_sets_its_domains_status(
    status: Status, severity: Severity, expected: DomainStatus
) -> None:
    assert statuses_of(result(status, severity))[Domain.CUSTOMER] is expected


@pytest.mark.parametrize(("mediums", "expected"), [(0, P), (1, P), (2, P), (3, M), (4, M)])
def test_enough_medium_issues_in_one_domain_make_it_marginal(mediums: int, expected: DomainStatus) -> None:
    found = statuses_of(*(result(severity=Severity.MEDIUM, n=i) for i in range(mediums)))
    assert found[Domain.CUSTOMER] is expected


def test_medium_issues_count_per_domain_not_across_domains() -> None:
    found = statuses_of(
        result(severity=Severity.MEDIUM, domain=Domain.CUSTOMER),
        result(severity=Severity.MEDIUM, domain=Domain.CUSTOMER, n=92),
        result(severity=Severity.MEDIUM, domain=Domain.BUSINESS),
        result(severity=Severity.MEDIUM, domain=Domain.LEADERSHIP),
    )
    assert set(found.values()) == {P}


def test_the_marginal_threshold_comes_from_the_caller() -> None:
    two = [result(severity=Severity.MEDIUM, n=i) for i in range(2)]
    assert domain_statuses(two, CP2, 2)[Domain.CUSTOMER] is M
    assert domain_statuses(two, CP2, 3)[Domain.CUSTOMER] is P


def test_a_critical_issue_outweighs_everything_else_in_its_domain() -> None:
    found = statuses_of(
        result(severity=Severity.HIGH), result(severity=Severity.CRITICAL, n=92), result(Status.PASS, n=93)
    )
    assert found[Domain.CUSTOMER] is F


@pytest.mark.parametrize("checkpoint", list(Checkpoint))
def test_every_decision_domain_of_the_checkpoint_has_a_status_in_the_bdus_order(
    checkpoint: Checkpoint,
) -> None:
    found = domain_statuses([], checkpoint, MEDIUM_FOR_MARGINAL)
    assert list(found) == list(DECISION_DOMAINS[checkpoint]) and set(found.values()) == {P}


def test_checkpoint_2_has_three_domains_and_checkpoint_3_four() -> None:
    assert DECISION_DOMAINS[CP2] == (Domain.LEADERSHIP, Domain.BUSINESS, Domain.CUSTOMER)
    assert DECISION_DOMAINS[CP3] == (Domain.LEADERSHIP, Domain.CUSTOMER, Domain.BUSINESS, Domain.DELIVERY)
    assert Domain.BUSINESS.label(CP2) == "Business plan" and Domain.BUSINESS.label(CP3) == "Business"
    assert Domain.CUSTOMER.label(CP2) == "Customer focus" and Domain.CUSTOMER.label(CP3) == "Customer"


# ---------------------------------------------------------------------------------------------- outcomes


def domains(checkpoint: Checkpoint, *given: DomainStatus) -> dict[Domain, DomainStatus]:
    return dict(zip(DECISION_DOMAINS[checkpoint], given, strict=True))


@pytest.mark.parametrize(
    ("given", "outcome", "escalation", "reason"),
    [
        ((P, P, P), Outcome.A, None, "good progress in every domain"),
        ((M, P, P), Outcome.B, None, "passed only marginally: leadership"),
        ((M, M, M), Outcome.B, None, "passed only marginally: leadership, business plan and customer focus"),
        ((F, P, P), Outcome.B, Domain.LEADERSHIP, "domain failed: leadership: escalated"),
        ((P, F, M), Outcome.B, Domain.BUSINESS, "domain failed: business plan: escalated"),
        ((F, F, P), Outcome.C, None, "domains failed: leadership and business plan"),
        ((F, F, F), Outcome.C, None, "domains failed: leadership, business plan and customer focus"),
        ((P, F, F), Outcome.C, None, "domains failed: business plan and customer focus"),
    ],
)
def test_checkpoint_2_outcomes(
    given: tuple[DomainStatus, ...], outcome: Outcome, escalation: Domain | None, reason: str
) -> None:
    decision = decide(CP2, domains(CP2, *given))
    assert (decision.outcome, decision.escalation) == (outcome, escalation)
    assert decision.reasons[0].startswith(reason)


def test_no_agreed_development_plan_stops_a_csu_whatever_its_domains() -> None:
    decision = decide(CP2, domains(CP2, P, P, P), development_plan_agreed=False)
    assert decision.outcome is Outcome.C and decision.escalation is None
    assert decision.reasons == ("no development plan agreed",)


@pytest.mark.parametrize(
    ("given", "outcome", "reason"),
    [
        ((P, P, P, P), Outcome.RECOMMEND, "every test passed"),
        ((P, M, P, P), Outcome.RECOMMEND_WITH_CONDITIONS, "passed only marginally: customer"),
        ((M, M, M, M), Outcome.RECOMMEND_WITH_CONDITIONS, "passed only marginally"),
        ((P, P, P, F), Outcome.NOT_RECOMMENDED, "test failed: delivery"),
        ((F, M, P, P), Outcome.NOT_RECOMMENDED, "test failed: leadership"),
        ((F, F, F, F), Outcome.NOT_RECOMMENDED, "tests failed"),
    ],
)
def test_checkpoint_3_outcomes(given: tuple[DomainStatus, ...], outcome: Outcome, reason: str) -> None:
    decision = decide(CP3, domains(CP3, *given))
    assert decision.outcome is outcome and decision.escalation is None
    assert decision.reasons[0].startswith(reason)


@pytest.mark.parametrize(
    ("given", "outcome"),
    [
        ((P, P, P), Outcome.PROCEED),
        ((M, M, M), Outcome.PROCEED),  # checkpoint 1 gives advice: marginal domains still proceed
        ((P, F, P), Outcome.PROCEED_CONSOLIDATE),
        ((F, F, F), Outcome.PROCEED_CONSOLIDATE),
    ],
)
def test_checkpoint_1_outcomes(given: tuple[DomainStatus, ...], outcome: Outcome) -> None:
    assert decide(CP1, domains(CP1, *given)).outcome is outcome


@pytest.mark.parametrize("checkpoint", list(Checkpoint))
def test_every_combination_of_domain_statuses_decides_by_the_brief(checkpoint: Checkpoint) -> None:
    """The whole table, stated once more from the brief's words, for every combination."""
    for combination in itertools.product((P, M, F), repeat=len(DECISION_DOMAINS[checkpoint])):
        failed, marginal = combination.count(F), combination.count(M)
        decision = decide(checkpoint, domains(checkpoint, *combination))
        if checkpoint is CP1:
            expected = Outcome.PROCEED_CONSOLIDATE if failed else Outcome.PROCEED
        elif checkpoint is CP2:
            expected = Outcome.C if failed >= 2 else Outcome.B if failed or marginal else Outcome.A
        else:
            expected = (
                Outcome.NOT_RECOMMENDED
                if failed
                else Outcome.RECOMMEND_WITH_CONDITIONS
                if marginal
                else Outcome.RECOMMEND
            )
        assert decision.outcome is expected, combination
        assert (decision.escalation is not None) == (checkpoint is CP2 and failed == 1), combination


# ------------------------------------------------------------------------------------- property: low findings

_RESULTS = st.lists(
    st.builds(
        result,
        status=st.sampled_from([Status.PASS, Status.FAIL, Status.NOT_EVIDENCED, Status.WAIVED]),
        severity=st.sampled_from(list(Severity)),
        domain=st.sampled_from([Domain.LEADERSHIP, Domain.BUSINESS, Domain.CUSTOMER]),
        n=st.integers(10, 99),
    ),
    max_size=12,
)


@given(results=_RESULTS, domain=st.sampled_from([Domain.LEADERSHIP, Domain.BUSINESS, Domain.CUSTOMER]))
def test_adding_a_low_finding_never_changes_a_domain_status_or_an_outcome(
    results: list[CheckResult], domain: Domain
) -> None:
    low = result(Status.FAIL, Severity.LOW, domain, n=9)
    for checkpoint in (CP1, CP2):
        before = domain_statuses(results, checkpoint, MEDIUM_FOR_MARGINAL)
        after = domain_statuses([*results, low], checkpoint, MEDIUM_FOR_MARGINAL)
        assert after == before
        assert decide(checkpoint, after) == decide(checkpoint, before)
