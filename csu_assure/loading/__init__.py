"""Finding and loading submissions: a checkpoint folder (YAML + CSV) or one Excel workbook."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath

from csu_assure.domain import Checkpoint
from csu_assure.loading.cohort_file import read_cohort_settings
from csu_assure.loading.folder import PLAN_FILE, load_folder
from csu_assure.loading.layout import (
    REFUSED_FORMS,
    csu_folder_problem,
    find_submission,
    is_hidden,
    read_cohort,
    stray_entries,
)
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
    if path.suffix.lower() in REFUSED_FORMS:
        raise SubmissionInvalid(
            str(path),
            [
                Problem(
                    str(path),
                    "",
                    f"is a {path.suffix.lower()} file, which is not read: save the workbook as .xlsx",
                )
            ],
        )
    if not path.exists():
        raise SubmissionInvalid(str(path), [Problem(str(path), "", "does not exist")])
    return load_folder(path)


@dataclass(frozen=True)
class Located:
    """A submission found on disk: its CSU folder name, checkpoint (from the folder name) and path."""

    csu_key: str
    checkpoint: Checkpoint | None
    path: Path
    problems: tuple[
        Problem, ...
    ] = ()  # the form was refused (a link out, both forms, an .xlsm): not loadable


@dataclass(frozen=True)
class Discovery:
    """What lies under a path: the submissions to load, and every entry refused by the layout rules."""

    found: tuple[Located, ...]
    refused: tuple[Problem, ...]


def _is_csu_folder(path: Path) -> bool:
    return path.is_dir() and any(
        not is_hidden(e.name) and e.name.split(".", 1)[0] in ("cp1", "cp2", "cp3") for e in path.iterdir()
    )


def _checkpoint_of(path: Path) -> Checkpoint | None:
    stem = path.name.split(".", 1)[0]
    return Checkpoint(int(stem[2])) if stem in ("cp1", "cp2", "cp3") else None


def _in_csu_folder(csu_dir: Path, checkpoint: Checkpoint | None) -> tuple[list[Located], list[Problem]]:
    found: list[Located] = []
    problems = list(stray_entries(csu_dir))
    for cp in Checkpoint:
        if checkpoint is not None and cp != checkpoint:
            continue
        submission = find_submission(csu_dir, cp)
        if submission.problems:  # an invalid submission of this checkpoint, as `cohort` records it
            found.append(Located(csu_dir.name, cp, csu_dir / f"cp{int(cp)}", submission.problems))
        elif submission.path is not None:
            found.append(Located(csu_dir.name, cp, submission.path))
    return found, problems


def discover(path: Path, checkpoint: Checkpoint | None = None) -> Discovery:
    """Submissions under `path`, by the layout rules (`layout.py`): a checkpoint folder or workbook, a CSU folder
    (cp1/ cp2/ cp3/ or cpN.xlsx) or a cohort of CSU folders. Sorted by CSU then checkpoint, so runs reproduce.
    Whatever the rules refuse is returned with a located problem, never skipped in silence."""
    path = Path(path)
    csu_folder = _is_csu_folder(path)
    if path.is_file() or (not csu_folder and (path / PLAN_FILE).exists()):  # one submission, given directly
        return Discovery((Located(path.parent.name, _checkpoint_of(path), path),), ())
    if csu_folder:
        problem = csu_folder_problem(path)
        if problem is not None:
            return Discovery((), (problem,))
        found, problems = _in_csu_folder(path, checkpoint)
        return Discovery(tuple(found), tuple(problems))
    layout = read_cohort(path)
    located: list[Located] = []
    refused: list[Problem] = list(layout.refused)
    if layout.settings is not None:
        refused += [p for p in read_cohort_settings(path)[1:] if p is not None]
    for csu in layout.csus:
        found, problems = _in_csu_folder(csu, checkpoint)
        located += found
        refused += problems
    return Discovery(tuple(located), tuple(refused))


def csu_folders(cohort: Path) -> list[Path]:
    """Every CSU folder of a cohort (by the layout rules), including those with no submission yet."""
    return list(read_cohort(Path(cohort)).csus)


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
    "Discovery",
    "Located",
    "Problem",
    "SubmissionInvalid",
    "csu_folders",
    "discover",
    "load_submission",
    "locate_issue",
]
