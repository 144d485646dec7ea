"""Read the native charts of a .docx back, as a reviewer's Word would: the chart parts the document body points
at, in order, with their titles, categories, values, point colours, axis crossing and data workbook."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from lxml import etree

NS = {
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
}


@dataclass
class Series:
    name: str
    categories: list[str]
    values: list[float | None]
    fill: str | None  # the series' own fill colour
    point_fills: dict[int, str] = field(default_factory=dict)  # per-point fills, by point index
    labels: dict[int, str] = field(default_factory=dict)  # per-point custom label text


@dataclass
class ReadChart:
    title: str
    kind: str  # barChart, ...
    direction: str  # "bar" (horizontal) or "col"
    grouping: str
    series: list[Series]
    crosses_at: float | None  # where the bars grow from, if not the axis minimum
    alt_text: str
    workbook_rows: list[tuple[object, ...]]
    axis_min: float | None = None  # the value axis's minimum, when the chart fixes one
    every_label: bool = False  # the category axis labels every category (no label skipped)

    def series_named(self, name: str) -> Series:
        return next(s for s in self.series if s.name == name)


def _text(el: etree._Element, path: str) -> str:
    return "".join(el.xpath(path, namespaces=NS))


def _fill(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    found = el.xpath("c:spPr/a:solidFill/a:srgbClr/@val", namespaces=NS)
    return str(found[0]) if found else None


def read_charts(path: Path) -> list[ReadChart]:
    doc = Document(str(path))
    part = doc.part
    charts = []
    # Re-parsed as plain lxml: python-docx's element classes replace `xpath` with a namespace-less one.
    body = etree.fromstring(etree.tostring(part.element))
    for inline in body.iter(f"{{{NS['wp']}}}inline"):
        rids = inline.xpath(".//c:chart/@r:id", namespaces=NS)
        if not rids:
            continue
        chart_part = part.related_parts[rids[0]]
        assert chart_part.content_type == "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
        space = etree.fromstring(chart_part.blob)
        plot = space.xpath("c:chart/c:plotArea/*[c:ser]", namespaces=NS)[0]
        series = []
        for ser in plot.xpath("c:ser", namespaces=NS):
            values: list[float | None] = []
            count = int(ser.xpath("c:val//c:ptCount/@val", namespaces=NS)[0])
            by_idx = {
                int(p.get("idx")): float(_text(p, "c:v/text()"))
                for p in ser.xpath("c:val//c:pt", namespaces=NS)
            }
            values = [by_idx.get(i) for i in range(count)]
            series.append(
                Series(
                    name=_text(ser, "c:tx//c:v/text()"),
                    categories=[str(v) for v in ser.xpath("c:cat//c:pt/c:v/text()", namespaces=NS)],
                    values=values,
                    fill=_fill(ser),
                    point_fills={
                        int(d.xpath("c:idx/@val", namespaces=NS)[0]): fill
                        for d in ser.xpath("c:dPt", namespaces=NS)
                        if (fill := _fill(d)) is not None
                    },
                    labels={
                        int(d.xpath("c:idx/@val", namespaces=NS)[0]): _text(d, ".//a:t/text()")
                        for d in ser.xpath("c:dLbls/c:dLbl", namespaces=NS)
                    },
                )
            )
        crossing = space.xpath("c:chart/c:plotArea/c:catAx/c:crossesAt/@val", namespaces=NS)
        minimum = space.xpath("c:chart/c:plotArea/c:valAx/c:scaling/c:min/@val", namespaces=NS)
        skip = space.xpath("c:chart/c:plotArea/c:catAx/c:tickLblSkip/@val", namespaces=NS)
        workbook_parts = [
            r.target_part for r in chart_part.rels.values() if r.reltype == RELATIONSHIP_TYPE.PACKAGE
        ]
        assert len(workbook_parts) == 1, "every chart carries its data workbook"
        sheet = openpyxl.load_workbook(io.BytesIO(workbook_parts[0].blob)).worksheets[0]
        charts.append(
            ReadChart(
                title=_text(space, "c:chart/c:title//a:t/text()"),
                kind=etree.QName(plot).localname,
                direction=_text(plot, "c:barDir/@val"),
                grouping=_text(plot, "c:grouping/@val"),
                series=series,
                crosses_at=float(crossing[0]) if crossing else None,
                alt_text=str(inline.xpath("wp:docPr/@descr", namespaces=NS)[0]),
                workbook_rows=[tuple(row) for row in sheet.iter_rows(values_only=True)],
                axis_min=float(minimum[0]) if minimum else None,
                every_label=skip == ["1"],
            )
        )
    return charts
