"""prefect.yaml loads, its scheduled deployments match the calendar file, and its entrypoints exist."""

from __future__ import annotations

import importlib
from pathlib import Path

import yaml

from csu_assure.calendar import load_calendar

ROOT = Path(__file__).resolve().parents[2]


def _prefect_yaml() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))


def test_scheduled_deployments_match_the_calendar() -> None:
    from flows.deployments import scheduled_specs

    spec = _prefect_yaml()
    scheduled = [
        {k: d[k] for k in ("name", "entrypoint", "parameters", "schedules")}
        for d in spec["deployments"]
        if d.get("schedules")
    ]
    assert scheduled == scheduled_specs(load_calendar())


def test_every_entrypoint_names_a_flow() -> None:
    for deployment in _prefect_yaml()["deployments"]:
        file, name = deployment["entrypoint"].split(":")
        module = importlib.import_module(file.removesuffix(".py").replace("/", "."))
        assert hasattr(getattr(module, name), "to_deployment"), deployment["name"]
