"""Waivers over time: which waivers of a record have expired as of a day, and the amended re-assessment
(`engine.amend`) that judges them on that day, names them and replaces the record."""

from __future__ import annotations

import datetime as dt

import pytest

from checks import catalogue as shipped_catalogue
from csu_assure.calendar import load_calendar
from csu_assure.domain import Outcome, Status
from csu_assure.engine import AmendmentRefused, Override, Waiver, amend, assess, moderate
from csu_assure.results import Adjustment, Assessment, Moderation
from csu_assure.ruleset import load_ruleset
from csu_assure.submission import InputFile, Submission
from csu_assure.synthetic import baseline, to_submission
from csu_assure.waivers import amendment_reason, lapsed_waivers
from tests.checks.case_patching import apply_patch
from tests.flows.cohort_data import cp2_cus_03_fails

AS_OF = dt.date(2012, 4, 1)
MODERATED_ON = dt.date(2012, 4, 20)
LAST_DAY = dt.date(2012, 6, 30)
CATALOGUE = shipped_catalogue()
RULESET = load_ruleset(CATALOGUE)
CALENDAR = load_calendar()


@pytest.fixture(scope="module")
def submission() -> Submission:
    return to_submission(apply_patch(baseline(csu_id="alpha", checkpoint=2), cp2_cus_03_fails("alpha")))


def draft_of(sub: Submission) -> Assessment:
    return assess(
        sub,
        catalogue=CATALOGUE,
        ruleset=RULESET,
        calendar=CALENDAR,
        as_of=AS_OF,
        assessor="BDU pipeline",
        moderation=Moderation(status="draft"),
    )


def waived(sub: Submission) -> Assessment:
    """The draft moderated with CP2-CUS-03 waived until LAST_DAY, and one override that leaves the decision as
    it is (CP2-LEA-01 to PASS, which it already is), to show overrides are carried into an amendment."""
    return moderate(
        draft_of(sub),
        sub,
        assessor="Dr Priya Natarajan",
        overrides=[Override(check_id="CP2-LEA-01", status=Status.PASS, reason="Interview confirmed.")],
        waivers=[
            Waiver(check_id="CP2-CUS-03", expires=LAST_DAY, reason="Two letters of intent due in June.")
        ],
        on=MODERATED_ON,
        catalogue=CATALOGUE,
        ruleset=RULESET,
        calendar=CALENDAR,
    )


def test_a_waiver_applies_up_to_its_last_day_and_lapses_the_day_after(submission: Submission) -> None:
    record = waived(submission)
    assert record.result("CP2-CUS-03").status is Status.WAIVED and record.outcome is Outcome.A
    assert lapsed_waivers(record, LAST_DAY) == ()
    (lapsed,) = lapsed_waivers(record, LAST_DAY + dt.timedelta(days=1))
    assert (lapsed.kind, lapsed.check_id, lapsed.expires) == ("waiver", "CP2-CUS-03", LAST_DAY)


def test_a_waiver_without_a_last_day_or_an_override_never_lapses(submission: Submission) -> None:
    forever = Adjustment(kind="waiver", check_id="CP2-CUS-03", assessor="A", reason="r")
    record = assess(
        submission,
        catalogue=CATALOGUE,
        ruleset=RULESET,
        calendar=CALENDAR,
        as_of=AS_OF,
        assessor="x",
        adjustments=[forever],
    )
    assert record.result("CP2-CUS-03").status is Status.WAIVED
    assert lapsed_waivers(record, dt.date(2099, 1, 1)) == ()


def test_the_amended_record_no_longer_applies_the_expired_waiver_and_says_why(submission: Submission) -> None:
    record = waived(submission)
    on = LAST_DAY + dt.timedelta(days=1)
    amended = amend(record, submission, on=on, catalogue=CATALOGUE, ruleset=RULESET, calendar=CALENDAR)
    result = amended.result("CP2-CUS-03")
    assert (result.computed_status, result.status) == (Status.FAIL, Status.FAIL)
    assert result.note == "Waiver by Dr Priya Natarajan expired on 2012-06-30; not applied."
    assert result.adjustment == record.result("CP2-CUS-03").adjustment  # the waiver stays on the record
    assert amended.result("CP2-LEA-01").adjustment == record.result("CP2-LEA-01").adjustment
    assert amended.outcome is Outcome.B and record.outcome is Outcome.A
    assert amended.amendment is not None
    assert (amended.amendment.on, amended.amendment.replaces) == (on, record.assessment_id)
    assert amended.amendment.reason == (
        "The waiver of CP2-CUS-03 by Dr Priya Natarajan (until 2012-06-30: Two letters of intent due in June.) "
        "expired, so the check counts again."
    )
    # The same submission, date, assessor and moderation; a record of its own.
    assert amended.provenance.as_of == record.provenance.as_of == AS_OF
    assert amended.moderation == record.moderation
    assert amended.assessment_id != record.assessment_id
    assert lapsed_waivers(amended, on + dt.timedelta(days=365)) == ()  # nothing left to amend
    again = amend(record, submission, on=on, catalogue=CATALOGUE, ruleset=RULESET, calendar=CALENDAR)
    assert again == amended  # pure


def test_an_amendment_is_refused_when_nothing_lapsed_or_the_files_changed(submission: Submission) -> None:
    record = waived(submission)
    with pytest.raises(AmendmentRefused, match="no waiver that expired"):
        amend(record, submission, on=LAST_DAY, catalogue=CATALOGUE, ruleset=RULESET, calendar=CALENDAR)
    edited = submission.model_copy(update={"inputs": (InputFile(path="cp2/ccgs.csv", sha256="0" * 64),)})
    with pytest.raises(AmendmentRefused, match="files changed"):
        amend(
            record,
            edited,
            on=LAST_DAY + dt.timedelta(days=1),
            catalogue=CATALOGUE,
            ruleset=RULESET,
            calendar=CALENDAR,
        )


def test_the_reason_names_every_expired_waiver() -> None:
    two = [
        Adjustment(kind="waiver", check_id=c, assessor="A", reason="r", expires=LAST_DAY)
        for c in ("CP2-CUS-03", "CP2-LEA-02")
    ]
    assert amendment_reason(two) == (
        "The waivers of CP2-CUS-03 by A (until 2012-06-30: r); CP2-LEA-02 by A (until 2012-06-30: r) expired, "
        "so the checks count again."
    )
