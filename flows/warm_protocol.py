"""The warm path's shared terms: where the local Prefect runner's state lives, how it is found, what is sent.

The CLI's commands pay Prefect's start-up on every run when Prefect runs in the CLI's own process: importing
Prefect (~1.3 s), starting the embedded server (~10 s, ~16 s on a fresh PREFECT_HOME). The warm path pays it
once: the first Prefect-backed command starts a **local runner** (`flows/warm_daemon.py`): a `prefect server`
on a loopback port (its UI too) and, beside it, a process with Prefect and the flows already imported that
runs the CLI's flows on request. Later commands send their request over a Unix socket and only wait for the
flow; the runner stops itself after `CSU_ASSURE_PREFECT_IDLE_MINUTES` (default 10) without a request.

This module imports no Prefect: the CLI reads it on every run. Requests and replies are pickled: both ends run
the same code (the runner reports its code fingerprint and is replaced when the code changed), and the socket
is the user's own (mode 0600), so no one else can speak to it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
import pickle
import socket
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STATE_DIR = "csu-assure-runner"
IDLE_VARIABLE = "CSU_ASSURE_PREFECT_IDLE_MINUTES"
DEFAULT_IDLE_MINUTES = 10.0
MODE_VARIABLE = "CSU_ASSURE_PREFECT_MODE"  # "local" (the warm path, default) or "embedded" (one per process)
# The settings a request carries from the CLI's environment to the runner, which applies them for that run.
FORWARDED_PREFIXES = ("CSU_ASSURE_",)
_PACKAGES = ("csu_assure", "checks", "flows", "cli")


def prefect_home() -> Path:
    """PREFECT_HOME as Prefect reads it (default ~/.prefect), without importing Prefect."""
    return Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()


def state_dir(home: Path) -> Path:
    return Path(home) / STATE_DIR


def info_path(home: Path) -> Path:
    return state_dir(home) / "runner.json"


def log_path(home: Path) -> Path:
    return state_dir(home) / "runner.log"


def socket_path(home: Path) -> Path:
    """A short path (Unix sockets allow ~100 bytes), one per user and PREFECT_HOME, in the temporary folder."""
    key = hashlib.sha256(str(Path(home).expanduser().resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"csu-assure-{os.getuid()}-{key}.sock"


def idle_minutes() -> float:
    given = os.environ.get(IDLE_VARIABLE, "").strip()
    try:
        return max(0.05, float(given)) if given else DEFAULT_IDLE_MINUTES
    except ValueError:
        return DEFAULT_IDLE_MINUTES


def code_fingerprint() -> str:
    """Changes whenever this installation's code or Prefect's version does: a runner started on older code is
    replaced, never asked to run it."""
    digest = hashlib.sha256()
    for name in _PACKAGES:
        spec = importlib.util.find_spec(name)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            for path in sorted(Path(folder).rglob("*")):
                if path.suffix in (".py", ".yaml", ".j2", ".docx") and "__pycache__" not in path.parts:
                    stat = path.stat()
                    digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size}".encode())
    try:
        from importlib.metadata import version

        digest.update(version("prefect").encode())
    except Exception:  # not installed as a distribution: the files above still tell
        pass
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class RunnerInfo:
    """What a running local runner says about itself (`runner.json`, and its reply to a ping)."""

    pid: int
    server_pid: int
    api_url: str
    ui_url: str
    socket: str
    fingerprint: str
    idle_minutes: float
    started: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    def write(self, home: Path) -> None:
        path = info_path(home)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        os.replace(tmp, path)

    @classmethod
    def read(cls, home: Path) -> RunnerInfo | None:
        try:
            return cls(**json.loads(info_path(home).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None


@dataclass(frozen=True)
class Request:
    """One CLI command for the runner: `op` is assess, progress, cohort, ping or stop."""

    op: str
    path: str = ""
    checkpoint: int | None = None
    options: dict[str, Any] = field(default_factory=dict)  # `service.Options`, as JSON
    env: dict[str, str] = field(default_factory=dict)  # the CLI's CSU_ASSURE_* settings
    cwd: str = ""


def forwarded_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith(FORWARDED_PREFIXES)}


# -- framing: an 8-byte length, then a pickle ----------------------------------------------------------------


def send(connection: socket.socket, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    connection.sendall(len(data).to_bytes(8, "big") + data)


def receive(connection: socket.socket) -> object:
    size = int.from_bytes(_exactly(connection, 8), "big")
    return pickle.loads(_exactly(connection, size))  # our own code, on a socket only its user can open


def _exactly(connection: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = connection.recv(min(left, 1 << 20))
        if not chunk:
            raise ConnectionError("the local runner closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
