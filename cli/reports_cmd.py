"""`csu-assure reports serve`: the reports folder over HTTP, read-only, so run artifacts link reports a browser
opens (see cli/reports_server.py for what it serves and refuses)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cli.common import err, out, usage_error
from cli.options import OutDir

reports_app = typer.Typer(help="The Word and PDF reports, served over HTTP for the Prefect UI's links.")

Host = Annotated[str, typer.Option("--host", help="Address to listen on; beyond loopback only behind TLS.")]
Port = Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")]


def auth_string() -> str | None:
    """The Prefect server's basic-auth string (`user:password`), from the environment or the Prefect profile."""
    from prefect.settings import get_current_settings

    secret = get_current_settings().server.api.auth_string
    return secret.get_secret_value() if secret is not None else None


@reports_app.command("serve")
def serve(out_dir: OutDir = None, host: Host = "127.0.0.1", port: Port = 8765) -> None:
    """Serve the output folder's reports read-only (GET and HEAD; .docx and .pdf only; no `..`, no hidden files,
    nothing outside the folder). Behind the Prefect server's basic auth when PREFECT_SERVER_API_AUTH_STRING is
    set. Set CSU_ASSURE_REPORTS_URL to the address people reach it at, where flows run, and run artifacts link
    each report there. Stop with Ctrl-C."""
    from cli.reports_server import reports_server
    from csu_assure.settings import Settings

    folder = out_dir or Settings().out_dir
    if not folder.is_dir():
        raise usage_error(
            f"{folder} is not a folder: give the output folder the flows write reports to (--out)"
        )
    auth = auth_string()
    try:
        server = reports_server(folder, host, port, auth, log=lambda line: err.print(escape(line)))
    except OSError as error:
        raise usage_error(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    shown = f"[{host}]" if ":" in host else host
    out.print(
        f"serving the reports in {escape(str(Path(folder).resolve()))} at http://{escape(shown)}:{port}/ "
        f"({'basic auth: the Prefect server' + chr(39) + 's user:password' if auth else 'no auth: loopback only'}); "
        f"flow runs link there with CSU_ASSURE_REPORTS_URL=http://{escape(shown)}:{port}"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
