"""No flow-run parameter, artifact, log, task run, deployment or event holds the register's password: every flow
runs against a real PostgreSQL register whose URL (password included) is a setting, then a Prefect Secret block,
and everything the Prefect API holds afterwards is read back and searched for the password."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from csu_assure.calendar import load_calendar
from csu_assure.register import Register
from csu_assure.service import Options
from tests.flows.cohort_data import write_cohort, write_csu
from tests.support.servers import POSTGRES_MISSING, Postgres, postgres_bin, postgres_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.usefixtures("prefect_harness"),
    pytest.mark.skipif(postgres_bin() is None, reason=POSTGRES_MISSING),
]


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    with postgres_server(("register", "register_from_block")) as pg:
        yield pg


def _everything_the_api_holds() -> list[str]:
    """Every flow run (parameters, name, tags, state), task run, log, artifact and deployment the API holds, and
    its events, as JSON text."""
    from prefect.client.orchestration import get_client
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()
    texts: list[str] = []
    with get_client(sync_client=True) as client:
        for read in (
            client.read_flow_runs,
            client.read_task_runs,
            client.read_logs,
            client.read_artifacts,
            client.read_deployments,
        ):
            offset = 0
            while page := read(limit=200, offset=offset):  # type: ignore[operator]
                texts += [item.model_dump_json() for item in page]
                offset += len(page)
        events: dict[str, Any] = client._client.post("/events/filter", json={"limit": 50}).json()
        texts += [json.dumps(e) for e in events.get("events", [])]
        while events.get("next_page"):
            events = client._client.get(events["next_page"]).json()
            texts += [json.dumps(e) for e in events.get("events", [])]
    return texts


def test_no_parameter_artifact_log_or_event_holds_the_register_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres: Postgres
) -> None:
    from prefect.blocks.system import Secret

    from flows.assess import assess_flow
    from flows.batch import batch_flow
    from flows.cohort import cohort_flow
    from flows.deployments import deployment_specs, runner_deployment
    from flows.progress import progress_flow

    password = postgres.password
    url = postgres.url("register")
    assert password in url
    monkeypatch.setenv("CSU_ASSURE_REGISTER_URL", url)
    monkeypatch.setenv("CSU_ASSURE_OUT_DIR", str(tmp_path / "out"))
    monkeypatch.setenv("CSU_ASSURE_REPORTS_URL", "http://127.0.0.1:8765")
    cohort = write_cohort(tmp_path / "cohort", ("alpha", "beta"))
    solo = write_csu(tmp_path / "solo", "gamma")

    # Every flow, with options as a person would give them; the URL is only in this process's settings.
    assess_flow(str(cohort / "alpha"), 1, Options(assessor="Test Assessor"))
    progress_flow(str(solo))
    cohort_flow(str(cohort), 2)
    batch_flow([str(cohort / "alpha"), str(cohort / "beta")], 3, Options(force=True))
    # Every deployment, with its default parameters, registered with the API.
    for spec in deployment_specs(load_calendar()):
        runner_deployment(spec).apply()

    register = Register(url)
    assert register.latest("alpha", 3) is not None and register.latest("gamma", 3) is not None

    # The same URL in a Prefect Secret block, named by the setting: resolved in the flow run, the kernel sees the
    # URL, the register is the block's.
    block_url = postgres.url("register_from_block")
    Secret(value=block_url).save("csu-register-url", overwrite=True)
    monkeypatch.setenv("CSU_ASSURE_REGISTER_URL", "prefect-secret:csu-register-url")
    assess_flow(str(cohort / "beta"), 1)
    from_block = Register(block_url).latest("beta", 1)
    assert from_block is not None and from_block.provenance.assessor == "not named"

    texts = _everything_the_api_holds()
    assert len(texts) > 50  # runs, task runs, logs, artifacts, deployments and events were all read
    leaks = [text[:300] for text in texts if password in text]
    assert leaks == [], f"the register password is in what the Prefect API holds: {leaks}"
    assert any("checkpoint 2: A — proceed" in text for text in texts)  # the logs were searched
    assert any("prefect.flow-run.Completed" in text for text in texts)  # and the events


def test_a_secret_block_that_does_not_exist_is_one_sentence_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from csu_assure.register import RegisterUnavailable
    from flows.assess import assess_flow

    monkeypatch.setenv("CSU_ASSURE_REGISTER_URL", "prefect-secret:no-such-block")
    csu = write_csu(tmp_path / "cohort", "alpha", checkpoints=(1,))
    with pytest.raises(
        RegisterUnavailable, match=r"CSU_ASSURE_REGISTER_URL: the Prefect Secret block 'no-such-block'"
    ):
        assess_flow(str(csu), 1, Options(out_dir=tmp_path / "out"))
