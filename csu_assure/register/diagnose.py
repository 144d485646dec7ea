"""Why a register cannot be opened, in one sentence an operator can act on (not a driver's traceback)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL


def why_unopenable(url: URL, error: BaseException) -> str:
    """One line saying why the register at `url` could not be opened, and what to check."""
    where = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        return _why_sqlite(Path(url.database or ""), error)
    text = _first_line(error)
    if "connection refused" in text.lower() or "could not connect" in text.lower():
        return f"cannot reach the register's database server at {_host(url)} (connection refused): is it running?"
    if "timeout" in text.lower() or "timed out" in text.lower():
        return f"the register's database server at {_host(url)} did not answer in time: is it reachable?"
    if "password authentication failed" in text.lower() or "authentication" in text.lower():
        return f"the register's database at {where} refused the credentials given"
    if "does not exist" in text.lower():
        return f"the register's database at {where}: {text}"
    return f"cannot open the register at {where}: {text}"


def _why_sqlite(path: Path, error: BaseException) -> str:
    if path.is_dir():
        return f"the register path {path} is a folder; give a file path (or a different --out)"
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            return f"cannot create the register {path}: {parent} is a file, not a folder"
        if parent.exists():
            break
    text = _first_line(error)
    if "file is not a database" in text or "not a database" in text:
        return f"{path} is not a register (not a SQLite database); move it aside, or give another --out or register URL"
    if isinstance(error, PermissionError) or "readonly" in text or "permission" in text.lower():
        return f"cannot write the register {path}: permission denied"
    return f"cannot open the register {path}: {text}"


def _host(url: URL) -> str:
    return f"{url.host or 'localhost'}:{url.port or 5432}"


def _first_line(error: BaseException) -> str:
    """The driver's own message, without SQLAlchemy's SQL echo and background links."""
    cause = getattr(error, "orig", None) or error
    text = str(cause).strip().splitlines()
    return text[0] if text else type(cause).__name__
