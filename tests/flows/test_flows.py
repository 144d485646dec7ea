"""The Prefect flows end to end on one shared test harness: one CSU, a progression that stops at checkpoint 2,
a cohort with a crashing CSU and a missing submission, and moderation paused and resumed with an override."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import docx
import pytest

from csu_assure import engine
from csu_assure.domain import Checkpoint, Outcome, Status
from csu_assure.register import Register
from csu_assure.render.word.pdf import find_soffice
from csu_assure.service import Options
from tests.flows.cohort_data import STOP_AT_CP2, write_cohort, write_csu

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


def _options(tmp_path: Path, **given: Any) -> Options:
    return Options(out_dir=tmp_path / "out", assessor="Test Assessor", **given)


def _register(tmp_path: Path) -> Register:
    return Register(f"sqlite:///{tmp_path / 'out' / 'register.sqlite'}")


def test_assess_flow_records_one_csu_with_its_flow_run(tmp_path: Path) -> None:
    from flows.assess import assess_flow

    csu = write_csu(tmp_path / "cohort", "alpha", checkpoints=(1,))
    outcome = assess_flow(str(csu), 1, _options(tmp_path))
    recorded = _register(tmp_path).latest("alpha", 1)
    assert recorded is not None and outcome.assessment == recorded
    assert recorded.outcome is Outcome.PROCEED and recorded.moderation.status == "not_moderated"
    assert recorded.provenance.flow_run_id is not None
    assert recorded.report_path and Path(recorded.report_path).exists()


def test_progress_flow_stops_at_checkpoint_2_with_the_plan_carried(tmp_path: Path) -> None:
    from flows.progress import progress_flow

    csu = write_csu(tmp_path / "cohort", "alpha", patches={2: STOP_AT_CP2})
    outcomes = progress_flow(str(csu), _options(tmp_path))
    assert [o.assessment.outcome for o in outcomes if o.assessment] == [Outcome.PROCEED, Outcome.C]
    register = _register(tmp_path)
    assert register.latest("alpha", 3) is None
    c = register.latest("alpha", 2)
    assert c is not None and c.outcome is Outcome.C and c.development_plan == ()


def test_cohort_flow_isolates_a_crash_and_records_a_missing_submission(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.cohort import cohort_flow

    cohort = write_cohort(tmp_path / "cohort", ("alpha", "beta", "gamma"))
    write_csu(cohort, "delta", checkpoints=(1,))  # nothing for checkpoint 2
    real = engine.assess

    def crash_for_beta(sub, *args, **kwargs):  # type: ignore[no-untyped-def]
        if sub.csu_id == "beta":
            raise RuntimeError("injected failure")
        return real(sub, *args, **kwargs)

    monkeypatch.setattr(engine, "assess", crash_for_beta)
    summary = cohort_flow(str(cohort), 2, _options(tmp_path))
    assert {o.csu_id: o.disposition for o in summary.rows} == {
        "alpha": "assessed",
        "beta": "error",
        "delta": "not_submitted",
        "gamma": "assessed",
    }
    register = _register(tmp_path)
    assert register.latest("beta", 2) is None
    assert [(a.csu_id, a.outcome) for a in register.all_latest()] == [
        ("alpha", Outcome.A),
        ("delta", Outcome.NOT_SUBMITTED),
        ("gamma", Outcome.A),
    ]
    assert summary.report_path is not None and summary.report_path.exists()
    # Each assessed CSU's summary artifact (published as the next batch ran) and the cohort's own three.
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    keys = [f"assessment-{c}-cp2" for c in ("alpha", "beta", "gamma", "delta")]
    keys += ["cohort-cohort-cp2", "cohort-cohort-cp2-csus", "cohort-cohort-cp2-report"]
    with get_client(sync_client=True) as client:
        found = {
            a.key: a.data
            for a in client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=keys)))
        }
    assert set(found) == set(keys) - {"assessment-beta-cp2"}
    assert "Word report:" in str(found["assessment-alpha-cp2"])


def test_batches_are_submitted_in_a_sliding_window() -> None:
    from flows.steps import in_window

    running: list[int] = []
    most = 0

    def submit(item: int) -> int:  # stands in for a future
        nonlocal most
        running.append(item)
        most = max(most, len(running))
        return item * 10

    seen = []
    for item, future in in_window(list(range(7)), submit, 3):
        assert future == item * 10 and running[0] == item  # oldest first
        running.remove(item)  # the caller has waited on it
        seen.append(item)
    assert seen == list(range(7)) and most == 3
    assert [i for i, _ in in_window([1, 2], submit, 5)] == [1, 2]


def _wait_until_paused(run_id: uuid.UUID, timeout: float = 60) -> None:
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            state = client.read_flow_run(run_id).state
            if state is not None and state.is_paused():
                return
            time.sleep(0.3)
    raise AssertionError(f"flow run {run_id} did not pause")


def test_moderation_pauses_and_a_resume_with_an_override_reaches_register_and_report(tmp_path: Path) -> None:
    from prefect.flow_runs import resume_flow_run

    from flows.assess import assess_flow

    csu = write_csu(tmp_path / "cohort", "alpha", checkpoints=(2,))
    result: dict[str, Any] = {}
    runner = threading.Thread(
        target=lambda: result.update(outcome=assess_flow(str(csu), 2, _options(tmp_path, moderation=True)))
    )
    runner.start()
    register = _register(tmp_path)
    deadline = time.monotonic() + 60
    while (draft := register.latest("alpha", 2)) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert draft is not None and draft.moderation.status == "draft"
    run_id = uuid.UUID(draft.provenance.flow_run_id)
    _wait_until_paused(run_id)
    resume_flow_run(
        run_id,
        run_input={
            "assessor": "Dr Jane Smith",  # no decision to choose: the override entered is applied
            "overrides": [
                {"check_id": "CP2-CUS-03", "status": "FAIL", "reason": "Letters of intent withdrawn"}
            ],
        },
    )
    runner.join(timeout=60)
    assert not runner.is_alive()
    final = register.latest("alpha", 2)
    assert final is not None and final == result["outcome"].assessment
    assert final.moderation.status == "moderated" and final.moderation.assessor == "Dr Jane Smith"
    overridden = final.result("CP2-CUS-03")
    assert overridden.status is Status.FAIL and overridden.computed_status is Status.PASS
    assert [(r["assessor"], r["reason"]) for r in register.adjustments_for(final.assessment_id)] == [
        ("Dr Jane Smith", "Letters of intent withdrawn")
    ]
    assert [e.superseded for e in register.history("alpha")] == [True, False]
    assert final.report_path is not None
    text = "\n".join(
        [p.text for p in docx.Document(final.report_path).paragraphs]
        + [c.text for t in docx.Document(final.report_path).tables for r in t.rows for c in r.cells]
    )
    assert "Letters of intent withdrawn" in text and "Dr Jane Smith" in text
    assert Checkpoint(final.checkpoint) is Checkpoint.VIABILITY


@pytest.mark.skipif(
    find_soffice() is None or shutil.which("pdftotext") is None,
    reason="LibreOffice or poppler not installed; run scripts/install-system-deps.sh",
)
def test_cohort_flow_writes_a_pdf_beside_every_report(tmp_path: Path) -> None:
    from flows.cohort import cohort_flow

    cohort = write_cohort(tmp_path / "cohort", ("alpha", "beta"))
    summary = cohort_flow(str(cohort), 1, _options(tmp_path, pdf=True))
    for o in summary.rows:
        assert o.summary is not None and o.summary.report_path is not None
        assert o.pdf == str(Path(o.summary.report_path).with_suffix(".pdf")) and o.pdf_error == ""
        text = subprocess.run(["pdftotext", o.pdf, "-"], check=True, capture_output=True, text=True).stdout
        assert o.csu_name in text
