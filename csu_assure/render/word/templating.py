"""Narrative text from Jinja2 templates: sandboxed, strict, never compiled from submitted text.

Templates are assets in `templates/`; submitted values only ever reach them as variables, and the rendered
result is plain text (one paragraph per line, `- ` bullets) that the builder writes as runs, so
no markup in a value can change the document.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment


@cache
def environment(templates_dir: Path) -> SandboxedEnvironment:
    """One environment per folder, so compiled templates are reused across reports."""
    return SandboxedEnvironment(
        loader=FileSystemLoader(str(templates_dir)),
        undefined=StrictUndefined,
        autoescape=False,  # the output is Word text, not HTML: escaping would show "&amp;" to the reader
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


@dataclass(frozen=True)
class Block:
    """One rendered paragraph: plain text, or a bullet."""

    text: str
    bullet: bool = False


def render_blocks(templates_dir: Path, name: str, **variables: Any) -> list[Block]:
    """Render template `name`: each non-blank line is one paragraph, and a line starting "- " is a bullet.

    Line-per-paragraph keeps conditional sections (`{% if %}` with `trim_blocks`) from running together;
    values that land in the narrative are folded to one line by the view model, so they cannot add lines."""
    text = environment(templates_dir).get_template(name).render(**variables)
    blocks: list[Block] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("- "):
            blocks.append(Block(line[2:].strip(), bullet=True))
        elif line:
            blocks.append(Block(line))
    return blocks
