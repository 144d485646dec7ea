"""The per-CSU report, read back with python-docx: decision, RAG table, charts, plan, provenance."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest
from docx import Document

from csu_assure import synthetic
from csu_assure.domain import Outcome
from csu_assure.render.word import write_assessment_report
from csu_assure.render.word.build import _save_atomically
from csu_assure.render.word.view import DOMAIN_LABELS
from csu_assure.results import Assessment
from tests.render.conftest import all_text, escalated_record


def _rag_table(doc: object) -> object:
    return next(t for t in doc.tables if t.rows[0].cells[0].text == "Domain")  # type: ignore[attr-defined]


@pytest.mark.parametrize("checkpoint", [1, 2, 3])
def test_baseline_report_reads_back(
    checkpoint: int, assess_raw: Callable[..., Assessment], tmp_path: Path
) -> None:
    a = assess_raw(synthetic.baseline(csu_id=f"base-{checkpoint}", checkpoint=checkpoint))
    path = write_assessment_report(a, tmp_path / "report.docx")

    assert path == tmp_path / "report.docx"
    text = all_text(path)
    assert f"Decision: {a.outcome.label}" in text
    assert a.checkpoint.title in text
    doc = Document(str(path))
    rag_rows = _rag_table(doc).rows[1:]
    assert [r.cells[0].text for r in rag_rows] == [DOMAIN_LABELS[d] for d in a.domains]
    assert [r.cells[1].text for r in rag_rows] == [a.domains[d].value.capitalize() for d in a.domains]
    for item in a.provenance.inputs:
        assert item.sha256 in text and item.path in text
    assert a.provenance.ruleset_sha256 in text
    charts = len(doc.inline_shapes)
    # Checkpoint 1 has a price but no financial plan or interviews; later checkpoints chart all three.
    assert charts == (1 if checkpoint == 1 else 3)
    if checkpoint == 1:
        assert "Chart not shown" in text


def test_escalated_b_explains_why(tmp_path: Path) -> None:
    a = escalated_record()
    text = all_text(write_assessment_report(a, tmp_path / "b.docx"))

    assert "Decision: B — proceed, issues need rapid management — escalation required" in text
    assert "Escalation: exactly one domain failed at checkpoint 2" in text
    assert "Leadership failed: No prospective leader interviewed [CP2-LEA-01]" in text
    assert "CCGs interviewed have low confidence [CP2-CUS-02]" in text
    assert "Income does not reconcile (insufficient evidence) [CP2-CUS-05]" in text
    assert f"{len(a.conditions)} conditions are attached" in text
    assert "This report has been moderated." in text


def test_overrides_waivers_and_plan_are_listed(tmp_path: Path) -> None:
    a = escalated_record()
    doc = Document(str(write_assessment_report(a, tmp_path / "b.docx")))
    text = all_text(tmp_path / "b.docx")

    adjustments = next(t for t in doc.tables if t.rows[0].cells[0].text == "Check" and len(t.columns) == 7)
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in adjustments.rows[1:]}
    assert rows["CP2-BUS-01"][1:5] == ["Override", "Fail", "Pass", "Sam Moderator"]
    assert rows["CP2-CUS-01"][1:4] == ["Waiver", "Fail", "Waived"]
    assert "expires 30 June 2012" in rows["CP2-CUS-01"][6]
    assert "Computed result" in text and "Overridden to Pass by Sam Moderator" in text

    plan = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][:2] == ["Check", "Action"])
    assert len(plan.rows) - 1 == len(a.development_plan)
    assert "31 August 2012" in plan.rows[1].cells[3].text


def test_evidence_is_capped_with_a_count_of_the_rest(tmp_path: Path) -> None:
    text = all_text(write_assessment_report(escalated_record(), tmp_path / "b.docx"))
    doc = Document(str(tmp_path / "b.docx"))

    evidence = next(t for t in doc.tables if t.rows[0].cells[0].text == "ccg id")
    assert len(evidence.rows) == 1 + 20
    assert "Evidence (first 20 of 27 rows)" in text
    assert "… and 7 more rows in the assessment record." in text


def test_not_submitted_record_renders_without_charts(not_submitted: Assessment, tmp_path: Path) -> None:
    assert not_submitted.figures is None and not_submitted.outcome is Outcome.NOT_SUBMITTED
    path = write_assessment_report(not_submitted, tmp_path / "late.docx")
    text = all_text(path)

    assert "Decision: Fail — not submitted" in text
    assert "No submission was received from Late CSU" in text
    assert text.count("Chart not shown: nothing was submitted.") == 3
    assert "No input files: nothing was submitted." in text
    assert len(Document(str(path)).inline_shapes) == 0


def test_toc_page_numbers_marking_and_update_on_open(tmp_path: Path) -> None:
    path = write_assessment_report(escalated_record(), tmp_path / "b.docx", marking="OFFICIAL: TEST MARKING")
    with zipfile.ZipFile(path) as z:
        document = z.read("word/document.xml").decode()
        settings = z.read("word/settings.xml").decode()
        footers = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/footer"))
        headers = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/header"))

    assert 'TOC \\o "1-2"' in document
    assert '<w:updateFields w:val="true"/>' in settings
    assert " PAGE " in footers and " NUMPAGES " in footers
    assert "OFFICIAL: TEST MARKING" in headers and "OFFICIAL: TEST MARKING" in footers
    doc = Document(str(path))
    assert doc.core_properties.category == "OFFICIAL: TEST MARKING"
    assert doc.core_properties.author == "Jo Bloggs (BDU)"


def test_default_marking_is_official_sensitive_commercial(tmp_path: Path) -> None:
    text = all_text(write_assessment_report(escalated_record(), tmp_path / "b.docx"))
    assert "OFFICIAL-SENSITIVE: COMMERCIAL" in text


class _CrashingDocument:
    """Writes half a file, then fails, as a full disk or a killed process would."""

    def save(self, handle: BinaryIO) -> None:
        handle.write(b"PK\x03\x04 half a zip")
        raise OSError("No space left on device")


def test_a_crash_while_saving_keeps_the_previous_report(tmp_path: Path) -> None:
    target = write_assessment_report(escalated_record(), tmp_path / "out" / "b.docx")
    before = target.read_bytes()

    with pytest.raises(OSError, match="No space left"):
        _save_atomically(_CrashingDocument(), target)

    assert target.read_bytes() == before
    assert [p.name for p in target.parent.iterdir()] == ["b.docx"]  # no temporary file left behind
    Document(str(target))  # still a valid document


def test_a_crash_while_saving_a_new_report_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        _save_atomically(_CrashingDocument(), tmp_path / "new.docx")
    assert list(tmp_path.iterdir()) == []
