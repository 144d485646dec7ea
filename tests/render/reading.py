"""Read a written report back as a reader meets it: page 1 (everything before the first page break) and each
section under its heading, as paragraphs (with their style) and tables (as rows of cell texts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph


@dataclass
class Part:
    """A stretch of the document: its paragraphs (style, text) and tables, in order."""

    paragraphs: list[tuple[str, str]] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)

    def texts(self, style: str | None = None) -> list[str]:
        return [t for s, t in self.paragraphs if style is None or s == style]

    @property
    def text(self) -> str:
        cells = [c for t in self.tables for row in t for c in row]
        return "\n".join([t for _, t in self.paragraphs] + cells)

    def table(self, first_header: str) -> list[list[str]]:
        """The first table whose first row starts with `first_header`."""
        return next(t for t in self.tables if t and t[0] and t[0][0] == first_header)

    def has_table(self, first_header: str) -> bool:
        return any(t and t[0] and t[0][0] == first_header for t in self.tables)


def _blocks(path: Path) -> list[Paragraph | Table]:
    doc = Document(str(path))
    body = doc.element.body
    out: list[Paragraph | Table] = []
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            out.append(Paragraph(child, doc))
        elif child.tag == qn("w:tbl"):
            out.append(Table(child, doc))
    return out


def _is_page_break(p: Paragraph) -> bool:
    return any(br.get(qn("w:type")) == "page" for br in p._p.iter(qn("w:br")))


def _rows(t: Table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in t.rows]


def page_one(path: Path) -> Part:
    """Page 1 of a report: every paragraph and table before its first page break."""
    part = Part()
    for block in _blocks(path):
        if isinstance(block, Paragraph):
            if _is_page_break(block):
                break
            part.paragraphs.append((block.style.name if block.style else "", block.text))
        else:
            part.tables.append(_rows(block))
    return part


def section(path: Path, heading: str, level: int = 1) -> Part:
    """The section under the `Heading {level}` paragraph reading `heading`, up to the next heading of that level
    or higher."""
    part = Part()
    inside = False
    for block in _blocks(path):
        if isinstance(block, Paragraph):
            style = block.style.name if block.style else ""
            if style.startswith("Heading ") and int(style[-1]) <= level:
                if inside:
                    break
                inside = block.text == heading and style == f"Heading {level}"
                continue
            if inside:
                part.paragraphs.append((style, block.text))
        elif inside:
            part.tables.append(_rows(block))
    return part


def headings(path: Path) -> list[tuple[int, str]]:
    return [
        (int(b.style.name[-1]), b.text)
        for b in _blocks(path)
        if isinstance(b, Paragraph) and b.style is not None and b.style.name.startswith("Heading ")
    ]
