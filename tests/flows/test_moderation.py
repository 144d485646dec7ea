"""Moderation that cannot lose work, under Prefect: the Resume form built from the draft, the draft published
when the run pauses, an override entered applied with nothing else chosen, a refused moderation paused again
with the reason and the entries kept, and the CLI's `moderate --waive`."""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Literal

import pytest
import typer
from prefect import flow
from prefect._internal.pydantic.v2_schema import create_v2_schema
from prefect.client.schemas.filters import FlowFilter, FlowFilterName
from prefect.flow_runs import pause_flow_run, resume_flow_run
from prefect.input import RunInput
from prefect.utilities.schema_tools.validation import validate
from pydantic import Field
from rich.console import Console

from checks import catalogue as shipped_catalogue
from cli import moderate_cmd, runner
from csu_assure.calendar import load_calendar
from csu_assure.domain import Outcome, Status
from csu_assure.engine import Override, assess
from csu_assure.results import Assessment, Moderation
from csu_assure.ruleset import load_ruleset
from csu_assure.synthetic import baseline, to_submission
from flows.moderation import (
    ModerationInput,
    ModerationNotApplied,
    ResumeFailed,
    moderation_form,
    resume_moderation,
)
from tests.checks.case_patching import apply_patch
from tests.flows.cohort_data import cp2_cus_03_fails, write_csu
from tests.flows.paused_runs import moderated_run, paused, register_of

TODAY = dt.date.today()


def _draft() -> Assessment:
    catalogue = shipped_catalogue()
    return assess(
        to_submission(apply_patch(baseline(csu_id="alpha", checkpoint=2), cp2_cus_03_fails("alpha"))),
        catalogue=catalogue,
        ruleset=load_ruleset(catalogue),
        calendar=load_calendar(),
        as_of=dt.date(2012, 4, 1),
        assessor="x",
        moderation=Moderation(status="draft"),
    )


def _schema(form: type[ModerationInput]) -> dict[str, Any]:
    """The schema Prefect saves for the Resume form, which the UI draws and the server checks on Resume."""
    return create_v2_schema(form.__name__, model_base=form)


# -- the form (no Prefect server needed) -----------------------------------------------------------------------


def test_the_resume_form_offers_the_drafts_checks_and_asks_no_decision() -> None:
    draft = _draft()
    schema = _schema(moderation_form(draft))
    assert list(schema["properties"]) == ["assessor", "overrides", "waivers", "note"]  # no "decision"
    assert schema["required"] == ["assessor"]
    override = schema["definitions"]["Override"]["properties"]["check_id"]
    waiver = schema["definitions"]["Waiver"]["properties"]
    assert override["enum"][0] == "CP2-CUS-03" and len(override["enum"]) == len(draft.results)
    assert waiver["check_id"]["enum"] == ["CP2-CUS-03"]  # only a failing check can be waived
    finding = " ".join(draft.result("CP2-CUS-03").finding.split())
    assert finding in waiver["check_id"]["description"] and finding in override["description"]
    assert waiver["expires"]["format"] == "date"
    described = moderation_form(draft)._description
    assert described is not None and "draft decision B" in described and "CP2-CUS-03" in described
    assert "no separate decision to choose" in described


@pytest.mark.parametrize(
    ("given", "refusal"),
    [
        ({"assessor": ""}, "should be non-empty"),
        ({"assessor": "   "}, "does not match"),
        ({"assessor": "A", "decision": "override"}, "'decision' was unexpected"),
        (
            {"assessor": "A", "overrides": [{"check_id": "CP1-OFF-01", "status": "PASS", "reason": "r"}]},
            "is not one of",
        ),
        (
            {
                "assessor": "A",
                "waivers": [{"check_id": "CP2-LEA-02", "expires": "2099-01-01", "reason": "r"}],
            },
            "is not one of ['CP2-CUS-03']",
        ),
        (
            {
                "assessor": "A",
                "waivers": [{"check_id": "CP2-CUS-03", "expires": "2099-13-01", "reason": "r"}],
            },
            "is not a 'date'",
        ),
        (
            {"assessor": "A", "waivers": [{"check_id": "CP2-CUS-03", "reason": "r"}]},
            "'expires' is a required property",
        ),
        (
            {"assessor": "A", "overrides": [{"check_id": "CP2-CUS-03", "status": "PASS"}]},
            "'reason' is a required",
        ),
    ],
)
def test_the_server_refuses_a_form_that_cannot_be_applied(given: dict[str, Any], refusal: str) -> None:
    errors = [e.message for e in validate(given, _schema(moderation_form(_draft())))]
    assert any(refusal in e for e in errors), errors


def test_a_refused_form_is_shown_again_with_the_reason_and_what_was_entered() -> None:
    entered = ModerationInput(
        assessor="Dr Priya Natarajan",
        overrides=[{"check_id": "CP2-LEA-02", "status": "FAIL", "reason": "Director left."}],
        waivers=[{"check_id": "CP2-CUS-03", "expires": "2012-01-01", "reason": "Letters due."}],
        note="n",
    )
    form = moderation_form(
        _draft(), rejected="the waiver of CP2-CUS-03 expires on 2012-01-01", entered=entered
    )
    assert form._description is not None and form._description.startswith("**Not applied: the waiver")
    properties = _schema(form)["properties"]
    assert properties["assessor"]["default"] == "Dr Priya Natarajan"
    assert properties["overrides"]["default"] == [
        {"check_id": "CP2-LEA-02", "status": "FAIL", "reason": "Director left."}
    ]
    assert properties["waivers"]["default"] == [
        {"check_id": "CP2-CUS-03", "expires": "2012-01-01", "reason": "Letters due."}
    ]
    again = form()  # submitted untouched, it is what was entered
    assert again.model_dump() == entered.model_dump()


def test_a_draft_with_nothing_failing_has_nothing_to_waive() -> None:
    catalogue = shipped_catalogue()
    passing = assess(
        to_submission(baseline(csu_id="alpha", checkpoint=2)),
        catalogue=catalogue,
        ruleset=load_ruleset(catalogue),
        calendar=load_calendar(),
        as_of=dt.date(2012, 4, 1),
        assessor="x",
    )
    schema = _schema(moderation_form(passing))
    assert schema["properties"]["waivers"]["maxItems"] == 0
    assert "nothing to waive" in schema["properties"]["waivers"]["description"]
    errors = validate(
        {"assessor": "A", "waivers": [{"check_id": "CP2-CUS-03", "expires": "2099-01-01", "reason": "r"}]},
        schema,
    )
    assert errors


# -- paused runs -------------------------------------------------------------------------------------------------


def _artifacts(run_id: uuid.UUID) -> dict[str, Any]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
        )
    return {str(a.key): a for a in found}


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_a_paused_run_publishes_its_draft_and_applies_what_is_entered_or_says_why_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = Console(file=io.StringIO(), width=400)
    monkeypatch.setattr(runner, "err", terminal)
    runner.announce_pauses()  # as the CLI does for a run with --moderation
    csu = write_csu(tmp_path / "cohort", "alpha", checkpoints=(2,), patches={2: cp2_cus_03_fails("alpha")})
    with moderated_run(tmp_path, csu) as (run_id, result):
        first = paused(run_id)

        said = terminal.file.getvalue()  # type: ignore[attr-defined]
        assert f"flow run id: {run_id}" in said and "failing checks: CP2-CUS-03" in said
        assert f'csu-assure moderate {run_id} --assessor "YOUR NAME" --accept' in said
        assert '--override CP2-CUS-03=PASS:"reason" --waive CP2-CUS-03:YYYY-MM-DD:"reason"' in said

        published = _artifacts(run_id)
        draft_md = str(published["draft-alpha-cp2"].data)
        assert "draft" in draft_md and "## Failing checks" in draft_md and "CP2-CUS-03" in draft_md
        assert f"csu-assure moderate {run_id}" in draft_md
        report = Path(str(register_of(tmp_path).latest("alpha", 2).report_path))
        assert report.as_uri() in str(published["draft-alpha-cp2-report"].data)  # a link, stored as Markdown
        assert published["draft-alpha-cp2-checks"].type == "table"

        # A waiver whose last day has passed: refused whole, the run pauses again and says why.
        with pytest.raises(ModerationNotApplied, match="the waiver of CP2-CUS-03 expires on 2012-06-30"):
            resume_moderation(
                run_id,
                {
                    "assessor": "Dr Priya Natarajan",
                    "overrides": [{"check_id": "CP2-LEA-02", "status": "FAIL", "reason": "Director left."}],
                    "waivers": [
                        {"check_id": "CP2-CUS-03", "expires": "2012-06-30", "reason": "Letters due."}
                    ],
                },
            )
        second = paused(run_id, after=first)
        assert register_of(tmp_path).latest("alpha", 2).moderation.status == "draft"  # nothing recorded

        # Corrected: the override and the waiver are applied, with no decision chosen.
        outcome = resume_moderation(
            run_id,
            {
                "assessor": "Dr Priya Natarajan",
                "overrides": [{"check_id": "CP2-LEA-02", "status": "FAIL", "reason": "Director left."}],
                "waivers": [
                    {
                        "check_id": "CP2-CUS-03",
                        "expires": str(TODAY + dt.timedelta(days=30)),
                        "reason": "Letters due.",
                    }
                ],
            },
        )
        assert outcome == "applied; the run completed", second
    final = result["run"].assessment
    assert final is not None and final == register_of(tmp_path).latest("alpha", 2)
    assert final.moderation.assessor == "Dr Priya Natarajan"
    assert final.result("CP2-CUS-03").status is Status.WAIVED
    assert final.result("CP2-LEA-02").status is Status.FAIL
    rows = register_of(tmp_path).adjustments_for(final.assessment_id)
    assert sorted((r["check_id"], r["kind"], r["expires"]) for r in rows) == [
        ("CP2-CUS-03", "waiver", TODAY + dt.timedelta(days=30)),
        ("CP2-LEA-02", "override", None),
    ]


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_moderate_waive_from_the_cli_is_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stdout, stderr = Console(file=io.StringIO(), width=300), Console(file=io.StringIO(), width=300)
    monkeypatch.setattr(moderate_cmd, "out", stdout)
    monkeypatch.setattr(moderate_cmd, "err", stderr)
    last_day = TODAY + dt.timedelta(days=14)
    csu = write_csu(tmp_path / "cohort", "alpha", checkpoints=(2,), patches={2: cp2_cus_03_fails("alpha")})
    with moderated_run(tmp_path, csu) as (run_id, result):
        paused(run_id)
        with pytest.raises(typer.Exit) as refused:  # not a check of this run: the server refuses it
            moderate_cmd.moderate(
                str(run_id),
                assessor="Dr A",
                override=None,
                waive=["CP2-LEA-02:2099-01-01:r"],
                accept=False,
                note=None,
            )
        assert refused.value.exit_code == 1
        assert "refused the moderation" in stderr.file.getvalue()  # type: ignore[attr-defined]
        moderate_cmd.moderate(
            str(run_id),
            assessor="Dr A",
            override=None,
            waive=[f"CP2-CUS-03:{last_day}:Letters of intent due"],
            accept=False,
            note=None,
        )
    said = stdout.file.getvalue()  # type: ignore[attr-defined]
    assert f"{run_id}: 0 override(s), 1 waiver(s) by Dr A: applied; the run completed" in said
    final = result["run"].assessment
    assert final is not None and final.outcome is Outcome.A
    waived = final.result("CP2-CUS-03")
    assert waived.status is Status.WAIVED and waived.adjustment is not None
    assert (waived.adjustment.expires, waived.adjustment.reason) == (last_day, "Letters of intent due")


class _EarlierModerationInput(RunInput):
    """The form a run paused by an earlier version shows: it kept overrides only when decision == "override"."""

    assessor: str
    decision: Literal["accept", "override"] = "accept"
    overrides: list[Override] = Field(default_factory=list)
    note: str | None = None


@flow(name="paused-by-an-earlier-version")
def _paused_by_an_earlier_version() -> dict[str, Any]:
    given = pause_flow_run(wait_for_input=_EarlierModerationInput, timeout=60, poll_interval=1, key="earlier")
    return given.model_dump(mode="json")


@flow(name="paused-for-something-else")
def _paused_for_something_else() -> None:
    pause_flow_run(timeout=60, poll_interval=1, key="other")


def _paused_run_of(flow_name: str) -> uuid.UUID:
    from prefect import get_client

    deadline = time.monotonic() + 60
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            runs = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])))
            if runs and runs[0].state is not None and runs[0].state.is_paused():
                return runs[0].id
            time.sleep(0.3)
    raise AssertionError(f"no run of {flow_name} paused")


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_a_run_paused_by_an_earlier_version_keeps_the_override_it_is_sent() -> None:
    result: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: result.update(given=_paused_by_an_earlier_version()))
    thread.start()
    try:
        run_id = _paused_run_of("paused-by-an-earlier-version")
        override = {"check_id": "CP2-CUS-03", "status": "FAIL", "reason": "Letters withdrawn."}
        assert resume_moderation(run_id, {"assessor": "A", "overrides": [override]}) == (
            "applied; the run completed"
        )
    finally:
        thread.join(timeout=60)
    assert result["given"]["decision"] == "override" and result["given"]["overrides"] == [override]


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_a_run_paused_for_something_else_is_not_resumed() -> None:
    thread = threading.Thread(target=_paused_for_something_else)
    thread.start()
    run_id = _paused_run_of("paused-for-something-else")
    try:
        with pytest.raises(ResumeFailed, match="not for moderation"):
            resume_moderation(run_id, {"assessor": "A"})
    finally:
        resume_flow_run(run_id)
        thread.join(timeout=60)


def test_every_pause_of_a_run_has_a_key_of_its_own() -> None:
    from flows.moderation import pause_key

    long_ids = ["a" * 60 + "-one", "a" * 60 + "-two"]
    drafts = [_draft().model_copy(update={"csu_id": c}) for c in long_ids]
    keys = {pause_key(d, attempt) for d in drafts for attempt in (1, 2, 10)}
    assert len(keys) == 6 and all(len(k) <= 60 for k in keys)
    assert pause_key(_draft(), 2) == "moderate-alpha-cp2-2"
