"""Build `templates/base.docx`: the styled base document whose named styles the report builder uses.

Run `python scripts/make_base_docx.py` after changing a style here; the result is committed. The look is
NHS-like and sober: Arial throughout, NHS blue (#005EB8) headings, plain bordered tables, A4 portrait, British
English. Every style the builder asks for by name is defined here (see `csu_assure/render/word/styles.py`).

The fonts are named with their metric-compatible free twins (`w:altName` in the font table: Liberation Sans for
Arial, Liberation Mono for Courier New, Carlito for Calibri), which `scripts/install-system-deps.sh` installs, so
LibreOffice lays a report out line for line as Word does.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import BaseStyle
from lxml import etree

FONT = "Arial"
LANGUAGE = "en-GB"
# Each font the reports name, with the metric-compatible font LibreOffice should use in its place.
FONT_TWINS = {
    "Arial": ("Liberation Sans", "swiss", "020B0604020202020204"),
    "Courier New": ("Liberation Mono", "modern", "02070309020205020404"),
    "Calibri": ("Carlito", "swiss", "020F0502020204030204"),
}
NHS_BLUE = RGBColor(0x00, 0x5E, 0xB8)
NHS_DARK_BLUE = RGBColor(0x00, 0x30, 0x87)
NHS_BLACK = RGBColor(0x23, 0x1F, 0x20)
NHS_MID_GREY = RGBColor(0x42, 0x55, 0x63)
BANNERS = {  # style name -> (fill, text colour): NHS green / warm yellow / red
    "Banner Green": ("009639", RGBColor(0xFF, 0xFF, 0xFF)),
    "Banner Amber": ("FFB81C", NHS_BLACK),
    "Banner Red": ("DA291C", RGBColor(0xFF, 0xFF, 0xFF)),
}


def _font(
    style: BaseStyle, size: float, *, bold: bool = False, italic: bool = False, colour: RGBColor = NHS_BLACK
) -> None:
    font = style.font  # type: ignore[attr-defined]
    font.name = FONT
    font.size = Pt(size)
    font.bold = bold
    font.italic = italic
    font.color.rgb = colour
    # East-Asian and complex-script fonts too, or Word falls back to the theme font for some characters.
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _paragraph_style(doc, name: str, base: str | None = "Normal"):  # type: ignore[no-untyped-def]
    styles = doc.styles
    style = (
        styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    )
    if base is not None and name != base:
        style.base_style = styles[base]
    style.quick_style = True
    return style


def _shade(style, fill: str) -> None:  # type: ignore[no-untyped-def]
    ppr = style.element.get_or_add_pPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    ppr.append(shd)


def _table_style(doc) -> None:  # type: ignore[no-untyped-def]
    """'Assurance Table': thin grey grid and small cell margins; header fill is applied by the builder too,
    because LibreOffice ignores table-style conditional formatting."""
    style = doc.styles.add_style("Assurance Table", WD_STYLE_TYPE.TABLE)
    style.base_style = doc.styles["Normal Table"]
    _font(style, 9)
    tbl_pr = style.element.find(qn("w:tblPr"))
    if tbl_pr is None:
        tbl_pr = OxmlElement("w:tblPr")
        style.element.append(tbl_pr)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "AEB7BD")
        borders.append(el)
    tbl_pr.append(borders)
    margins = OxmlElement("w:tblCellMar")
    for edge, width in (("top", 30), ("left", 80), ("bottom", 30), ("right", 80)):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(width))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tbl_pr.append(margins)
    header = OxmlElement("w:tblStylePr")
    header.set(qn("w:type"), "firstRow")
    rpr = OxmlElement("w:rPr")
    bold = OxmlElement("w:b")
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "FFFFFF")
    rpr.extend([bold, colour])
    tcpr = OxmlElement("w:tcPr")
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), "005EB8")
    tcpr.append(shd)
    header.extend([rpr, tcpr])
    style.element.append(header)


KEEP_TABLE_STYLES = {"Normal Table", "Table Grid", "Assurance Table"}


def _drop_unused_styles(doc) -> None:  # type: ignore[no-untyped-def]
    """The python-docx default template carries ~130 coloured table styles we never use; they only bloat
    the file and slow every style lookup."""
    for style in list(doc.styles):
        if style.type == WD_STYLE_TYPE.TABLE and style.name not in KEEP_TABLE_STYLES:
            style.element.getparent().remove(style.element)


def build_base(path: Path) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.0)
    section.header_distance = section.footer_distance = Cm(1.0)

    styles = doc.styles
    normal = styles["Normal"]
    _font(normal, 10)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    _font(_paragraph_style(doc, "Body Text"), 10)

    title = _paragraph_style(doc, "Title")
    _font(title, 22, bold=True, colour=NHS_BLUE)
    title.paragraph_format.space_after = Pt(2)
    title.element.get_or_add_pPr().remove_all("w:pBdr")
    subtitle = _paragraph_style(doc, "Subtitle")
    _font(subtitle, 12, colour=NHS_DARK_BLUE)
    subtitle.paragraph_format.space_after = Pt(4)
    for level, size, colour, before in (
        (1, 16, NHS_BLUE, 18),
        (2, 12.5, NHS_DARK_BLUE, 12),
        (3, 11, NHS_DARK_BLUE, 10),
    ):
        heading = _paragraph_style(doc, f"Heading {level}")
        _font(heading, size, bold=True, colour=colour)
        heading.paragraph_format.space_before = Pt(before)
        heading.paragraph_format.space_after = Pt(4)
        heading.paragraph_format.keep_with_next = True

    contents = _paragraph_style(doc, "Contents Heading")  # like Heading 1 but not listed in the TOC itself
    _font(contents, 16, bold=True, colour=NHS_BLUE)
    contents.paragraph_format.space_after = Pt(6)
    for level in (1, 2):
        toc = _paragraph_style(doc, f"TOC {level}")
        _font(toc, 10, bold=level == 1)
        toc.paragraph_format.left_indent = Cm(0.6 * (level - 1))
        toc.paragraph_format.space_after = Pt(2)

    for name, (fill, colour) in BANNERS.items():
        banner = _paragraph_style(doc, name)
        _font(banner, 14, bold=True, colour=colour)
        _shade(banner, fill)
        banner.paragraph_format.space_before = Pt(6)
        banner.paragraph_format.space_after = Pt(8)
        banner.paragraph_format.left_indent = Cm(0.2)
        banner.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    caption = _paragraph_style(doc, "Caption")
    _font(caption, 8.5, italic=True, colour=NHS_MID_GREY)
    caption.paragraph_format.space_after = Pt(10)
    note = _paragraph_style(doc, "Note")
    _font(note, 9, italic=True, colour=NHS_MID_GREY)
    table_text = _paragraph_style(doc, "Table Text")
    _font(table_text, 8.5)
    table_text.paragraph_format.space_after = Pt(0)
    table_text.paragraph_format.line_spacing = 1.0
    table_heading = _paragraph_style(doc, "Table Heading", base="Table Text")
    _font(table_heading, 8.5, bold=True, colour=RGBColor(0xFF, 0xFF, 0xFF))
    label = _paragraph_style(doc, "Field Label", base="Table Text")
    _font(label, 8.5, bold=True, colour=NHS_DARK_BLUE)
    check_heading = _paragraph_style(doc, "Check Heading", base="Heading 3")
    _font(check_heading, 10.5, bold=True, colour=NHS_DARK_BLUE)
    marking = _paragraph_style(doc, "Protective Marking")
    _font(marking, 9, bold=True, colour=NHS_BLACK)
    marking.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    marking.paragraph_format.space_after = Pt(0)
    footer_text = _paragraph_style(doc, "Footer Text")
    _font(footer_text, 8, colour=NHS_MID_GREY)
    footer_text.paragraph_format.space_after = Pt(0)
    _font(_paragraph_style(doc, "List Bullet"), 10)
    bullet = styles["List Bullet"]
    bullet.paragraph_format.space_after = Pt(3)
    masthead = _paragraph_style(doc, "Masthead")
    _font(masthead, 8.5, bold=True, colour=NHS_BLUE)
    masthead.paragraph_format.space_after = Pt(2)
    reason = _paragraph_style(doc, "Reason")  # the decision page's sentences: a little tighter than Normal
    _font(reason, 9.5)
    reason.paragraph_format.space_after = Pt(4)
    reason.paragraph_format.line_spacing = 1.05
    _table_style(doc)

    _british_english(doc)
    _font_twins(doc)
    _drop_unused_styles(doc)
    # The default template ships with one empty paragraph; the base must start empty.
    body = doc.element.body
    for paragraph in list(body.iterchildren(qn("w:p"))):
        body.remove(paragraph)
    _drop_template_leftovers(doc)
    props = doc.core_properties
    props.author = props.last_modified_by = "csu-assure"
    props.title = "CSU assurance report"
    props.comments = "Base styles for csu-assure reports; built by scripts/make_base_docx.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def _british_english(doc) -> None:  # type: ignore[no-untyped-def]
    """Every run is British English unless it says otherwise: the document defaults and the theme language."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), LANGUAGE)
    rpr.append(lang)
    settings = doc.settings.element
    for old in settings.findall(qn("w:themeFontLang")):
        settings.remove(old)
    theme = OxmlElement("w:themeFontLang")
    theme.set(qn("w:val"), LANGUAGE)
    settings.append(theme)
    doc.core_properties.language = LANGUAGE


def _font_twins(doc) -> None:  # type: ignore[no-untyped-def]
    """The font table names each report font with its metric-compatible twin (`w:altName`), which LibreOffice
    uses when the font itself is not installed."""
    part = next(rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/fontTable"))
    fonts = etree.fromstring(part.blob)
    for name, (twin, family, panose) in FONT_TWINS.items():
        for old in fonts.findall(qn("w:font")):
            if old.get(qn("w:name")) == name:
                fonts.remove(old)
        font = etree.SubElement(fonts, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (
            ("w:altName", twin),
            ("w:panose1", panose),
            ("w:family", family),
            ("w:pitch", "variable"),
        ):
            etree.SubElement(font, qn(tag)).set(qn("w:val"), value)
    # python-docx keeps a part it has no class for as bytes: write the edited table back.
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


def _drop_template_leftovers(doc) -> None:  # type: ignore[no-untyped-def]
    """Parts of python-docx's own template that a report must not carry: the Word 2010 `stylesWithEffects`
    copy of the styles (438 KB that every report saved, and read back, for nothing: Word 2013 and later and
    LibreOffice use `styles.xml`) and the template's thumbnail, a picture of another document."""
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(rel_id)
    package_rels = doc.part.package.rels
    for rel_id, rel in list(package_rels.items()):
        if rel.reltype.endswith("/metadata/thumbnail"):
            package_rels.pop(rel_id)


if __name__ == "__main__":
    target = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).resolve().parents[1] / "templates" / "base.docx"
    )
    print(build_base(target))
