"""`csu-assure reports serve`: serves a report, refuses traversal, links out of the folder, files that are not
reports and writes, and asks for the Prefect server's basic auth when it is configured."""

from __future__ import annotations

import base64
import http.client
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cli.reports_server import reports_server
from tests.support.processes import BIN, LOOPBACK, NOT_LISTENING_YET, clean_env, free_port, wait_until

REPORT = b"PK\x03\x04 a Word report"
SECRET = b"outside the reports folder"
AUTH = "bdu:correct horse battery staple"


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    (folder / "alpha" / "cp2").mkdir(parents=True)
    (folder / "alpha" / "cp2" / "alpha-cp2-report.docx").write_bytes(REPORT)
    (folder / "alpha" / "cp2" / ".alpha-cp2-report.docx.tmp").write_bytes(REPORT)
    (folder / "register.sqlite").write_bytes(b"SQLite format 3\x00 the whole register")
    (tmp_path / "secret.docx").write_bytes(SECRET)
    (folder / "alpha" / "escape.docx").symlink_to(tmp_path / "secret.docx")
    (folder / "elsewhere").symlink_to(tmp_path)
    return folder


def _serve(root: Path, auth: str | None) -> Iterator[str]:
    server = reports_server(root, LOOPBACK, 0, auth)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{LOOPBACK}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def open_server(out: Path) -> Iterator[str]:
    yield from _serve(out, None)


@pytest.fixture
def auth_server(out: Path) -> Iterator[str]:
    yield from _serve(out, AUTH)


def _raw(
    address: str, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    """A request with the path exactly as given (http.client does not tidy `..` away as browsers and httpx do)."""
    host, port = address.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _basic(credential: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(credential.encode()).decode()}


def test_serves_a_report_as_a_word_download(open_server: str) -> None:
    response = httpx.get(f"http://{open_server}/alpha/cp2/alpha-cp2-report.docx", trust_env=False)
    assert response.status_code == 200 and response.content == REPORT
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "attachment" in response.headers["content-disposition"]
    listing = httpx.get(f"http://{open_server}/alpha/cp2/", trust_env=False)
    assert listing.status_code == 200 and "alpha-cp2-report.docx" in listing.text
    assert ".tmp" not in listing.text


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.docx",
        "/alpha/../../secret.docx",
        "/alpha/cp2/../../../secret.docx",
        "/%2e%2e/secret.docx",
        "/alpha/%2e%2e%2f%2e%2e%2fsecret.docx",
        "/alpha/..%5c..%5csecret.docx",
        "//secret.docx",
        "/alpha/escape.docx",  # a link inside the folder to a file outside it
        "/elsewhere/secret.docx",  # a linked folder leading out
        "/alpha/cp2/alpha-cp2-report.docx%00.pdf",
    ],
)
def test_refuses_every_way_out_of_the_folder(open_server: str, path: str) -> None:
    status, body = _raw(open_server, path)
    assert status in (400, 404), (path, status)
    assert SECRET not in body


@pytest.mark.parametrize(
    "path", ["/register.sqlite", "/alpha/cp2/.alpha-cp2-report.docx.tmp", "/alpha/cp2/missing.docx"]
)
def test_serves_reports_only(open_server: str, path: str) -> None:
    status, body = _raw(open_server, path)
    assert status in (400, 404) and b"SQLite" not in body and REPORT not in body


def test_is_read_only(open_server: str) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        status, _ = _raw(open_server, "/alpha/cp2/alpha-cp2-report.docx", method)
        assert status == 405, method


def test_with_auth_configured_refuses_without_the_prefect_credential(auth_server: str) -> None:
    path = "/alpha/cp2/alpha-cp2-report.docx"
    for headers in (
        {},
        _basic("bdu:wrong"),
        _basic("other:" + AUTH.split(":", 1)[1]),
        {"Authorization": "Bearer x"},
    ):
        status, body = _raw(auth_server, path, headers=headers)
        assert status == 401 and REPORT not in body, headers
    # Even a path that would be refused anyway says nothing before the credential.
    assert _raw(auth_server, "/../secret.docx")[0] == 401
    response = httpx.get(f"http://{auth_server}{path}", trust_env=False)
    assert response.headers["www-authenticate"].startswith('Basic realm="csu-assure reports"')
    assert _raw(auth_server, path, headers=_basic(AUTH)) == (200, REPORT)


@pytest.mark.slow
def test_the_command_takes_the_prefect_server_auth_string(out: Path, tmp_path: Path) -> None:
    port = free_port()
    env = clean_env(tmp_path / "prefect-home") | {"PREFECT_SERVER_API_AUTH_STRING": AUTH}
    argv = [
        str(BIN / "csu-assure"),
        "reports",
        "serve",
        "--out",
        str(out),
        "--host",
        LOOPBACK,
        "--port",
        str(port),
    ]
    process = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://{LOOPBACK}:{port}/alpha/cp2/alpha-cp2-report.docx"
    try:
        refused = wait_until(
            lambda: httpx.get(url, trust_env=False),
            timeout=60,
            what="csu-assure reports serve",
            retry_on=NOT_LISTENING_YET,
        )
        assert refused.status_code == 401
        allowed = httpx.get(url, auth=tuple(AUTH.split(":", 1)), trust_env=False)  # type: ignore[arg-type]
        assert allowed.status_code == 200 and allowed.content == REPORT
    finally:
        os.killpg(process.pid, 2)
        output = process.communicate(timeout=30)[0].decode()
    assert "basic auth" in output and f"CSU_ASSURE_REPORTS_URL=http://{LOOPBACK}:{port}" in output
