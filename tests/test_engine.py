"""Engine tests: errors, overrides, waivers, the development plan, non-submission and determinism.

Most tests assess the real baseline submission against a small catalogue of fake checks whose conclusions are
fixed, so each test states exactly which results the engine receives. The rule set is a real file loaded by
`load_ruleset`, as an assessor's alternative rule set would be.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from checks import DEVELOPMENT_PLAN_CHECK
from checks import catalogue as shipped_catalogue
from csu_assure.calendar import Calendar, load_calendar
from csu_assure.catalogue import Catalogue, build_catalogue
from csu_assure.checking import Check, Context, NoParams, check
from csu_assure.domain import (
    CheckGroup,
    Checkpoint,
    Domain,
    DomainStatus,
    ModerationStatus,
    Outcome,
    Severity,
    Status,
)
from csu_assure.engine import (
    ModerationRejected,
    Override,
    Waiver,
    assess,
    assess_not_submitted,
    make_context,
    moderate,
    moderation_problems,
    run_check,
)
from csu_assure.results import V1_GROUP_DOMAIN, Adjustment, Assessment, Judgement, Moderation
from csu_assure.ruleset import RuleSet, default_ruleset_path, load_ruleset
from csu_assure.submission import Submission
from csu_assure.synthetic import baseline, to_submission

AS_OF = dt.date(2012, 4, 20)
CODES = {
    CheckGroup.EVIDENCE: "EVD",
    CheckGroup.LEADERSHIP: "LEA",
    CheckGroup.CUSTOMER: "CUS",
    CheckGroup.BUSINESS: "BUS",
    CheckGroup.GOVERNANCE: "GOV",
}

PASS = Judgement(status=Status.PASS, finding="All is well.")
FAIL = Judgement(status=Status.FAIL, finding="Something is wrong.", actual="1", expected="0")
MISSING = Judgement(status=Status.NOT_EVIDENCED, finding="Insufficient evidence: table not submitted.")
SHIPPED_PLAUSIBILITY = yaml.safe_load(default_ruleset_path().read_text(encoding="utf-8"))["plausibility"]


def fake(
    checkpoint: int, group: CheckGroup, number: int, conclusion: Judgement | Exception, severity: Severity
) -> tuple[Check[Any], Severity]:
    """A check that always reaches `conclusion` (or raises it), named and filed as a real one would be, counting
    towards the decision domain its group counts towards."""
    check_id = f"CP{checkpoint}-{CODES[group]}-{number:02d}"

    def conclude(sub: Submission, p: NoParams, ctx: Context) -> Judgement:
        """## What it checks
        A fixed conclusion.

        ## Why it matters
        It lets a test choose what the engine receives.

        ## Severity
        Whatever the test's rule set says.

        ## Evidence used
        None.

        ## Source
        [A] test fixture.
        """
        if isinstance(conclusion, Exception):
            raise conclusion
        return conclusion

    made = check(
        id=check_id,
        name=f"Fake problem {check_id}",
        checkpoint=checkpoint,
        domain=V1_GROUP_DOMAIN[group.value],
        group=group,
        params=NoParams,
        action=f"Fix {check_id}.",
        evidence_required=f"Proof that {check_id} is fixed.",
    )(conclude)
    module = f"fakes.{check_id.lower().replace('-', '_')}_fake"
    return dataclasses.replace(made, module=module), severity


@pytest.fixture(scope="module")
def calendar() -> Calendar:
    return load_calendar()


@pytest.fixture(scope="module")
def cp2() -> Submission:
    return to_submission(baseline(checkpoint=2))


def setup(tmp_path: Path, *checks: tuple[Check[Any], Severity]) -> tuple[Catalogue, RuleSet]:
    ids = {c.id for c, _ in checks}
    plan_check = DEVELOPMENT_PLAN_CHECK if DEVELOPMENT_PLAN_CHECK in ids else None
    catalogue = build_catalogue([c for c, _ in checks], development_plan_check=plan_check)
    spec = {
        "name": "test",
        "version": "t1",
        "decision": {"medium_issues_for_marginal": 3},
        "plausibility": SHIPPED_PLAUSIBILITY,
        "checks": {c.id: {"severity": s.value} for c, s in checks},
    }
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return catalogue, load_ruleset(catalogue, path)


def run(sub: Submission, catalogue: Catalogue, ruleset: RuleSet, calendar: Calendar, **kw: Any) -> Assessment:
    return assess(
        sub, catalogue=catalogue, ruleset=ruleset, calendar=calendar, as_of=AS_OF, assessor="A. Tester", **kw
    )


# ------------------------------------------------------------------------------------------------ errors


def test_a_check_that_raises_gives_error_without_stopping_the_others(
    tmp_path: Path, cp2: Submission, calendar: Calendar
) -> None:
    catalogue, ruleset = setup(
        tmp_path,
        fake(2, CheckGroup.CUSTOMER, 91, PASS, Severity.HIGH),
        fake(2, CheckGroup.CUSTOMER, 92, ZeroDivisionError("division by zero"), Severity.HIGH),
        fake(2, CheckGroup.BUSINESS, 93, FAIL, Severity.LOW),
    )
    record = run(cp2, catalogue, ruleset, calendar)
    broken = record.result("CP2-CUS-92")
    assert broken.status is broken.computed_status is Status.ERROR
    assert broken.note is not None and "ZeroDivisionError: division by zero" in broken.note
    assert "assessor must judge" in broken.finding
    assert record.result("CP2-CUS-91").status is Status.PASS
    assert record.result("CP2-BUS-93").status is Status.FAIL
    assert record.domains[Domain.CUSTOMER] is DomainStatus.MARGINAL  # an ERROR is a failure of its severity
    assert record.outcome is Outcome.B


# ------------------------------------------------------------------------------------- overrides and waivers


def test_an_override_keeps_the_computed_and_the_final_status_side_by_side(
    tmp_path: Path, cp2: Submission, calendar: Calendar
) -> None:
    catalogue, ruleset = setup(
        tmp_path,
        fake(2, CheckGroup.LEADERSHIP, 91, FAIL, Severity.CRITICAL),
        fake(2, CheckGroup.CUSTOMER, 92, PASS, Severity.HIGH),
    )
    to_pass = Adjustment(
        kind="override",
        check_id="CP2-LEA-91",
        assessor="J. Smith",
        reason="Panel re-interviewed.",
        status=Status.PASS,
    )
    to_fail = Adjustment(
        kind="override",
        check_id="CP2-CUS-92",
        assessor="J. Smith",
        reason="CCG withdrew.",
        status=Status.FAIL,
    )
    record = run(cp2, catalogue, ruleset, calendar, adjustments=[to_pass, to_fail])
    lifted, lowered = record.result("CP2-LEA-91"), record.result("CP2-CUS-92")
    assert (lifted.computed_status, lifted.status, lifted.adjustment) == (Status.FAIL, Status.PASS, to_pass)
    assert (lowered.computed_status, lowered.status, lowered.adjustment) == (
        Status.PASS,
        Status.FAIL,
        to_fail,
    )
    assert lifted.finding == FAIL.finding  # the check's own finding stays on the record
    assert record.domains == {
        Domain.LEADERSHIP: DomainStatus.PASS,
        Domain.BUSINESS: DomainStatus.PASS,
        Domain.CUSTOMER: DomainStatus.MARGINAL,
    }
    assert record.outcome is Outcome.B


def test_a_valid_waiver_gives_waived_and_the_check_stops_counting(
    tmp_path: Path, cp2: Submission, calendar: Calendar
) -> None:
    catalogue, ruleset = setup(tmp_path, fake(2, CheckGroup.LEADERSHIP, 91, FAIL, Severity.CRITICAL))
    waiver = Adjustment(
        kind="waiver", check_id="CP2-LEA-91", assessor="J. Smith", reason="MD starts 1 May.", expires=AS_OF
    )  # the last day it applies is the assessment day itself
    record = run(cp2, catalogue, ruleset, calendar, adjustments=[waiver])
    result = record.result("CP2-LEA-91")
    assert (result.computed_status, result.status) == (Status.FAIL, Status.WAIVED)
    assert result.note is None
    assert set(record.domains.values()) == {DomainStatus.PASS}
    assert record.outcome is Outcome.A
    assert record.development_plan == ()


def test_an_expired_waiver_no_longer_applies(tmp_path: Path, cp2: Submission, calendar: Calendar) -> None:
    catalogue, ruleset = setup(tmp_path, fake(2, CheckGroup.LEADERSHIP, 91, FAIL, Severity.CRITICAL))
    waiver = Adjustment(
        kind="waiver",
        check_id="CP2-LEA-91",
        assessor="J. Smith",
        reason="MD starts 1 May.",
        expires=AS_OF - dt.timedelta(days=1),
    )
    record = run(cp2, catalogue, ruleset, calendar, adjustments=[waiver])
    result = record.result("CP2-LEA-91")
    assert result.status is result.computed_status is Status.FAIL
    assert result.note is not None and "expired on 2012-04-19" in result.note and "J. Smith" in result.note
    assert record.domains[Domain.LEADERSHIP] is DomainStatus.FAIL
    assert (record.outcome, record.escalation) == (Outcome.B, Domain.LEADERSHIP)


def test_a_check_disabled_in_the_rule_set_is_not_applicable(
    tmp_path: Path, cp2: Submission, calendar: Calendar
) -> None:
    catalogue, ruleset = setup(tmp_path, fake(2, CheckGroup.LEADERSHIP, 91, FAIL, Severity.CRITICAL))
    ruleset = dataclasses.replace(ruleset, enabled={"CP2-LEA-91": False})
    result = run(cp2, catalogue, ruleset, calendar).result("CP2-LEA-91")
    assert result.status is Status.NOT_APPLICABLE
    assert "disabled" in result.finding


# ------------------------------------------------------------------------------------- development plan


def test_every_issue_becomes_a_plan_item_and_medium_or_worse_ones_bind(
    tmp_path: Path, cp2: Submission, calendar: Calendar
) -> None:
    catalogue, ruleset = setup(
        tmp_path,
        fake(2, CheckGroup.LEADERSHIP, 91, FAIL, Severity.CRITICAL),  # leadership fails: escalation + item
        fake(2, CheckGroup.CUSTOMER, 92, FAIL, Severity.HIGH),  # → binding item
        fake(2, CheckGroup.CUSTOMER, 93, MISSING, Severity.MEDIUM),  # insufficient evidence → binding item
        fake(2, CheckGroup.BUSINESS, 94, FAIL, Severity.LOW),  # advice → an item that does not bind
        fake(2, CheckGroup.BUSINESS, 95, PASS, Severity.CRITICAL),  # pass → no item
    )
    record = run(cp2, catalogue, ruleset, calendar)
    assert (record.outcome, record.escalation) == (Outcome.B, Domain.LEADERSHIP)
    plan = {i.item_id: i for i in record.development_plan}
    # The escalation first, then the most serious items.
    assert list(plan) == [
        "ESCALATION-leadership@2",
        "CP2-LEA-91@2",
        "CP2-CUS-92@2",
        "CP2-CUS-93@2",
        "CP2-BUS-94@2",
    ]
    item = plan["CP2-LEA-91@2"]
    assert (item.check_id, item.kind, item.severity, item.binding) == (
        "CP2-LEA-91",
        "finding",
        Severity.CRITICAL,
        True,
    )
    assert item.action == "Fix CP2-LEA-91."
    assert item.evidence_required == "Proof that CP2-LEA-91 is fixed."
    assert item.finding == FAIL.finding
    assert item.measure.startswith("CP2-LEA-91 passes: 0")  # the check's own pass condition, measurable
    assert item.due == calendar.deadline(Checkpoint.FULL_BUSINESS_PLAN)  # due by the next checkpoint
    assert item.owner == "Alex Morgan (managing director)"
    assert [plan[i].binding for i in ("CP2-CUS-92@2", "CP2-CUS-93@2", "CP2-BUS-94@2")] == [True, True, False]
    escalation = plan["ESCALATION-leadership@2"]
    assert (escalation.kind, escalation.check_id, escalation.binding) == ("escalation", "CP2-LEA-91", True)
    assert escalation.due == calendar.milestones["escalation_resolved_by"]
    assert "leadership intervention or a merger" in escalation.action and escalation.measure


def test_checkpoint_1_issues_are_advice_that_does_not_bind(tmp_path: Path, calendar: Calendar) -> None:
    catalogue, ruleset = setup(
        tmp_path,
        fake(1, CheckGroup.CUSTOMER, 91, FAIL, Severity.HIGH),
        fake(1, CheckGroup.BUSINESS, 92, FAIL, Severity.MEDIUM),
    )
    record = run(to_submission(baseline(checkpoint=1)), catalogue, ruleset, calendar)
    assert record.outcome is Outcome.PROCEED
    assert [(i.item_id, i.binding) for i in record.development_plan] == [
        ("CP1-CUS-91@1", False),  # high before medium
        ("CP1-BUS-92@1", False),
    ]


def test_a_stopped_csu_gets_no_development_plan(tmp_path: Path, cp2: Submission, calendar: Calendar) -> None:
    catalogue, ruleset = setup(
        tmp_path,
        fake(2, CheckGroup.LEADERSHIP, 91, FAIL, Severity.CRITICAL),
        fake(2, CheckGroup.CUSTOMER, 92, FAIL, Severity.CRITICAL),
        fake(2, CheckGroup.BUSINESS, 93, FAIL, Severity.HIGH),
    )
    record = run(cp2, catalogue, ruleset, calendar)
    assert (record.outcome, record.escalation) == (Outcome.C, None)
    assert record.reasons == ("domains failed: leadership and customer focus",)
    assert record.development_plan == ()
    assert len(record.conditions) == 3  # the reasons for stopping are still on the record


def test_a_failed_development_plan_check_stops_the_csu_whatever_the_colours(
    tmp_path: Path, cp2: Submission, calendar: Calendar
) -> None:
    plan_check, severity = fake(2, CheckGroup.GOVERNANCE, 1, FAIL, Severity.LOW)
    assert plan_check.id == DEVELOPMENT_PLAN_CHECK
    catalogue, ruleset = setup(
        tmp_path, (plan_check, severity), fake(2, CheckGroup.CUSTOMER, 92, PASS, Severity.HIGH)
    )
    record = run(cp2, catalogue, ruleset, calendar)
    assert set(record.domains.values()) == {DomainStatus.PASS}
    assert record.outcome is Outcome.C and record.reasons == ("no development plan agreed",)


def test_at_the_last_checkpoint_plan_items_fall_due_after_the_rule_sets_default_days(
    tmp_path: Path, calendar: Calendar
) -> None:
    catalogue, ruleset = setup(tmp_path, fake(3, CheckGroup.CUSTOMER, 91, FAIL, Severity.HIGH))
    record = run(to_submission(baseline(checkpoint=3)), catalogue, ruleset, calendar)
    assert record.outcome is Outcome.RECOMMEND_WITH_CONDITIONS
    (item,) = record.development_plan
    assert item.due == AS_OF + dt.timedelta(days=ruleset.development_plan.default_due_days)


def test_not_recommended_gets_no_development_plan(tmp_path: Path, calendar: Calendar) -> None:
    catalogue, ruleset = setup(tmp_path, fake(3, CheckGroup.CUSTOMER, 91, FAIL, Severity.CRITICAL))
    record = run(to_submission(baseline(checkpoint=3)), catalogue, ruleset, calendar)
    assert record.outcome is Outcome.NOT_RECOMMENDED
    assert record.development_plan == ()


# ------------------------------------------------------------------------------------------ not submitted


def test_no_submission_by_the_deadline_is_recorded_as_not_submitted(
    tmp_path: Path, calendar: Calendar
) -> None:
    catalogue, ruleset = setup(
        tmp_path,
        fake(2, CheckGroup.EVIDENCE, 91, PASS, Severity.CRITICAL),
        fake(2, CheckGroup.CUSTOMER, 92, PASS, Severity.HIGH),
    )
    record = assess_not_submitted(
        "late-csu",
        "Late CSU",
        Checkpoint.VIABILITY,
        catalogue=catalogue,
        ruleset=ruleset,
        calendar=calendar,
        as_of=AS_OF,
        assessor="A. Tester",
    )
    assert record.outcome is Outcome.NOT_SUBMITTED
    assert not record.escalation
    evidence, customer = record.result("CP2-EVD-91"), record.result("CP2-CUS-92")
    assert (evidence.status, evidence.severity) == (Status.FAIL, Severity.CRITICAL)
    assert "31 March 2012" in evidence.finding
    assert (customer.status, customer.severity) == (Status.NOT_EVIDENCED, Severity.HIGH)
    assert record.development_plan == ()
    assert record.figures is None
    assert record.provenance.inputs == ()


# ----------------------------------------------------------------------------------------- implausible data

PLACEHOLDER = Decimal("99999999.00")


def year_one_costs(sub: Submission, costs: Decimal) -> Submission:
    """`sub` with `costs` on every year-1 row of its financial plan (the example cohort's Thames Gate)."""
    rows = tuple(
        r.model_copy(update={"costs": costs}) if r.year == 1 else r for r in sub.financial_plan or ()
    )
    return sub.model_copy(update={"financial_plan": rows})


def test_placeholder_costs_are_a_data_quality_issue_not_a_judged_deficit(
    cp2: Submission, calendar: Calendar
) -> None:
    catalogue = shipped_catalogue()
    ruleset = load_ruleset(catalogue)
    sub = year_one_costs(cp2, PLACEHOLDER)
    year_one = tuple(i for i, r in enumerate(sub.financial_plan or (), start=1) if r.year == 1)
    record = run(sub, catalogue, ruleset, calendar)

    [issue] = record.data_quality
    assert (issue.file, issue.field, issue.rows, issue.values) == (
        "financial_plan.csv",
        "costs",
        year_one,
        ("£99,999,999.00",),
    )
    assert issue.set_aside
    deficit = record.result("CP2-BUS-01")
    assert (deficit.status, deficit.severity) == (Status.NOT_EVIDENCED, ruleset.severity["CP2-BUS-01"])
    assert "set aside as implausible (financial_plan.csv costs, rows 1–70)" in deficit.finding
    assert "the assessor must resolve it" in deficit.finding
    absurd = PLACEHOLDER * len(year_one) - sum(
        (r.income for r in sub.financial_plan or () if r.year == 1), Decimal(0)
    )
    ctx = make_context(calendar, Checkpoint.VIABILITY, AS_OF)
    as_if_true, _ = run_check(catalogue["CP2-BUS-01"], sub, ruleset, ctx)
    assert (
        as_if_true is not None and f"gives a deficit of £{absurd:,.2f}" in as_if_true.finding
    )  # what must not be said
    for r in record.results:
        said = f"{r.actual} {r.finding}"
        assert "gives a deficit" not in said and f"{absurd:,.2f}" not in said, r.check_id
    assert record.figures is not None
    assert not any(y.year == 1 and y.costs >= PLACEHOLDER for y in record.figures.years)
    assert record.figures.years == () and record.figures.surplus_y1_pct is None


def test_checks_that_do_not_read_the_figures_set_aside_are_judged_as_usual(
    cp2: Submission, calendar: Calendar
) -> None:
    catalogue = shipped_catalogue()
    ruleset = load_ruleset(catalogue)
    plausible = run(cp2, catalogue, ruleset, calendar)
    record = run(year_one_costs(cp2, PLACEHOLDER), catalogue, ruleset, calendar)

    changed = [r for r in record.results if r != plausible.result(r.check_id)]
    assert "CP2-BUS-01" in {r.check_id for r in changed}
    for r in changed:  # every check that read the plan: insufficient evidence, at its own severity
        assert r.status is Status.NOT_EVIDENCED and r.severity is ruleset.severity[r.check_id]
        assert r.finding.startswith(
            "Insufficient evidence: data this check needs was set aside as implausible"
        )
    for check_id in ("CP2-LEA-01", "CP2-CUS-02", "CP2-CUS-03", "CP2-BUS-04", "CP2-GOV-01"):
        assert record.result(check_id) == plausible.result(check_id)
    assert plausible.data_quality == ()


def test_each_check_names_only_the_implausible_figures_it_needed(cp2: Submission, calendar: Calendar) -> None:
    catalogue = shipped_catalogue()
    sub = year_one_costs(cp2, PLACEHOLDER)
    sub = sub.model_copy(update={"plan": sub.plan.model_copy(update={"price_per_head": Decimal("900.00")})})
    record = run(sub, catalogue, load_ruleset(catalogue), calendar)

    assert [(i.file, i.field) for i in record.data_quality] == [
        ("business_plan.yaml", "price_per_head"),
        ("financial_plan.csv", "costs"),
    ]
    price, deficit = record.result("CP2-BUS-04"), record.result("CP2-BUS-01")
    assert price.status is deficit.status is Status.NOT_EVIDENCED
    assert "(business_plan.yaml price_per_head)" in price.finding and "financial_plan" not in price.finding
    assert [e["field"] for e in price.evidence] == ["price_per_head"]
    assert (
        "(financial_plan.csv costs, rows 1–70)" in deficit.finding and "price_per_head" not in deficit.finding
    )
    assert record.figures is not None and record.figures.price_per_head is None


def test_a_figure_set_aside_is_not_judged_as_missing_either(calendar: Calendar) -> None:
    # CP3-FIN-04 fails a plan with no hosting charge; an implausible one is not evidence of either.
    catalogue = shipped_catalogue()
    cp3 = to_submission(baseline(checkpoint=3))
    sub = cp3.model_copy(
        update={"plan": cp3.plan.model_copy(update={"hosting_charge_per_head": Decimal("50.00")})}
    )
    record = assess(
        sub,
        catalogue=catalogue,
        ruleset=load_ruleset(catalogue),
        calendar=calendar,
        as_of=dt.date(2012, 9, 1),
        assessor="A. Tester",
    )
    hosting = record.result("CP3-FIN-04")
    assert (hosting.status, hosting.actual) == (Status.NOT_EVIDENCED, "implausible figures")
    assert "business_plan.yaml hosting_charge_per_head" in hosting.finding


def test_implausible_required_data_is_judged_as_given_and_reported(
    cp2: Submission, calendar: Calendar
) -> None:
    catalogue = shipped_catalogue()
    ccgs = (cp2.ccgs[0].model_copy(update={"rca_per_head": Decimal("250.00")}), *cp2.ccgs[1:])
    record = run(cp2.model_copy(update={"ccgs": ccgs}), catalogue, load_ruleset(catalogue), calendar)

    [issue] = record.data_quality
    assert (issue.file, issue.field, issue.rows, issue.set_aside) == ("ccgs.csv", "rca_per_head", (1,), False)
    assert record.result("CP2-BUS-04").status is Status.PASS  # judged on the figures as given
    assert record.figures is not None
    assert (record.figures.rca_per_head_mean, record.figures.capture) == (None, None)  # not charted


def test_a_check_lacking_other_evidence_keeps_its_own_finding(
    tmp_path: Path, cp2: Submission, calendar: Calendar
) -> None:
    def plan_then_workforce(sub: Submission, p: NoParams, ctx: Context) -> Judgement:
        """## What it checks
        Reads the financial plan, then the workforce plan.

        ## Why it matters
        It shows which missing evidence a result names.

        ## Severity
        Whatever the test's rule set says.

        ## Evidence used
        `financial_plan.csv`, `workforce.csv`.

        ## Source
        [A] test fixture.
        """
        if sub.financial_plan is None:
            return Judgement(status=Status.NOT_EVIDENCED, finding="Insufficient evidence: no financial plan.")
        if sub.workforce is None:
            return Judgement(status=Status.NOT_EVIDENCED, finding="Insufficient evidence: no workforce plan.")
        return PASS

    reads = check(
        id="CP2-BUS-94",
        name="Fake problem CP2-BUS-94",
        checkpoint=2,
        domain=Domain.BUSINESS,
        group=CheckGroup.BUSINESS,
        params=NoParams,
        action="Fix CP2-BUS-94.",
        evidence_required="Proof.",
    )(plan_then_workforce)
    reads = dataclasses.replace(reads, module="fakes.cp2_bus_94_fake")  # filed as a real check would be
    catalogue, ruleset = setup(tmp_path, (reads, Severity.MEDIUM))
    sub = year_one_costs(cp2, PLACEHOLDER).model_copy(update={"workforce": None})
    result = run(sub, catalogue, ruleset, calendar).result("CP2-BUS-94")
    assert (result.status, result.finding) == (
        Status.NOT_EVIDENCED,
        "Insufficient evidence: no workforce plan.",
    )


# ------------------------------------------------------------------------------------------- determinism


def test_the_same_inputs_give_an_identical_record(cp2: Submission, calendar: Calendar) -> None:
    catalogue = shipped_catalogue()
    ruleset = load_ruleset(catalogue)
    waiver = Adjustment(kind="waiver", check_id="CP2-CUS-03", assessor="J. Smith", reason="r", expires=AS_OF)
    first = run(cp2, catalogue, ruleset, calendar, adjustments=[waiver])
    second = run(to_submission(baseline(checkpoint=2)), catalogue, ruleset, calendar, adjustments=[waiver])
    assert first.model_dump_json() == second.model_dump_json()
    other_day = assess(
        cp2,
        catalogue=catalogue,
        ruleset=ruleset,
        calendar=calendar,
        as_of=AS_OF + dt.timedelta(days=1),
        assessor="A. Tester",
    )
    assert other_day.assessment_id != first.assessment_id


def test_the_baseline_passes_checkpoint_2_as_a(cp2: Submission, calendar: Calendar) -> None:
    catalogue = shipped_catalogue()
    record = run(cp2, catalogue, load_ruleset(catalogue), calendar)
    failing = [(r.check_id, r.status, r.finding) for r in record.results if r.status.counts_as_failure]
    assert failing == []
    assert record.outcome is Outcome.A
    assert {r.check_id for r in record.results} == {
        c.id for c in catalogue.for_checkpoint(Checkpoint.VIABILITY)
    }


# -------------------------------------------------------------------------------- moderation: nothing is lost

MODERATED_ON = dt.date(2012, 4, 20)


@pytest.fixture(scope="module")
def failing_cp2() -> Submission:
    """Checkpoint 2 with CP2-CUS-03 failing (high): B."""
    from tests.checks.case_patching import apply_patch
    from tests.flows.cohort_data import cp2_cus_03_fails

    return to_submission(apply_patch(baseline(csu_id="alpha", checkpoint=2), cp2_cus_03_fails("alpha")))


def _draft(sub: Submission, calendar: Calendar) -> Assessment:
    catalogue = shipped_catalogue()
    return assess(
        sub,
        catalogue=catalogue,
        ruleset=load_ruleset(catalogue),
        calendar=calendar,
        as_of=AS_OF,
        assessor="BDU pipeline",
        moderation=Moderation(status=ModerationStatus.DRAFT),
    )


def _moderate(draft: Assessment, sub: Submission | None, calendar: Calendar, **given: Any) -> Assessment:
    catalogue = shipped_catalogue()
    return moderate(
        draft,
        sub,
        on=MODERATED_ON,
        catalogue=catalogue,
        ruleset=load_ruleset(catalogue),
        calendar=calendar,
        **{"assessor": "Dr Priya Natarajan", **given},
    )


def test_every_override_and_waiver_entered_is_applied(failing_cp2: Submission, calendar: Calendar) -> None:
    draft = _draft(failing_cp2, calendar)
    assert draft.outcome is Outcome.B and [r.check_id for r in draft.issues] == ["CP2-CUS-03"]
    moderated = _moderate(
        draft,
        failing_cp2,
        calendar,
        overrides=[Override(check_id="CP2-LEA-02", status=Status.FAIL, reason="The finance director left.")],
        waivers=[Waiver(check_id="CP2-CUS-03", expires=dt.date(2012, 6, 30), reason="Letters due in June.")],
        note="Seen with the customer lead.",
    )
    waived, overridden = moderated.result("CP2-CUS-03"), moderated.result("CP2-LEA-02")
    assert (waived.computed_status, waived.status) == (Status.FAIL, Status.WAIVED)
    assert waived.adjustment == Adjustment(
        kind="waiver",
        check_id="CP2-CUS-03",
        assessor="Dr Priya Natarajan",
        reason="Letters due in June.",
        expires=dt.date(2012, 6, 30),
        recorded_on=MODERATED_ON,
    )
    assert (overridden.computed_status, overridden.status) == (Status.PASS, Status.FAIL)
    assert overridden.adjustment is not None and overridden.adjustment.reason == "The finance director left."
    assert moderated.moderation == Moderation(
        status=ModerationStatus.MODERATED,
        assessor="Dr Priya Natarajan",
        note="Seen with the customer lead.",
        moderated_on=MODERATED_ON,
    )
    assert (
        moderated.provenance.as_of == AS_OF
    )  # the assessment's date; the waiver is judged on the moderation's


def test_nothing_entered_accepts_the_draft_as_it_stands(failing_cp2: Submission, calendar: Calendar) -> None:
    draft = _draft(failing_cp2, calendar)
    accepted = _moderate(draft, failing_cp2, calendar)
    assert accepted.results == draft.results and accepted.outcome is draft.outcome
    assert accepted.moderation.status is ModerationStatus.MODERATED
    assert accepted.moderation.assessor == "Dr Priya Natarajan"


WAIVE_CUS_03 = Waiver(check_id="CP2-CUS-03", expires=dt.date(2012, 6, 30), reason="r")


@pytest.mark.parametrize(
    ("given", "refused"),
    [
        ({"assessor": "  "}, "moderation needs a named assessor"),
        (
            {"overrides": [Override(check_id="CP1-OFF-01", status=Status.PASS, reason="r")]},
            "CP1-OFF-01: no such check in this checkpoint 2 assessment",
        ),
        (
            {
                "overrides": [Override(check_id="CP2-CUS-03", status=Status.PASS, reason="r")],
                "waivers": [WAIVE_CUS_03],
            },
            "CP2-CUS-03: entered more than once",
        ),
        (
            {"waivers": [WAIVE_CUS_03.model_copy(update={"check_id": "CP2-LEA-02"})]},
            "CP2-LEA-02 does not fail in the draft (PASS): there is nothing to waive",
        ),
        (
            {"waivers": [WAIVE_CUS_03.model_copy(update={"expires": MODERATED_ON - dt.timedelta(days=1)})]},
            "the waiver of CP2-CUS-03 expires on 2012-04-19, before today (2012-04-20)",
        ),
    ],
)
def test_a_moderation_that_cannot_be_applied_as_given_is_refused_whole(
    failing_cp2: Submission, calendar: Calendar, given: dict[str, Any], refused: str
) -> None:
    draft = _draft(failing_cp2, calendar)
    with pytest.raises(ModerationRejected, match=re.escape(refused)):
        _moderate(draft, failing_cp2, calendar, **given)


def test_every_problem_of_a_moderation_is_named_at_once(failing_cp2: Submission, calendar: Calendar) -> None:
    draft = _draft(failing_cp2, calendar)
    problems = moderation_problems(
        draft,
        assessor="",
        overrides=[Override(check_id="CP2-XXX-01", status=Status.PASS, reason="r")],
        waivers=[WAIVE_CUS_03.model_copy(update={"expires": dt.date(2012, 1, 1)})],
        on=MODERATED_ON,
    )
    assert [p.split(":")[0].split(" (")[0] for p in problems] == [
        "moderation needs a named assessor",
        "CP2-XXX-01",
        "the waiver of CP2-CUS-03 expires on 2012-01-01, before today",
    ]


def test_a_draft_with_no_valid_submission_can_only_be_accepted(calendar: Calendar) -> None:
    catalogue = shipped_catalogue()
    missing = assess_not_submitted(
        "alpha",
        "Alpha CSU",
        Checkpoint.VIABILITY,
        catalogue=catalogue,
        ruleset=load_ruleset(catalogue),
        calendar=calendar,
        as_of=AS_OF,
        assessor="x",
        moderation=Moderation(status=ModerationStatus.DRAFT),
    )
    with pytest.raises(ModerationRejected, match="can only be accepted"):
        _moderate(
            missing, None, calendar, waivers=[WAIVE_CUS_03.model_copy(update={"check_id": "CP2-EVD-01"})]
        )
    assert _moderate(missing, None, calendar).moderation.status is ModerationStatus.MODERATED
