"""Small synthetic cohorts written to temporary folders, for pipeline, flow and CLI tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from csu_assure.synthetic import baseline, write_folder
from tests.checks.case_patching import apply_patch

# Two domains RED at checkpoint 2 (customer: no CCG commits; business: year-1 deficit on every line) → C, stop.
STOP_AT_CP2: dict[str, Any] = {
    "update": [
        {
            "table": "ccg_interviews",
            "set": {"pct_from_css": 10, "pct_in_house": 70, "pct_shared": 10, "pct_other": 10},
        },
        {
            "table": "financial_plan",
            "where": {"year": 1},
            # a year-1 deficit of a third of income: the business plan fails as well as customer focus
            "set": {"income": "100000.00", "costs": "150000.00"},
        },
    ]
}


def cp2_cus_03_fails(csu_id: str) -> dict[str, Any]:
    """A checkpoint 2 patch for `csu_id`'s baseline: CP2-CUS-03 fails, high (four of six CCGs commit, but the two
    that do not hold 60% of the people), so customer focus passes only marginally → B. Waiving the check gives A;
    when the waiver expires, B again."""
    prefix = "".join(w[0] for w in csu_id.split("-"))[:2].upper()  # the baseline's CCG ids: <prefix>01...
    return {
        "update": [
            {"table": "ccgs", "set": {"population": 180000}},
            {"table": "ccgs", "where": {"ccg_id": f"{prefix}01"}, "set": {"population": 900000}},
            *(
                {
                    "table": "ccg_interviews",
                    "where": {"ccg_id": f"{prefix}0{n}"},
                    "set": {"pct_from_css": 10, "pct_in_house": 70, "pct_shared": 10, "pct_other": 10},
                }
                for n in (1, 2)
            ),
        ]
    }


def write_csu(
    root: Path,
    csu_id: str,
    checkpoints: tuple[int, ...] = (1, 2, 3),
    patches: dict[int, dict[str, Any]] | None = None,
    seed: int = 0,
) -> Path:
    """A CSU folder `root/csu_id/cpN/` that passes every check unless `patches[N]` alters checkpoint N."""
    for cp in checkpoints:
        raw = baseline(csu_id=csu_id, csu_name=f"{csu_id.title()} CSU", checkpoint=cp, seed=seed)
        if patches and cp in patches:
            raw = apply_patch(raw, patches[cp])
        write_folder(raw, root / csu_id / f"cp{cp}")
    return root / csu_id


def write_cohort(root: Path, names: tuple[str, ...] = ("alpha", "beta", "gamma")) -> Path:
    for i, name in enumerate(names):
        write_csu(root, name, seed=i)
    return root
