"""The report charts, as native Word charts (see `drawingml.py`), drawn from a record's `KeyFigures`.

Each per-CSU function returns None when the figures it needs are missing; the builder then writes a short note
instead, and a sentence instead of a chart whose bars would all be the same length (`scores_sentence`).

Every bar grows from zero in the direction of "more" (a longer bar is a higher score, a higher price, a larger
population), on an axis that starts at zero. A reference figure (the pass mark, the price aim, the scale floor)
is a bar of its own, in a colour of its own, at the top of the chart: it reads at a glance and, unlike an
overlaid line series, renders the same in Word and LibreOffice. Each bar's value is part of its category label,
not a data label, so no label can be printed over a bar, an axis or another label. The references are the rule
set's thresholds kept in the record (`KeyFigures.thresholds`), so they are the ones the CSU was judged against.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from csu_assure.domain import Checkpoint, Rag
from csu_assure.language import none_of, verb
from csu_assure.render.word import drawingml as dml
from csu_assure.render.word.drawingml import Chart, ChartType
from csu_assure.render.word.safe import one_line
from csu_assure.results import ChartThresholds, KeyFigures

__all__ = [
    "Chart",
    "CohortPoint",
    "cohort_charts",
    "finance_chart",
    "price_chart",
    "scores_chart",
    "scores_sentence",
]

WIDTH_IN = 6.4  # fits the 17 cm text width of an A4 portrait page
LANDSCAPE_WIDTH_IN = 9.8  # the 25.7 cm text width of a landscape page

NHS_BLUE = "005EB8"
NHS_DARK_BLUE = "003087"
NHS_GREY = "768692"
NHS_PALE_GREY = "D0D9DC"
RAG_COLOURS = {Rag.GREEN: "009639", Rag.AMBER: "FFB81C", Rag.RED: "DA291C"}

# The CCG running-cost allowance per head (domain brief, 2012): a national figure, not a rule-set threshold.
# The price aim is the rule set's share of it; the other lines come from the record's thresholds.
RCA_PER_HEAD = 25.0

# The lines drawn for a record made before thresholds were kept: the BDU 2012 rule set's values (a test keeps
# them equal to what the shipped rule set gives).
BDU_2012 = ChartThresholds(
    min_population=1_000_000,
    score_pass_mean=3.0,
    capture_pass=0.30,
    min_price=Decimal("8.00"),
    max_price=Decimal("14.00"),
    max_share_of_rca=Decimal("0.50"),
    min_surplus_share=Decimal("0"),
)


def thresholds_of(figures: KeyFigures) -> ChartThresholds:
    """The thresholds a record was judged against; BDU 2012's for a record made before they were kept."""
    return figures.thresholds or BDU_2012


# Said under a chart whose record keeps no thresholds (made before they were kept), so no reader takes the
# assumed lines for the ones the CSU was judged against.
ASSUMED_NOTE = " The record keeps no thresholds: the lines are the BDU 2012 rule set's."


def _assumed(figures: KeyFigures) -> str:
    return ASSUMED_NOTE if figures.thresholds is None else ""


def _share(value: Decimal) -> str:
    return f"{float(value) * 100:g}%"


def _price_aim(t: ChartThresholds) -> float:
    """The price-per-head aim: the rule set's share of the national RCA per head."""
    return float(t.max_share_of_rca) * RCA_PER_HEAD


def _millions(value: Decimal) -> float:
    return float(value) / 1_000_000


def _money_m(value: float) -> str:
    return f"{'−' if value < 0 else ''}£{abs(value):,.2f}m"


def _signed(value: float) -> str:
    """One decimal, with a true minus sign, as the money beside it."""
    return f"{'−' if value < 0 else ''}{abs(value):.1f}"


# ------------------------------------------------------------------------------------------- per-CSU charts


def finance_chart(figures: KeyFigures | None) -> Chart | None:
    """Income and costs for each plan year, the surplus (and its share of income) under each year."""
    if figures is None or not figures.years:
        return None
    years = figures.years
    labels = []
    for y in years:
        surplus = _millions(y.surplus)
        share = f" ({_signed(float(y.surplus / y.income) * 100)}%)" if y.income else ""
        labels.append(f"Year {y.year}\n{'deficit' if surplus < 0 else 'surplus'} {_money_m(surplus)}{share}")
    data = dml.category_data(labels, "0.00")
    dml.add_series(data, "Income", [_millions(y.income) for y in years])
    dml.add_series(data, "Costs", [_millions(y.costs) for y in years])
    chart = dml.new_chart(ChartType.COLUMN_CLUSTERED, data, title="Planned income and costs")
    income, costs = chart.series
    dml.fill(income, NHS_BLUE)
    dml.fill(costs, NHS_GREY)
    chart.plots[0].gap_width = 60
    dml.value_axis(chart, minimum=0, number_format="0", title="£ million")
    dml.legend_below(chart)
    first, last = years[0], years[-1]
    alt = (
        f"Column chart of income and costs for {len(years)} years: year {first.year} income "
        f"£{_millions(first.income):.2f}m, costs £{_millions(first.costs):.2f}m; year {last.year} income "
        f"£{_millions(last.income):.2f}m, costs £{_millions(last.costs):.2f}m."
    )
    return dml.finish(
        chart,
        data,
        width_in=WIDTH_IN,
        height_in=2.9,
        caption="Planned income and costs by year (£ million); the surplus and its share of income under each "
        "year.",
        alt_text=alt,
    )


def _answered(figures: KeyFigures) -> list[float]:
    return [s.mean for s in figures.scores if s.mean is not None]


def scores_sentence(figures: KeyFigures | None) -> str | None:
    """The CCG scores in a sentence, when a chart of them would be bars of one length: every question answered
    scored the same mean (a chart would say nothing a sentence does not)."""
    if figures is None or not figures.scores:
        return None
    means = _answered(figures)
    if len(means) < 2 or max(means) - min(means) > 0.005:
        return None
    pass_mean = thresholds_of(figures).score_pass_mean
    source = "CCG survey" if figures.scores_source == "ccg_survey" else "CCG interviews"
    answers = sorted({s.answers for s in figures.scores if s.mean is not None})
    n = f"{answers[0]} answers each" if len(answers) == 1 else "answers per question as recorded"
    side = "below" if means[0] < pass_mean else "at or above"
    unanswered = len(figures.scores) - len(means)
    return (
        f"{source}: every one of the {len(means)} questions answered scored a mean of {means[0]:.2f} out of 5 "
        f"({n}), {side} the pass mark of {pass_mean:.1f}"
        + (f"; {unanswered} question{'s' if unanswered != 1 else ''} had no answers" if unanswered else "")
        + ". No chart is drawn: its bars would all be the same length."
    )


def scores_chart(figures: KeyFigures | None, checkpoint: Checkpoint) -> Chart | None:
    """Mean CCG score per question (1-5), each bar from zero, beside a bar at the pass mark."""
    if figures is None or not figures.scores:
        return None
    pass_mean = thresholds_of(figures).score_pass_mean
    source = "CCG survey" if figures.scores_source == "ccg_survey" else "CCG interviews"
    # (label, value, colour); a bar chart draws its first category at the bottom, so the list is reversed.
    rows: list[tuple[str, float | None, str]] = [
        (f"Pass mark: {pass_mean:.1f}", pass_mean, RAG_COLOURS[Rag.RED]),
    ]
    for s in figures.scores:
        if s.mean is None:
            rows.append((f"{s.label}: no answers", None, NHS_PALE_GREY))
            continue
        text = f"{s.mean:.2f}"
        if s.top2_share is not None and checkpoint is Checkpoint.FULL_BUSINESS_PLAN:
            text += f", top-2 {s.top2_share * 100:.0f}%"
        colour = NHS_BLUE if s.mean >= pass_mean else RAG_COLOURS[Rag.AMBER]
        rows.append((f"{s.label}: {text} (n={s.answers})", s.mean, colour))
    rows.reverse()
    data = dml.category_data([r[0] for r in rows], "0.00")
    dml.add_series(data, "Mean score", [r[1] for r in rows])
    chart = dml.new_chart(ChartType.BAR_CLUSTERED, data, title=f"{source}: mean score per question")
    (series,) = chart.series
    chart.plots[0].gap_width = 45
    for i, row in enumerate(rows):
        if row[1] is not None:
            dml.fill(series.points[i], row[2])
    dml.value_axis(chart, minimum=0, maximum=5, major_unit=1, number_format="0")
    dml.every_category_label(chart)
    below = [s.label for s in figures.scores if s.mean is not None and s.mean < pass_mean]
    alt = f"Bar chart of the mean {source.lower()} score for {len(figures.scores)} questions; " + (
        f"below the pass mark of {pass_mean}: {', '.join(below)}."
        if below
        else "all at or above the pass mark."
    )
    caption = (
        f"{source}: mean score per question, from 0 (1 very poor – 5 very good); the red bar is the pass mark of "
        f"{pass_mean:.1f}, amber bars fall short of it; n = answers."
    )
    return dml.finish(
        chart,
        data,
        width_in=WIDTH_IN,
        height_in=0.8 + 0.28 * len(rows),
        caption=caption + _assumed(figures),
        alt_text=alt,
    )


def price_chart(figures: KeyFigures | None) -> Chart | None:
    """The CSU's price per head beside the CCG running-cost envelope and the price range seen in plans."""
    if figures is None or figures.price_per_head is None:
        return None
    price = float(figures.price_per_head)
    rca = float(figures.rca_per_head_mean) if figures.rca_per_head_mean is not None else None
    t = thresholds_of(figures)
    low, high = float(t.min_price), float(t.max_price)
    aim = _price_aim(t)
    share = _share(t.max_share_of_rca)
    # (label, start, end, colour, value label); drawn as a stacked bar of an invisible offset and the bar.
    rows: list[tuple[str, float, float, str, str]] = [
        (
            "This CSU's price per head",
            0.0,
            price,
            NHS_BLUE if price <= aim else RAG_COLOURS[Rag.RED],
            f"£{price:.2f}",
        ),
        (
            f"Aim: below {share} of the RCA",
            0.0,
            aim,
            RAG_COLOURS[Rag.AMBER],
            f"£{aim:.2f}",
        ),
        ("Plausible range (rule set)", low, high, NHS_PALE_GREY, f"£{_pounds(low)}–£{_pounds(high)}"),
    ]
    if rca is not None and abs(rca - RCA_PER_HEAD) > 0.005:
        rows.append(("Footprint CCGs' RCA per head", 0.0, rca, NHS_GREY, f"£{rca:.2f}"))
    rows.append(
        ("CCG running-cost allowance (RCA)", 0.0, RCA_PER_HEAD, RAG_COLOURS[Rag.RED], f"£{RCA_PER_HEAD:.2f}")
    )
    rows.reverse()  # first row on top
    # Each figure goes in its label, not a data label: a stacked bar allows no label outside its end.
    data = dml.category_data([f"{r[0]}: {r[4]}" for r in rows], "0.00")
    dml.add_series(data, "offset", [r[1] for r in rows])
    dml.add_series(data, "£ per head", [r[2] - r[1] for r in rows])
    chart = dml.new_chart(
        ChartType.BAR_STACKED, data, title="Price per head against the running-cost allowance"
    )
    offset, bars = chart.series
    dml.hide(offset)
    chart.plots[0].gap_width, chart.plots[0].overlap = 45, 100
    for i, row in enumerate(rows):
        dml.fill(bars.points[i], row[3])
    top = max(30.0, price * 1.15, (rca or 0) * 1.15)
    dml.value_axis(chart, minimum=0, maximum=5 * math.ceil(top / 5), major_unit=5, number_format='"£"0')
    dml.every_category_label(chart)
    alt = (
        f"Price per head £{price:.2f} shown against the CCG running-cost allowance of £{RCA_PER_HEAD:.0f} per "
        f"head, the {share} aim at £{aim:.2f} and the plausible range of £{_pounds(low)}–£{_pounds(high)}."
    )
    caption = (
        f"Indicative price per head; the aim is below {share} of the CCG running-cost allowance (£{aim:.2f})."
    )
    return dml.finish(
        chart,
        data,
        width_in=WIDTH_IN,
        height_in=0.7 + 0.3 * len(rows),
        caption=caption + _assumed(figures),
        alt_text=alt,
    )


# ------------------------------------------------------------------------------------------- cohort charts

# Per-CSU bars while a panel stays readable on one landscape page; a larger cohort gets distributions.
PER_CSU_LIMIT = 36


@dataclass(frozen=True)
class CohortPoint:
    """What the cohort charts need of one CSU's record."""

    name: str
    rag: Rag  # of its decision
    figures: KeyFigures


@dataclass(frozen=True)
class _Panel:
    title: str
    value: Callable[[KeyFigures], float | None]
    number_format: str  # of the value axis
    unit: tuple[str, str]  # prefix and suffix of a value: ("£", "") or ("", "%")
    decimals: int  # of a CSU's value label
    reference: float
    reference_text: str

    def text(self, value: float, decimals: int | None = None) -> str:
        prefix, suffix = self.unit
        shown = f"{abs(value):,.{self.decimals if decimals is None else decimals}f}"
        return f"{'−' if value < 0 and float(shown.replace(',', '')) else ''}{prefix}{shown}{suffix}"


def _panels(t: ChartThresholds) -> tuple[_Panel, ...]:
    """The cohort panels, each bar starting at the rule set's threshold for its figure."""
    floor_m = t.min_population / 1e6
    floor_text = f"{floor_m:.1f}" if round(floor_m, 1) == floor_m else f"{floor_m:.2f}"  # 1.0m, 1.5m, 1.25m
    aim = _price_aim(t)
    surplus = float(t.min_surplus_share) * 100
    return (
        _Panel(
            "Population (million)",
            lambda f: f.population / 1e6,
            "0.0",
            ("", "m"),
            2,
            floor_m,
            f"the {floor_text}m scale floor",
        ),
        _Panel(
            "Price per head (£)",
            lambda f: float(f.price_per_head) if f.price_per_head is not None else None,
            '"£"0',
            ("£", ""),
            2,
            aim,
            f"the £{aim:.2f} aim ({_share(t.max_share_of_rca)} of RCA)",
        ),
        _Panel(
            "Capture: year-1 CCG income ÷ RCA (%)",
            lambda f: f.capture * 100 if f.capture is not None else None,
            "0",
            ("", "%"),
            0,
            t.capture_pass * 100,
            f"{t.capture_pass * 100:g}% capture",
        ),
        _Panel(
            "Year-1 surplus (% of income)",
            lambda f: f.surplus_y1_pct * 100 if f.surplus_y1_pct is not None else None,
            "0.0",
            ("", "%"),
            1,
            surplus,
            "break-even (0%)" if surplus == 0 else f"a {surplus:g}% surplus",
        ),
    )


DECISION_SERIES = ((Rag.GREEN, "Proceed"), (Rag.AMBER, "Proceed with conditions"), (Rag.RED, "Stop"))


def cohort_charts(points: Sequence[CohortPoint]) -> list[Chart]:
    """One chart per key figure across the cohort: a bar per CSU (sorted by name) while that stays readable,
    the distribution of CSUs by decision for a larger cohort. Empty when no CSU has key figures."""
    if not points:
        return []
    ordered = sorted(points, key=lambda p: p.name.casefold())
    # CSUs judged under different rule sets (or checkpoints) have different lines: draw the most common and
    # say so, rather than one line per CSU that no reader could follow.
    seen = Counter(thresholds_of(p.figures) for p in ordered)
    thresholds = seen.most_common(1)[0][0]
    note = ""
    if len(seen) > 1:
        note += (
            f" Not every CSU was judged against these lines ({len(seen)} sets of thresholds in the cohort); "
            "they are the most common set."
        )
    if any(p.figures.thresholds is None for p in ordered):
        note += " Some records keep no thresholds: the BDU 2012 rule set's are assumed for them."
    # A figure no CSU has (capture and surplus before checkpoint 2's financial plan) gets no empty chart.
    panels = [p for p in _panels(thresholds) if any(p.value(point.figures) is not None for point in ordered)]
    if len(ordered) <= PER_CSU_LIMIT:
        return [_per_csu_panel(panel, ordered, note) for panel in panels]
    return [_distribution_panel(panel, ordered, note) for panel in panels]


def _per_csu_panel(panel: _Panel, points: Sequence[CohortPoint], note: str) -> Chart:
    """A bar per CSU from zero, its value in its label, under a bar at the panel's reference figure."""
    values = [panel.value(p.figures) for p in points]
    # (label, value, colour), top row first; reversed below, as a bar chart draws its first category lowest.
    rows: list[tuple[str, float | None, str]] = [
        (f"Reference: {panel.reference_text}", panel.reference, NHS_DARK_BLUE)
    ]
    for p, v in zip(points, values, strict=True):
        label = f"{_short(p.name)}: {panel.text(v) if v is not None else 'n/a'}"
        rows.append((label, v, RAG_COLOURS[p.rag]))
    rows.reverse()
    data = dml.category_data([r[0] for r in rows], panel.number_format)
    dml.add_series(data, panel.title, [r[1] for r in rows])
    chart = dml.new_chart(ChartType.BAR_CLUSTERED, data, title=panel.title, font_size=7)
    (series,) = chart.series
    chart.plots[0].gap_width = 35
    for i, row in enumerate(rows):
        if row[1] is not None:
            dml.fill(series.points[i], row[2])
    dml.every_category_label(chart)
    present = [v for v in values if v is not None]
    low = min([0.0, *present, panel.reference])
    high = max([0.0, *present, panel.reference])
    step = _axis_step((high - low) / 6)
    dml.value_axis(
        chart,
        minimum=step * math.floor(low / step),
        maximum=step * math.ceil(high / step),
        major_unit=step,
        number_format=panel.number_format,
    )
    below = sum(1 for v in values if v is not None and v < panel.reference)
    return dml.finish(
        chart,
        data,
        width_in=LANDSCAPE_WIDTH_IN,
        height_in=0.8 + 0.19 * len(rows),
        caption=f"{panel.title} by CSU from zero, coloured by decision; the dark bar is {panel.reference_text}; "
        f"{none_of(below, len(points), 'CSU')} {verb(below, 'is')} below it.{note}",
        alt_text=f"Bar chart of {panel.title} for {len(points)} CSUs; {below} below {panel.reference_text}.",
    )


def _distribution_panel(panel: _Panel, points: Sequence[CohortPoint], note: str) -> Chart:
    """How many CSUs fall in each band of the figure, stacked by decision (pandas does the binning)."""
    frame = pd.DataFrame(
        {"value": [panel.value(p.figures) for p in points], "rag": [p.rag for p in points]}
    ).dropna(subset=["value"])
    step, edges = _bands([float(v) for v in frame["value"]], panel.reference)
    bands = pd.cut(frame["value"], edges, right=False, include_lowest=True)
    counts = pd.crosstab(bands, frame["rag"]).reindex(bands.cat.categories, fill_value=0)
    places = max(_places(step), panel.decimals)
    labels = [f"{panel.text(iv.left, places)} – {panel.text(iv.right, places)}" for iv in counts.index]
    data = dml.category_data(labels, "0")
    shown = [(rag, name) for rag, name in DECISION_SERIES if rag in counts.columns]
    for rag, name in shown:
        dml.add_series(data, name, [int(n) for n in counts[rag]])
    below = int((frame["value"] < panel.reference).sum())
    chart = dml.new_chart(
        ChartType.COLUMN_STACKED,
        data,
        title=f"{panel.title}: CSUs per band; {none_of(below, len(frame), 'CSU')} below {panel.reference_text}",
        font_size=7,
    )
    for series, (rag, _) in zip(chart.series, shown, strict=True):
        dml.fill(series, RAG_COLOURS[rag])
    chart.plots[0].gap_width = 20
    dml.value_axis(chart, minimum=0, number_format="#,##0", title="CSUs")
    dml.legend_below(chart)
    missing = len(points) - len(frame)
    return dml.finish(
        chart,
        data,
        width_in=LANDSCAPE_WIDTH_IN,
        height_in=3.0,
        caption=f"Distribution across {len(frame):,} CSUs of {panel.title} in bands of "
        f"{panel.text(step, places)}, coloured by decision"
        + (f"; {missing:,} without the figure" if missing else "")
        + "."
        + note,
        alt_text=f"Stacked column chart of {panel.title} for {len(frame):,} CSUs; {below:,} below "
        f"{panel.reference_text}.",
    )


def _bands(values: list[float], reference: float, target: int = 12) -> tuple[float, list[float]]:
    """About `target` equal bands of a round width (1, 2 or 5 × 10ⁿ), aligned so the reference is an edge."""
    lo, hi = min(values), max(values)
    step = _nice_step((hi - lo) / target)
    start = reference + math.floor((lo - reference) / step) * step
    count = max(1, math.floor((hi - start) / step) + 1)
    return step, [start + i * step for i in range(count + 1)]


def _places(step: float) -> int:
    """Decimals that show every multiple of `step` exactly: 0.25 → 2, 2.5 → 1, 5 → 0."""
    return next((p for p in range(6) if abs(round(step, p) - step) < 1e-9), 6)


def _axis_step(raw: float) -> float:
    """The round axis step (1, 2 or 5 × 10ⁿ) nearest above `raw`: every tick label exact in whole units."""
    if raw <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def _nice_step(raw: float) -> float:
    """The round width (1, 2, 2.5 or 5 × 10ⁿ) nearest above `raw`."""
    if raw <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def _pounds(value: float) -> str:
    """£8 and £14, but £8.50: whole pounds without pence."""
    return f"{value:.0f}" if value == int(value) else f"{value:.2f}"


def _short(name: str, limit: int = 28) -> str:
    name = one_line(name)
    return name if len(name) <= limit else name[: limit - 1] + "…"
