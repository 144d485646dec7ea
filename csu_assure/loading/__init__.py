"""Finding and loading submissions: a checkpoint folder (YAML + CSV) or one Excel workbook."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath

from csu_assure.domain import Checkpoint
from csu_assure.loading.folder import PLAN_FILE, load_folder
from csu_assure.loading.problems import Problem, SubmissionInvalid
from csu_assure.results import DataIssue, row_ranges
from csu_assure.submission import Submission

WORKBOOK_SUFFIXES = (".xlsx",)


def load_submission(path: Path) -> Submission:
    """Load one checkpoint submission from a folder or an `.xlsx` workbook; raise SubmissionInvalid."""
    path = Path(path)
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        from csu_assure.loading.workbook import load_workbook  # openpyxl is only paid for when used

        return load_workbook(path)
    if not path.exists():
        raise SubmissionInvalid(str(path), [Problem(str(path), "", "does not exist")])
    return load_folder(path)


@dataclass(frozen=True)
class Located:
    """A submission found on disk: its CSU folder name, checkpoint (from the folder name) and path."""

    csu_key: str
    checkpoint: Checkpoint | None
    path: Path


def _is_submission(path: Path) -> bool:
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return True
    if not path.is_dir():
        return False
    if (path / PLAN_FILE).exists():
        return True
    # A cpN folder holding files but no plan is a broken submission to report, not something to skip.
    return _checkpoint_of(path) is not None and any(not p.name.startswith(".") for p in path.iterdir())


def _checkpoint_of(path: Path) -> Checkpoint | None:
    stem = path.stem if path.is_file() else path.name
    if stem.startswith("cp") and stem[2:].isdigit() and int(stem[2:]) in (1, 2, 3):
        return Checkpoint(int(stem[2:]))
    return None


def discover(path: Path, checkpoint: Checkpoint | None = None) -> list[Located]:
    """Submissions under `path`: a checkpoint folder, a CSU folder (cp1/ cp2/ cp3/) or a cohort of CSU folders.

    Workbooks are found as `<csu>/cpN.xlsx`. Sorted by CSU then checkpoint, so runs are reproducible.
    """
    path = Path(path)
    if _is_submission(path):
        return [Located(path.parent.name if _checkpoint_of(path) else path.stem, _checkpoint_of(path), path)]
    found: list[Located] = []
    children = sorted(p for p in path.iterdir() if not p.name.startswith(".")) if path.is_dir() else []
    checkpoint_children = [c for c in children if _checkpoint_of(c) is not None and _is_submission(c)]
    if checkpoint_children:
        found = [Located(path.name, _checkpoint_of(c), c) for c in checkpoint_children]
    else:
        for child in children:
            if child.is_dir():
                found.extend(
                    Located(child.name, _checkpoint_of(c), c)
                    for c in sorted(child.iterdir())
                    if _checkpoint_of(c) is not None and _is_submission(c)
                )
    if checkpoint is not None:
        found = [f for f in found if f.checkpoint in (checkpoint, None)]
    return found


def csu_folders(cohort: Path) -> list[Path]:
    """Every CSU folder of a cohort, including those with no submission for some checkpoint."""
    return sorted(p for p in Path(cohort).iterdir() if p.is_dir() and not p.name.startswith("."))


def locate_issue(sub: Submission, issue: DataIssue) -> Problem:
    """Where a data-quality issue sits in the files `sub` was loaded from, placed as the loaders place a problem:
    a CSV's lines (a data row + 1: the header is line 1), a workbook sheet's rows, a business-plan field."""
    paths = [i.path for i in sub.inputs]
    workbook = next((p for p in paths if p.lower().endswith(WORKBOOK_SUFFIXES)), None)
    table = PurePath(issue.file).stem
    column = f"{issue.field} ({issue.scope})" if issue.scope else issue.field
    plural = "s" if len(issue.rows) > 1 else ""
    if workbook is not None:
        file = workbook
        if issue.rows:
            where = f"sheet {table}, row{plural} {row_ranges(issue.rows, offset=1)}, column {column}"
        else:
            where = f"sheet {table}, field {column}"
    else:
        file = next((p for p in paths if PurePath(p).name == issue.file), issue.file)
        where = f"line{plural} {row_ranges(issue.rows, offset=1)}, column {column}" if issue.rows else column
    return Problem(
        file, where, f"implausible: {issue.problem}; expected {issue.expected}", ", ".join(issue.values)
    )


__all__ = [
    "Located",
    "Problem",
    "SubmissionInvalid",
    "csu_folders",
    "discover",
    "load_submission",
    "locate_issue",
]
