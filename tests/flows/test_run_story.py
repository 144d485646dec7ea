"""A run tells its story in the Prefect UI: each CSU's decision and domains in the run's log, the cohort's counts
at the end, artifacts in words (no Python dicts), report links a browser opens when the reports folder is
served; and who is recorded as assessor: a deployment run is "unattended", a run given no name "not named"."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from csu_assure.register import Register
from csu_assure.service import Options
from tests.flows.cohort_data import STOP_AT_CP2, write_cohort, write_csu

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

REPORTS_URL = "https://prefect.example.nhs.uk/reports"


def _logs(flow_run_id: uuid.UUID) -> list[str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()  # the logs still queued in this process reach the API
    with get_client(sync_client=True) as client:
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
    return [log.message for log in sorted(logs, key=lambda log: log.timestamp)]


def _artifacts(flow_run_id: uuid.UUID) -> dict[str, Any]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return {a.key: a for a in found}


def test_a_cohort_run_logs_each_decision_and_the_counts_and_links_reports_over_http(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.states import State

    from flows.cohort import cohort_flow

    monkeypatch.setenv("CSU_ASSURE_REPORTS_URL", REPORTS_URL)
    cohort = write_cohort(tmp_path / "story", ("alpha", "beta"))
    write_csu(cohort, "gamma", patches={2: STOP_AT_CP2})
    options = Options(out_dir=tmp_path / "out", assessor="Test Assessor")
    state: State[Any] = cohort_flow(str(cohort), 2, options, return_state=True)
    summary = state.result()
    run_id = state.state_details.flow_run_id
    assert run_id is not None

    lines = _logs(run_id)
    alpha = next(line for line in lines if line.startswith("alpha (Alpha CSU), checkpoint 2: "))
    assert "A — proceed" in alpha and "Leadership pass" in alpha and "Customer focus pass" in alpha
    assert f"report {REPORTS_URL}/alpha/cp2/alpha-cp2-report.docx" in alpha
    gamma = next(line for line in lines if line.startswith("gamma (Gamma CSU), checkpoint 2: "))
    assert "C — stop" in gamma and "fail" in gamma
    counts = next(line for line in lines if line.startswith("Cohort story, checkpoint 2: 3 CSUs — "))
    assert "2 A — proceed" in counts and "1 C — stop" in counts
    assert f"cohort report {REPORTS_URL}/story-cp2-cohort-report.docx" in counts
    assert lines.index(counts) > lines.index(gamma)

    artifacts = _artifacts(run_id)
    table = artifacts["cohort-story-cp2-csus"]
    rows = json.loads(table.data) if isinstance(table.data, str) else table.data
    assert [r["CSU"] for r in rows] == ["alpha", "beta", "gamma"]
    assert rows[0]["Leadership"] == "🟢 GREEN pass" and rows[2]["Decision"].startswith("C")
    assert rows[0]["Report"] == f"{REPORTS_URL}/alpha/cp2/alpha-cp2-report.docx"
    assert not any("{" in str(v) for row in rows for v in row.values()), "a Python dict in a cell"
    link = artifacts["cohort-story-cp2-report"]
    # Prefect stores a link artifact as markdown: the link itself.
    assert link.data == f"[story-cp2-cohort-report.docx]({REPORTS_URL}/story-cp2-cohort-report.docx)"
    assert "file://" not in str([a.data for a in artifacts.values()])
    markdown = str(artifacts["cohort-story-cp2"].data)
    assert f"]({REPORTS_URL}/alpha/cp2/alpha-cp2-report.docx)" in markdown
    assert summary.report_path is not None


def test_without_a_reports_url_an_artifact_gives_the_path_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.states import State

    from flows.assess import assess_flow

    monkeypatch.delenv("CSU_ASSURE_REPORTS_URL", raising=False)
    monkeypatch.delenv("CSU_ASSURE_ASSESSOR", raising=False)
    csu = write_csu(tmp_path / "cohort", "alpha", checkpoints=(1,))
    state: State[Any] = assess_flow(str(csu), 1, Options(out_dir=tmp_path / "out"), return_state=True)
    run = state.result()
    assert run.assessment is not None and run.assessment.provenance.assessor == "not named"
    run_id = state.state_details.flow_run_id
    assert run_id is not None
    report = _artifacts(run_id)["assessment-alpha-cp1-report"]
    assert "alpha-cp1-report.docx" in str(report.data) and "](" not in str(report.data)  # text, not a link
    assert "file://" not in str(report.data)
    assert any(line.startswith("alpha (Alpha CSU), checkpoint 1: Proceed") for line in _logs(run_id))


def test_a_deployment_run_is_recorded_as_unattended_whatever_the_environment_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.flow_engine import run_flow

    from flows.assess import assess_flow

    monkeypatch.setenv("CSU_ASSURE_ASSESSOR", "root")  # a worker's environment, or its login: not a person
    csu = write_csu(tmp_path / "cohort", "alpha", checkpoints=(1,))
    deployment_id = assess_flow.to_deployment(name="story-unattended").apply()
    parameters = {"csu_dir": str(csu), "checkpoint": 1, "options": {"out_dir": str(tmp_path / "out")}}
    with get_client(sync_client=True) as client:
        flow_run = client.create_flow_run_from_deployment(deployment_id, parameters=parameters)
    # As a worker runs it: the flow run the deployment created, its parameters from the API.
    run_flow(assess_flow, flow_run=flow_run, parameters=flow_run.parameters)
    recorded = Register(f"sqlite:///{tmp_path / 'out' / 'register.sqlite'}").latest("alpha", 1)
    assert recorded is not None
    assert recorded.provenance.assessor == "unattended (deployment assess-csu/story-unattended)"
    with get_client(sync_client=True) as client:
        tags = client.read_flow_run(flow_run.id).tags
    assert {"checkpoint-1", "cohort-cohort"} <= set(tags)
