"""Prototype: the Prefect UI's Resume form drives a RunInput shaped like the moderation input."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.e2e import prefect_api
from tests.e2e.prefect_ui import Screenshots, chromium, open_resume_form, submit
from tests.e2e.servers import Budget, PrefectServer, spawn, stop, tail, wait_until

HERE = Path(__file__).parent


@pytest.mark.e2e
@pytest.mark.slow
def test_prototype_form(prefect: PrefectServer, tmp_path: Path) -> None:
    budget = Budget(230)
    out = tmp_path / "answer.json"
    log = tmp_path / "flow.log"
    proc = spawn([sys.executable, str(HERE / "prototype_flow.py"), str(out)], env=prefect.client_env(), log=log)
    try:
        def paused() -> str | None:
            runs = prefect_api.flow_runs(prefect.api_url, "prototype-moderation")
            return next((r["id"] for r in runs if r["state_type"] == "PAUSED"), None)

        run_id = wait_until(paused, timeout=budget.allow(60), what="pause", explain=lambda: tail(log))
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(15_000)
            shots = Screenshots(page, tmp_path / "shots")
            form = open_resume_form(page, prefect.url, run_id)
            form.fill("Assessor", "Dr Jo Bloggs")
            form.choose("Decision", "override")
            item = form.add_item("Overrides")
            item.fill("Check Id", "CP2-CUS-03")
            item.choose("Status", "FAIL")
            item.fill("Reason", "Interview notes contradict the survey.")
            shots.take("filled")
            submit(form)
        wait_until(lambda: out.exists() or None, timeout=budget.allow(60), what="answer", explain=lambda: tail(log))
        answer = json.loads(out.read_text())
        assert answer["overrides"][0]["reason"] == "Interview notes contradict the survey."
        assert answer["decision"] == "override"
    finally:
        stop(proc, 5)
