"""Reports open in a real word processor: LibreOffice converts them to PDF with a sensible page count."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from csu_assure.render.word import write_assessment_report, write_cohort_report
from csu_assure.results import Assessment
from tests.render.conftest import escalated_record

pytestmark = pytest.mark.slow

SOFFICE = shutil.which("soffice")
PDFINFO = shutil.which("pdfinfo")


def _to_pdf(docx: Path, out: Path) -> Path:
    if SOFFICE is None or PDFINFO is None:
        pytest.skip(
            "LibreOffice (soffice) or poppler (pdfinfo) not installed; run scripts/install-system-deps.sh"
        )
    profile = out / "lo-profile"  # own profile per process, so parallel runs never share a lock
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = out / f"{docx.stem}.pdf"
    assert pdf.exists(), f"LibreOffice produced no PDF for {docx.name}"
    return pdf


def _pages(pdf: Path) -> int:
    info = subprocess.run([PDFINFO or "pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert match, info
    return int(match.group(1))


def test_assessment_report_converts_to_pdf(tmp_path: Path, not_submitted: Assessment) -> None:
    report = write_assessment_report(escalated_record(), tmp_path / "rapid.docx")
    late = write_assessment_report(not_submitted, tmp_path / "late.docx")
    # The decision page, then findings, checks, evidence, plan and provenance: a handful of pages, not one or a
    # hundred; a CSU that submitted nothing gets the decision page and one page more.
    assert 3 <= _pages(_to_pdf(report, tmp_path)) <= 12
    assert 1 <= _pages(_to_pdf(late, tmp_path)) <= 2


def test_cohort_report_converts_to_pdf(tmp_path: Path, not_submitted: Assessment) -> None:
    report = write_cohort_report(
        [escalated_record(), not_submitted], tmp_path / "cohort.docx", title="Cohort"
    )
    assert 1 <= _pages(_to_pdf(report, tmp_path)) <= 12
