"""The native charts, read back from the written .docx: the numbers, colours and reference lines a reviewer
sees are the record's, and every chart carries a workbook with the same data (Word's "Edit Data")."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from docx import Document

from checks import catalogue as shipped_catalogue
from csu_assure import engine, synthetic
from csu_assure.calendar import load_calendar
from csu_assure.domain import Checkpoint, Outcome, Rag
from csu_assure.render.word import charts, write_assessment_report, write_cohort_report
from csu_assure.render.word.charts import BDU_2012
from csu_assure.results import Assessment, KeyFigures
from csu_assure.ruleset import default_ruleset_path, load_ruleset
from tests.render.chart_reading import ReadChart, read_charts
from tests.render.conftest import all_text, escalated_record

AMBER, BLUE, RED = charts.RAG_COLOURS[Rag.AMBER], charts.NHS_BLUE, charts.RAG_COLOURS[Rag.RED]


@pytest.fixture(scope="module")
def rapid(tmp_path_factory: pytest.TempPathFactory) -> tuple[Assessment, list[ReadChart]]:
    record = escalated_record()
    path = write_assessment_report(record, tmp_path_factory.mktemp("rapid") / "rapid.docx")
    return record, read_charts(path)


def test_finance_chart_shows_income_costs_and_surplus_of_every_year(
    rapid: tuple[Assessment, list[ReadChart]],
) -> None:
    record, (finance, _, _) = rapid
    assert record.figures is not None
    years = record.figures.years
    assert finance.kind == "barChart" and finance.direction == "col"
    income, costs = finance.series_named("Income"), finance.series_named("Costs")
    assert income.values == [pytest.approx(float(y.income) / 1e6) for y in years]
    assert costs.values == [pytest.approx(float(y.costs) / 1e6) for y in years]
    # 22.3m income against 22.4m costs in year 1: a deficit, named as such under the year.
    assert income.categories[0] == "Year 1\ndeficit −£0.10m (−0.4%)"
    assert income.categories[3] == "Year 4\nsurplus £0.80m (3.4%)"
    assert (income.fill, costs.fill) == (BLUE, charts.NHS_GREY)
    assert "year 1 income £22.30m, costs £22.40m" in finance.alt_text


def test_scores_chart_grows_from_zero_beside_the_pass_mark(
    rapid: tuple[Assessment, list[ReadChart]],
) -> None:
    _, (_, scores, _) = rapid
    assert scores.crosses_at is None and scores.axis_min == 0  # every bar from zero, growing towards "better"
    assert scores.every_label
    (series,) = scores.series
    # Drawn bottom-up: the first question is the last category but one; the pass mark is on top.
    assert series.categories == [
        "Would recommend: no answers",
        "Understanding of our needs: 2.40 (n=6)",
        "Pass mark: 3.0",  # a hand-built record keeps no thresholds: BDU 2012's
    ]
    assert series.values == [None, 2.4, BDU_2012.score_pass_mean]
    assert series.point_fills == {1: AMBER, 2: RED}  # 2.4 falls short; the unanswered question has no bar
    assert series.labels == {}  # values are in the labels: nothing is printed over a bar or an axis
    assert "below the pass mark of 3.0: Understanding of our needs" in scores.alt_text


def test_a_chart_of_equal_bars_is_a_sentence(tmp_path: Path) -> None:
    record = escalated_record()
    assert record.figures is not None
    same = tuple(s.model_copy(update={"mean": 2.0, "answers": 6}) for s in record.figures.scores)
    figures = record.figures.model_copy(update={"scores": same})
    path = write_assessment_report(record.model_copy(update={"figures": figures}), tmp_path / "r.docx")
    assert [c.title for c in read_charts(path)] == [
        "Planned income and costs",
        "Price per head against the running-cost allowance",
    ]
    assert (
        "CCG interviews: every one of the 2 questions answered scored a mean of 2.00 out of 5 (6 answers each), "
        "below the pass mark of 3.0. No chart is drawn: its bars would all be the same length."
    ) in all_text(path)


def test_price_chart_places_the_price_in_the_running_cost_envelope(
    rapid: tuple[Assessment, list[ReadChart]],
) -> None:
    _, (_, _, price) = rapid
    assert price.grouping == "stacked"
    offset, bars = price.series
    # Top row first when read: the CSU's price (13.40, above the £12.50 aim, so red).
    assert bars.categories[-1] == "This CSU's price per head: £13.40"
    assert bars.point_fills[len(bars.values) - 1] == RED
    assert bars.values[-1] == pytest.approx(13.40)
    band = bars.categories.index("Plausible range (rule set): £8–£14")
    assert (offset.values[band], bars.values[band]) == (8.0, 6.0)  # drawn from £8 to £14
    assert offset.fill is None  # the offset is invisible


def test_every_chart_carries_its_data_as_a_workbook(rapid: tuple[Assessment, list[ReadChart]]) -> None:
    record, (finance, scores, _) = rapid
    assert record.figures is not None
    assert finance.workbook_rows[0][1:] == ("Income", "Costs")
    assert [r[1] for r in finance.workbook_rows[1:]] == [
        pytest.approx(float(y.income) / 1e6) for y in record.figures.years
    ]
    assert scores.workbook_rows[2] == ("Understanding of our needs: 2.40 (n=6)", 2.4)


def test_the_package_is_what_word_expects(tmp_path: Path) -> None:
    path = write_assessment_report(escalated_record(), tmp_path / "r.docx")
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        types = z.read("[Content_Types].xml").decode()
        rels = z.read("word/_rels/document.xml.rels").decode()
    assert sorted(n for n in names if n.startswith("word/charts/chart")) == [
        "word/charts/chart1.xml",
        "word/charts/chart2.xml",
        "word/charts/chart3.xml",
    ]
    assert sum(n.startswith("word/embeddings/") and n.endswith(".xlsx") for n in names) == 3
    assert types.count("application/vnd.openxmlformats-officedocument.drawingml.chart+xml") == 3
    assert rels.count("relationships/chart") == 3
    ids = [s._inline.docPr.id for s in Document(str(path)).inline_shapes]
    assert len(ids) == len(set(ids)) == 3  # drawing ids are unique in the document


def test_a_report_resaved_by_python_docx_keeps_its_charts(tmp_path: Path) -> None:
    path = write_assessment_report(escalated_record(), tmp_path / "r.docx")
    Document(str(path)).save(tmp_path / "again.docx")
    assert [c.title for c in read_charts(tmp_path / "again.docx")] == [c.title for c in read_charts(path)]


def test_charts_escape_hostile_labels(tmp_path: Path) -> None:
    record = escalated_record()
    assert record.figures is not None
    scores = tuple(
        s.model_copy(update={"label": "<b>Value</b> & \x07 {{ price }}"}) for s in record.figures.scores
    )
    figures = record.figures.model_copy(update={"scores": scores})
    path = write_assessment_report(record.model_copy(update={"figures": figures}), tmp_path / "r.docx")
    (_, read_scores, _) = read_charts(path)
    assert read_scores.series[0].categories[1] == "<b>Value</b> & \ufffd {{ price }}: 2.40 (n=6)"


def _cohort(assess_raw: Callable[..., Assessment], size: int) -> list[Assessment]:
    base = assess_raw(synthetic.baseline(csu_id="base-csu", checkpoint=3))
    assert base.figures is not None
    out = []
    for i in range(size):
        figures = base.figures.model_copy(
            update={
                "population": 600_000 + i * 60_000,
                "price_per_head": Decimal("9.00") + Decimal(i) / 4,
                "capture": 0.2 + i * 0.01,
                "surplus_y1_pct": -0.03 + i * 0.002,
            }
        )
        outcome = (Outcome.RECOMMEND, Outcome.RECOMMEND_WITH_CONDITIONS, Outcome.NOT_RECOMMENDED)[i % 3]
        out.append(
            base.model_copy(
                update={
                    "csu_id": f"csu-{i:03d}",
                    "csu_name": f"CSU {i:03d}",
                    "assessment_id": f"{i:020d}",
                    "figures": figures,
                    "outcome": outcome,
                }
            )
        )
    return out


def test_small_cohort_gets_a_bar_per_csu_from_zero_under_each_reference_figure(
    assess_raw: Callable[..., Assessment], tmp_path: Path
) -> None:
    cohort = _cohort(assess_raw, 12)
    read = read_charts(write_cohort_report(cohort, tmp_path / "c.docx", title="Twelve"))
    population, price, capture, surplus = read
    assert all(c.crosses_at is None and c.every_label for c in read)
    assert [c.axis_min for c in read[:3]] == [0, 0, 0]
    assert surplus.axis_min is not None and surplus.axis_min < 0  # deficits go left of zero, "less"
    # The reference is the top bar (drawn last): the rule set's line, in a colour of its own.
    assert [c.series[0].values[-1] for c in read] == [1.0, 12.5, 30.0, 0.0]
    assert [c.series[0].point_fills[12] for c in read] == [charts.NHS_DARK_BLUE] * 4
    (series,) = population.series
    assert series.categories[-1] == "Reference: the 1.0m scale floor"
    assert (
        series.categories[:-1]
        == [f"CSU {i:03d}: {(600_000 + i * 60_000) / 1e6:.2f}m" for i in range(12)][::-1]
    )
    assert series.values[:-1] == [pytest.approx((600_000 + i * 60_000) / 1e6) for i in range(12)][::-1]
    colours = [charts.RAG_COLOURS[r] for r in (Rag.GREEN, Rag.AMBER, Rag.RED)]
    assert [series.point_fills[11 - i] for i in range(12)] == [colours[i % 3] for i in range(12)]
    assert capture.series[0].values[-2] == pytest.approx(20.0)  # CSU 000, just under the reference
    assert price.series[0].labels == {}
    text = all_text(tmp_path / "c.docx")
    assert "the dark bar is the £12.50 aim (50% of RCA); all 12 CSUs are below it" in text
    assert "the dark bar is the 1.0m scale floor; 7 of 12 CSUs are below it" in text


def test_large_cohort_gets_distributions_stacked_by_decision(
    assess_raw: Callable[..., Assessment], tmp_path: Path
) -> None:
    size = charts.PER_CSU_LIMIT + 24
    cohort = _cohort(assess_raw, size)
    read = read_charts(write_cohort_report(cohort, tmp_path / "c.docx", title="Sixty"))
    assert len(read) == 4
    for chart in read:
        assert chart.grouping == "stacked" and chart.direction == "col"
        assert [s.name for s in chart.series] == ["Proceed", "Proceed with conditions", "Stop"]
        assert sum(v or 0 for s in chart.series for v in s.values) == size  # every CSU in one band
    population = read[0]
    below = sum(1 for i in range(size) if 600_000 + i * 60_000 < 1_000_000)
    assert f"{below:,} of {size:,} CSUs below the 1.0m scale floor" in population.title
    # Bands are aligned on the reference, so "below" is a whole number of bands.
    labels = population.series[0].categories
    assert any(label.startswith("1.00m") for label in labels)


def test_cohort_charts_skip_figures_no_csu_has(assess_raw: Callable[..., Assessment], tmp_path: Path) -> None:
    cohort = [
        a.model_copy(
            update={"figures": a.figures.model_copy(update={"capture": None, "surplus_y1_pct": None})}
        )
        for a in _cohort(assess_raw, 3)
        if a.figures is not None
    ]
    read = read_charts(write_cohort_report(cohort, tmp_path / "c.docx", title="Outline plans"))
    assert [c.series[0].values[-1] for c in read] == [1.0, 12.5]


def test_key_figures_without_a_plan_still_chart_the_price() -> None:
    figures = KeyFigures(population=1_200_000, ccg_count=4, price_per_head=Decimal("11.00"))
    assert charts.finance_chart(figures) is None
    assert charts.scores_chart(figures, Checkpoint.OUTLINE_PLAN) is None
    price = charts.price_chart(figures)
    assert price is not None and "price per head: £11.00" in price.xml.decode()


# ------------------------------------------------------------------------------- lines from the rule set

# A rule set that moves every threshold the charts draw, so no line can pass by being BDU 2012's.
MOVED = {
    "CP2-CUS-02": {"pass_mean": 3.5},
    "CP2-SCL-01": {"min_population": 1_500_000},
    "CP2-CUS-04": {"pass_at": "0.35"},
    "CP2-BUS-04": {"min_price": "9.00", "max_price": "15.50", "max_share_of_rca": "0.40"},
    "CP2-BUS-01": {"min_surplus_share": "0.01"},
}


@pytest.fixture(scope="module")
def moved_record(tmp_path_factory: pytest.TempPathFactory) -> Assessment:
    """A checkpoint-2 CSU assessed by the real engine under the moved rule set."""
    spec = yaml.safe_load(default_ruleset_path().read_text())
    for check_id, params in MOVED.items():
        spec["checks"][check_id]["params"].update(params)
    path = tmp_path_factory.mktemp("rules") / "moved.yaml"
    path.write_text(yaml.safe_dump(spec))
    catalogue = shipped_catalogue()
    return engine.assess(
        synthetic.to_submission(synthetic.baseline(csu_id="moved-csu", checkpoint=2)),
        catalogue=catalogue,
        ruleset=load_ruleset(catalogue, path),
        calendar=load_calendar(),
        as_of=dt.date(2012, 4, 10),
        assessor="Test Assessor",
    )


def test_a_csus_charts_draw_the_lines_of_the_rule_set_it_was_judged_under(
    moved_record: Assessment, tmp_path: Path
) -> None:
    path = write_assessment_report(moved_record, tmp_path / "moved.docx")
    _, scores, price = read_charts(path)
    assert scores.series[0].categories[-1] == "Pass mark: 3.5" and scores.series[0].values[-1] == 3.5
    assert "the red bar is the pass mark of 3.5" in all_text(path)
    labels = price.series[1].categories
    assert "Aim: below 40% of the RCA: £10.00" in labels
    band = labels.index("Plausible range (rule set): £9–£15.50")
    assert (price.series[0].values[band], price.series[1].values[band]) == (9.0, 6.5)
    assert "BDU 2012" not in all_text(path)  # the record keeps its thresholds: nothing is assumed


def test_cohort_charts_draw_the_rule_sets_lines(moved_record: Assessment, tmp_path: Path) -> None:
    cohort = [
        moved_record.model_copy(update={"csu_name": f"CSU {i}", "csu_id": f"csu-{i}"}) for i in range(3)
    ]
    read = read_charts(write_cohort_report(cohort, tmp_path / "c.docx", title="Moved"))
    assert [c.series[0].values[-1] for c in read] == [1.5, 10.0, 35.0, 1.0]
    text = all_text(tmp_path / "c.docx")
    assert (
        "the dark bar is the 1.5m scale floor" in text
        and "the dark bar is the £10.00 aim (40% of RCA)" in text
    )
    assert "35% capture" in text and "a 1% surplus" in text
    assert "Not every CSU" not in text and "BDU 2012" not in text


def test_cohort_charts_say_when_csus_were_judged_against_different_lines(
    moved_record: Assessment, assess_raw: Callable[..., Assessment], tmp_path: Path
) -> None:
    shipped = assess_raw(synthetic.baseline(csu_id="shipped-csu", checkpoint=2))
    older = shipped.model_copy(
        update={"csu_name": "Older", "figures": shipped.figures.model_copy(update={"thresholds": None})}
        if shipped.figures
        else {}
    )
    cohort = [moved_record, moved_record.model_copy(update={"csu_name": "Moved 2"}), shipped, older]
    read = read_charts(write_cohort_report(cohort, tmp_path / "c.docx", title="Mixed"))
    assert read[0].series[0].values[-1] == 1.5  # the moved rule set is the most common of the two sets
    text = all_text(tmp_path / "c.docx")
    assert "Not every CSU was judged against these lines (2 sets of thresholds in the cohort)" in text
    assert "Some records keep no thresholds: the BDU 2012 rule set's are assumed for them." in text


def test_a_record_without_thresholds_draws_bdu_2012s_and_says_so(tmp_path: Path) -> None:
    record = escalated_record()
    assert record.figures is not None and record.figures.thresholds is None
    path = write_assessment_report(record, tmp_path / "r.docx")
    _, scores, price = read_charts(path)
    assert scores.series[0].values[-1] == 3.0
    assert "Aim: below 50% of the RCA: £12.50" in price.series[1].categories
    assert all_text(path).count(charts.ASSUMED_NOTE.strip()) == 2  # under the scores and the price chart
