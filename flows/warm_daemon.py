"""The local runner of the warm path (see `flows/warm_protocol.py`): a `prefect server` on a loopback port, and
this process, with Prefect and the flows imported once, running the CLI's flows on request until it has been
idle for `CSU_ASSURE_PREFECT_IDLE_MINUTES`.

Started by the CLI as `python -m flows.warm_daemon` in a session of its own (so a Ctrl-C at the terminal does
not reach it), with the CLI's PREFECT_HOME. One runner per PREFECT_HOME: a second one started at the same
moment finds the lock held and exits. Requests are run one at a time, each with the settings (CSU_ASSURE_*) and
working folder of the command that sent it; a request that fails sends its error back and the runner goes on.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib
import os
import signal
import socket
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from flows.warm_protocol import (
    Request,
    RunnerInfo,
    code_fingerprint,
    idle_minutes,
    info_path,
    log_path,
    prefect_home,
    receive,
    send,
    socket_path,
    state_dir,
)

POLL_SECONDS = 5.0


def _log(message: str) -> None:
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}", flush=True)  # stdout is the runner's log file


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_server(home: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`prefect server start` on a free loopback port, in its own process group; waits until it answers."""
    import httpx

    from flows.embedded_server import PrefectUnavailable, start_lock, startup_timeout

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"} | {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    prefect = Path(sys.executable).with_name("prefect")
    argv = [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    with start_lock(home), log_path(home).with_name("server.log").open("ab") as log:
        server = subprocess.Popen(argv, env=env, stdout=log, stderr=log, start_new_session=True)
        url = f"http://127.0.0.1:{port}/api"
        deadline = time.monotonic() + startup_timeout()
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise PrefectUnavailable(f"the local Prefect server exited with code {server.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    return server, url
            time.sleep(0.3)
    _stop_group(server)
    raise PrefectUnavailable(f"the local Prefect server did not answer within {startup_timeout()} s")


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def _run(request: Request, reply: socket.socket) -> Any:
    """Run one request's flow with the sender's settings and working folder; progress goes back as it comes."""
    from csu_assure import progress
    from csu_assure.service import Options

    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    os.environ.update(request.env)
    for name in [k for k in saved_env if k.startswith("CSU_ASSURE_") and k not in request.env]:
        del os.environ[name]  # a setting the sender does not have must not leak in from an earlier request
    os.chdir(request.cwd or saved_cwd)

    def relay(step: progress.Step) -> None:
        with contextlib.suppress(OSError):  # the sender gave up (Ctrl-C): the run still completes
            send(reply, ("progress", step))

    try:
        options = Options.model_validate(request.options)
        with progress.listening(relay):
            if request.op == "assess":
                from flows.assess import assess_flow

                return assess_flow(request.path, int(request.checkpoint or 0), options=options)
            if request.op == "progress":
                from flows.progress import progress_flow

                return progress_flow(request.path, options=options)
            if request.op == "cohort":
                from flows.cohort import cohort_flow

                return cohort_flow(request.path, int(request.checkpoint or 0), options=options)
            raise ValueError(f"unknown request {request.op!r}")
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


def serve(home: Path) -> int:
    state_dir(home).mkdir(parents=True, exist_ok=True)
    lock = (state_dir(home) / "runner.lock").open("a")
    try:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        _log("another local runner holds this PREFECT_HOME; leaving it to that one")
        return 0
    idle = idle_minutes()
    server, api_url = _start_server(home)
    os.environ["PREFECT_API_URL"] = api_url  # before Prefect is imported: it reads its settings once
    for module in ("flows.assess", "flows.progress", "flows.cohort"):  # now, so every request finds them warm
        importlib.import_module(module)

    path = socket_path(home)
    path.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_umask = os.umask(0o077)  # the socket is the user's alone
    try:
        listener.bind(str(path))
    finally:
        os.umask(old_umask)
    listener.listen(8)
    listener.settimeout(POLL_SECONDS)
    info = RunnerInfo(
        pid=os.getpid(),
        server_pid=server.pid,
        api_url=api_url,
        ui_url=api_url.removesuffix("/api"),
        socket=str(path),
        fingerprint=code_fingerprint(),
        idle_minutes=idle,
    )
    info.write(home)
    _log(f"ready: Prefect API {api_url}, socket {path}, stops after {idle:g} idle minutes")
    stopping = False

    def on_signal(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    last_request = time.monotonic()
    try:
        while not stopping and time.monotonic() - last_request < idle * 60:
            if server.poll() is not None:
                _log(f"the Prefect server exited ({server.returncode}); stopping")
                break
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(None)
                try:
                    request = receive(connection)
                except (ConnectionError, EOFError, ValueError) as error:
                    _log(f"a request could not be read: {error}")
                    continue
                if not isinstance(request, Request):
                    continue
                if request.op == "ping":
                    send(connection, ("result", info))
                    continue
                if request.op == "stop":
                    send(connection, ("result", "stopping"))
                    break
                last_request = time.monotonic()
                _log(f"{request.op} {request.path} (checkpoint {request.checkpoint})")
                try:
                    outcome = _run(request, connection)
                except BaseException as error:  # the sender is told; the runner serves the next request
                    _log(traceback.format_exc())
                    reply: tuple[str, ...] = (
                        "error",
                        type(error).__name__,
                        str(error),
                        traceback.format_exc(),
                    )
                else:
                    reply = ("result", outcome)
                with contextlib.suppress(OSError):
                    send(connection, reply)
                last_request = time.monotonic()
    finally:
        _log("stopping")
        listener.close()
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            if RunnerInfo.read(home) == info:
                info_path(home).unlink()
        _stop_group(server)
        lock.close()
    return 0


def main() -> None:
    sys.exit(serve(prefect_home()))


if __name__ == "__main__":
    main()
