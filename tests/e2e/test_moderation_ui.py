"""An assessor moderates a paused assessment in the Prefect UI, end to end.

A real Prefect server, the real `assess-csu` flow in its own process (paused for moderation), the real UI in
Chromium: the assessor opens the paused run, clicks Resume, fills the form Prefect generates from
`ModerationInput` (name, override, one overridden check with its reason) and submits. The flow then records
the moderated assessment and writes its Word report; the register, the report and the run's artifacts must all
show the assessor's moderation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import docx
import pytest
from playwright.sync_api import Error as PlaywrightError

from csu_assure.domain import Status
from csu_assure.register import Register
from csu_assure.synthetic import baseline, write_folder
from tests.e2e import prefect_api
from tests.e2e.prefect_ui import CHROMIUM, Screenshots, chromium, open_resume_form, submit
from tests.support.processes import NOT_LISTENING_YET, Budget, spawn, stop, tail, wait_until
from tests.support.servers import PrefectServer

REPO = Path(__file__).resolve().parents[2]
FLOW_NAME = "assess-csu"
ASSESSOR = "Dr Priya Natarajan"
OVERRIDDEN_CHECK = "CP2-CUS-03"
OVERRIDE_REASON = "Two CCG letters of intent were withdrawn after submission (BDU call, 12 April 2012)."
MODERATION_NOTE = "Moderated with the customer lead; the rest of the assessment stands."
TEST_BUDGET_SECONDS = 170  # with the server start (≤ 60 s) the whole test stays under four minutes

# The flow process: the real flow, its settings as flow parameters, talking only to the test's server.
RUN_FLOW = """
import json, sys
from flows.assess import assess_flow
assess_flow(**json.loads(sys.argv[1]))
"""


@contextmanager
def start_assessment(server: PrefectServer, tmp: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """Run `assess-csu` with moderation on a synthetic CSU in its own process; always stopped afterwards."""
    csu_dir = tmp / "submissions" / "e2e-csu"
    write_folder(baseline("e2e-csu", "E2E CSU", checkpoint=2), csu_dir / "cp2")
    parameters: dict[str, Any] = {
        "csu_dir": str(csu_dir),
        "checkpoint": 2,
        "options": {"moderation": True, "out_dir": str(tmp / "out"), "assessor": "BDU assurance pipeline"},
    }
    log = tmp / "flow-run.log"
    argv = [sys.executable, "-c", RUN_FLOW, json.dumps(parameters)]
    # The register comes from the flow process's settings, never from a parameter the UI would show.
    env = server.client_env() | {"CSU_ASSURE_REGISTER_URL": f"sqlite:///{tmp / 'register.sqlite'}"}
    process = spawn(argv, env=env, log=log, cwd=REPO)
    try:
        yield process, log
    finally:
        stop(process)


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs the system Chromium at {CHROMIUM}")
def test_assessor_overrides_a_check_in_the_prefect_ui(prefect: PrefectServer, tmp_path: Path) -> None:
    budget = Budget(TEST_BUDGET_SECONDS)
    shots_dir = tmp_path / "screenshots"
    shots: Screenshots | None = None
    run_id: str | None = None

    with start_assessment(prefect, tmp_path) as (flow_process, flow_log):

        def evidence() -> str:
            """What a failure message needs: the run's state, both logs' tails and the last screenshot."""
            last = shots.last if shots else None
            return "\n".join(
                [
                    prefect_api.state_summary(prefect.api_url, run_id)
                    if run_id
                    else "no paused flow run yet",
                    f"--- flow process (exit code {flow_process.poll()}) log tail ({flow_log}) ---",
                    tail(flow_log, 30),
                    prefect.log_tail(30),
                    f"last screenshot: {last or '<none>'} (all in {shots_dir})",
                ]
            )

        def paused_run() -> str | None:
            if flow_process.poll() is not None:
                raise AssertionError(f"the flow process exited before pausing\n{evidence()}")
            runs = prefect_api.flow_runs(prefect.api_url, FLOW_NAME)
            return next((r["id"] for r in runs if r["state_type"] == "PAUSED"), None)

        run_id = paused_id = wait_until(
            paused_run,
            timeout=budget.allow(60),
            what=f"a {FLOW_NAME} run to pause",
            explain=evidence,
            retry_on=NOT_LISTENING_YET,
        )

        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(15_000)
            shots = Screenshots(page, shots_dir)
            try:
                form = open_resume_form(page, prefect.url, paused_id)
                shots.take("resume-form-opened")
                form.fill("Assessor", ASSESSOR)
                form.choose("Decision", "override")
                item = form.add_item("Overrides")
                item.fill("Check Id", OVERRIDDEN_CHECK)
                item.choose("Status", "FAIL")
                item.fill("Reason", OVERRIDE_REASON)
                form.fill_optional("Note", MODERATION_NOTE)
                shots.take("resume-form-filled")
                submit(form)
                shots.take("submitted")
            except (PlaywrightError, AssertionError) as error:
                shots.take_quietly("failure")
                raise AssertionError(
                    f"driving the Prefect UI's Resume form failed: {error}\n{evidence()}"
                ) from error

        def finished() -> dict[str, Any] | None:
            run = prefect_api.flow_run(prefect.api_url, paused_id)
            return run if run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

        run = wait_until(
            finished,
            timeout=budget.allow(60),
            what="the moderated run to finish",
            explain=evidence,
            retry_on=NOT_LISTENING_YET,
        )
        assert run["state"]["type"] == "COMPLETED", f"the run did not complete\n{evidence()}"
        flow_process.wait(timeout=budget.allow(20))
        assert flow_process.returncode == 0, f"the flow process failed\n{evidence()}"

    register = Register(f"sqlite:///{tmp_path / 'register.sqlite'}")
    try:
        moderated = register.latest("e2e-csu", 2)
        history = register.history("e2e-csu")
        adjustments = register.adjustments_for(moderated.assessment_id) if moderated else []
    finally:
        register.close()

    assert moderated is not None, "the register holds no checkpoint 2 assessment of e2e-csu"
    assert moderated.moderation.status == "moderated", moderated.moderation
    assert moderated.moderation.assessor == ASSESSOR, moderated.moderation
    assert moderated.moderation.note == MODERATION_NOTE, moderated.moderation
    assert [e.superseded for e in history] == [True, False], "the draft should be kept, superseded"
    assert history[0].assessment.moderation.status == "draft"

    result = moderated.result(OVERRIDDEN_CHECK)
    assert result.computed_status is Status.PASS, "the synthetic baseline should pass every check"
    assert result.status is Status.FAIL, result
    assert result.adjustment is not None, result
    assert (result.adjustment.kind, result.adjustment.assessor, result.adjustment.reason) == (
        "override",
        ASSESSOR,
        OVERRIDE_REASON,
    )
    assert [(a["check_id"], a["kind"], a["status"], a["assessor"], a["reason"]) for a in adjustments] == [
        (OVERRIDDEN_CHECK, "override", "FAIL", ASSESSOR, OVERRIDE_REASON)
    ]

    assert moderated.report_path, "the moderated assessment has no report path"
    report = Path(moderated.report_path)
    assert report.is_file(), f"report {report} does not exist"
    text = _docx_text(report)
    assert ASSESSOR in text, f"{report} does not name the assessor {ASSESSOR!r}"
    assert OVERRIDE_REASON in text, f"{report} does not give the override reason"

    published = prefect_api.artifacts(prefect.api_url, paused_id)
    pointing_at_report = [
        a
        for a in published
        if a["type"] in ("link", "markdown") and (report.as_uri() in a["data"] or str(report) in a["data"])
    ]
    assert pointing_at_report, f"no link/markdown artifact of run {run_id} gives {report}: {published}"


def _docx_text(path: Path) -> str:
    """Every paragraph and table cell of a Word document, as one string."""
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)
