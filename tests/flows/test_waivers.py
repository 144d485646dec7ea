"""An expired waiver, under Prefect: a moderated run waives a failing check through its Resume input; once the
waiver's last day has passed, `reassess-expired-waivers` re-assesses that CSU, records the amendment in the
register and issues an amended report that says the waiver expired."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import docx
import pytest

from csu_assure.domain import Outcome, Status
from flows.moderation import resume_moderation
from tests.flows.cohort_data import cp2_cus_03_fails, write_csu
from tests.flows.paused_runs import moderated_run, options_for, paused, register_of

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


def _docx_text(path: str) -> str:
    document = docx.Document(path)
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_an_expired_waiver_triggers_a_reassessment_and_an_amended_report(tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey

    from flows.waivers import reassess_expired_waivers_flow

    cohort = tmp_path / "cohort"
    csu = write_csu(cohort, "alpha", checkpoints=(2,), patches={2: cp2_cus_03_fails("alpha")})
    last_day = dt.date.today() + dt.timedelta(days=30)
    with moderated_run(tmp_path, csu) as (run_id, result):
        paused(run_id)
        resume_moderation(
            run_id,
            {
                "assessor": "Dr Priya Natarajan",
                "waivers": [{"check_id": "CP2-CUS-03", "expires": str(last_day), "reason": "Letters due."}],
            },
        )
    waived = result["run"].assessment
    assert waived is not None and waived.outcome is Outcome.A

    on_last_day = reassess_expired_waivers_flow(str(cohort), on=last_day, options=options_for(tmp_path))
    assert on_last_day == []  # the waiver still applies on its last day

    (amended_run,) = reassess_expired_waivers_flow(
        str(cohort), on=last_day + dt.timedelta(days=1), options=options_for(tmp_path)
    )
    register = register_of(tmp_path)
    amended = register.latest("alpha", 2)
    assert amended is not None and amended == amended_run.assessment
    assert amended.amendment is not None and amended.amendment.replaces == waived.assessment_id
    assert amended.outcome is Outcome.B
    result_ = amended.result("CP2-CUS-03")
    assert (result_.status, result_.note) == (
        Status.FAIL,
        f"Waiver by Dr Priya Natarajan expired on {last_day.isoformat()}; not applied.",
    )
    assert [(e.assessment.moderation.status, e.superseded) for e in register.history("alpha")] == [
        ("draft", True),
        ("moderated", True),
        ("moderated", False),
    ]
    assert amended.provenance.flow_run_id not in (None, waived.provenance.flow_run_id)  # the amending run

    text = _docx_text(amended.report_path or "")
    assert "This is an amended report" in text
    assert f"The waiver of CP2-CUS-03 by Dr Priya Natarajan (until {last_day.isoformat()}" in text
    with get_client(sync_client=True) as client:
        (summary,) = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["assessment-alpha-cp2"]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[uuid.UUID(amended.provenance.flow_run_id or "")]),
            )
        )
    assert "**Amended**" in str(summary.data)

    later = reassess_expired_waivers_flow(
        str(cohort), on=last_day + dt.timedelta(days=2), options=options_for(tmp_path)
    )
    assert later == [] and register.latest("alpha", 2) == amended  # amended once


def test_the_daily_deployment_is_declared_with_the_others() -> None:
    from csu_assure.calendar import load_calendar
    from flows.deployments import deployment_specs
    from flows.waivers import reassess_expired_waivers_flow

    [spec] = [s for s in deployment_specs(load_calendar()) if s.name == "reassess-expired-waivers"]
    assert spec.flow is reassess_expired_waivers_flow
    assert spec.entrypoint == "flows/waivers.py:reassess_expired_waivers_flow"
    assert spec.schedule is not None and (spec.schedule.cron, spec.schedule.timezone) == (
        "0 6 * * *",
        "Europe/London",
    )
    assert spec.parameters == {"cohort_dir": "submissions/example-cohort"}
