"""The options every assessing command shares, declared once: `@run_options` adds them to a command and hands
them over as one `RunRequest` (the kernel's typed `Options`, the output format, and which runner to use)."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:  # imported when a command runs, not for `--help`
    from csu_assure.service import Options


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


AsOf = Annotated[
    dt.datetime | None,
    typer.Option(
        "--as-of",
        formats=["%Y-%m-%d"],
        help="Assessment date (YYYY-MM-DD); default: the day after the checkpoint deadline, so runs reproduce.",
    ),
]
OutDir = Annotated[
    Path | None, typer.Option("--out", help="Where reports and the register go (default: out/).")
]
Assessor = Annotated[str | None, typer.Option("--assessor", help="Named assessor recorded on assessments.")]
Rules = Annotated[Path | None, typer.Option("--rules", help="Alternative rule-set file.")]
CalendarFile = Annotated[
    Path | None, typer.Option("--calendar", help="Alternative checkpoint calendar file.")
]
Format = Annotated[OutputFormat, typer.Option("--format", help="text, or json for machines.")]
NoPrefect = Annotated[
    bool, typer.Option("--no-prefect", help="Run the steps directly, without Prefect (no flow runs).")
]
Force = Annotated[
    bool, typer.Option("--force", help="Re-assess even if the register holds these inputs; supersede it.")
]
Moderation = Annotated[
    bool,
    typer.Option(
        "--moderation/--no-moderation",
        help="Pause each assessment for an assessor (`csu-assure moderate RUN_ID`); off by default.",
    ),
]
Pdf = Annotated[
    bool, typer.Option("--pdf", help="Also write a PDF copy of each report beside it (needs LibreOffice).")
]
CheckpointOption = Annotated[
    int, typer.Option("--checkpoint", "-c", min=1, max=3, help="Checkpoint 1, 2 or 3.")
]


@dataclass(frozen=True)
class RunRequest:
    """What an assessing command was asked: the run's options, how to show the result, which runner."""

    options: Options
    fmt: OutputFormat
    prefect: bool


# The shared options: (parameter name, annotation, default). `as_of` is per command (progress has none).
_SHARED: tuple[tuple[str, Any, Any], ...] = (
    ("out_dir", OutDir, None),
    ("assessor", Assessor, None),
    ("rules", Rules, None),
    ("calendar", CalendarFile, None),
    ("fmt", Format, OutputFormat.TEXT),
    ("no_prefect", NoPrefect, False),
    ("force", Force, False),
    ("moderation", Moderation, False),
    ("pdf", Pdf, False),
)


def run_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give `command` the shared run options; it receives them as `run: RunRequest` (and `as_of`, if it takes
    one, folded into the options)."""
    own = [p for name, p in inspect.signature(command, eval_str=True).parameters.items() if name != "run"]
    takes_as_of = any(p.name == "as_of" for p in own)
    shared = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)
        for name, annotation, default in _SHARED
    ]

    def wrapper(**given: Any) -> None:
        from csu_assure.service import Options

        picked = {name: given.pop(name) for name, _, _ in _SHARED}
        as_of = given.get("as_of")
        options = Options(
            as_of=as_of.date() if isinstance(as_of, dt.datetime) else None,
            force=picked["force"],
            moderation=picked["moderation"],
            pdf=picked["pdf"],
            out_dir=picked["out_dir"],
            rules=picked["rules"],
            calendar=picked["calendar"],
            assessor=picked["assessor"],
        )
        if not takes_as_of:
            given.pop("as_of", None)
        command(run=RunRequest(options, picked["fmt"], not picked["no_prefect"]), **given)

    parameters = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own] + shared
    # typer reads a command's parameters from its signature and annotations: give it the combined ones.
    wrapper.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    wrapper.__name__, wrapper.__qualname__ = command.__name__, command.__qualname__
    wrapper.__doc__, wrapper.__module__ = command.__doc__, command.__module__
    return wrapper
