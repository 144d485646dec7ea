"""Narrative text from Jinja2 templates: sandboxed, strict, never compiled from submitted text.

Templates are assets in `templates/`; submitted values only ever reach them as variables, and the rendered
result is plain text (paragraphs separated by blank lines, `- ` bullets) that the builder writes as runs, so
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
    """Render template `name` and split it into paragraphs (blank-line separated) and `- ` bullets."""
    text = environment(templates_dir).get_template(name).render(**variables)
    blocks: list[Block] = []
    for chunk in text.split("\n\n"):
        lines = [line.strip() for line in chunk.strip().splitlines() if line.strip()]
        paragraph: list[str] = []
        for line in lines:
            if line.startswith("- "):
                if paragraph:
                    blocks.append(Block(" ".join(paragraph)))
                    paragraph = []
                blocks.append(Block(line[2:].strip(), bullet=True))
            else:
                paragraph.append(line)
        if paragraph:
            blocks.append(Block(" ".join(paragraph)))
    return blocks
