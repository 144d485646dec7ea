"""Word reports: milliseconds per CSU report with its charts, split into charts / document build / save, and the
cohort report; peak memory. Goal: ≤ 150 ms per report including charts.

    python -m benchmarks.reports            # measure (in a fresh process) and update BENCHMARKS.md
    python -m benchmarks.reports measure    # measure only, print one JSON line

Records are the engine's assessments of the committed example cohort (every CSU carried through its
checkpoints), so reports have real findings, plans and charts. A CSU report is timed from a cold chart cache
(the charts are drawn, as for a first issue) and again with its charts cached (a re-issue after moderation or
an override: charts depend only on the record's frozen key figures). The cohort report is timed for the
example cohort (16 CSUs) and for a generated cohort of 200 CSUs at checkpoint 3.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, RUNS, peak_rss_mib, run_isolated, write_section

COHORT = ROOT / "submissions" / "example-cohort"
GENERATED_COHORT = 200
SEED = 7


def _cohort_records() -> list[Any]:
    """Every record of the example cohort, each CSU carried 1 → 2 → 3 (the golden test's path)."""
    from csu_assure.calendar import load_calendar
    from csu_assure.catalogue import default_catalogue
    from csu_assure.domain import Checkpoint
    from csu_assure.engine import assess, assess_not_submitted
    from csu_assure.loading import load_submission
    from csu_assure.ruleset import load_ruleset

    catalogue, calendar = default_catalogue(), load_calendar()
    ruleset = load_ruleset(catalogue)
    records: list[Any] = []
    for csu in sorted(p for p in COHORT.iterdir() if p.is_dir()):
        path: list[Any] = []
        for checkpoint in Checkpoint:
            common: dict[str, Any] = {
                "catalogue": catalogue,
                "ruleset": ruleset,
                "calendar": calendar,
                "as_of": calendar.deadline(checkpoint) + dt.timedelta(days=1),
                "assessor": "bench",
            }
            folder = csu / f"cp{int(checkpoint)}"
            prior = path[-1].development_plan if path else ()
            if folder.exists():
                path.append(assess(load_submission(folder), prior_plan=prior, **common))
            else:
                path.append(assess_not_submitted(csu.name, csu.name, checkpoint, **common))
            if not path[-1].outcome.proceeds:
                break
        records.extend(path)
    return records


def _generated_records(count: int) -> list[Any]:
    from csu_assure.calendar import load_calendar
    from csu_assure.catalogue import default_catalogue
    from csu_assure.engine import assess
    from csu_assure.generate import build_csu, random_specs
    from csu_assure.ruleset import load_ruleset
    from csu_assure.synthetic import to_submission

    catalogue, calendar = default_catalogue(), load_calendar()
    ruleset = load_ruleset(catalogue)
    records = []
    for spec in random_specs(count, seed=SEED):
        raws = build_csu(spec)
        sub = to_submission(raws[max(raws)])
        records.append(
            assess(
                sub,
                catalogue=catalogue,
                ruleset=ruleset,
                calendar=calendar,
                as_of=dt.date(2012, 9, 1),
                assessor="bench",
            )
        )
    return records


def _clear_chart_caches() -> None:
    from csu_assure.report import charts

    charts.finance_chart.cache_clear()
    charts.scores_chart.cache_clear()
    charts.price_chart.cache_clear()


def _ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _timed(action: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action(*args)
    return time.perf_counter() - start, result


def _draw_charts(record: Any) -> None:
    from csu_assure.report import charts

    charts.finance_chart(record.figures)
    charts.scores_chart(record.figures, record.checkpoint)
    charts.price_chart(record.figures)


def measure() -> dict[str, object]:
    from csu_assure.report.build import (
        DEFAULT_MARKING,
        DEFAULT_TEMPLATES,
        build_assessment_document,
        write_assessment_report,
        write_cohort_report,
    )

    records = _cohort_records()
    # Checkpoint 3 records with a financial plan carry all three charts: the most expensive report.
    full = [r for r in records if int(r.checkpoint) == 3 and r.figures is not None]
    final = {}
    for r in records:
        final[r.csu_id] = r  # each CSU's latest record, for the cohort report
    out = Path(tempfile.mkdtemp(prefix="bench-reports-"))

    # Warm-up: imports, the base document, fonts, Jinja templates.
    _clear_chart_caches()
    write_assessment_report(full[0], out / "warm.docx")

    def build(record: Any) -> Any:
        return build_assessment_document(record, marking=DEFAULT_MARKING, templates_dir=DEFAULT_TEMPLATES)

    cold, warm, chart_t, build_t, save_t = [], [], [], [], []
    for run in range(RUNS):
        for record in full:
            target = out / f"{record.csu_id}-{run}.docx"
            _clear_chart_caches()
            cold.append(_timed(write_assessment_report, record, target)[0])
            warm.append(_timed(write_assessment_report, record, target)[0])
            # The same report again, in parts: charts drawn, the document built around the cached charts,
            # then saved (the parts add up to about the first-issue figure).
            _clear_chart_caches()
            chart_t.append(_timed(_draw_charts, record)[0])
            seconds, doc = _timed(build, record)
            build_t.append(seconds)
            save_t.append(_timed(doc.save, out / "split.docx")[0])
    report_bytes = statistics.median((out / f"{r.csu_id}-0.docx").stat().st_size for r in full)

    cohort = list(final.values())
    cohort_t = [_timed(write_cohort_report, cohort, out / "c.docx", "Example cohort")[0] for _ in range(RUNS)]
    generated = _generated_records(GENERATED_COHORT)
    big_t = [
        _timed(write_cohort_report, generated, out / "g.docx", "Generated cohort")[0] for _ in range(RUNS)
    ]
    shutil.rmtree(out)
    return {
        "reports": len(full),
        "runs": RUNS,
        "cold_ms": _ms(cold),
        "warm_ms": _ms(warm),
        "charts_ms": _ms(chart_t),
        "build_ms": _ms(build_t),
        "save_ms": _ms(save_t),
        "report_kib": report_bytes / 1024,
        "cohort_size": len(cohort),
        "cohort_ms": _ms(cohort_t),
        "big_cohort_size": len(generated),
        "big_cohort_ms": _ms(big_t),
        "peak_rss_mib": peak_rss_mib(),
    }


def main() -> None:
    r = run_isolated("benchmarks.reports", "measure")
    lines = [
        "## Word reports",
        "",
        f"Per-CSU reports for the {r['reports']} checkpoint 3 records of the example cohort (each with all three "
        f"charts), {r['runs']} runs each, median per report. Goal: ≤ 150 ms per report including charts. "
        "*First issue* draws the charts; *re-issue* reuses them (charts are cached by the record's key figures, "
        "so a report re-issued after moderation or an override does not redraw them). The breakdown times the "
        "same report in parts: charts drawn (matplotlib, Agg), document built around them (python-docx, "
        "Jinja2), saved.",
        "",
        "| report | median | charts | build | save | size |",
        "|---|---:|---:|---:|---:|---:|",
        f"| CSU, first issue | {float(r['cold_ms']):.0f} ms | {float(r['charts_ms']):.0f} ms | "
        f"{float(r['build_ms']):.0f} ms | {float(r['save_ms']):.0f} ms | {float(r['report_kib']):.0f} KiB |",
        f"| CSU, re-issue (charts cached) | {float(r['warm_ms']):.0f} ms | 0 ms | | | |",
        f"| cohort, {r['cohort_size']} CSUs | {float(r['cohort_ms']):.0f} ms | | | | |",
        f"| cohort, {r['big_cohort_size']} generated CSUs | {float(r['big_cohort_ms']):.0f} ms | | | | |",
        "",
        "Where a first issue's time goes: charts are most of it, the document build and the save are tens of "
        "milliseconds. Within a chart (cProfile of 18 charts, matplotlib 3.11): about 35% is text (FreeType "
        "shaping in `FT2Font.set_text`, about 1 ms for a 70-character string on this machine, and glyph "
        "rasterising), 25% creating axes and ticks, 15% laying out tick labels and legends, 7% PNG encoding "
        "(zlib level 1). Pixels matter little: 100 dpi instead of 150 saved only ~10%, so charts stay at 150 dpi "
        "for print. The charts already use the object API (no pyplot state) and one font chosen once; a fixed "
        "title height saves the per-draw title placement (2% of instructions, byte-identical PNGs). The floor "
        "with matplotlib is about 1.2 G instructions (callgrind) for one report's three charts, roughly 200 ms "
        "on this machine, so ≤ 150 ms per first issue is not reached; a re-issue, with charts cached, is well "
        "under it. What could reach it: one figure per chart type kept and only its data artists updated per "
        "CSU (saves the axes and tick creation, but a shared figure needs a lock under Prefect's thread runner "
        "and must not carry artists from one CSU to the next), or fewer text artists per chart.",
        "",
        f"Peak RSS of the measuring process: {float(r['peak_rss_mib']):.0f} MiB (Python, matplotlib, python-docx, "
        f"the records and the {r['big_cohort_size']}-CSU cohort's generated submissions).",
    ]
    write_section("reports", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    if sys.argv[1:] == ["measure"]:
        print(json.dumps(measure()))
    else:
        main()
