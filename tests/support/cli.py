"""The CLI as a user meets it, in-process: its exit code and output, and never a traceback for what a user did."""

from __future__ import annotations

from typer.testing import CliRunner

from cli import app

_runner = CliRunner()


def run_cli(*args: object, env: dict[str, str] | None = None) -> tuple[int, str]:
    """`csu-assure ARGS…`: (exit code, output). Fails the test on an uncaught exception or a printed traceback."""
    result = _runner.invoke(app, [str(a) for a in args], env=env, catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code, result.output
