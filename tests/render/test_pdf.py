"""PDF copies through LibreOffice: conversions at the same moment each use their own profile, a document that
cannot be converted is named, and a machine without LibreOffice gets a clear error that undoes nothing."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checks import catalogue as shipped_catalogue
from cli import app
from csu_assure import service
from csu_assure.domain import Checkpoint
from csu_assure.render.word import pdf, write_assessment_report
from csu_assure.results import Assessment
from csu_assure.settings import Settings
from tests.flows.cohort_data import write_cohort
from tests.render.conftest import escalated_record

needs_libreoffice = pytest.mark.skipif(
    pdf.find_soffice() is None or shutil.which("pdftotext") is None,
    reason="LibreOffice or poppler not installed; run scripts/install-system-deps.sh",
)


def _text(path: Path) -> str:
    """The PDF's text with its line breaks folded, as a reader would quote it."""
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(out.split())


@pytest.mark.slow
@needs_libreoffice
def test_two_conversions_at_once_each_get_their_pdfs(tmp_path: Path, not_submitted: Assessment) -> None:
    rapid = write_assessment_report(escalated_record(), tmp_path / "a" / "rapid.docx")
    late = write_assessment_report(not_submitted, tmp_path / "b" / "late.docx")
    results: dict[str, list[pdf.PdfResult]] = {}
    threads = [
        threading.Thread(target=lambda d=d: results.update({d.stem: pdf.convert_to_pdf([d])}))
        for d in (rapid, late)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert [r.error for r in results["rapid"] + results["late"]] == ["", ""]
    assert results["rapid"][0].pdf == rapid.with_suffix(".pdf")
    assert "Decision: B — proceed, issues need rapid management" in _text(rapid.with_suffix(".pdf"))
    assert "Late CSU" in _text(late.with_suffix(".pdf"))
    # The scratch folders (profile and output) are gone; only the reports and their PDFs remain.
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        "late.docx",
        "late.pdf",
        "rapid.docx",
        "rapid.pdf",
    ]


@pytest.mark.slow
@needs_libreoffice
def test_a_broken_document_is_named_and_the_rest_still_converted(tmp_path: Path) -> None:
    good = write_assessment_report(escalated_record(), tmp_path / "one" / "report.docx")
    same_name = write_assessment_report(escalated_record(), tmp_path / "two" / "report.docx")
    broken = tmp_path / "three" / "broken.docx"
    broken.parent.mkdir()
    broken.write_bytes(b"this is not a Word document")
    results = pdf.convert_to_pdf([good, broken, same_name])
    assert [r.document for r in results] == [good, broken, same_name]
    assert results[0].pdf == good.with_suffix(".pdf") and results[2].pdf == same_name.with_suffix(".pdf")
    assert results[1].pdf is None and results[1].error.startswith("broken.docx: ")
    assert not broken.with_suffix(".pdf").exists()


def test_without_libreoffice_the_assessment_stands_and_the_outcome_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    config = service.configure(
        Settings(out_dir=tmp_path / "out", assessor="Test Assessor"), shipped_catalogue()
    )
    cohort = write_cohort(tmp_path / "cohort", ("alpha",))
    [outcome] = service.assess_batch(
        [cohort / "alpha"], Checkpoint.OUTLINE_PLAN, config, service.Options(pdf=True)
    )
    assert outcome.disposition == "assessed" and outcome.assessment is not None
    assert config.register.latest("alpha", 1) == outcome.assessment
    assert outcome.pdf is None and "need LibreOffice" in outcome.pdf_error


def test_cli_pdf_without_libreoffice_exits_1_before_assessing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    cohort = write_cohort(tmp_path / "cohort", ("alpha",))
    result = CliRunner().invoke(
        app, ["cohort", str(cohort), "-c", "1", "--out", str(tmp_path / "out"), "--no-prefect", "--pdf"]
    )
    assert result.exit_code == 1
    assert "PDF copies need LibreOffice" in result.stderr
    assert not (tmp_path / "out").exists()  # nothing assessed, nothing written
