"""`python -m tests.support.scaleout`: PostgreSQL, a Prefect server and two process workers; a cohort fanned out to
them."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.servers import POSTGRES_MISSING, postgres_bin

pytestmark = [
    pytest.mark.scaleout,
    pytest.mark.slow,
    pytest.mark.skipif(postgres_bin() is None, reason=POSTGRES_MISSING),
]

ROOT = Path(__file__).resolve().parents[2]


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_a_cohort_fans_out_to_two_workers_and_lands_in_the_postgresql_register() -> None:
    rehearsal = [sys.executable, "-m", "tests.support.scaleout"]  # run from the repository root: -m finds it
    done = subprocess.run(
        [*rehearsal, "--csus", "60", "--batches", "6", "--timeout", "720"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=810,  # hang guard only: the rehearsal gives up by itself after --timeout
        check=False,
    )
    assert done.stdout.strip(), done.stderr[-5000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == 0 and summary["ok"], (summary.get("problems"), done.stderr[-5000:])
    assert summary["csus"] == 60
    assert summary["assessments"] == 60  # exactly one current assessment per CSU, made by a batch run
    assert summary["reports_ok"] == 60  # every Word report opens with python-docx and names its CSU
    if shutil.which("soffice"):  # then the batches, on both workers at once, made a PDF copy of each
        assert summary["pdfs_ok"] == 60
    assert summary["chain_ok"] is True
    assert summary["cohort_run"] == "COMPLETED"
    assert summary["batch_runs"] == 6
    assert len(summary["workers_used"]) >= 2, summary["runs_by_worker"]
    assert sum(summary["runs_by_worker"].values()) == 6
    # The moderated cohort: drafts from batch runs on the workers, each superseded by its moderation, done through
    # `csu-assure moderate` against the paused cohort run; one override, in the register and the report.
    moderation = summary["moderation"]
    assert (moderation["csus"], moderation["moderated"], moderation["overrides"]) == (4, 4, 1), moderation
    assert moderation["cohort_run"] == "COMPLETED" and moderation["batch_runs"] >= 2
    if shutil.which("soffice"):  # made by the cohort run once moderation was over
        assert moderation["pdfs_after_moderation"] == 4
    # A worker lost mid-cohort (killed with its runs): crash detection marked its batch run Crashed, the cohort
    # ran that batch again on the other worker, and every CSU has one current assessment and a report.
    lost = summary["lost_worker"]
    assert lost["lost_batch_state"] == "CRASHED" and lost["lost_batch_reruns"] == 1, lost
    assert lost["cohort_run"] == "COMPLETED" and lost["assessed"] == lost["csus"] == 18, lost
    # Everything it started is stopped: neither PostgreSQL nor the Prefect server still listens.
    assert not any(_listening(port) for port in summary["ports"].values()), summary["ports"]
