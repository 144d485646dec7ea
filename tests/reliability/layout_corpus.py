"""The bad-input corpus's folder-structure section (issue 14): hostile and careless cohort layouts, each with what
`csu-assure validate` and `csu-assure cohort` must say, and which CSU ids may end up in the register.

Each case writes into a cohort folder that already holds one real CSU, `baseline` (a valid checkpoint-1
submission). The one identity rule under test: a CSU folder's name is its CSU id, so no entry of the cohort can
write a record for another CSU; what the layout cannot read is refused with a located problem, never skipped in
silence and never a traceback.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from csu_assure.synthetic import baseline, write_folder
from csu_assure.workbook_template import write_workbook

REAL = "baseline"  # the real CSU every case's cohort holds


@dataclass(frozen=True)
class LayoutCase:
    name: str
    write: Callable[[Path], None]  # given the cohort folder (which already holds REAL)
    expect: str  # text `validate` and `cohort` must both print (a located problem)
    ids: frozenset[str] = frozenset({REAL})  # the CSU ids the cohort run may record, and must
    real_assessed: bool = True  # REAL is assessed on its merits (False: its own submission is invalid)


LAYOUT_CASES: dict[str, LayoutCase] = {}


def layout_case(
    expect: str, *, ids: frozenset[str] = frozenset({REAL}), real_assessed: bool = True
) -> Callable[[Callable[[Path], None]], Callable[[Path], None]]:
    def register(write: Callable[[Path], None]) -> Callable[[Path], None]:
        name = write.__name__.removeprefix("_").replace("_", "-")
        assert name not in LAYOUT_CASES, name
        LAYOUT_CASES[name] = LayoutCase(name, write, expect, ids, real_assessed)
        return write

    return register


def build_cohort(root: Path) -> Path:
    """A cohort holding the real CSU: `root/cohort/baseline/cp1/`."""
    cohort = root / "cohort"
    write_folder(baseline(checkpoint=1), cohort / REAL / "cp1")
    return cohort


@layout_case(
    "zz-impostor/cp1/business_plan.yaml", ids=frozenset({REAL, "zz-impostor"})
)  # the copy is an invalid submission *of its own folder*
def _impostor_copy_of_another_csu(cohort: Path) -> None:
    shutil.copytree(cohort / REAL / "cp1", cohort / "zz-impostor" / "cp1")


@layout_case("baseline-link: is a link")
def _symlinked_csu_folder(cohort: Path) -> None:
    (cohort / "baseline-link").symlink_to(cohort / REAL, target_is_directory=True)


@layout_case("loop: is a link")
def _link_to_the_cohort_itself(cohort: Path) -> None:
    (cohort / "loop").symlink_to(cohort, target_is_directory=True)


@layout_case("ping: is a link")
def _link_loop(cohort: Path) -> None:
    (cohort / "ping").symlink_to(cohort / "pong")
    (cohort / "pong").symlink_to(cohort / "ping")


@layout_case("zz-archive: holds no checkpoint submission")
def _nested_archive_copy(cohort: Path) -> None:
    shutil.copytree(cohort / REAL / "cp1", cohort / "zz-archive" / REAL / "cp1")


@layout_case("business_plan.yaml")
def _stray_plan_at_the_cohort_root(cohort: Path) -> None:
    shutil.copy(cohort / REAL / "cp1" / "business_plan.yaml", cohort / "business_plan.yaml")


@layout_case("fifo")
def _fifo_in_the_cohort(cohort: Path) -> None:
    os.mkfifo(cohort / "fifo")


@layout_case("is not a CSU id")
def _odd_names_for_copies(cohort: Path) -> None:
    for name in ("Baseline", "baseline (1)", "baseline copy", "baseline_2", "ßaseline", "-baseline"):
        shutil.copytree(cohort / REAL, cohort / name)


@layout_case("baseline/old-cp1: is not a checkpoint submission")
def _stray_folder_inside_a_csu(cohort: Path) -> None:
    shutil.copytree(cohort / REAL / "cp1", cohort / REAL / "old-cp1")


@layout_case("submitted twice, as cp1 and cp1.xlsx", real_assessed=False)
def _both_a_folder_and_a_workbook(cohort: Path) -> None:
    write_workbook(baseline(checkpoint=1), cohort / REAL / "cp1.xlsx")


@layout_case("cp1.xlsm: is a .xlsm file, which is not read", real_assessed=False)
def _macro_workbook_instead_of_a_folder(cohort: Path) -> None:
    shutil.rmtree(cohort / REAL / "cp1")
    write_workbook(baseline(checkpoint=1), cohort / REAL / "cp1.xlsx").rename(cohort / REAL / "cp1.xlsm")


__all__ = ["LAYOUT_CASES", "REAL", "LayoutCase", "build_cohort"]
