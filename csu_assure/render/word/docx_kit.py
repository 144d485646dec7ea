"""Small python-docx helpers the builders share: text (always through `safe_text`), tables, shading, fields.

Every string that reaches the document goes through `text_run`/`paragraph`/`cell_text` here, which call
`safe_text`; builders never set `.text` on python-docx objects themselves.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Inches
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from csu_assure.domain import Rag
from csu_assure.render.word.drawingml import CHART_WORKBOOK_RID, Chart
from csu_assure.render.word.safe import one_line, safe_text
from csu_assure.render.word.styles import STYLE_IDS, TABLE_STYLE

# python-docx ships no type information: documents, paragraphs, tables and cells are `Any` here.
Doc = Any
Para = Any

RAG_FILL = {Rag.GREEN: "009639", Rag.AMBER: "FFB81C", Rag.RED: "DA291C"}
RAG_TEXT = {Rag.GREEN: "FFFFFF", Rag.AMBER: "231F20", Rag.RED: "FFFFFF"}
HEADER_FILL = "005EB8"
LABEL_FILL = "E8EDEE"
MONO = "Courier New"
_W_NS = nsdecls("w")
_SECT_PR = qn("w:sectPr")


class BaseDocumentMissing(Exception):
    """The styled base document is not where the templates folder says; run scripts/make_base_docx.py."""


@cache
def _base_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as error:
        raise BaseDocumentMissing(
            f"{path}: styled base document not found; build it with `python scripts/make_base_docx.py`"
        ) from error


def open_base(templates_dir: Path) -> Doc:
    """A fresh document on the styled base (read from disk once per process)."""
    return Document(io.BytesIO(_base_bytes(templates_dir / "base.docx")))


@dataclass
class Outline:
    """Headings as they are added, so the TOC field can carry a ready-made result until Word updates it."""

    entries: list[tuple[int, str]] = field(default_factory=list)


def text_run(
    p: Para,
    text: object,
    *,
    bold: bool | None = None,
    colour: str | None = None,
    font: str | None = None,
    size: float | None = None,
) -> Any:
    """Append a run of `text` to paragraph `p` (newlines become line breaks, tabs tabs, as in python-docx)."""
    r = parse_xml(_run_xml(text, colour=colour, bold=bold, font=font, size=size, ns=True))
    p._p.append(r)
    return Run(r, p)


def set_style(p: Para, style: str) -> None:
    p._p.style = STYLE_IDS[style]


def _append_block(container: Any, element: Any) -> None:
    """Add a paragraph or table at the end of a document body (before its closing section properties) or of
    a header or footer. python-docx's own insert looks for the section properties from the first child on, at
    every insert: quadratic in the length of a report."""
    parent = container.element.body if hasattr(container, "element") else container._element
    last = parent[-1] if len(parent) else None
    if last is not None and last.tag == _SECT_PR:
        last.addprevious(element)
    else:
        parent.append(element)


# Styles whose paragraphs are one line by design: whatever text reaches them is folded to one line, so no value
# (a CSU name with line breaks) can start a line of its own in a title, a heading, a header or a footer.
SINGLE_LINE_STYLES = frozenset(
    {"Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Protective Marking", "Footer Text"}
)


def paragraph(container: Any, text: object = "", style: str = "Normal") -> Para:
    """A new paragraph in `style` at the end of `container` (a document, header or footer), with `text`."""
    if style in SINGLE_LINE_STYLES:
        text = one_line(text)
    run = _run_xml(text, ns=False) if text != "" else ""
    p = parse_xml(f'<w:p {_W_NS}><w:pPr><w:pStyle w:val="{STYLE_IDS[style]}"/></w:pPr>{run}</w:p>')
    _append_block(container, p)
    return Paragraph(p, container._body if hasattr(container, "_body") else container)


def heading(doc: Doc, outline: Outline, text: object, level: int) -> Para:
    clean = one_line(text)
    outline.entries.append((level, clean))
    return paragraph(doc, clean, f"Heading {level}")


@dataclass(frozen=True)
class Cell:
    """A table cell's text with optional fill (hex), text colour (hex), bold and monospace."""

    text: object
    fill: str | None = None
    colour: str | None = None
    bold: bool = False
    mono: bool = False


def rag(value: Rag | None, label: str | None = None) -> Cell:
    """A RAG-coloured cell that also says its colour in words (colour is never the only signal)."""
    if value is None:
        return Cell(label or "—")
    return Cell(label or value.value, fill=RAG_FILL[value], colour=RAG_TEXT[value], bold=True)


_CM = 567  # twentieths of a point per centimetre


def _run_xml(
    text: object,
    *,
    colour: str | None = None,
    bold: bool | None = None,
    mono: bool = False,
    font: str | None = None,
    size: float | None = None,
    ns: bool = False,
) -> str:
    props = []
    face = MONO if mono else font
    if face:
        face = escape(face, {'"': "&quot;"})
        props.append(f'<w:rFonts w:ascii="{face}" w:hAnsi="{face}" w:cs="{face}"/>')
    if bold is not None:
        props.append("<w:b/>" if bold else '<w:b w:val="0"/>')
    if colour:
        props.append(f'<w:color w:val="{colour}"/>')
    if size:
        props.append(f'<w:sz w:val="{round(size * 2)}"/>')
    rpr = f"<w:rPr>{''.join(props)}</w:rPr>" if props else ""
    parts = []
    for i, line in enumerate(safe_text(text).split("\n")):
        if i:
            parts.append("<w:br/>")
        for j, piece in enumerate(line.split("\t")):
            if j:
                parts.append("<w:tab/>")
            if piece:
                parts.append(f'<w:t xml:space="preserve">{escape(piece)}</w:t>')
    return f"<w:r{' ' + _W_NS if ns else ''}>{rpr}{''.join(parts)}</w:r>"


def _cell_xml(cell: Cell | object, width: int, style_id: str, size: float | None) -> str:
    c = cell if isinstance(cell, Cell) else Cell(cell)
    shd = f'<w:shd w:val="clear" w:color="auto" w:fill="{c.fill}"/>' if c.fill else ""
    run = _run_xml(c.text, colour=c.colour, bold=c.bold or None, mono=c.mono, size=size)
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shd}</w:tcPr>'
        f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>{run}</w:p></w:tc>'
    )


def table(
    doc: Doc,
    headers: Sequence[object] | None,
    rows: Sequence[Sequence[Cell | object]],
    widths_cm: Sequence[float],
    *,
    size: float | None = None,
    label_column: bool = False,
) -> Any:
    """Append a bordered, fixed-width table in the base's 'Assurance Table' style.

    The header row (if any) is blue, repeats on each page, and no row splits across pages. Built as one XML
    string and parsed once: python-docx's per-cell API cost more than everything else in a report."""
    widths = [int(w * _CM) for w in widths_cm]
    text_style, label_style = STYLE_IDS["Table Text"], STYLE_IDS["Field Label"]
    look_first_row = "1" if headers else "0"
    out = [
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{STYLE_IDS[TABLE_STYLE]}"/>'
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
        f'<w:tblLook w:val="0000" w:firstRow="{look_first_row}" w:lastRow="0" w:firstColumn="0" '
        'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{w}"/>' for w in widths),
        "</w:tblGrid>",
    ]
    if headers:
        out.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>")
        out.extend(
            _cell_xml(Cell(h, fill=HEADER_FILL), w, STYLE_IDS["Table Heading"], size)
            for h, w in zip(headers, widths, strict=True)
        )
        out.append("</w:tr>")
    for values in rows:
        out.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        for i, (value, w) in enumerate(zip(values, widths, strict=True)):
            if label_column and i == 0:
                out.append(_cell_xml(Cell(value, fill=LABEL_FILL), w, label_style, size))
            else:
                out.append(_cell_xml(value, w, text_style, size))
        out.append("</w:tr>")
    out.append("</w:tbl>")
    tbl = parse_xml("".join(out))
    _append_block(doc, tbl)
    return tbl


def key_value_table(
    doc: Doc, rows: Sequence[tuple[str, Cell | object]], widths_cm: tuple[float, float]
) -> Any:
    return table(doc, None, rows, widths_cm, label_column=True)


_CHART_INLINE = (
    '<wp:inline distT="0" distB="0" distL="0" distR="0" {ns}>'
    '<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
    '<wp:docPr id="{id}" name="Chart {id}" descr="{descr}"/><wp:cNvGraphicFramePr/>'
    '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
    '<c:chart r:id="{rid}"/></a:graphicData></a:graphic></wp:inline>'
)


def chart(doc: Doc, made: Chart) -> None:
    """A native chart in its own paragraph, its caption below: a chart part (`word/charts/`) related to the
    document, and its data workbook (`word/embeddings/`) related to the chart, as Word itself writes them."""
    package = doc.part.package
    chart_part = Part(
        package.next_partname("/word/charts/chart%d.xml"), CONTENT_TYPE.DML_CHART, made.xml, package
    )
    workbook = Part(
        package.next_partname("/word/embeddings/Microsoft_Excel_Sheet%d.xlsx"),
        CONTENT_TYPE.SML_SHEET,
        made.workbook,
        package,
    )
    # The chart XML already points at its workbook as CHART_WORKBOOK_RID: the chart part's only relationship.
    if chart_part.relate_to(workbook, RELATIONSHIP_TYPE.PACKAGE) != CHART_WORKBOOK_RID:
        raise AssertionError("a new chart part's first relationship must be " + CHART_WORKBOOK_RID)
    inline = parse_xml(
        _CHART_INLINE.format(
            ns=nsdecls("wp", "a", "c", "r"),
            cx=Inches(made.width_in),
            cy=Inches(made.height_in),
            id=doc.part.next_id,
            descr=escape(made.alt_text, {'"': "&quot;"}),
            rid=doc.part.relate_to(chart_part, RELATIONSHIP_TYPE.CHART),
        )
    )
    drawing = OxmlElement("w:drawing")
    drawing.append(inline)
    p = paragraph(doc)
    p.add_run()._r.append(drawing)
    p.paragraph_format.keep_with_next = True
    paragraph(doc, made.caption, "Caption")


# ----------------------------------------------------------------------------------------------- fields


def _fld_char(kind: str, *, dirty: bool = False) -> Any:
    run = OxmlElement("w:r")
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    if dirty:
        el.set(qn("w:dirty"), "true")
    run.append(el)
    return run


def _instr(code: str) -> Any:
    run = OxmlElement("w:r")
    el = OxmlElement("w:instrText")
    el.set(qn("xml:space"), "preserve")
    el.text = f" {code} "
    run.append(el)
    return run


def simple_field(p: Para, code: str, placeholder: str) -> None:
    """A complex field (PAGE, NUMPAGES…) with a cached result Word and LibreOffice replace on layout."""
    p._p.append(_fld_char("begin"))
    p._p.append(_instr(code))
    p._p.append(_fld_char("separate"))
    text_run(p, placeholder)
    p._p.append(_fld_char("end"))


def toc_field(doc: Doc, after: Para, outline: Outline, levels: str = "1-2") -> None:
    """Insert a TOC field after paragraph `after`, its cached result the outline (without page numbers),
    marked dirty so Word rebuilds it, with page numbers, when the document opens."""
    entries = [(lvl, text) for lvl, text in outline.entries if lvl <= int(levels[-1])] or [
        (1, "Right-click and choose Update Field to build the table of contents.")
    ]
    anchor = after
    paragraphs = []
    for level, text in entries:
        p = paragraph(doc, "", f"TOC {level}")
        text_run(p, text)
        paragraphs.append(p)
    first, last = paragraphs[0], paragraphs[-1]
    begin = [_fld_char("begin", dirty=True), _instr(f'TOC \\o "{levels}" \\h \\z \\u'), _fld_char("separate")]
    p_pr = first._p.get_or_add_pPr()
    for el in reversed(begin):
        p_pr.addnext(el)
    last._p.append(_fld_char("end"))
    for p in paragraphs:  # move the paragraphs (added at the end of the body) to just after the anchor
        anchor._p.addnext(p._p)
        anchor = p


def update_fields_on_open(doc: Doc) -> None:
    settings = doc.settings.element
    for old in settings.findall(qn("w:updateFields")):
        settings.remove(old)
    el = OxmlElement("w:updateFields")
    el.set(qn("w:val"), "true")
    settings.append(el)


def marking_header_footer(doc: Doc, marking: str, footer_note: str) -> None:
    """Protective marking at the top and bottom of every page; page X of Y and the record id in the footer."""
    for section in doc.sections:
        header = section.header
        header.is_linked_to_previous = False
        hp = header.paragraphs[0]
        set_style(hp, "Protective Marking")
        text_run(hp, one_line(marking))
        footer = section.footer
        footer.is_linked_to_previous = False
        fp = footer.paragraphs[0]
        set_style(fp, "Protective Marking")
        text_run(fp, one_line(marking))
        line = paragraph(footer, "", "Footer Text")
        line.alignment = 1  # centre
        text_run(line, f"{one_line(footer_note)} · Page ")
        simple_field(line, "PAGE", "1")
        text_run(line, " of ")
        simple_field(line, "NUMPAGES", "1")


def page_break(doc: Doc) -> None:
    _append_block(doc, parse_xml(f'<w:p {_W_NS}><w:r><w:br w:type="page"/></w:r></w:p>'))
