"""The reports folder over HTTP, read-only, so a link in the Prefect UI opens a report in the browser.

Browsers refuse `file://` links from a web page, and a path on a worker means nothing on an assessor's machine.
This serves the output folder's Word and PDF reports (nothing else in it: not the register, not lock or temporary
files), GET and HEAD only, from the standard library's `http.server`. A request path is taken apart segment by
segment: `..`, `.`, hidden names, NUL bytes and anything that resolves outside the folder (a symbolic link out)
are refused. With an auth string (the Prefect server's `PREFECT_SERVER_API_AUTH_STRING`, `user:password`)
every request needs HTTP basic auth with it, compared in constant time; the browser asks for it once.

Plain HTTP, like Prefect itself: beyond loopback, put it behind the same TLS reverse proxy (docs/deployment.md).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import html
import shutil
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

# What the server hands out, and as what. Word reports download; PDFs open in the browser.
SERVED_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
}
REALM = "csu-assure reports"


class ReportsHandler(BaseHTTPRequestHandler):
    """One request: authenticate, locate the file inside the root, send it (or a folder's listing)."""

    server_version = "csu-assure-reports"
    sys_version = ""  # no Python version in the Server header
    root: Path  # resolved
    auth: bytes | None  # the `user:password` every request must give, when set

    # -- methods ----------------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._serve(body=True)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def _refuse_method(self) -> None:
        self._plain(HTTPStatus.METHOD_NOT_ALLOWED, "read-only: GET and HEAD only", {"Allow": "GET, HEAD"})

    def do_POST(self) -> None:
        self._refuse_method()

    def do_PUT(self) -> None:
        self._refuse_method()

    def do_DELETE(self) -> None:
        self._refuse_method()

    def do_PATCH(self) -> None:
        self._refuse_method()

    def do_OPTIONS(self) -> None:
        self._refuse_method()

    # -- the request ------------------------------------------------------------------------------------------

    def _serve(self, *, body: bool) -> None:
        if not self._authorised():
            self._plain(
                HTTPStatus.UNAUTHORIZED,
                "log in with the Prefect server's user:password",
                {"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'},
                body=body,
            )
            return
        target = self._locate()
        if target is None:
            self._plain(HTTPStatus.BAD_REQUEST, "not a path inside the reports folder", body=body)
        elif target.is_dir():
            if not urlsplit(self.path).path.endswith("/"):
                self._plain(
                    HTTPStatus.MOVED_PERMANENTLY, "", {"Location": urlsplit(self.path).path + "/"}, body=body
                )
            else:
                self._listing(target, body=body)
        elif target.is_file() and target.suffix.lower() in SERVED_TYPES:
            self._file(target, body=body)
        else:
            self._plain(HTTPStatus.NOT_FOUND, "no such report", body=body)

    def _authorised(self) -> bool:
        if self.auth is None:
            return True
        scheme, _, given = (self.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(given.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        return hmac.compare_digest(decoded, self.auth)

    def _locate(self) -> Path | None:
        """The file or folder the request names, or None if it is not plainly inside the root."""
        raw = urlsplit(self.path).path
        if not raw.startswith("/"):
            return None
        try:
            segments = [unquote(s, errors="strict") for s in raw.split("/")[1:]]
        except UnicodeDecodeError:
            return None
        if segments and segments[-1] == "":
            segments.pop()  # a folder's trailing slash
        for segment in segments:
            if (
                segment in ("", ".", "..")
                or segment.startswith((".", "~$"))
                or "\x00" in segment
                or "/" in segment
                or "\\" in segment
            ):
                return None
        target = self.root.joinpath(*segments)
        try:
            resolved = target.resolve(strict=True)
        except (OSError, RuntimeError):  # missing, or a link loop
            return target  # not found: 404, and nothing about where it would have led
        return resolved if resolved.is_relative_to(self.root) else None

    # -- responses --------------------------------------------------------------------------------------------

    def _headers(self, status: HTTPStatus, content_type: str, length: int, extra: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")  # a moderated report replaces its draft
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()

    def _plain(
        self, status: HTTPStatus, message: str, extra: dict[str, str] | None = None, *, body: bool = True
    ) -> None:
        data = (f"{status.value} {status.phrase}: {message}\n" if message else "").encode("utf-8")
        self._headers(status, "text/plain; charset=utf-8", len(data), extra or {})
        if body:
            self.wfile.write(data)

    def _file(self, path: Path, *, body: bool) -> None:
        with path.open("rb") as handle:
            size = path.stat().st_size
            disposition = "inline" if path.suffix.lower() == ".pdf" else "attachment"
            self._headers(
                HTTPStatus.OK,
                SERVED_TYPES[path.suffix.lower()],
                size,
                {"Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(path.name)}"},
            )
            if body:
                shutil.copyfileobj(handle, self.wfile)

    def _listing(self, folder: Path, *, body: bool) -> None:
        entries = []
        for child in sorted(folder.iterdir(), key=lambda p: p.name):
            if child.name.startswith((".", "~$")):
                continue
            try:
                inside = child.resolve(strict=True).is_relative_to(self.root)
            except (OSError, RuntimeError):
                continue
            if inside and child.is_dir():
                entries.append(f'<li><a href="{quote(child.name)}/">{html.escape(child.name)}/</a></li>')
            elif inside and child.is_file() and child.suffix.lower() in SERVED_TYPES:
                entries.append(f'<li><a href="{quote(child.name)}">{html.escape(child.name)}</a></li>')
        where = "/" + "/".join(folder.relative_to(self.root).parts)
        page = (
            "<!doctype html><meta charset=utf-8>"
            f"<title>Reports {html.escape(where)}</title><h1>Reports {html.escape(where)}</h1>"
            + ('<p><a href="../">..</a></p>' if folder != self.root else "")
            + f"<ul>{''.join(entries) or '<li>(no reports)</li>'}</ul>"
        ).encode("utf-8")
        self._headers(HTTPStatus.OK, "text/html; charset=utf-8", len(page), {})
        if body:
            self.wfile.write(page)

    @staticmethod
    def log_line(line: str) -> None:
        """Where the access log goes: nowhere, unless the server is given a log."""

    def log_message(self, format: str, *args: Any) -> None:
        self.log_line(f"{self.address_string()} {format % args}")


def reports_server(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 8765,
    auth: str | None = None,
    log: Callable[[str], None] | None = None,
) -> ThreadingHTTPServer:
    """A server (not yet serving: call `serve_forever`) for the reports under `root`, with basic auth `auth`."""
    handler = type(
        "BoundReportsHandler",
        (ReportsHandler,),
        {
            "root": Path(root).resolve(strict=True),
            "auth": auth.encode("utf-8") if auth else None,
            **({"log_line": staticmethod(log)} if log else {}),
        },
    )
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
