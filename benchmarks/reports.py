"""Word reports: milliseconds per CSU report with its charts, split into charts / document build / save, and the
cohort report; peak memory. Goal: ≤ 150 ms per report including charts.

    python -m benchmarks.reports            # measure (in a fresh process) and update BENCHMARKS.md
    python -m benchmarks.reports measure    # measure only, print one JSON line

Records are the engine's assessments of the committed example cohort (every CSU carried through its
checkpoints), so reports have real findings, plans and charts. A CSU report is timed whole (charts written,
document built, saved) and then in those parts. The cohort report is timed for the example cohort (16 CSUs,
a bar per CSU) and for generated cohorts of 26 (the BDU's own size) and 200 CSUs at checkpoint 3 (above
36 CSUs the cohort charts show distributions instead).
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
BDU_COHORT = 26
SEED = 7


def _cohort_records() -> list[Any]:
    """Every record of the example cohort, each CSU carried 1 → 2 → 3 (the golden test's path)."""
    from checks import catalogue as shipped_catalogue
    from csu_assure.calendar import load_calendar
    from csu_assure.domain import Checkpoint
    from csu_assure.engine import assess, assess_not_submitted
    from csu_assure.loading import load_submission
    from csu_assure.ruleset import load_ruleset

    catalogue, calendar = shipped_catalogue(), load_calendar()
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
    from checks import catalogue as shipped_catalogue
    from csu_assure.calendar import load_calendar
    from csu_assure.engine import assess
    from csu_assure.generate import Rules, build_csu, random_specs
    from csu_assure.ruleset import load_ruleset
    from csu_assure.synthetic import to_submission

    catalogue, calendar = shipped_catalogue(), load_calendar()
    ruleset = load_ruleset(catalogue)
    rules = Rules(catalogue, ruleset, calendar)
    records = []
    for spec in random_specs(count, seed=SEED):
        raws = build_csu(spec, rules)
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


def _ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _timed(action: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action(*args)
    return time.perf_counter() - start, result


def _draw_charts(record: Any) -> None:
    from csu_assure.render.word import charts

    charts.finance_chart(record.figures)
    charts.scores_chart(record.figures, record.checkpoint)
    charts.price_chart(record.figures)


def measure() -> dict[str, object]:
    from csu_assure.render.word.build import (
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

    # Warm-up: imports, the base document, Jinja templates.
    write_assessment_report(full[0], out / "warm.docx")

    def build(record: Any) -> Any:
        return build_assessment_document(record, marking=DEFAULT_MARKING, templates_dir=DEFAULT_TEMPLATES)

    whole, chart_t, build_t, save_t = [], [], [], []
    for run in range(RUNS):
        for record in full:
            whole.append(_timed(write_assessment_report, record, out / f"{record.csu_id}-{run}.docx")[0])
            # The same report again, in parts: its three charts alone, the document built (charts included),
            # then saved; build and save add up to about the whole.
            chart_t.append(_timed(_draw_charts, record)[0])
            seconds, doc = _timed(build, record)
            build_t.append(seconds)
            save_t.append(_timed(doc.save, out / "split.docx")[0])
    report_bytes = statistics.median((out / f"{r.csu_id}-0.docx").stat().st_size for r in full)

    cohort = list(final.values())
    cohort_t = [_timed(write_cohort_report, cohort, out / "c.docx", "Example cohort")[0] for _ in range(RUNS)]
    generated = _generated_records(GENERATED_COHORT)
    bdu_t = [
        _timed(write_cohort_report, generated[:BDU_COHORT], out / "b.docx", "BDU-sized cohort")[0]
        for _ in range(RUNS)
    ]
    big_t = [
        _timed(write_cohort_report, generated, out / "g.docx", "Generated cohort")[0] for _ in range(RUNS)
    ]
    shutil.rmtree(out)
    return {
        "reports": len(full),
        "runs": RUNS,
        "report_ms": _ms(whole),
        "charts_ms": _ms(chart_t),
        "build_ms": _ms(build_t),
        "save_ms": _ms(save_t),
        "report_kib": report_bytes / 1024,
        "cohort_size": len(cohort),
        "cohort_ms": _ms(cohort_t),
        "bdu_cohort_size": BDU_COHORT,
        "bdu_cohort_ms": _ms(bdu_t),
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
        f"charts), {r['runs']} runs each, median per report. Goal: ≤ 150 ms per report including charts. The "
        "breakdown times the same report in parts: its three charts alone (python-pptx writing the DrawingML "
        "chart parts and XlsxWriter their data workbooks), the whole document built (python-docx, Jinja2, "
        "charts included), and saved.",
        "",
        "| report | median | charts | build | save | size |",
        "|---|---:|---:|---:|---:|---:|",
        f"| CSU, three charts | {float(r['report_ms']):.0f} ms | {float(r['charts_ms']):.0f} ms | "
        f"{float(r['build_ms']):.0f} ms | {float(r['save_ms']):.0f} ms | {float(r['report_kib']):.0f} KiB |",
        f"| cohort, {r['cohort_size']} CSUs (a bar per CSU) | {float(r['cohort_ms']):.0f} ms | | | | |",
        f"| cohort, {r['bdu_cohort_size']} generated CSUs (a bar per CSU) | {float(r['bdu_cohort_ms']):.0f} ms "
        "| | | | |",
        f"| cohort, {r['big_cohort_size']} generated CSUs (distributions) | {float(r['big_cohort_ms']):.0f} ms "
        "| | | | |",
        "",
        f"Goal ≤ 150 ms per report including charts: {float(r['report_ms']):.0f} ms — "
        f"{'met' if float(r['report_ms']) <= 150 else 'NOT met'}. Where the time goes: the three charts are "
        f"{float(r['charts_ms']):.0f} of the {float(r['build_ms']):.0f} ms build (python-pptx's formatting API "
        "walks the chart XML by XPath, and each data workbook takes XlsxWriter ~2 ms); the rest is opening the "
        "styled base document and parsing the paragraphs and tables, which are built as XML strings (python-docx's "
        "own paragraph and cell API cost several times more); the save is zip deflate.",
        "",
        "Charts are native Word charts (DrawingML parts with an embedded workbook), not pictures. Until "
        "2026-12 they were matplotlib PNGs: about 230 ms for a report's three charts on this machine (text "
        "shaping and axis layout, a floor of ~1.2 G instructions), which put a first issue at 280–410 ms "
        "against this goal. A native chart is a few kilobytes of XML that Word and LibreOffice draw "
        'themselves: vector, editable ("Edit Data"), and its numbers are readable by assistive technology.',
        "",
        f"Peak RSS of the measuring process: {float(r['peak_rss_mib']):.0f} MiB (Python, python-docx, python-pptx, "
        f"the records and the {r['big_cohort_size']}-CSU cohort's generated submissions).",
    ]
    write_section("reports", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    if sys.argv[1:] == ["measure"]:
        print(json.dumps(measure()))
    else:
        main()
