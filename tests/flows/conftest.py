"""One Prefect test harness (a temporary API server and database) for every flow test in the session."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    home = tempfile.mkdtemp(prefix="prefect-home-")
    os.environ.update(
        {"PREFECT_HOME": home, "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    )
    from prefect.testing.utilities import prefect_test_harness  # after PREFECT_HOME is set

    with prefect_test_harness(server_startup_timeout=60):
        yield
