"""A Prefect server with basic auth, end to end: the API refuses strangers, flow runs need the auth string.

A real `prefect server start` with `PREFECT_SERVER_API_AUTH_STRING` (what docs/deployment.md tells a team to
run when the server leaves loopback), plain HTTP requests against its API, and the real `assess-csu` flow in its
own process with and without `PREFECT_API_AUTH_STRING`. Without the auth string the flow must fail at once with
a readable 401 and record nothing; with it the run completes and its assessment reaches the register.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from csu_assure.register import Register
from csu_assure.synthetic import baseline, write_folder
from tests.support.processes import Budget, spawn, stop, tail
from tests.support.servers import PrefectServer, prefect_server

REPO = Path(__file__).resolve().parents[2]
FLOW_NAME = "assess-csu"
CSU_ID = "auth-csu"
USER, PASSWORD = "assessor", "s3cret-Kq9v2-not-for-production"
AUTH_STRING = f"{USER}:{PASSWORD}"
TEST_BUDGET_SECONDS = 110  # two flow processes (~10 s each on a quiet machine); with the server start < 3 min

# The flow process: the real flow, its settings as flow parameters, talking only to the test's server.
RUN_FLOW = """
import json, sys
from flows.assess import assess_flow
assess_flow(**json.loads(sys.argv[1]))
"""

# Routes behind the auth middleware, and the status each answers once authenticated (a made-up flow id is
# still 404: the request got past auth to the route).
GUARDED_ROUTES: list[tuple[str, str, int]] = [
    ("POST", "/flow_runs/filter", 200),
    ("POST", "/flows/filter", 200),
    ("GET", "/admin/version", 200),
    ("GET", f"/flows/{uuid.UUID(int=1)}", 404),
]


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """A real Prefect server on loopback that requires HTTP basic auth, stopped afterwards."""
    workdir = tmp_path_factory.mktemp("prefect-server-auth")
    extra_env = {"PREFECT_SERVER_API_AUTH_STRING": AUTH_STRING}
    with prefect_server(workdir, startup_timeout=60.0, extra_env=extra_env) as server:
        yield server


def _request(
    server: PrefectServer, method: str, route: str, auth: tuple[str, str] | None = None, **kwargs: Any
) -> httpx.Response:
    body: dict[str, Any] | None = {} if method == "POST" else None
    return httpx.request(method, f"{server.api_url}{route}", json=body, auth=auth, timeout=10.0, **kwargs)


@pytest.mark.e2e
@pytest.mark.slow
def test_the_api_refuses_requests_without_the_right_basic_auth(guarded: PrefectServer) -> None:
    # Health and readiness stay open so load balancers and supervisors can probe without the secret.
    assert _request(guarded, "GET", "/health").status_code == 200
    assert _request(guarded, "GET", "/ready").status_code == 200
    # The UI reads its settings unauthenticated; auth "BASIC" is what makes it ask for the auth string.
    ui_settings = httpx.get(f"{guarded.url}/ui-settings", timeout=10.0)
    assert ui_settings.status_code == 200
    assert ui_settings.json()["auth"] == "BASIC", ui_settings.text

    for method, route, authenticated_status in GUARDED_ROUTES:
        what = f"{method} /api{route}"
        refused = {
            "no auth": _request(guarded, method, route),
            "wrong password": _request(guarded, method, route, auth=(USER, "s3cret")),
            "wrong user": _request(guarded, method, route, auth=("admin", PASSWORD)),
            "bearer token": _request(
                guarded, method, route, headers={"Authorization": f"Bearer {AUTH_STRING}"}
            ),
        }
        for case, response in refused.items():
            assert response.status_code == 401, f"{what} with {case}: {response.status_code} {response.text}"
            assert response.json() == {"exception_message": "Unauthorized"}, f"{what} with {case}"
        accepted = _request(guarded, method, route, auth=(USER, PASSWORD))
        assert accepted.status_code == authenticated_status, f"{what}: {accepted.status_code} {accepted.text}"


def _run_assessment(
    server: PrefectServer, tmp: Path, *, auth_string: str | None, force: bool, budget: Budget, log: Path
) -> subprocess.CompletedProcess[str]:
    """Run `assess-csu` on the synthetic CSU in its own process against `server`; always stopped."""
    parameters: dict[str, Any] = {
        "csu_dir": str(tmp / CSU_ID),
        "checkpoint": 2,
        "options": {"force": force, "out_dir": str(tmp / "out"), "assessor": "BDU assurance pipeline"},
    }
    # The register comes from the flow process's settings, never from a parameter the UI would show.
    env = server.client_env() | {"CSU_ASSURE_REGISTER_URL": f"sqlite:///{tmp / 'register.sqlite'}"}
    if auth_string is not None:
        env["PREFECT_API_AUTH_STRING"] = auth_string
    argv = [sys.executable, "-c", RUN_FLOW, json.dumps(parameters)]
    process = spawn(argv, env=env, log=log, cwd=REPO)
    try:
        # A hang guard, not a timing assertion: 401s are not retried, so a refused run ends in seconds.
        process.wait(timeout=budget.allow(90))
    except subprocess.TimeoutExpired as error:
        raise AssertionError(f"the flow process did not finish\n{tail(log)}\n{server.log_tail()}") from error
    finally:
        stop(process)
    return subprocess.CompletedProcess(argv, process.returncode, tail(log, 60))


def _flow_runs(server: PrefectServer) -> list[dict[str, Any]]:
    body = {"flows": {"name": {"any_": [FLOW_NAME]}}, "limit": 50}
    response = httpx.post(
        f"{server.api_url}/flow_runs/filter", json=body, auth=(USER, PASSWORD), timeout=10.0
    )
    response.raise_for_status()
    return list(response.json())


def _register_history(tmp: Path) -> list[Any]:
    register = Register(f"sqlite:///{tmp / 'register.sqlite'}")
    try:
        return list(register.history(CSU_ID))
    finally:
        register.close()


@pytest.mark.e2e
@pytest.mark.slow
def test_a_flow_run_needs_the_auth_string(guarded: PrefectServer, tmp_path: Path) -> None:
    budget = Budget(TEST_BUDGET_SECONDS)
    write_folder(baseline(CSU_ID, "Auth CSU", checkpoint=2), tmp_path / CSU_ID / "cp2")

    authenticated = _run_assessment(
        guarded, tmp_path, auth_string=AUTH_STRING, force=False, budget=budget, log=tmp_path / "with-auth.log"
    )
    assert authenticated.returncode == 0, f"the authenticated run failed\n{authenticated.stdout}"

    history = _register_history(tmp_path)
    assert len(history) == 1, f"expected one assessment of {CSU_ID} in the register, got {len(history)}"
    assessment = history[0].assessment
    assert assessment.checkpoint == 2
    assert assessment.report_path and Path(assessment.report_path).is_file(), assessment.report_path

    runs = _flow_runs(guarded)
    assert [r["id"] for r in runs] == [assessment.provenance.flow_run_id], runs
    assert runs[0]["state"]["type"] == "COMPLETED", runs[0]["state"]

    # `force` makes a run that got through record a second, superseding row: so no new row means refused.
    refused = _run_assessment(
        guarded, tmp_path, auth_string=None, force=True, budget=budget, log=tmp_path / "without-auth.log"
    )
    assert refused.returncode != 0, f"the run without the auth string succeeded\n{refused.stdout}"
    assert "401 Unauthorized" in refused.stdout, f"no readable 401 in the output\n{refused.stdout}"
    assert len(_register_history(tmp_path)) == 1, "the refused run recorded an assessment"
    assert [r["id"] for r in _flow_runs(guarded)] == [runs[0]["id"]], "the refused run created a flow run"
