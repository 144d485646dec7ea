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
    """Headings as they are added, each with the bookmark the contents' page reference points at."""

    entries: list[tuple[int, str, str]] = field(default_factory=list)  # (level, text, bookmark)

    def bookmark(self) -> str:
        # Names starting with "_" are hidden bookmarks in Word (as its own "_Toc…" ones are).
        return f"_TocCsu{len(self.entries) + 1:03d}"


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


def heading(doc: Doc, outline: Outline, text: object, level: int, *, listed: bool = True) -> Para:
    """A heading in `Heading {level}`, bookmarked so the contents can give its page (when `listed`)."""
    clean = one_line(text)
    p = paragraph(doc, clean, f"Heading {level}")
    if listed:
        name = outline.bookmark()
        outline.entries.append((level, clean, name))
        ident = str(len(outline.entries))
        start = parse_xml(f'<w:bookmarkStart {_W_NS} w:id="{ident}" w:name="{name}"/>')
        end = parse_xml(f'<w:bookmarkEnd {_W_NS} w:id="{ident}"/>')
        if p._p.pPr is not None:
            p._p.pPr.addnext(start)
        else:
            p._p.insert(0, start)
        p._p.append(end)
    return p


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


def _cell_xml(
    cell: Cell | object, width: int, style_id: str, size: float | None, keep_next: bool = False
) -> str:
    c = cell if isinstance(cell, Cell) else Cell(cell)
    shd = f'<w:shd w:val="clear" w:color="auto" w:fill="{c.fill}"/>' if c.fill else ""
    run = _run_xml(c.text, colour=c.colour, bold=c.bold or None, mono=c.mono, size=size)
    keep = "<w:keepNext/>" if keep_next else ""
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shd}</w:tcPr>'
        f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/>{keep}</w:pPr>{run}</w:p></w:tc>'
    )


# Tables of up to this many rows are kept on one page; longer ones keep their first and last two rows together.
KEEP_TOGETHER_ROWS = 14


def table(
    doc: Doc,
    headers: Sequence[object] | None,
    rows: Sequence[Sequence[Cell | object]],
    widths_cm: Sequence[float],
    *,
    size: float | None = None,
    label_column: bool = False,
    keep_together: int = KEEP_TOGETHER_ROWS,
) -> Any:
    """Append a bordered, fixed-width table in the base's 'Assurance Table' style.

    The header row (if any) is blue, repeats on each page, and no row splits across pages. A table of up to
    `keep_together` rows stays on one page (each row kept with the next, as Word and LibreOffice both honour);
    a longer one keeps its first two and last two rows together, so a page never ends or starts on a lone row.
    Built as one XML string and parsed once: python-docx's per-cell API cost more than everything else in a
    report."""
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
    total = len(rows) + (1 if headers else 0)
    whole = total <= keep_together

    def kept(index: int) -> bool:
        """Whether row `index` (the header is row 0 when there is one) is kept with the next row."""
        if index >= total - 1:
            return False
        return whole or index < (3 if headers else 2) - 1 or index >= total - 2

    if headers:
        out.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>")
        out.extend(
            _cell_xml(Cell(h, fill=HEADER_FILL), w, STYLE_IDS["Table Heading"], size, kept(0))
            for h, w in zip(headers, widths, strict=True)
        )
        out.append("</w:tr>")
    for n, values in enumerate(rows, start=1 if headers else 0):
        keep = kept(n)
        out.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        for i, (value, w) in enumerate(zip(values, widths, strict=True)):
            if label_column and i == 0:
                out.append(_cell_xml(Cell(value, fill=LABEL_FILL), w, label_style, size, keep))
            else:
                out.append(_cell_xml(value, w, text_style, size, keep))
        out.append("</w:tr>")
    out.append("</w:tbl>")
    tbl = parse_xml("".join(out))
    _append_block(doc, tbl)
    return tbl


def key_value_table(
    doc: Doc,
    rows: Sequence[tuple[str, Cell | object]],
    widths_cm: tuple[float, float],
    *,
    size: float | None = None,
) -> Any:
    return table(doc, None, rows, widths_cm, label_column=True, size=size)


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


def contents(doc: Doc, after: Para, outline: Outline, width_cm: float, levels: int = 2) -> None:
    """A contents list after paragraph `after`: each heading of `outline` up to `levels`, with its page number
    as a PAGEREF field to the heading's bookmark. LibreOffice computes such a reference as it lays the pages
    out (so a PDF made by it shows real page numbers) and Word updates it on opening (`update_fields_on_open`);
    a TOC field would show LibreOffice's stale cached result instead. Each entry links to its heading."""
    anchor = after
    tab = int(width_cm * _CM)
    for level, text, bookmark in outline.entries:
        if level > levels:
            continue
        p = paragraph(doc, "", f"TOC {level}")
        p_pr = p._p.get_or_add_pPr()
        p_pr.append(
            parse_xml(f'<w:tabs {_W_NS}><w:tab w:val="right" w:leader="dot" w:pos="{tab}"/></w:tabs>')
        )
        link = parse_xml(f'<w:hyperlink {_W_NS} w:anchor="{bookmark}" w:history="1"/>')
        link.append(parse_xml(_run_xml(text, ns=True)))
        p._p.append(link)
        p._p.append(parse_xml(_run_xml("\t", ns=True)))
        p._p.append(_fld_char("begin"))
        p._p.append(_instr(f"PAGEREF {bookmark} \\h"))
        p._p.append(_fld_char("separate"))
        text_run(p, "")
        p._p.append(_fld_char("end"))
        anchor._p.addnext(p._p)  # move it (added at the end of the body) to just after the anchor
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
