"""PDF copies of written reports, rendered by LibreOffice (`soffice --headless --convert-to pdf`).

Each call runs one `soffice` with a profile of its own (`-env:UserInstallation`): two conversions sharing a
profile fail silently or hang, and a batch of a cohort, a worker on another machine or a second command may
convert at the same moment. A call converts all its documents in one `soffice` start (about 2 s of start-up,
then a fraction of a second a report), into a scratch folder beside them, and moves each PDF next to its .docx
in one step: a reader finds the old PDF or the new one, never half of one. A document LibreOffice could not
convert is named, not skipped in silence.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SOFFICE_NAMES = ("soffice", "libreoffice")
DEFAULT_TIMEOUT_S = 600.0


class PdfUnavailable(Exception):
    """LibreOffice is not installed, so no PDF can be made."""


@dataclass(frozen=True)
class PdfResult:
    """What became of one report: its PDF, or why there is none."""

    document: Path
    pdf: Path | None
    error: str = ""


def find_soffice() -> str | None:
    return next((found for name in SOFFICE_NAMES if (found := shutil.which(name))), None)


def require_soffice() -> str:
    found = find_soffice()
    if found is None:
        raise PdfUnavailable(
            "PDF copies need LibreOffice, which is not installed: install Debian's libreoffice-writer-nogui "
            "(scripts/install-system-deps.sh does) or run without --pdf"
        )
    return found


def convert_to_pdf(documents: Sequence[Path], *, timeout_s: float = DEFAULT_TIMEOUT_S) -> list[PdfResult]:
    """A PDF next to each document (`x.docx` → `x.pdf`), one result per document, in order."""
    documents = [Path(d).resolve() for d in documents]
    if not documents:
        return []
    soffice = require_soffice()
    results: dict[Path, PdfResult] = {}
    for group in _unique_stems(documents):
        results |= _convert_group(soffice, group, timeout_s)
    return [results[d] for d in documents]


def _unique_stems(documents: Sequence[Path]) -> list[list[Path]]:
    """Groups in which no two documents share a file name stem: LibreOffice names each PDF after its stem in
    one output folder."""
    groups: list[list[Path]] = []
    for document in dict.fromkeys(documents):
        target = next((g for g in groups if all(d.stem != document.stem for d in g)), None)
        if target is None:
            groups.append(target := [])
        target.append(document)
    return groups


def _convert_group(soffice: str, documents: list[Path], timeout_s: float) -> dict[Path, PdfResult]:
    # Scratch space on the same file system as the documents, so each PDF is renamed into place, not copied.
    base = Path(os.path.commonpath([d.parent for d in documents]))
    scratch = Path(tempfile.mkdtemp(prefix=".pdf-", dir=base))
    profile = scratch / "profile"
    rendered = scratch / "pdf"
    try:
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            # Reports are always Word documents: without a fixed import filter LibreOffice would take a damaged
            # one for plain text and make a PDF of its bytes.
            "--infilter=MS Word 2007 XML",
            "--convert-to",
            "pdf",
            "--outdir",
            str(rendered),
            *map(str, documents),
        ]
        failure = _run(command, timeout_s)
        results = {}
        for document in documents:
            made = rendered / f"{document.stem}.pdf"
            if failure or not _is_pdf(made):
                why = failure or "LibreOffice wrote no PDF for it"
                results[document] = PdfResult(document, None, f"{document.name}: {why}")
                continue
            target = document.with_suffix(".pdf")
            os.replace(made, target)
            results[document] = PdfResult(document, target)
        return results
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _run(command: list[str], timeout_s: float) -> str:
    """Run `soffice`; '' on success, else what went wrong. Its whole process group goes on a timeout, since
    `soffice` starts a child (`soffice.bin`) that would outlive it."""
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        output, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return f"LibreOffice did not finish within {timeout_s:.0f} s"
    if process.returncode != 0:
        tail = output.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return f"LibreOffice exited with code {process.returncode} {tail[0]}".strip()
    return ""


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False


__all__ = ["PdfResult", "PdfUnavailable", "convert_to_pdf", "find_soffice", "require_soffice"]
