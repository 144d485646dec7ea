"""Start and stop real processes for end-to-end tests: a Prefect server on loopback, and flow runs against it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx

LOOPBACK = "127.0.0.1"
PREFECT = Path(sys.executable).with_name("prefect")

T = TypeVar("T")


def free_port() -> int:
    """A TCP port on loopback that nothing is listening on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def tail(path: Path, lines: int = 40) -> str:
    """The last `lines` lines of a log file, or a note that it is missing."""
    if not path.exists():
        return f"<{path} does not exist>"
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(text[-lines:])


def wait_until(
    probe: Callable[[], T | None],
    *,
    timeout: float,
    what: str,
    interval: float = 0.5,
    explain: Callable[[], str] = lambda: "",
) -> T:
    """Call `probe` until it returns something other than None; fail with `what` and `explain()` on timeout."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = probe()
        except (httpx.HTTPError, OSError) as error:  # the server may not be listening yet
            last_error = error
            value = None
        if value is not None:
            return value
        time.sleep(interval)
    detail = f" (last error: {last_error!r})" if last_error else ""
    raise TimeoutError(f"Timed out after {timeout:.0f}s waiting for {what}{detail}\n{explain()}")


def stop(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """Terminate the process group a test started, then kill it if it has not gone after `grace` seconds."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)


def spawn(
    argv: list[str], *, env: Mapping[str, str], log: Path, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start `argv` in its own process group (so `stop` reaches its children), output to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as handle:
        return subprocess.Popen(
            argv,
            env=dict(env),
            cwd=cwd,
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


@dataclass(frozen=True)
class PrefectServer:
    url: str
    home: Path
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def client_env(self) -> dict[str, str]:
        """Environment for a process that talks to this server (and to no other Prefect)."""
        return prefect_env(self.home / "client", self.api_url)

    def log_tail(self, lines: int = 40) -> str:
        return f"--- Prefect server log tail ({self.log}) ---\n{tail(self.log, lines)}"


def prefect_env(home: Path, api_url: str) -> dict[str, str]:
    """A clean Prefect environment: own PREFECT_HOME, this API, no telemetry, nothing inherited from a profile."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    home.mkdir(parents=True, exist_ok=True)
    env.update(
        {
            "PREFECT_HOME": str(home),
            "PREFECT_API_URL": api_url,
            "PREFECT_UI_API_URL": api_url,
            "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_LOGGING_LEVEL": "INFO",
            "NO_PROXY": LOOPBACK,
            "no_proxy": LOOPBACK,
        }
    )
    return env


@contextlib.contextmanager
def prefect_server(
    workdir: Path, *, startup_timeout: float = 90.0, extra_env: Mapping[str, str] | None = None
) -> Iterator[PrefectServer]:
    """A real `prefect server start` on a free loopback port, healthy on entry, always stopped on exit.

    `extra_env` adds server settings (e.g. `PREFECT_SERVER_API_AUTH_STRING`) on top of the clean environment.
    """
    port = free_port()
    url = f"http://{LOOPBACK}:{port}"
    home = workdir / "prefect-home"
    env = prefect_env(home, f"{url}/api")
    env["PREFECT_SERVER_API_HOST"] = LOOPBACK
    env["PREFECT_SERVER_API_PORT"] = str(port)
    env.update(extra_env or {})
    log = workdir / "prefect-server.log"
    argv = [str(PREFECT), "server", "start", "--host", LOOPBACK, "--port", str(port)]
    process = spawn(argv, env=env, log=log)
    server = PrefectServer(url=url, home=home, log=log, process=process)
    try:

        def healthy() -> bool | None:
            if process.poll() is not None:
                raise RuntimeError(
                    f"Prefect server exited with code {process.returncode}\n{server.log_tail()}"
                )
            response = httpx.get(f"{url}/api/health", timeout=2.0)
            return True if response.status_code == 200 else None

        wait_until(
            healthy, timeout=startup_timeout, what=f"Prefect server health at {url}", explain=server.log_tail
        )
        yield server
    finally:
        stop(process)


class Budget:
    """One time budget for a whole test: each wait gets its own cap, never more than what is left."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def allow(self, cap: float) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"the test's {self.seconds:.0f}s budget is spent")
        return min(cap, left)
