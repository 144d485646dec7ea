"""One definition of the deployments (flows/deployments.py): prefect.yaml is generated from it, `serve` and
`deploy` build the same deployments, the schedules follow the calendar, no parameter can hold a secret, and
Prefect refuses a parameter out of range (checkpoint 4) before a run exists."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from csu_assure.calendar import load_calendar
from csu_assure.service import Options

ROOT = Path(__file__).resolve().parents[2]


def _prefect_yaml() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    return loaded


def _declared(entry: dict[str, Any]) -> dict[str, Any]:
    """What a deployment declares, as prefect.yaml spells it."""
    return {
        "name": entry["name"],
        "entrypoint": entry["entrypoint"],
        "description": entry["description"],
        "tags": entry["tags"],
        "parameters": entry.get("parameters", {}),
        "schedules": entry.get("schedules", []),
        "enforce_parameter_schema": entry["enforce_parameter_schema"],
    }


def test_prefect_yaml_is_generated_from_the_one_definition() -> None:
    from flows.deployments import deployment_specs, render_prefect_yaml

    generated = render_prefect_yaml(deployment_specs(load_calendar()))
    assert (ROOT / "prefect.yaml").read_text(encoding="utf-8") == generated, (
        "prefect.yaml is stale: run `csu-assure deployments write-yaml`"
    )


def test_serve_declares_the_deployments_and_parameters_of_prefect_yaml(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import flows.deployments

    served: list[Any] = []
    monkeypatch.setattr(flows.deployments, "serve", lambda *deployments: served.extend(deployments))
    flows.deployments.serve_all(cohort_dir="submissions/example-cohort")
    as_served = [
        {
            "name": d.name,
            "entrypoint": d.entrypoint,
            "description": d.description,
            "tags": d.tags,
            "parameters": d.parameters,
            "schedules": [
                {"cron": s.schedule.cron, "timezone": s.schedule.timezone} for s in d.schedules or []
            ],
            "enforce_parameter_schema": d.enforce_parameter_schema,
        }
        for d in served
    ]
    assert as_served == [_declared(e) for e in _prefect_yaml()["deployments"]]
    # Every deployment runs on the same pool in prefect.yaml.
    assert {e["work_pool"]["name"] for e in _prefect_yaml()["deployments"]} == {"csu-assure"}


def test_scheduled_deployments_follow_the_calendar() -> None:
    calendar = load_calendar()
    scheduled = {
        e["parameters"]["checkpoint"]: e
        for e in _prefect_yaml()["deployments"]
        if e.get("schedules") and "checkpoint" in e["parameters"]  # the daily waiver run has none
    }
    assert sorted(scheduled) == sorted(int(cp) for cp in calendar.checkpoints)
    for cp, deadline in calendar.checkpoints.items():
        entry = scheduled[int(cp)]
        assert entry["schedules"] == [{"cron": deadline.schedule, "timezone": deadline.timezone}]
        assert f"checkpoint-{int(cp)}" in entry["tags"] and "cohort-example-cohort" in entry["tags"]


def test_every_entrypoint_names_a_flow_and_the_cohort_defaults_to_a_folder() -> None:
    for deployment in _prefect_yaml()["deployments"]:
        file, name = deployment["entrypoint"].split(":")
        module = importlib.import_module(file.removesuffix(".py").replace("/", "."))
        assert hasattr(getattr(module, name), "to_deployment"), deployment["name"]
        if "cohort_dir" in deployment.get("parameters", {}):
            assert (ROOT / deployment["parameters"]["cohort_dir"]).is_dir(), deployment["name"]
    assess_cohort = next(d for d in _prefect_yaml()["deployments"] if d["name"] == "assess-cohort")
    assert assess_cohort["parameters"]["cohort_dir"] == "submissions/example-cohort"


def test_parameters_are_typed_described_bounded_and_hold_no_connection() -> None:
    """What the UI's form shows: every parameter described, checkpoint 1-3, no register URL, fan-out or other
    internal setting; Options (the nested model) has no field a URL or password could go in."""
    from flows.deployments import deployment_specs, runner_deployment

    for spec in deployment_specs(load_calendar()):
        schema = runner_deployment(spec)._parameter_openapi_schema.model_dump()
        properties = schema["properties"]
        assert set(properties) <= {
            "csu_dir",
            "csu_dirs",
            "cohort_dir",
            "checkpoint",
            "on",
            "options",
            "rules",
            "against",
            "workers",
        }, spec.name
        for name, prop in properties.items():
            assert prop.get("description"), f"{spec.name}: {name} has no description"
        if "checkpoint" in properties:
            assert (properties["checkpoint"]["minimum"], properties["checkpoint"]["maximum"]) == (1, 3)
        assert "://" not in json.dumps(spec.parameters), spec.name
    assert set(Options.model_fields) == {
        "as_of",
        "force",
        "moderation",
        "pdf",
        "out_dir",
        "rules",
        "calendar",
        "assessor",
    }
    assert all(Options.model_fields[f].description for f in Options.model_fields)


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_checkpoint_4_is_refused_before_a_run_exists() -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.exceptions import PrefectHTTPStatusError

    from flows.deployments import deployment_specs, runner_deployment

    spec = next(s for s in deployment_specs(load_calendar()) if s.name == "assess-csu")
    deployment_id = runner_deployment(spec).apply()
    with get_client(sync_client=True) as client:
        with pytest.raises(PrefectHTTPStatusError) as refused:
            client.create_flow_run_from_deployment(
                deployment_id,
                parameters={"csu_dir": "submissions/example-cohort/north-vale", "checkpoint": 4},
            )
        assert refused.value.response.status_code == 409
        detail = refused.value.response.json()["detail"]
        assert "'checkpoint'" in detail and "4 is greater than the maximum of 3" in detail, detail
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
        )
        assert runs == []
        # A missing required parameter is refused the same way.
        with pytest.raises(PrefectHTTPStatusError) as missing:
            client.create_flow_run_from_deployment(deployment_id, parameters={"checkpoint": 2})
        assert "'csu_dir' is a required property" in missing.value.response.json()["detail"]


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_deploy_registers_the_same_deployments_on_a_work_pool_it_creates() -> None:
    from prefect.client.orchestration import get_client

    from flows.deployments import ROOT as DEPLOY_ROOT
    from flows.deployments import deploy_all, ensure_work_pool

    names = deploy_all("test-pool")
    assert ensure_work_pool("test-pool") is False  # created by deploy_all, found the second time
    declared = {e["name"]: _declared(e) for e in _prefect_yaml()["deployments"]}
    with get_client(sync_client=True) as client:
        assert client.read_work_pool("test-pool").type == "process"
        for full_name in names:
            deployment = client.read_deployment_by_name(full_name)
            want = declared[deployment.name]
            assert deployment.work_pool_name == "test-pool"
            assert deployment.entrypoint == want["entrypoint"]
            assert deployment.parameters == want["parameters"]
            assert sorted(deployment.tags) == sorted(want["tags"])
            assert deployment.description == want["description"]
            assert [
                {"cron": s.schedule.cron, "timezone": s.schedule.timezone} for s in deployment.schedules
            ] == want["schedules"]
            # A worker runs each flow run from the repository, where relative cohort paths are read.
            assert deployment.pull_steps == [
                {"prefect.deployments.steps.set_working_directory": {"directory": str(DEPLOY_ROOT)}}
            ]
    assert sorted(n.split("/", 1)[1] for n in names) == sorted(declared)
