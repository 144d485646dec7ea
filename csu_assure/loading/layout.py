"""How submissions are laid out on disk, and the one identity rule: a CSU folder's name is its CSU id.

```
<cohort>/                 one folder per CSU (nothing else is read but cohort.yaml)
  cohort.yaml             optional: the cohort's name, the title of its summary report
  <csu-id>/               the name is the CSU id: a-z, 0-9 and hyphens (what `csu_id` in its plans must say)
    cp1/  cp2/  cp3/      a checkpoint as a folder (business_plan.yaml + CSVs) ...
    cp2.xlsx              ... or as one workbook; never both for one checkpoint
```

Everything else is refused with a located problem rather than guessed at: a CSU folder that is a link (it could
be any CSU's folder), a checkpoint folder or workbook that links outside its CSU folder, a folder whose name is not a
CSU id, a folder that holds no checkpoint submission but something else (an archive holding a nested copy of a
CSU: it is not read), a stray file beside the CSU folders, an entry of a CSU folder that is not a checkpoint
submission, a workbook in a form the loader does not read (`.xlsm`, `.xls`, `.ods`...), and a checkpoint given
both as a folder and as a workbook.

Hidden entries are ignored everywhere, by one rule: a name starting with `.` (`.DS_Store`, editor swap files) or
`~$` (the lock file Office writes beside an open workbook). Notes (`*.md`, `*.txt`: a README, the sources of a
worked example) are also ignored beside the CSU folders and beside a CSU's submissions, but not inside a
checkpoint folder, where every file must be a table. Nothing ignored is read, hashed or judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from csu_assure.domain import Checkpoint
from csu_assure.loading.problems import Problem, visible

CSU_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")  # as `submission.CsuId`
WORKBOOK_SUFFIX = ".xlsx"
# Spreadsheet forms a submitter may try that the loader does not read: each is named, never silently skipped.
REFUSED_FORMS = (".xlsm", ".xls", ".xlsb", ".xltx", ".xltm", ".ods", ".csv", ".numbers")
_CHECKPOINT_NAME = re.compile(r"^cp([123])$")


NOTE_SUFFIXES = (".md", ".txt")
# The one file a cohort folder may hold besides its CSU folders: the cohort's settings (`cohort_file.py`).
COHORT_FILE = "cohort.yaml"


def is_hidden(name: str) -> bool:
    """Ignored everywhere: dot files and Office's `~$` lock files."""
    return name.startswith((".", "~$"))


def _ignored(name: str) -> bool:
    """Ignored in a cohort folder and a CSU folder: hidden entries and notes."""
    return is_hidden(name) or name.lower().endswith(NOTE_SUFFIXES)


def _shown(path: Path) -> str:
    return visible(str(path))


@dataclass(frozen=True)
class CohortLayout:
    """A cohort folder as read: its CSU folders, what was refused (each with why) and what was skipped."""

    csus: tuple[Path, ...]
    refused: tuple[Problem, ...]
    skipped: tuple[Path, ...] = ()  # e.g. the output folder, when it lies inside the cohort
    settings: Path | None = None  # the cohort's `cohort.yaml`, when it has one


def csu_folder_problem(path: Path) -> Problem | None:
    """Why `path` cannot be a CSU folder, or None when it can."""
    path = Path(path)
    if path.is_symlink():
        return Problem(
            _shown(path), "", "is a link: a CSU folder must hold its own files (copy the folder in); not read"
        )
    if not path.is_dir():
        return Problem(_shown(path), "", "is not a folder: a cohort holds one folder per CSU; not read")
    if not CSU_ID_PATTERN.match(path.name):
        return Problem(
            _shown(path),
            "",
            "is not a CSU id: the folder name is the CSU's id (lower-case letters, digits and hyphens, e.g. "
            "'north-vale'); rename it; not read",
        )
    entries = [e for e in path.iterdir() if not _ignored(e.name)]
    if entries and not any(_checkpoint_of(e.name) is not None for e in entries):
        nested = sorted(
            e.name for e in entries if e.is_dir() and any(_checkpoint_of(c.name) for c in e.iterdir())
        )
        hint = (
            f" (it holds the CSU folder(s) {', '.join(nested)} nested inside, which are not read)"
            if nested
            else ""
        )
        return Problem(
            _shown(path),
            "",
            "holds no checkpoint submission (cp1/, cp2/, cp3/ or cpN.xlsx)" + hint + "; not read as a CSU",
        )
    return None


def read_cohort(cohort: Path, *, skip: Iterable[Path] = ()) -> CohortLayout:
    """The CSU folders of `cohort`, in name order, and every other entry refused with a located problem. Folders
    in `skip` (the output folder) are left out with a note, not a problem."""
    cohort = Path(cohort)
    skipped_paths = {Path(s).resolve() for s in skip}
    csus: list[Path] = []
    refused: list[Problem] = []
    skipped: list[Path] = []
    settings: Path | None = None
    for entry in sorted(cohort.iterdir()):
        if _ignored(entry.name):
            continue
        if entry.name == COHORT_FILE and not entry.is_symlink() and entry.is_file():
            settings = entry  # read (and its problems named) by `cohort_file.read_cohort_settings`
            continue
        if not entry.is_symlink() and entry.resolve() in skipped_paths:
            skipped.append(entry)
            continue
        problem = csu_folder_problem(entry)
        if problem is None:
            csus.append(entry)
        else:
            refused.append(problem)
    return CohortLayout(tuple(csus), tuple(refused), tuple(skipped), settings)


def _checkpoint_of(name: str) -> Checkpoint | None:
    """The checkpoint a CSU-folder entry is named for (`cp2`, `cp2.xlsx`, `cp2.xlsm`...), if any."""
    stem = name.split(".", 1)[0]
    match = _CHECKPOINT_NAME.match(stem)
    return Checkpoint(int(match.group(1))) if match else None


@dataclass(frozen=True)
class Found:
    """What a CSU folder holds for one checkpoint: the submission to load, or why none can be (each problem
    located), or nothing (`path` None and no problems: not submitted)."""

    path: Path | None
    problems: tuple[Problem, ...] = ()


def find_submission(csu_dir: Path, checkpoint: Checkpoint) -> Found:
    """The CSU's submission for `checkpoint`: folder `cpN/` or workbook `cpN.xlsx`, exactly one of them."""
    csu_dir = Path(csu_dir)
    name = f"cp{int(checkpoint)}"
    entries = [e for e in csu_dir.iterdir() if not is_hidden(e.name) and _checkpoint_of(e.name) == checkpoint]
    problems: list[Problem] = []
    usable: list[Path] = []
    for entry in sorted(entries):
        shown = _shown(entry)
        suffix = entry.name[len(name) :].lower()
        if entry.is_symlink() and not _stays_inside(entry, csu_dir):
            kind = "folder" if entry.is_dir() else "file"
            problems.append(
                Problem(
                    shown,
                    "",
                    f"is a link to a {kind} outside the CSU folder; refusing to read it (copy the files in)",
                )
            )
        elif suffix == "" and entry.is_dir():
            if any(not is_hidden(e.name) for e in entry.iterdir()):  # an empty folder is not a submission yet
                usable.append(entry)
        elif suffix == WORKBOOK_SUFFIX and entry.is_file():
            usable.append(entry)
        elif suffix in REFUSED_FORMS:
            problems.append(
                Problem(
                    shown,
                    "",
                    f"is a {suffix} file, which is not read: save the workbook as .xlsx (Excel Workbook, no macros)",
                )
            )
        else:
            problems.append(
                Problem(
                    shown, "", f"is not a checkpoint submission: expected the folder {name}/ or {name}.xlsx"
                )
            )
    if len(usable) > 1:
        problems.append(
            Problem(
                _shown(csu_dir),
                name,
                f"checkpoint {int(checkpoint)} is submitted twice, as {' and '.join(p.name for p in usable)}: "
                "keep one",
            )
        )
    if problems:
        return Found(None, tuple(problems))
    return Found(usable[0] if usable else None)


def _stays_inside(link: Path, folder: Path) -> bool:
    """A link whose target lies inside `folder` (a draft kept beside it): nothing outside is read through it."""
    try:
        return link.resolve(strict=True).is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a loop or a missing target: read, it is refused with its own message
        return True


def stray_entries(csu_dir: Path) -> tuple[Problem, ...]:
    """Entries of a CSU folder that are not checkpoint submissions (not read; reported)."""
    return tuple(
        Problem(
            _shown(entry),
            "",
            "is not a checkpoint submission (cp1/, cp2/, cp3/ or cpN.xlsx): not read",
        )
        for entry in sorted(Path(csu_dir).iterdir())
        if not _ignored(entry.name) and _checkpoint_of(entry.name) is None
    )
