"""From a fresh `prefect server` to working deployments with one command, and a run that tells its story.

`csu-assure deploy --pool` creates the work pool and every deployment; `prefect deployment run` with
`checkpoint=4` is refused with a clear message before a run exists; `prefect deployment run
assess-cohort/assess-cohort --param checkpoint=1` (no cohort given: the deployment's default) runs on a real
process worker, is recorded as unattended (not as the worker's CSU_ASSURE_ASSESSOR or login), logs each CSU's
decision and the counts, and its artifacts link the reports at CSU_ASSURE_REPORTS_URL."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from csu_assure.register import Register
from tests.e2e import prefect_api
from tests.support.processes import BIN, ROOT, prefect_env, wait_until
from tests.support.servers import PREFECT, PrefectServer, prefect_worker

POOL = "e2e-pool"
REPORTS_URL = "https://prefect.example.nhs.uk/reports"
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def _run(argv: list[str], env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


def _logs(api_url: str, flow_run_id: str) -> list[str]:
    body = {"logs": {"flow_run_id": {"any_": [flow_run_id]}}, "sort": "TIMESTAMP_ASC", "limit": 200}
    response = httpx.post(f"{api_url}/logs/filter", json=body, timeout=10.0, trust_env=False)
    response.raise_for_status()
    return [log["message"] for log in response.json()]


@pytest.mark.e2e
@pytest.mark.slow
def test_deploy_then_a_worker_runs_the_default_cohort_unattended(
    prefect: PrefectServer, tmp_path: Path
) -> None:
    client = prefect.client_env()
    deployed = _run([str(BIN / "csu-assure"), "deploy", "--pool", POOL], client)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert f"work pool '{POOL}' created" in deployed.stdout
    for name in (
        "assess-cohort/cohort-cp1-at-deadline",
        "assess-csu/assess-csu",
        "assess-batch/assess-batch",
    ):
        assert f"deployed {name}" in deployed.stdout

    # Out of range: refused by the API, before any run exists, in a sentence.
    refused = _run(
        [
            str(PREFECT),
            "deployment",
            "run",
            "assess-csu/assess-csu",
            "--param",
            "checkpoint=4",
            "--param",
            "csu_dir=submissions/example-cohort/north-vale",
        ],
        client,
    )
    said = refused.stdout + refused.stderr
    assert refused.returncode != 0 and "4 is greater than the maximum of 3" in said, said
    assert "Traceback" not in said
    assert prefect_api.flow_runs(prefect.api_url, "assess-csu") == []

    out = tmp_path / "out"
    worker_env = prefect_env(
        tmp_path / "worker-home",
        prefect.api_url,
        CSU_ASSURE_OUT_DIR=str(out),
        CSU_ASSURE_REGISTER_URL=f"sqlite:///{tmp_path / 'register.sqlite'}",
        CSU_ASSURE_REPORTS_URL=REPORTS_URL,
        CSU_ASSURE_ASSESSOR="root",  # a worker's environment names no one who assessed
        PREFECT_WORKER_QUERY_SECONDS="2",
    )
    with prefect_worker("e2e-worker", pool=POOL, env=worker_env, log=tmp_path / "worker.log"):
        started = _run(
            [str(PREFECT), "deployment", "run", "assess-cohort/assess-cohort", "--param", "checkpoint=1"],
            client,
        )
        assert started.returncode == 0, started.stdout + started.stderr
        found = re.search(r"UUID: ([0-9a-f-]{36})", started.stdout)
        assert found, started.stdout
        run_id = found.group(1)

        def finished() -> dict[str, Any] | None:
            run = prefect_api.flow_run(prefect.api_url, run_id)
            return run if run["state_type"] in FINAL else None

        run = wait_until(
            finished,
            timeout=360,
            what="the cohort run on the worker",
            interval=2,
            explain=lambda: (tmp_path / "worker.log").read_text(errors="replace")[-3000:],
        )
    assert run["state_type"] == "COMPLETED", prefect_api.state_summary(prefect.api_url, run_id)
    assert {"csu-assure", "ad-hoc", "checkpoint-1", "cohort-example-cohort"} <= set(run["tags"])

    register = Register(f"sqlite:///{tmp_path / 'register.sqlite'}")
    recorded = register.all_latest()
    assert recorded, "nothing recorded"
    assert {a.provenance.assessor for a in recorded} == {
        "unattended (deployment assess-cohort/assess-cohort)"
    }

    lines = _logs(prefect.api_url, run_id)
    north_vale = next(line for line in lines if line.startswith("north-vale ("))
    assert "checkpoint 1: " in north_vale and "Leadership" in north_vale
    assert f"report {REPORTS_URL}/north-vale/cp1/north-vale-cp1-report.docx" in north_vale
    assert any(
        line.startswith(f"Cohort example-cohort, checkpoint 1: {len(recorded)} CSUs — ") for line in lines
    )

    artifacts = {a["key"]: a for a in prefect_api.artifacts(prefect.api_url, run_id)}
    report = artifacts["cohort-example-cohort-cp1-report"]["data"]
    assert f"({REPORTS_URL}/example-cohort-cp1-cohort-report.docx)" in report
    assert (out / "north-vale" / "cp1" / "north-vale-cp1-report.docx").exists()
