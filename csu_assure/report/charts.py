"""Report charts as PNG bytes (matplotlib, Agg canvas, no pyplot state), drawn from a record's `KeyFigures`.

Each function returns None when the figures it needs are missing; the builder then writes a short note
instead. Per-CSU charts depend only on the record's frozen `KeyFigures`, so they are cached: re-issuing a
report after moderation or an override does not redraw them (drawing is most of a report's build time).
Figures are built with the object API (`Figure` + `FigureCanvasAgg`), so nothing is registered globally and
nothing has to be closed; one shared style dict is applied with `rc_context`.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.typing import RcKeyType

from csu_assure.domain import Checkpoint, Rag
from csu_assure.report.safe import safe_text
from csu_assure.results import Assessment, KeyFigures

DPI = 150
WIDTH_IN = 6.4  # fits the 17 cm text width of an A4 portrait page

NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_GREY = "#768692"
NHS_PALE_GREY = "#E8EDEE"
RAG_COLOURS = {Rag.GREEN: "#009639", Rag.AMBER: "#FFB81C", Rag.RED: "#DA291C"}

# Reference figures from the domain brief (BDU 2012): the CCG running-cost allowance, the "below 50% of RCA"
# price aim, the price range seen in budget plans, the interview/survey pass line and the economic-scale floor.
RCA_PER_HEAD = 25.0
HALF_RCA_PER_HEAD = 12.5
OBSERVED_PRICE_RANGE = (8.0, 14.0)
SCORE_PASS_MEAN = 3.0
MIN_ECONOMIC_POPULATION_M = 1.0
CAPTURE_PASS = 0.30


def _chart_font() -> str:
    """Arial where installed (as in the document), else its metric twin, else matplotlib's own font; chosen
    once, because asking matplotlib for a missing family logs a warning on every new figure."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in ("Arial", "Liberation Sans", "Arimo") if f in installed), "DejaVu Sans")


_STYLE: dict[RcKeyType, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [_chart_font()],
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.titleweight": "bold",
    "axes.titlecolor": NHS_DARK_BLUE,
    # A fixed title height: with the default (None) matplotlib measures the axes' tick labels at every draw to
    # lift the title clear of top ticks, which these charts do not have (2% of a chart's instructions; the
    # PNGs are byte-identical).
    "axes.titley": 1.0,
    "axes.edgecolor": NHS_GREY,
    "axes.labelcolor": "#231F20",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": "#425563",
    "ytick.color": "#425563",
    "legend.frameon": False,
    "legend.fontsize": 7.5,
}


@dataclass(frozen=True)
class Chart:
    png: bytes
    width_in: float
    caption: str
    alt_text: str


def _render(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    canvas = FigureCanvasAgg(fig)
    # matplotlib leaves print_png unannotated
    canvas.print_png(buffer, metadata={"Software": None}, pil_kwargs={"compress_level": 1})  # type: ignore[no-untyped-call]
    return buffer.getvalue()


def _figure(height_in: float, width_in: float = WIDTH_IN) -> Figure:
    return Figure(figsize=(width_in, height_in), dpi=DPI)


def _millions(value: Decimal) -> float:
    return float(value) / 1_000_000


@lru_cache(maxsize=256)
def finance_chart(figures: KeyFigures | None) -> Chart | None:
    """Income, costs and surplus for each plan year."""
    if figures is None or not figures.years:
        return None
    years = figures.years
    with matplotlib.rc_context(_STYLE):
        fig = _figure(2.8)
        fig.subplots_adjust(left=0.09, right=0.99, top=0.90, bottom=0.22)
        ax: Axes = fig.add_subplot()
        xs = range(len(years))
        income = [_millions(y.income) for y in years]
        costs = [_millions(y.costs) for y in years]
        ax.bar([x - 0.2 for x in xs], income, width=0.38, color=NHS_BLUE, label="Income")
        ax.bar([x + 0.2 for x in xs], costs, width=0.38, color=NHS_GREY, label="Costs")
        top = max([*income, *costs, 0.0]) or 1.0
        for x, y in zip(xs, years, strict=True):
            surplus = y.surplus
            share = f" ({float(surplus / y.income) * 100:.1f}%)" if y.income else ""
            ax.annotate(
                f"{'−' if surplus < 0 else ''}£{abs(_millions(surplus)):,.2f}m{share}",
                (x, max(float(y.income), float(y.costs)) / 1e6),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize=7,
                color=RAG_COLOURS[Rag.RED] if surplus < 0 else NHS_DARK_BLUE,
            )
        ax.set_ylim(0, top * 1.15)
        ax.yaxis.set_major_locator(MaxNLocator(4))
        ax.set_xticks(list(xs), [f"Year {y.year}" for y in years])
        ax.set_ylabel("£ million")
        ax.set_title("Planned income and costs, with the surplus (% of income) above each year", loc="left")
        ax.legend(loc="upper center", ncols=2, bbox_to_anchor=(0.5, -0.12))
        png = _render(fig)
    first, last = years[0], years[-1]
    alt = (
        f"Bar chart of income and costs for {len(years)} years: year {first.year} income "
        f"£{_millions(first.income):.2f}m, costs £{_millions(first.costs):.2f}m; year {last.year} income "
        f"£{_millions(last.income):.2f}m, costs £{_millions(last.costs):.2f}m."
    )
    return Chart(png, WIDTH_IN, "Planned income and costs by year (£ million), surplus annotated.", alt)


@lru_cache(maxsize=256)
def scores_chart(figures: KeyFigures | None, checkpoint: Checkpoint) -> Chart | None:
    """Mean CCG score per question (1-5) against the pass line."""
    if figures is None or not figures.scores:
        return None
    scores = figures.scores
    source = "CCG survey" if figures.scores_source == "ccg_survey" else "CCG interviews"
    with matplotlib.rc_context(_STYLE):
        fig = _figure(0.6 + 0.34 * len(scores))
        fig.subplots_adjust(
            left=0.30, right=0.80, top=1 - 0.35 / fig.get_figheight(), bottom=0.45 / fig.get_figheight()
        )
        ax: Axes = fig.add_subplot()
        labels = [textwrap.fill(safe_text(s.label), 30) for s in scores]
        ys = list(range(len(scores)))[::-1]
        means = [s.mean if s.mean is not None else 0.0 for s in scores]
        colours = [
            NHS_PALE_GREY
            if s.mean is None
            else NHS_BLUE
            if s.mean >= SCORE_PASS_MEAN
            else RAG_COLOURS[Rag.AMBER]
            for s in scores
        ]
        ax.barh(ys, means, color=colours, height=0.6)
        ax.axvline(SCORE_PASS_MEAN, color=RAG_COLOURS[Rag.RED], linewidth=1.2, linestyle="--")
        for y, s in zip(ys, scores, strict=True):
            text = "no answers" if s.mean is None else f"{s.mean:.2f}"
            if s.top2_share is not None and checkpoint is Checkpoint.FULL_BUSINESS_PLAN:
                text += f"  (top-2 {s.top2_share * 100:.0f}%)"
            ax.text(5.08, y, f"{text}   n={s.answers}", va="center", fontsize=7, clip_on=False)
        ax.set_xlim(1, 5)
        ax.set_ylim(-0.6, len(scores) - 0.1)
        ax.set_xticks([1, 2, 3, 4, 5])
        ax.set_yticks(ys, labels)
        ax.set_xlabel(
            f"Mean score (1 very poor – 5 very good); dashed red line: pass at {SCORE_PASS_MEAN:.1f}"
        )
        ax.set_title(f"{source}: mean score per question", loc="left")
        png = _render(fig)
    below = [s.label for s in scores if s.mean is not None and s.mean < SCORE_PASS_MEAN]
    alt = f"Bar chart of the mean {source.lower()} score for {len(scores)} questions; " + (
        f"below the pass line of {SCORE_PASS_MEAN}: {', '.join(below)}."
        if below
        else "all at or above the pass line."
    )
    caption = (
        f"{source}: mean score per question, with the pass line at {SCORE_PASS_MEAN:.1f} "
        "(amber bars fall below it; n = answers)."
    )
    return Chart(png, WIDTH_IN, caption, safe_text(alt))


@lru_cache(maxsize=256)
def price_chart(figures: KeyFigures | None) -> Chart | None:
    """The CSU's price per head on a line with the CCG running-cost envelope and the observed price range."""
    if figures is None or figures.price_per_head is None:
        return None
    price = float(figures.price_per_head)
    rca = float(figures.rca_per_head_mean) if figures.rca_per_head_mean is not None else None
    with matplotlib.rc_context(_STYLE):
        fig = _figure(1.9)
        fig.subplots_adjust(left=0.03, right=0.97, top=0.86, bottom=0.42)
        ax: Axes = fig.add_subplot()
        top = max(30.0, price * 1.1, (rca or 0) * 1.1)
        ax.axvspan(*OBSERVED_PRICE_RANGE, color=NHS_PALE_GREY, label="Observed £8–£14 range")
        ax.axvline(
            HALF_RCA_PER_HEAD, color=RAG_COLOURS[Rag.AMBER], linewidth=1.5, label="50% of RCA (£12.50)"
        )
        ax.axvline(RCA_PER_HEAD, color=RAG_COLOURS[Rag.RED], linewidth=1.5, label="CCG RCA (£25)")
        if rca is not None and abs(rca - RCA_PER_HEAD) > 0.005:
            ax.axvline(rca, color=NHS_GREY, linewidth=1, linestyle=":", label=f"Footprint RCA (£{rca:.2f})")
        ok = price <= HALF_RCA_PER_HEAD
        ax.plot(
            [price], [0.5], marker="D", markersize=9, color=NHS_BLUE if ok else RAG_COLOURS[Rag.RED], zorder=5
        )
        ax.annotate(
            f"£{price:.2f}/head",
            (price, 0.5),
            xytext=(0, 9),
            textcoords="offset points",
            ha="center",
            fontsize=8,
            fontweight="bold",
        )
        ax.set_xlim(0, top)
        ax.set_ylim(0, 1.2)
        ax.yaxis.set_visible(False)
        ax.spines["left"].set_visible(False)
        ax.xaxis.set_major_formatter("£{x:.0f}")
        ax.set_title("Price per head against the CCG running-cost envelope", loc="left")
        ax.legend(loc="upper center", ncols=4, bbox_to_anchor=(0.5, -0.28), fontsize=7)
        png = _render(fig)
    alt = (
        f"Price per head £{price:.2f} shown against the CCG running-cost allowance of £25 per head, the 50% line "
        f"at £12.50 and the observed £8–£14 range."
    )
    caption = "Indicative price per head; the aim is below 50% of the CCG running-cost allowance (£12.50)."
    return Chart(png, WIDTH_IN, caption, alt)


# ------------------------------------------------------------------------------------------- cohort chart


def _short(name: str, limit: int = 24) -> str:
    name = safe_text(name)
    return name if len(name) <= limit else name[: limit - 1] + "…"


def cohort_chart(assessments: Sequence[Assessment], decision_rag: dict[str, Rag]) -> Chart | None:
    """A 2×2 panel of population, price per head, capture and year-1 surplus, one bar per CSU."""
    with_figures = sorted(
        (a for a in assessments if a.figures is not None), key=lambda a: (a.csu_name.casefold(), a.csu_id)
    )
    if not with_figures:
        return None
    names = [_short(a.csu_name) for a in with_figures][::-1]
    colours = [RAG_COLOURS[decision_rag[a.assessment_id]] for a in with_figures][::-1]
    figs = [a.figures for a in with_figures][::-1]
    ys = list(range(len(figs)))
    panels: list[tuple[str, list[float | None], str, list[float], bool]] = [
        (
            "Population (million); line at 1.0m",
            [f.population / 1e6 if f else None for f in figs],
            "{:.2f}m",
            [MIN_ECONOMIC_POPULATION_M],
            False,
        ),
        (
            "Price per head (£); line at £12.50, £8–£14 shaded",
            [float(f.price_per_head) if f and f.price_per_head is not None else None for f in figs],
            "£{:.2f}",
            [HALF_RCA_PER_HEAD],
            True,
        ),
        (
            "Capture: year-1 CCG income ÷ RCA (%); line at 30%",
            [f.capture * 100 if f and f.capture is not None else None for f in figs],
            "{:.0f}%",
            [CAPTURE_PASS * 100],
            False,
        ),
        (
            "Year-1 surplus (% of income); lines at 0% and 5%",
            [f.surplus_y1_pct * 100 if f and f.surplus_y1_pct is not None else None for f in figs],
            "{:.1f}%",
            [0.0, 5.0],
            False,
        ),
    ]
    width = 9.6  # landscape page
    panel_height = 0.55 + 0.17 * len(figs)
    height = 2 * panel_height + 0.5
    with matplotlib.rc_context({**_STYLE, "ytick.labelsize": 7 if len(figs) <= 25 else 6}):
        fig = _figure(height, width)
        fig.subplots_adjust(
            left=0.15,
            right=0.98,
            top=1 - 0.3 / height,
            bottom=0.25 / height,
            wspace=0.08,
            hspace=0.55 / panel_height,
        )
        axes = fig.subplots(2, 2, sharey=True).flatten()
        for ax, (title, values, fmt, lines, band) in zip(axes, panels, strict=True):
            present = [v for v in values if v is not None]
            if band:
                ax.axvspan(*OBSERVED_PRICE_RANGE, color=NHS_PALE_GREY, zorder=0)
            ax.barh(ys, [v or 0.0 for v in values], color=colours, height=0.7, zorder=2)
            lo = min([0.0, *present])
            hi = max([0.0, *present, *lines]) or 1.0
            span = hi - lo
            for y, v in zip(ys, values, strict=True):
                label = "n/a" if v is None else fmt.format(v)
                ax.text(
                    max(v or 0.0, 0.0), y, " " + label, va="center", fontsize=6, color="#425563", zorder=3
                )
            for x in lines:
                ax.axvline(x, color=NHS_DARK_BLUE, linewidth=1, linestyle="--", zorder=4)
            ax.set_xlim(lo - (0.05 * span if lo < 0 else 0), hi + 0.2 * span)
            ax.set_title(title, fontsize=8, loc="left")
            ax.set_ylim(-0.6, len(figs) - 0.4)
            ax.tick_params(axis="x", labelsize=6.5)
            ax.xaxis.set_major_locator(MaxNLocator(5))
        axes[0].set_yticks(ys, names)
        png = _render(fig)
    caption = (
        "Cohort key figures, one bar per CSU coloured by its decision (green proceed, amber conditional, "
        "red stop); dashed lines mark the reference figures named in each panel."
    )
    alt = f"Four bar charts comparing population, price per head, capture and surplus for {len(figs)} CSUs."
    return Chart(png, width, caption, alt)
