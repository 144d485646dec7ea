"""Flows paused for moderation in a test: an `assess-csu` run in a thread, waited on until it pauses."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from csu_assure.register import Register
from csu_assure.service import CsuRun, Options
from flows.moderation import resume_moderation


def options_for(tmp_path: Path, **given: Any) -> Options:
    return Options(out_dir=tmp_path / "out", assessor="BDU pipeline", **given)


def register_of(tmp_path: Path) -> Register:
    return Register(f"sqlite:///{tmp_path / 'out' / 'register.sqlite'}")


def paused(run_id: uuid.UUID, after: str | None = None, timeout: float = 60) -> str:
    """Wait until the run is paused (on a pause other than `after`); its pause key."""
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            state = client.read_flow_run(run_id).state
            if state is not None and state.is_paused() and state.state_details.pause_key != after:
                return str(state.state_details.pause_key)
            time.sleep(0.3)
    raise AssertionError(f"flow run {run_id} did not pause")


@contextmanager
def moderated_run(tmp_path: Path, csu: Path) -> Iterator[tuple[uuid.UUID, dict[str, CsuRun]]]:
    """`assess-csu` with moderation in a thread, paused on its draft: its run id and where its outcome goes."""
    from flows.assess import assess_flow

    result: dict[str, CsuRun] = {}
    thread = threading.Thread(
        target=lambda: result.update(run=assess_flow(str(csu), 2, options_for(tmp_path, moderation=True)))
    )
    thread.start()
    try:
        register = register_of(tmp_path)
        deadline = time.monotonic() + 60
        while (draft := register.latest(csu.name, 2)) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert draft is not None and draft.moderation.status == "draft"
        run_id = uuid.UUID(draft.provenance.flow_run_id)
        try:
            yield run_id, result
        except BaseException:  # let the paused run finish, so the failure is reported without a minute's wait
            with contextlib.suppress(Exception):
                resume_moderation(run_id, {"assessor": "test teardown"}, wait_seconds=0)
            raise
    finally:
        thread.join(timeout=60)
        assert not thread.is_alive(), "the moderated run did not finish"
