"""Issue 14, item 3: a name cannot forge the decision on the page. Every text that reaches a single-line place
(the cover's title lines, page headers and footers, headings, table cells meant as one line, chart labels) is
reduced to one line, so a CSU named "X CSU\\nCheckpoint 2 - viability\\nDecision: A - proceed" shows as one
line and never as a line of its own reading "Decision: A". Reproduced before the fix (the forged decision was in
every page footer); run through the real CLI and the cohort report."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import docx
import yaml
from docx.document import Document as DocxDocument
from docx.table import Table
from docx.text.paragraph import Paragraph
from typer.testing import CliRunner

from cli import app
from csu_assure.render.word import write_assessment_report, write_cohort_report
from csu_assure.synthetic import baseline, write_folder
from tests.render.conftest import escalated_record, result

FORGED = "X CSU\nCheckpoint 2 - viability\nDecision: A - proceed"
FORGED_LINES = ("Decision: A", "Checkpoint 2 - viability")
runner = CliRunner()


def _table_paragraphs(table: Table, where: str) -> Iterator[tuple[str, Paragraph]]:
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            for paragraph in cell.paragraphs:
                yield f"{where} table cell ({r}, {c})", paragraph
            for inner in cell.tables:
                yield from _table_paragraphs(inner, f"{where} nested")


def _places(document: DocxDocument) -> Iterator[tuple[str, Paragraph]]:
    """Every paragraph of the document, headers and footers included, with where it is."""
    for paragraph in document.paragraphs:
        yield f"body ({paragraph.style.name if paragraph.style else ''})", paragraph
    for t, table in enumerate(document.tables):
        yield from _table_paragraphs(table, f"table {t}")
    for s, section in enumerate(document.sections):
        for kind in ("header", "footer", "first_page_header", "first_page_footer", "even_page_header"):
            part = getattr(section, kind)
            if part.is_linked_to_previous and s:
                continue
            for paragraph in part.paragraphs:
                yield f"section {s} {kind}", paragraph
            for table in part.tables:
                yield from _table_paragraphs(table, f"section {s} {kind}")


def _forged_lines(report: Path) -> list[str]:
    """Places where the forged name put a line of its own (a paragraph or a line break starting with it)."""
    found = []
    for where, paragraph in _places(docx.Document(str(report))):
        for line in paragraph.text.split("\n"):
            if line.strip().startswith(FORGED_LINES):
                found.append(f"{where}: {line!r}")
    return found


def _one_line_places_with_breaks(report: Path) -> list[str]:
    """Headers, footers, titles and headings holding a line break."""
    found = []
    for where, paragraph in _places(docx.Document(str(report))):
        single = (
            "header" in where or "footer" in where or re.search(r"\((Title|Subtitle|Heading \d)\)", where)
        )
        if single and "\n" in paragraph.text:
            found.append(f"{where}: {paragraph.text!r}")
    return found


def _stopped_csu(cohort: Path, name: str) -> None:
    """A CSU assessed at checkpoint 1, then stopped (C) at checkpoint 2: no agreed development plan."""
    first = baseline("forged", checkpoint=1)
    first.plan["csu_name"] = name
    write_folder(first, cohort / "forged" / "cp1")
    stopped = baseline("forged", checkpoint=2)
    stopped.plan["csu_name"] = name
    stopped.plan["development_plan_agreed"] = False
    write_folder(stopped, cohort / "forged" / "cp2")


def test_a_name_with_line_breaks_is_refused_and_cannot_forge_the_decision_on_any_page(tmp_path: Path) -> None:
    """Through the real CLI: the contract refuses a line break in a name (located), and the report of that invalid
    submission, which still shows the name (so the assessor knows whose it is), shows it on one line."""
    cohort = tmp_path / "cohort"
    _stopped_csu(cohort, FORGED)
    assert (
        yaml.safe_load((cohort / "forged" / "cp2" / "business_plan.yaml").read_text())["csu_name"] == FORGED
    )
    out = tmp_path / "out"

    checked = runner.invoke(app, ["validate", str(cohort)])
    assert checked.exit_code == 1
    assert "csu_name" in checked.output and "must be one line" in checked.output
    result = runner.invoke(app, ["cohort", str(cohort), "-c", "1", "--no-prefect", "--out", str(out)])
    assert result.exit_code == 1 and "must be one line" in result.output, result.output

    for report in (
        out / "forged" / "cp1" / "forged-cp1-report.docx",
        out / "cohort-cp1-cohort-report.docx",
    ):
        text = "\n".join(p.text for _, p in _places(docx.Document(str(report))))
        assert "X CSU Checkpoint 2 - viability Decision: A - proceed" in text  # the name, whole, on one line
        assert _forged_lines(report) == [] and _one_line_places_with_breaks(report) == []


def test_a_record_with_line_breaks_in_its_names_renders_every_single_line_place_as_one_line(
    tmp_path: Path,
) -> None:
    """A record from elsewhere (an older register, an import) is not held to today's contract: the renderer folds
    what reaches a single-line place itself."""
    forged = "\nDecision: A - proceed"
    a = escalated_record(
        csu_name=FORGED,
        provenance=escalated_record().provenance.model_copy(update={"assessor": f"Assessor{forged}"}),
        results=(
            result(
                "CP2-LEA-01",
                escalated_record().results[0].domain,
                name=f"Leadership{forged}",
                evidence=({f"name{forged}": f"NHS One{forged}", "population": "1"},),
            ).model_copy(update={"actual": f"Lee{forged}"}),
            *escalated_record().results[1:],
        ),
    )
    assert a.outcome.label.startswith("B")
    report = write_assessment_report(a, tmp_path / "forged.docx")
    cohort = write_cohort_report([a], tmp_path / "cohort.docx", title=f"Cohort{forged}")

    for path in (report, cohort):
        assert _forged_lines(path) == [], path
        assert _one_line_places_with_breaks(path) == [], path
