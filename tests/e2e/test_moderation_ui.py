"""An assessor moderates a paused assessment in the Prefect UI, end to end.

A real Prefect server, the real `assess-csu` flow in its own process (paused for moderation, one check failing),
the real UI in Chromium: the assessor first reads the paused run's draft in its artifacts, then opens Resume,
fills the form built from the draft (name; an override of one check; a waiver of the failing check with its
last day, picked in the form's calendar; a note) and submits, choosing no decision: there is none to choose,
and what is entered is applied. The flow then records the moderated assessment and writes its Word report;
the register, the report and the run's artifacts must all show the override and the waiver.
"""

from __future__ import annotations

import datetime as dt
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
from tests.checks.case_patching import apply_patch
from tests.e2e import prefect_api
from tests.e2e.prefect_ui import CHROMIUM, Screenshots, chromium, open_resume_form, submit
from tests.flows.cohort_data import cp2_cus_03_fails
from tests.support.processes import NOT_LISTENING_YET, Budget, spawn, stop, tail, wait_until
from tests.support.servers import PrefectServer

REPO = Path(__file__).resolve().parents[2]
FLOW_NAME = "assess-csu"
ASSESSOR = "Dr Priya Natarajan"
OVERRIDDEN_CHECK = "CP2-LEA-02"  # passes in the draft; the assessor knows better
OVERRIDE_REASON = "The designated finance director resigned after submission (BDU call, 12 April 2012)."
WAIVED_CHECK = "CP2-CUS-03"  # the draft's one failing check
WAIVER_REASON = "Two CCG letters of intent are promised by the end of next month (BDU call, 12 April 2012)."
WAIVER_LAST_DAY = dt.date.today() + dt.timedelta(days=40)
MODERATION_NOTE = "Moderated with the customer lead; the rest of the assessment stands."
TEST_BUDGET_SECONDS = 200  # with the server start (≤ 60 s) the whole test stays under four and a half minutes

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
    # CP2-CUS-03 fails (high): a B, with one failing check to waive.
    write_folder(
        apply_patch(baseline("e2e-csu", "E2E CSU", checkpoint=2), cp2_cus_03_fails("e2e-csu")),
        csu_dir / "cp2",
    )
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
def test_assessor_overrides_and_waives_checks_in_the_prefect_ui(
    prefect: PrefectServer, tmp_path: Path
) -> None:
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

        # The paused run has published its draft before anyone opens the form.
        published = {a["key"]: a for a in prefect_api.artifacts(prefect.api_url, paused_id)}
        draft_key = "draft-e2e-csu-cp2"
        assert {draft_key, f"{draft_key}-checks", f"{draft_key}-report"} <= set(published), published
        assert "## Failing checks" in published[draft_key]["data"], published[draft_key]["data"]
        assert f"csu-assure moderate {paused_id}" in published[draft_key]["data"]
        assert "e2e-csu-cp2-report.docx" in published[f"{draft_key}-report"]["data"]

        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(15_000)
            shots = Screenshots(page, shots_dir)
            try:
                # The draft, as the assessor sees it: the run's Artifacts tab, then the draft itself.
                page.goto(f"{prefect.url}/runs/flow-run/{paused_id}", wait_until="domcontentloaded")
                page.locator("li.p-tab", has_text="Artifacts").first.click()
                card = page.get_by_text(draft_key, exact=True).first
                card.wait_for(state="visible")
                shots.take("draft-artifacts-listed")
                card.click()
                page.get_by_text("Moderating this draft").wait_for(state="visible")
                page.get_by_text(WAIVED_CHECK).first.wait_for(state="visible")
                shots.take("draft-artifact")

                form = open_resume_form(page, prefect.url, paused_id)
                shots.take("resume-form-opened")
                form.root.get_by_text("draft decision B").first.wait_for(state="visible")
                assert not form.has_field("Decision"), "the form still asks for a decision"
                form.fill("Assessor", ASSESSOR)
                item = form.add_item("Overrides")
                item.choose("Check", OVERRIDDEN_CHECK)
                item.choose("Status", "FAIL")
                item.fill("Reason", OVERRIDE_REASON)
                waiver = form.add_item("Waivers")
                waiver.choose("Check", WAIVED_CHECK)
                waiver.pick_date("Last day", WAIVER_LAST_DAY)
                waiver.fill("Reason", WAIVER_REASON)
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
    assert result.computed_status is Status.PASS, "the synthetic baseline passes this check"
    assert result.status is Status.FAIL, result
    assert result.adjustment is not None, result
    assert (result.adjustment.kind, result.adjustment.assessor, result.adjustment.reason) == (
        "override",
        ASSESSOR,
        OVERRIDE_REASON,
    )
    waived = moderated.result(WAIVED_CHECK)
    assert (waived.computed_status, waived.status) == (Status.FAIL, Status.WAIVED), waived
    assert waived.adjustment is not None and waived.adjustment.expires == WAIVER_LAST_DAY, waived
    assert sorted(
        (a["check_id"], a["kind"], a["status"], a["assessor"], a["reason"], a["expires"]) for a in adjustments
    ) == [
        (WAIVED_CHECK, "waiver", None, ASSESSOR, WAIVER_REASON, WAIVER_LAST_DAY),
        (OVERRIDDEN_CHECK, "override", "FAIL", ASSESSOR, OVERRIDE_REASON, None),
    ]

    assert moderated.report_path, "the moderated assessment has no report path"
    report = Path(moderated.report_path)
    assert report.is_file(), f"report {report} does not exist"
    text = _docx_text(report)
    assert ASSESSOR in text, f"{report} does not name the assessor {ASSESSOR!r}"
    assert OVERRIDE_REASON in text, f"{report} does not give the override reason"
    assert WAIVER_REASON in text, f"{report} does not give the waiver's reason"
    last_day = f"{WAIVER_LAST_DAY.day} {WAIVER_LAST_DAY:%B %Y}"
    assert f"applies until {last_day} (its last day)" in text, f"{report} does not give the waiver's last day"

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
