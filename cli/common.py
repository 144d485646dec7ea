"""What every command shares: consoles, exit codes and turning user mistakes into messages, not tracebacks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from csu_assure.loading.problems import Problem

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def print_problems(source: str, problems: Iterable[Problem]) -> None:
    items = list(problems)
    err.print(f"[bold red]✗ {escape(source)}[/]: {len(items)} problem(s)")
    for problem in items:
        err.print(f"  - {escape(str(problem))}")


def usage_error(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(EXIT_USAGE)
