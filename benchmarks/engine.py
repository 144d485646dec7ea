"""Engine only (no Prefect, no reports): assessments per second and peak memory for 100 / 1,000 / 10,000 CSUs.

Each size runs in a fresh process (`python -m benchmarks.engine N`) so peak RSS belongs to that size alone.
Submissions are generated in memory (validated through the loaders' own code) before timing starts; above
1,000 CSUs the 1,000 distinct submissions are reused round-robin (generation, not assessment, would dominate).
"""

from __future__ import annotations

import datetime as dt
import json
import sys

from benchmarks.common import median_seconds, peak_rss_mib, run_isolated, write_section

SIZES = (100, 1_000, 10_000)
DISTINCT = 1_000


def measure(size: int) -> dict[str, object]:
    from csu_assure.calendar import load_calendar
    from csu_assure.catalogue import default_catalogue
    from csu_assure.engine import assess
    from csu_assure.generate import build_csu, random_specs
    from csu_assure.ruleset import load_ruleset
    from csu_assure.synthetic import to_submission

    catalogue, calendar = default_catalogue(), load_calendar()
    ruleset = load_ruleset(catalogue)
    pool = []
    for spec in random_specs(min(size, DISTINCT), seed=7):
        raws = build_csu(spec)
        cp = max(raws)  # the latest checkpoint submitted: usually 3, the one with most checks
        pool.append(to_submission(raws[cp]))
    subs = [pool[i % len(pool)] for i in range(size)]
    as_of = dt.date(2012, 9, 1)

    def run() -> None:
        for sub in subs:
            assess(
                sub, catalogue=catalogue, ruleset=ruleset, calendar=calendar, as_of=as_of, assessor="bench"
            )

    median, times = median_seconds(run)
    checks = sum(len(catalogue.for_checkpoint(s.checkpoint)) for s in subs)
    return {
        "size": size,
        "median_s": median,
        "runs": times,
        "per_second": size / median,
        "checks_per_second": checks / median,
        "peak_rss_mib": peak_rss_mib(),
    }


def main() -> None:
    rows = [run_isolated("benchmarks.engine", str(size)) for size in SIZES]
    lines = [
        "## Engine only (no Prefect, no reports)",
        "",
        "Assess CSUs in memory at their latest checkpoint (mostly checkpoint 3), one process, one core. "
        "Goal: ≥ 1,000 assessments per second.",
        "",
        "| CSUs | median time | assessments/s | checks/s | peak RSS |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['size']:,} | {float(r['median_s']):.3f} s | {float(r['per_second']):,.0f} | "
            f"{float(r['checks_per_second']):,.0f} | {float(r['peak_rss_mib']):.0f} MiB |"
        )
    write_section("engine", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(json.dumps(measure(int(sys.argv[1]))))
    else:
        main()
