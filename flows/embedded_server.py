"""Making sure a Prefect API is there before a run's first flow: the server PREFECT_API_URL names, or this
process's embedded temporary server, started deliberately rather than on the first flow call.

Why start it ourselves: on a busy two-core machine the embedded server's start (and, on a fresh PREFECT_HOME,
the migration of its database) takes longer than Prefect's 20-second default, and two processes starting at
once on one fresh home race in that migration. So the start here

- waits up to `startup_timeout()` seconds (120 unless PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS says);
- holds an exclusive lock on `$PREFECT_HOME/.csu-assure-server-start.lock` while it starts, so processes sharing
  one home start their servers one after the other and only the first migrates the database: concurrent runs
  then share the home's database (and its run history) on purpose, never half-migrated;
- turns a failure into `PrefectUnavailable`, one sentence saying what to do, instead of a traceback.

Prefect keeps one embedded server per process (`SubprocessASGIServer()` is a singleton), so every client the
flows create later uses the one started here.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

STARTUP_TIMEOUT_VARIABLE = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
DEFAULT_STARTUP_TIMEOUT = 120  # seconds; measured start-ups here: ~10 s warm, ~16 s fresh, 30 s+ when busy
START_LOCK = ".csu-assure-server-start.lock"
ADVICE = "or use --no-prefect to run the same steps without Prefect"


class PrefectUnavailable(Exception):
    """No Prefect API to run flows on; the message is one sentence saying what to do."""


def startup_timeout() -> int:
    """Seconds to wait for the embedded server: the user's setting if given, else DEFAULT_STARTUP_TIMEOUT."""
    given = os.environ.get(STARTUP_TIMEOUT_VARIABLE, "").strip()
    try:
        return max(1, int(float(given))) if given else DEFAULT_STARTUP_TIMEOUT
    except ValueError:
        raise PrefectUnavailable(f"{STARTUP_TIMEOUT_VARIABLE}={given!r} is not a number of seconds") from None


def ensure_prefect_api() -> str:
    """The API URL flows will use: PREFECT_API_URL's server if it answers, else this process's embedded server,
    started now (PrefectUnavailable if neither can be had)."""
    timeout = startup_timeout()  # a bad value is named before Prefect's own settings refuse it
    try:
        from prefect.settings import PREFECT_API_URL, PREFECT_HOME

        url, home = PREFECT_API_URL.value(), Path(PREFECT_HOME.value()).expanduser()
    except ValidationError as error:  # Prefect validates every PREFECT_* variable when it is imported
        problem = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise PrefectUnavailable(
            f"a Prefect setting in the environment is not valid ({error.title} {where}: {problem['msg']}): "
            f"fix or unset it, {ADVICE}"
        ) from None

    if url:
        _require_answering(str(url))
        return str(url)
    return _start_embedded(home, timeout)


def _require_answering(url: str) -> None:
    import httpx

    try:
        httpx.get(f"{url.rstrip('/')}/health", timeout=10).raise_for_status()
    except httpx.HTTPError as error:
        raise PrefectUnavailable(
            f"the Prefect server at PREFECT_API_URL={url} does not answer ({type(error).__name__}): start it, "
            f"unset PREFECT_API_URL to use an embedded server, {ADVICE}"
        ) from None


def _start_embedded(home: Path, timeout: int) -> str:
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    with start_lock(home):
        try:
            server.start(timeout=timeout)
        except Exception as error:  # Prefect raises RuntimeError (timeout) or httpx errors (a failing server)
            exited = server.server_process is not None and server.server_process.poll() is not None
            why = "its process exited" if exited else f"it did not answer within {timeout} s"
            raise PrefectUnavailable(
                f"Prefect's embedded server did not start ({why}; {type(error).__name__}): if the machine is "
                f"busy, try again or raise {STARTUP_TIMEOUT_VARIABLE}; for many runs, start `prefect server "
                f"start` once and set PREFECT_API_URL; {ADVICE}"
            ) from None
    return server.api_url


@contextlib.contextmanager
def start_lock(home: Path) -> Iterator[None]:
    """Exclusive for the start-up of one embedded server on `home` (a no-op where flock does not exist)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; starts are not serialised there
        yield
        return
    try:
        home.mkdir(parents=True, exist_ok=True)
        handle = (home / START_LOCK).open("a")
    except OSError as error:
        raise PrefectUnavailable(
            f"PREFECT_HOME={home} cannot be written ({(error.strerror or type(error).__name__).lower()}): "
            f"point PREFECT_HOME at a folder you can write, {ADVICE}"
        ) from None
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # released when the file closes (or the process dies)
        yield
