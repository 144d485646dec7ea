"""Native Word charts: DrawingML chart parts written by python-pptx's chart writer, styled once, and embedded
in a python-docx document with their data as an embedded workbook.

python-docx has no chart API, but a Word chart is the same DrawingML `c:chartSpace` part that PowerPoint uses;
python-pptx writes it (and, through XlsxWriter, the workbook behind "Edit Data") and gives it an object API
for series, points, axes and labels. Native charts are vector (sharp in print and at any zoom), editable in
Word, readable by screen readers through their data, and cost a few milliseconds to write where a matplotlib
PNG cost about 70 ms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree
from pptx.chart.chart import Chart as PptxChart
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.oxml import parse_xml
from pptx.util import Pt

from csu_assure.render.word.safe import safe_text

FONT = "Arial"  # as in the document; LibreOffice substitutes its metric twin, Liberation Sans
TEXT = "231F20"
AXIS_TEXT = "425563"
GRID = "E8EDEE"
TITLE = "003087"

_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"

# The chart part's relationship to its workbook: a new chart part has no other, so it is always the first id.
CHART_WORKBOOK_RID = "rId1"

ChartType = XL_CHART_TYPE
LabelPosition = XL_LABEL_POSITION


@dataclass(frozen=True)
class Chart:
    """A finished chart: the chart part's XML, the workbook holding its data, its size and its words."""

    xml: bytes
    workbook: bytes
    width_in: float
    height_in: float
    caption: str
    alt_text: str


def _rgb(hex_colour: str) -> RGBColor:
    colour: RGBColor = RGBColor.from_string(hex_colour)
    return colour


def add_series(data: CategoryChartData, name: str, values: Sequence[float | None]) -> None:
    """A series of `values` (None: no bar) named `name`, one value per category."""
    data.add_series(safe_text(name), values)


def category_data(categories: list[str], number_format: str = "General") -> CategoryChartData:
    """Chart data over `categories`, every label made safe for XML."""
    data = CategoryChartData(number_format=number_format)
    data.categories = [safe_text(c) for c in categories]
    return data


def new_chart(chart_type: Any, data: CategoryChartData, *, title: str, font_size: float = 8) -> PptxChart:
    """A chart of `chart_type` over `data` in the house style: document font, no border, bold blue title."""
    space = parse_xml(data.xml_bytes(chart_type))
    _plain_frame(space)
    chart = PptxChart(space, None)  # no part: the workbook is written separately (`finish`)
    chart.font.name = FONT
    chart.font.size = Pt(font_size)
    chart.font.color.rgb = _rgb(TEXT)
    chart.has_title = True
    frame = chart.chart_title.text_frame
    frame.text = safe_text(title)
    run = frame.paragraphs[0].runs[0]
    run.font.size, run.font.bold = Pt(font_size + 1), True
    run.font.color.rgb = _rgb(TITLE)
    chart.has_legend = False
    return chart


def _plain_frame(space: Any) -> None:
    """Square corners and no border or fill around the chart: it sits on the page like a figure."""
    rounded = etree.SubElement(space, f"{{{_C}}}roundedCorners", val="0")
    space.date1904.addnext(rounded)
    frame = etree.fromstring(
        f'<c:spPr xmlns:c="{_C}" xmlns:a="{_A}"><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>'
    )
    space.chart.addnext(frame)


def fill(target: Any, colour: str) -> None:
    """Solid fill for a series, point or band."""
    target.format.fill.solid()
    target.format.fill.fore_color.rgb = _rgb(colour)


def hide(series: Any) -> None:
    """No fill and no outline: an offset series in a stacked bar that only positions the visible one."""
    series.format.fill.background()
    series.format.line.fill.background()


def line(target: Any, colour: str, width_pt: float = 0.75, dash: Any = None) -> None:
    target.format.line.color.rgb = _rgb(colour)
    target.format.line.width = Pt(width_pt)
    if dash is not None:
        target.format.line.dash_style = dash


def value_axis(
    chart: PptxChart,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    major_unit: float | None = None,
    number_format: str | None = None,
    title: str | None = None,
) -> Any:
    """The value axis with light gridlines, no axis line, and the scale and format given."""
    axis = chart.value_axis
    if minimum is not None:
        axis.minimum_scale = minimum
    if maximum is not None:
        axis.maximum_scale = maximum
    if major_unit is not None:
        axis.major_unit = major_unit
    if number_format is not None:
        axis.tick_labels.number_format = number_format
        axis.tick_labels.number_format_is_linked = False
    axis.has_major_gridlines = True
    line(axis.major_gridlines, GRID)
    axis.format.line.fill.background()
    axis.tick_labels.font.color.rgb = _rgb(AXIS_TEXT)
    if title is not None:
        axis.has_title = True
        axis.axis_title.text_frame.text = safe_text(title)
        axis.axis_title.text_frame.paragraphs[0].runs[0].font.bold = False
    return axis


def every_category_label(chart: PptxChart) -> None:
    """Label every category: LibreOffice otherwise skips labels it judges crowded, leaving bars unnamed."""
    axis = chart.category_axis._element
    for old in axis.findall(f"{{{_C}}}tickLblSkip") + axis.findall(f"{{{_C}}}tickMarkSkip"):
        axis.remove(old)
    skip = etree.SubElement(axis, f"{{{_C}}}tickLblSkip", val="1")
    marks = etree.SubElement(axis, f"{{{_C}}}tickMarkSkip", val="1")
    # The schema orders them after lblOffset and before noMultiLvlLbl and extLst.
    for later in ("noMultiLvlLbl", "extLst"):
        found = axis.find(f"{{{_C}}}{later}")
        if found is not None:
            found.addprevious(skip)
            found.addprevious(marks)
            break


def legend_below(chart: PptxChart) -> None:
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False


def label(point: Any, text: str, position: Any = XL_LABEL_POSITION.OUTSIDE_END, size: float = 7) -> None:
    """A data label with its own text on one point, kept on one line."""
    data_label = point.data_label
    data_label.has_text_frame = True
    frame = data_label.text_frame
    frame.text = safe_text(text)
    frame.word_wrap = False
    frame.paragraphs[0].runs[0].font.size = Pt(size)
    data_label.position = position


def finish(
    chart: PptxChart,
    data: CategoryChartData,
    *,
    width_in: float,
    height_in: float,
    caption: str,
    alt_text: str,
) -> Chart:
    """Freeze the styled chart and its data workbook into a `Chart` ready to embed."""
    space = chart._chartSpace
    space.get_or_add_externalData().rId = CHART_WORKBOOK_RID
    xml = etree.tostring(space, xml_declaration=True, encoding="UTF-8", standalone=True)
    return Chart(
        xml=xml,
        workbook=data.xlsx_blob,
        width_in=width_in,
        height_in=height_in,
        caption=safe_text(caption),
        alt_text=safe_text(alt_text),
    )
