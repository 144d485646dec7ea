"""Real servers on loopback for the tests and the scale-out rehearsal: PostgreSQL, `prefect server` and workers."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.processes import (
    BIN,
    LOOPBACK,
    NOT_LISTENING_YET,
    ROOT,
    WORKER_STOP_SIGNALS,
    Started,
    free_port,
    prefect_env,
    spawn,
    stop,
    tail,
    wait_until,
)

PREFECT = BIN / "prefect"
POSTGRES_MISSING = "PostgreSQL server binaries not found: run scripts/install-system-deps.sh (or set PG_BIN)"


class ServerFailed(RuntimeError):
    """A server did not start or exited early; the message shows its log."""


# -- PostgreSQL ----------------------------------------------------------------------------------------------


def postgres_bin() -> Path | None:
    """PG_BIN, else the newest Debian install (/usr/lib/postgresql/N/bin), else whatever is on PATH."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    installed = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name)
    )
    if installed:
        return installed[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str
    password: str
    data: Path

    def url(self, database: str, driver: str = "psycopg") -> str:
        """SQLAlchemy URL: `psycopg` for the register (synchronous), `asyncpg` for the Prefect server."""
        return f"postgresql+{driver}://{self.user}:{self.password}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        import psycopg

        dsn = f"host={self.host} port={self.port} user={self.user} password={self.password} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # names are ours, not user input


def _as_postgres_user(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run its tools as the `postgres` system user."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@contextlib.contextmanager
def postgres_server(databases: tuple[str, ...] = ()) -> Iterator[Postgres]:
    """A throwaway PostgreSQL on a free loopback port (password auth, fsync off), with `databases` created;
    stopped and deleted on exit."""
    bindir = postgres_bin()
    if bindir is None or not (bindir / "initdb").exists():
        raise ServerFailed(POSTGRES_MISSING)
    root = Path(tempfile.mkdtemp(prefix="csu-assure-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, log, pwfile = root / "data", root / "postgres.log", root / "password"
    password = secrets.token_hex(16)
    pwfile.write_text(password + "\n", encoding="utf-8")
    if os.geteuid() == 0:
        shutil.chown(pwfile, "postgres", "postgres")
    pg = Postgres(LOOPBACK, free_port(), "csu", password, data)

    def run(argv: list[str], what: str) -> None:
        done = subprocess.run(
            _as_postgres_user(argv), capture_output=True, text=True, check=False, cwd=root, timeout=120
        )
        if done.returncode != 0:
            raise ServerFailed(
                f"{what} failed ({done.returncode}):\n{done.stdout}{done.stderr}\n{tail(log, 30, titled=True)}"
            )

    started = False
    try:
        run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                pg.user,
                f"--pwfile={pwfile}",
                "--auth-host=scram-sha-256",
                "--auth-local=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-instructions",
            ],
            "initdb",
        )
        # Loopback only, the socket in our own folder; fsync off because this database is thrown away.
        options = (
            f"-c listen_addresses={LOOPBACK} -p {pg.port} -c unix_socket_directories={root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-o",
                options,
                "-w",
                "-t",
                "90",
                "start",
            ],
            "pg_ctl start",
        )
        started = True
        for name in databases:
            pg.create_database(name)
        yield pg
    finally:
        if started:
            stopped = subprocess.run(
                _as_postgres_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                capture_output=True,
                check=False,
                cwd=root,
                timeout=120,
            )
            if stopped.returncode != 0:
                _kill_postmaster(data)
        shutil.rmtree(root, ignore_errors=True)


def _kill_postmaster(data: Path) -> None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int((data / "postmaster.pid").read_text().splitlines()[0])
        os.kill(pid, signal.SIGKILL)


# -- Prefect -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrefectServer:
    url: str
    home: Path
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def client_env(self, **extra: str) -> dict[str, str]:
        """Environment for a process that talks to this server (and to no other Prefect)."""
        return prefect_env(self.home / "client", self.api_url, **extra)

    def log_tail(self, lines: int = 40) -> str:
        return f"--- Prefect server log tail ({self.log}) ---\n{tail(self.log, lines)}"


@contextlib.contextmanager
def prefect_server(
    workdir: Path, *, startup_timeout: float = 90.0, extra_env: Mapping[str, str] | None = None
) -> Iterator[PrefectServer]:
    """A real `prefect server start` on a free loopback port, healthy on entry, always stopped on exit.

    Its PREFECT_HOME and log are in `workdir`. `extra_env` adds server settings (e.g.
    `PREFECT_SERVER_API_AUTH_STRING`, `PREFECT_SERVER_DATABASE_CONNECTION_URL`) on top of the clean environment.
    """
    port = free_port()
    url = f"http://{LOOPBACK}:{port}"
    home = workdir / "prefect-home"
    env = prefect_env(
        home,
        f"{url}/api",
        PREFECT_SERVER_API_HOST=LOOPBACK,
        PREFECT_SERVER_API_PORT=str(port),
        **(extra_env or {}),
    )
    log = workdir / "prefect-server.log"
    argv = [str(PREFECT), "server", "start", "--host", LOOPBACK, "--port", str(port)]
    process = spawn(argv, env=env, log=log)
    server = PrefectServer(url=url, home=home, log=log, process=process)
    try:

        def healthy() -> bool | None:
            if process.poll() is not None:
                raise ServerFailed(
                    f"Prefect server exited with code {process.returncode}\n{server.log_tail()}"
                )
            response = httpx.get(f"{url}/api/health", timeout=2.0, trust_env=False)
            return True if response.status_code == 200 else None

        wait_until(
            healthy,
            timeout=startup_timeout,
            what=f"Prefect server health at {url}",
            explain=server.log_tail,
            retry_on=NOT_LISTENING_YET,
        )
        yield server
    finally:
        stop(process)


@contextlib.contextmanager
def prefect_worker(
    name: str, *, pool: str, env: Mapping[str, str], log: Path, limit: int | None = None
) -> Iterator[Started]:
    """`prefect worker start` for a `process` work pool (a stand-in for one machine), stopped on exit.

    It runs from the repository, where the flows' entrypoints are, and its flow runs run there too; `env` says
    which server it serves (see `prefect_env`). Whether it came online is for the caller to ask the server.
    """
    argv = [str(PREFECT), "worker", "start", "--pool", pool, "--type", "process", "--name", name]
    if limit is not None:
        argv += ["--limit", str(limit)]
    worker = Started(name, spawn(argv, env=env, log=log, cwd=ROOT), log, WORKER_STOP_SIGNALS)
    try:
        yield worker
    finally:
        worker.stop()
