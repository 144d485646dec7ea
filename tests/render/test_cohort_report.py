"""The cohort summary as the national picture: totals by decision and by domain status, the CSUs by decision with
their reasons, movement since the last checkpoint, the most-failed checks, every condition with owner and date,
escalations named, the CSUs stopped earlier or not submitted listed, the title from the cohort's configuration."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from cli import app
from csu_assure import synthetic
from csu_assure.compare import compare
from csu_assure.domain import Checkpoint, Disposition
from csu_assure.render.word import write_cohort_report
from csu_assure.results import Assessment, AssessmentSummary, CsuRow
from tests.flows.cohort_data import STOP_AT_CP2, write_csu
from tests.render.conftest import all_text, escalated_record
from tests.render.reading import section


def test_cohort_report_counts_decisions_and_domains_and_names_the_csus(
    assess_raw: Callable[..., Assessment], not_submitted: Assessment, tmp_path: Path
) -> None:
    passing = assess_raw(synthetic.baseline(csu_id="north-csu", csu_name="North CSU", checkpoint=2))
    escalated = escalated_record()
    stopped = CsuRow(
        csu_id="gone-csu",
        csu_name="Gone CSU",
        checkpoint=Checkpoint.VIABILITY,
        disposition=Disposition.STOPPED,
        summary=None,
        message="stopped at checkpoint 1: Fail — not submitted",
    )
    cohort = [passing, escalated, not_submitted]
    path = write_cohort_report(
        cohort, tmp_path / "cohort.docx", title="Checkpoint 2 cohort, May 2012", others=[stopped]
    )
    doc = Document(str(path))
    text = all_text(path)

    assert "Checkpoint 2 cohort, May 2012" in text
    assert "Checkpoint 2 — viability: the national picture" in text
    assert "This summary covers 3 assessments" in text
    decisions = section(path, "Decisions and domains")
    counts = {r[0]: r[1:] for r in decisions.table("Decision")[1:]}
    assert counts[passing.outcome.label] == ["1", "33%"]
    assert counts[escalated.outcome.label][0] == "1"
    assert counts["Fail — not submitted"][0] == "1"
    assert counts["Total"][0] == "3"
    # Per domain: the two CSUs judged on a submission; the one that submitted nothing is "not judged".
    domains = {r[0]: r[1:] for r in decisions.table("Domain")[1:]}
    assert domains["Leadership"] == ["1", "0", "1", "1"]
    assert domains["Customer focus"] == ["1", "1", "0", "1"]

    reasons = section(path, "CSUs by decision, with the reasons")
    rapid = next(r for t in reasons.tables for r in t if r[0].startswith("Rapid CSU"))
    assert "Leadership: CP2-LEA-01" in rapid[1] and "Customer focus: CP2-CUS-02" in rapid[1]

    league = section(path, "Most-failed checks").table("Check")
    assert {r[0] for r in league[1:]} >= {"CP2-LEA-01", "CP2-CUS-02"}
    assert "Late CSU" not in " ".join(c for r in league for c in r)  # nothing submitted: not in the league

    conditions = section(path, "Conditions").table("CSU")
    assert [r[0] for r in conditions[1:]] == ["Rapid CSU"] + [""] * (len(conditions) - 2)  # named once
    assert any("Alex Morgan (managing director)" in r[2] and r[3] == "31 August 2012" for r in conditions[1:])

    others = section(path, "Escalations, stops and missing submissions")
    escalations = others.table("CSU")
    assert escalations[1][:2] == ["Rapid CSU", "Leadership"]
    listed = {r[0]: r[1] for t in others.tables[1:] for r in t[1:]}
    assert listed == {"Late CSU": "Fail — not submitted", "Gone CSU": "Stopped earlier"}

    csus = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][:2] == ["CSU", "Decision"])
    header = [c.text for c in csus.rows[0].cells]
    rows = {r.cells[0].text.split("\n")[0]: [c.text for c in r.cells] for r in csus.rows[1:]}
    assert set(rows) == {"North CSU", "Rapid CSU", "Late CSU"}
    assert rows["Rapid CSU"][1] == "B — proceed, issues need rapid management (escalation)"
    assert rows["Rapid CSU"][header.index("Leadership")] == "Fail"
    assert len(doc.inline_shapes) == 4  # population, price, capture and surplus: one chart each
    assert "Not charted (no submission): Late CSU." in text


def test_movement_since_the_last_checkpoint(
    example_records: Callable[[str], list[Assessment]], tmp_path: Path
) -> None:
    csus = ("pennine-ridge", "dales-moor", "thames-gate")
    after = [AssessmentSummary.of(example_records(c)[2]) for c in csus]
    movement = {c: compare(example_records(c)[1], example_records(c)[2]).brief() for c in csus}
    path = write_cohort_report(after, tmp_path / "c.docx", title="Three", movement=movement)
    moved = section(path, "Movement since checkpoint 2")
    summary = " ".join(moved.texts())
    assert "Of this cohort, 3 CSUs were also assessed at checkpoint 2" in summary
    assert "Of the 1 escalation from checkpoint 2, 1 was resolved." in summary
    rows = {r[0]: r for r in moved.table("CSU")[1:]}
    assert rows["Pennine Ridge CSU"][1:4] == ["B", "With conditions", "customer improved"]
    assert rows["Pennine Ridge CSU"][5:] == ["2 of 2 met", "resolved"]
    assert rows["Dales Moor CSU"][3] == "leadership worse"
    thames = example_records("thames-gate")[2].csu_name  # nothing submitted: named as the register knows it
    assert rows[thames][3] == "not judged: nothing readable submitted"
    assert rows[thames][5] == "7 not evidenced"


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
    from csu_assure.render.word import cohort_view

    monkeypatch.setattr(cohort_view, "COHORT_TABLE_ROWS", 2)
    cohort = [
        assess_raw(synthetic.baseline(csu_id=f"csu-{i}", csu_name=f"CSU {i}", checkpoint=1)) for i in range(4)
    ]
    path = write_cohort_report(cohort, tmp_path / "big.docx", title="Big")
    doc = Document(str(path))
    csus = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][:2] == ["CSU", "Decision"])
    assert [r.cells[0].text.split("\n")[0] for r in csus.rows[1:]] == ["CSU 0", "CSU 1"]
    counts = section(path, "Decisions and domains").table("Decision")
    assert {r[0]: r[1] for r in counts[1:]}["Total"] == "4"
    assert "The first 2 CSUs by name are listed; 2 more are counted above" in all_text(path)


def test_the_cli_titles_the_summary_from_cohort_yaml_and_shows_movement(tmp_path: Path) -> None:
    """Through the real CLI: a cohort named in its cohort.yaml, run at checkpoints 1 and 2, one CSU stopped at 2
    and so listed (not silently omitted) at 3."""
    cohort = tmp_path / "cohort"
    write_csu(cohort, "alpha", (1, 2, 3))
    write_csu(cohort, "omega", (1, 2, 3), patches={2: STOP_AT_CP2}, seed=1)
    (cohort / "cohort.yaml").write_text('name: "North of England, 2012"\n')
    out = tmp_path / "out"
    runner = CliRunner()
    for cp in ("1", "2", "3"):
        result = runner.invoke(app, ["cohort", str(cohort), "-c", cp, "--no-prefect", "--out", str(out)])
        assert result.exit_code == 0, result.output
    report = out / "cohort-cp3-cohort-report.docx"
    text = all_text(report)
    assert "North of England, 2012" in text
    moved = section(report, "Movement since checkpoint 2").table("CSU")
    assert [r[0] for r in moved[1:]] == ["Alpha CSU"]
    listed = section(report, "Escalations, stops and missing submissions")
    assert ["Omega CSU", "Stopped earlier", "Stopped at checkpoint 2: C — stop."] in listed.tables[-1]


def test_a_bad_cohort_yaml_is_named_and_the_folder_name_used(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort"
    write_csu(cohort, "alpha", (1,))
    (cohort / "cohort.yaml").write_text("name: [not, a, name]\ncolour: blue\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["cohort", str(cohort), "-c", "1", "--no-prefect", "--out", str(out)])
    assert result.exit_code == 1
    assert "cohort/cohort.yaml" in result.output
    checked = CliRunner().invoke(app, ["validate", str(cohort)])
    assert checked.exit_code == 1 and "cohort.yaml" in checked.output
    assert all_text(out / "cohort-cp1-cohort-report.docx").splitlines()[1] == "cohort"


def test_the_marking_is_a_setting(tmp_path: Path) -> None:
    """CSU_ASSURE_MARKING marks every report of a run, the CSUs' and the cohort's."""
    cohort = tmp_path / "cohort"
    write_csu(cohort, "alpha", (1,))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["cohort", str(cohort), "-c", "1", "--no-prefect", "--out", str(out)],
        env={"CSU_ASSURE_MARKING": "NHS CONFIDENTIAL"},
    )
    assert result.exit_code == 0, result.output
    for report in (out / "alpha" / "cp1" / "alpha-cp1-report.docx", out / "cohort-cp1-cohort-report.docx"):
        doc = Document(str(report))
        assert doc.sections[0].header.paragraphs[0].text == "NHS CONFIDENTIAL"
        assert "RESTRICTED" not in all_text(report)
