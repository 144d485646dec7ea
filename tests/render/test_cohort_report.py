"""The cohort summary: counts by decision, RAG per domain per CSU, and the key-figure chart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document

from csu_assure import synthetic
from csu_assure.render.word import write_cohort_report
from csu_assure.results import Assessment
from tests.render.conftest import all_text, escalated_record


def test_cohort_report_counts_decisions_and_colours_domains(
    assess_raw: Callable[..., Assessment], not_submitted: Assessment, tmp_path: Path
) -> None:
    passing = assess_raw(synthetic.baseline(csu_id="north-csu", csu_name="North CSU", checkpoint=2))
    escalated = escalated_record()
    cohort = [passing, escalated, not_submitted]
    path = write_cohort_report(cohort, tmp_path / "cohort.docx", title="Checkpoint 2 cohort, May 2012")
    doc = Document(str(path))
    text = all_text(path)

    assert "Checkpoint 2 cohort, May 2012" in text
    assert "This summary covers 3 assessments" in text
    counts = next(t for t in doc.tables if t.rows[0].cells[0].text == "Decision")
    by_decision = {r.cells[0].text: r.cells[1].text for r in counts.rows[1:]}
    assert by_decision[passing.outcome.label] == "1"
    assert by_decision[escalated.outcome.label] == "1"
    assert by_decision["Fail — not submitted"] == "1"
    assert by_decision["Total"] == "3"

    csus = next(t for t in doc.tables if t.rows[0].cells[0].text == "CSU")
    header = [c.text for c in csus.rows[0].cells]
    rows = {r.cells[0].text.split("\n")[0]: [c.text for c in r.cells] for r in csus.rows[1:]}
    assert set(rows) == {"North CSU", "Rapid CSU", "Late CSU"}
    assert rows["Rapid CSU"][1] == "B — proceed, issues need rapid management (escalation)"
    assert rows["Rapid CSU"][header.index("Leadership")] == "Fail"
    assert rows["Rapid CSU"][header.index("Customer focus")] == "Marginal"
    assert rows["Rapid CSU"][header.index("Business plan")] == "Pass"
    assert "1 escalation flagged" in text
    assert len(doc.inline_shapes) == 4  # population, price, capture and surplus: one chart each
    assert "Not charted (no submission): Late CSU." in text


def test_cohort_with_only_not_submitted_has_no_chart(not_submitted: Assessment, tmp_path: Path) -> None:
    path = write_cohort_report([not_submitted], tmp_path / "c.docx", title="Stragglers")
    assert "Chart not shown" in all_text(path)
    assert len(Document(str(path)).inline_shapes) == 0


def test_empty_cohort_renders(tmp_path: Path) -> None:
    text = all_text(write_cohort_report([], tmp_path / "empty.docx", title="Nobody"))
    assert "nothing to summarise" in text


def test_mixed_checkpoints_get_one_section_each(
    assess_raw: Callable[..., Assessment], tmp_path: Path
) -> None:
    cohort = [assess_raw(synthetic.baseline(csu_id=f"mixed-{n}", checkpoint=n)) for n in (1, 3)]
    text = all_text(write_cohort_report(cohort, tmp_path / "mixed.docx", title="Mixed"))
    assert "Checkpoint 1 — outline plan" in text and "Checkpoint 3 — full business plan" in text


def test_a_large_cohort_lists_the_first_csus_by_name_and_counts_the_rest(
    assess_raw: Callable[..., Assessment], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from csu_assure.render.word import view

    monkeypatch.setattr(view, "COHORT_TABLE_ROWS", 2)
    cohort = [
        assess_raw(synthetic.baseline(csu_id=f"csu-{i}", csu_name=f"CSU {i}", checkpoint=1)) for i in range(4)
    ]
    path = write_cohort_report(cohort, tmp_path / "big.docx", title="Big")
    doc = Document(str(path))
    csus = next(t for t in doc.tables if t.rows[0].cells[0].text == "CSU")
    assert [r.cells[0].text.split("\n")[0] for r in csus.rows[1:]] == ["CSU 0", "CSU 1"]
    counts = next(t for t in doc.tables if t.rows[0].cells[0].text == "Decision")
    assert {r.cells[0].text: r.cells[1].text for r in counts.rows[1:]}["Total"] == "4"
    assert "The first 2 CSUs by name are listed; 2 more are counted above" in all_text(path)
