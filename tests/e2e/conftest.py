"""Fixtures for the end-to-end tests: one real Prefect server per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.servers import PrefectServer, prefect_server


@pytest.fixture(scope="module")
def prefect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """A real `prefect server start` on a free loopback port with its own PREFECT_HOME, stopped afterwards."""
    with prefect_server(tmp_path_factory.mktemp("prefect-server"), startup_timeout=60.0) as server:
        yield server
