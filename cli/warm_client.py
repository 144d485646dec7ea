"""The CLI's side of the warm path (`flows/warm_protocol.py`): find the local runner for this PREFECT_HOME, start
it if need be, send it the command's flow and relay its progress. Imports no Prefect, which is most of the
time a warm command saves.

Used for Prefect-backed `assess`, `progress` and `cohort` unless the user chose otherwise: a PREFECT_API_URL (in
the environment or the active Prefect profile) means a server of theirs, run against in-process as before;
`CSU_ASSURE_PREFECT_MODE=embedded` keeps Prefect's temporary server in each process; `--moderation` runs
in-process too, since a paused run waits for an assessor as long as it takes.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.common import err
from flows.warm_protocol import (
    MODE_VARIABLE,
    Request,
    RunnerInfo,
    code_fingerprint,
    forwarded_env,
    log_path,
    prefect_home,
    receive,
    send,
    socket_path,
    state_dir,
)

if TYPE_CHECKING:
    from csu_assure.service import Options

STOP_WAIT_SECONDS = 30.0


class RunnerFailed(Exception):
    """The runner could not be started, or a run failed inside it; the message says what and where to look."""


def warm_path_applies(options: Options) -> bool:
    """Whether this command's flows go to the local runner (see the module docstring for when they do not)."""
    mode = os.environ.get(MODE_VARIABLE, "local").strip().lower()
    if mode == "embedded" or options.moderation:
        return False
    if "prefect" in sys.modules:  # Prefect already runs in this process (a test harness, a flow): use it
        return False
    return not (os.environ.get("PREFECT_API_URL") or _profile_api_url())


def _profile_api_url() -> str | None:
    """PREFECT_API_URL set in the active Prefect profile (profiles.toml), read without importing Prefect."""
    path = Path(os.environ.get("PREFECT_PROFILES_PATH") or prefect_home() / "profiles.toml").expanduser()
    try:
        profiles = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active") or "ephemeral"
    value = profiles.get("profiles", {}).get(active, {}).get("PREFECT_API_URL")
    return str(value) if value else None


class LocalRunner:
    """Runs the CLI's flows in the local runner of `home`, starting (or replacing) it when needed."""

    def __init__(self, home: Path | None = None) -> None:
        self.home = home or prefect_home()
        self.socket = socket_path(self.home)

    # -- finding and starting ----------------------------------------------------------------------------------

    def ping(self) -> RunnerInfo | None:
        try:
            reply = self._exchange(Request("ping"), timeout=10)
        except (OSError, ConnectionError, RunnerFailed):
            return None
        return reply if isinstance(reply, RunnerInfo) else None

    def ensure(self) -> RunnerInfo:
        """The running runner on this code, else a new one (a runner on older code is stopped first)."""
        info = self.ping()
        fingerprint = code_fingerprint()
        if info is not None and info.fingerprint == fingerprint:
            return info
        if info is not None:
            self.stop()
        with err.status(
            "Starting a local Prefect server for this and the next commands (it stops when idle)…",
            spinner="dots",
        ):
            info = self._start(fingerprint)
        err.print(
            f"[dim]Prefect UI: {info.ui_url} (reused by the next commands; stops after {info.idle_minutes:g} idle "
            "minutes, or `csu-assure runner stop`)[/]"
        )
        return info

    def _start(self, fingerprint: str) -> RunnerInfo:
        from flows.embedded_server import startup_timeout

        state_dir(self.home).mkdir(parents=True, exist_ok=True)
        env = os.environ | {"PREFECT_HOME": str(self.home)}
        env.pop("PREFECT_API_URL", None)
        with log_path(self.home).open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "flows.warm_daemon"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # a Ctrl-C at the terminal must not stop the runner others reuse
            )
        deadline = time.monotonic() + startup_timeout() + 30
        while time.monotonic() < deadline:
            info = self.ping()
            if info is not None and info.fingerprint == fingerprint:
                return info
            if process.poll() is not None and process.returncode != 0:
                raise RunnerFailed(
                    f"the local Prefect server did not start (exit {process.returncode}; see "
                    f"{log_path(self.home)}): try again, set {MODE_VARIABLE}=embedded, or use --no-prefect"
                )
            time.sleep(0.2)
        raise RunnerFailed(
            f"the local Prefect server did not start within {startup_timeout() + 30} s (see "
            f"{log_path(self.home)}): if the machine is busy, try again or raise "
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS; or use --no-prefect"
        )

    def stop(self) -> bool:
        """Ask the runner to stop and wait until it has; False when none was running."""
        info = RunnerInfo.read(self.home)
        try:
            self._exchange(Request("stop"), timeout=10)
        except (OSError, ConnectionError, RunnerFailed):
            return False
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        while info is not None and _alive(info.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        return True

    # -- running -----------------------------------------------------------------------------------------------

    def run(self, op: str, path: Path, checkpoint: int | None, options: Options) -> Any:
        """Run the command's flow in the runner; its progress is told here as it comes (`csu_assure.progress`)."""
        self.ensure()
        request = Request(
            op=op,
            path=str(Path(path).resolve()),
            checkpoint=checkpoint,
            options=options.model_dump(mode="json"),
            env=forwarded_env(),
            cwd=os.getcwd(),
        )
        return self._exchange(request, timeout=None)

    def _exchange(self, request: Request, timeout: float | None) -> Any:
        from csu_assure import progress

        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(timeout)
            connection.connect(str(self.socket))
            send(connection, request)
            while True:
                message = receive(connection)
                if not isinstance(message, tuple) or not message:
                    raise RunnerFailed("the local runner sent something unexpected")
                if message[0] == "progress":
                    step = message[1]
                    progress.tell(step.what, step.done, step.total)
                elif message[0] == "result":
                    return message[1]
                elif message[0] == "error":
                    _, kind, text, _trace = message
                    raise RunnerFailed(
                        f"the run failed in the local Prefect server: {kind}: {text} (the traceback is in "
                        f"{log_path(self.home)})"
                    )


def _alive(pid: int) -> bool:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, 0)
        return True
    return False
