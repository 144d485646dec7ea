"""Read flow runs and artifacts from a Prefect server's REST API (plain httpx: the test process stays
independent of the Prefect settings of whoever runs it)."""

from __future__ import annotations

from typing import Any

import httpx


def flow_runs(api_url: str, flow_name: str) -> list[dict[str, Any]]:
    """Every flow run of the flow called `flow_name`, newest first."""
    body = {"flows": {"name": {"any_": [flow_name]}}, "sort": "EXPECTED_START_TIME_DESC", "limit": 50}
    response = httpx.post(f"{api_url}/flow_runs/filter", json=body, timeout=10.0)
    response.raise_for_status()
    return list(response.json())


def flow_run(api_url: str, flow_run_id: str) -> dict[str, Any]:
    response = httpx.get(f"{api_url}/flow_runs/{flow_run_id}", timeout=10.0)
    response.raise_for_status()
    return dict(response.json())


def artifacts(api_url: str, flow_run_id: str) -> list[dict[str, Any]]:
    """Every artifact a flow run (or any of its task runs) published."""
    body = {"artifacts": {"flow_run_id": {"any_": [flow_run_id]}}, "limit": 200}
    response = httpx.post(f"{api_url}/artifacts/filter", json=body, timeout=10.0)
    response.raise_for_status()
    return list(response.json())


def state_summary(api_url: str, flow_run_id: str) -> str:
    """The run's state and its message, for failure messages."""
    try:
        run = flow_run(api_url, flow_run_id)
    except httpx.HTTPError as error:
        return f"flow run {flow_run_id}: could not read its state ({error!r})"
    state = run.get("state") or {}
    return f"flow run {flow_run_id}: {state.get('type')} {state.get('name')!r}: {state.get('message')!r}"
