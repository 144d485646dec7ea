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
        {
            "PREFECT_HOME": home,
            "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            # Fixed for the session: a change of Prefect's logging settings mid-session rebuilds its console
            # handler on whatever stream a test is capturing into, which is closed after that test.
            "PREFECT_LOGGING_LEVEL": "INFO",
        }
    )
    from prefect.testing.utilities import prefect_test_harness  # after PREFECT_HOME is set

    with prefect_test_harness(server_startup_timeout=60):
        yield
