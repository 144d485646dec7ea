"""Issue 16: the reports as LibreOffice lays them out (what a PDF copy shows). One report per outcome and the cohort
summary, converted in one LibreOffice start, then read page by page with poppler's `pdftotext`:

- page 1 is the decision, whole: it ends with the sign-off block and the report's reference, and the contents
  start page 2;
- the contents give each section's page number, and it is the page the section starts on;
- no heading is the last thing on a page (each is kept with what follows it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from csu_assure.render.word import pdf, write_assessment_report, write_cohort_report
from csu_assure.render.word.view import ReportContext
from csu_assure.results import Assessment, AssessmentSummary
from tests.render.reading import headings
from tests.render.test_assessment_report import BY_OUTCOME

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        pdf.find_soffice() is None or shutil.which("pdftotext") is None,
        reason="LibreOffice or poppler not installed; run scripts/install-system-deps.sh",
    ),
]

DOT_LEADER = re.compile(r"^(?P<title>.+?)\s*\.{3,}\s*(?P<page>\d+)$")


def _pages(path: Path) -> list[list[str]]:
    """Each page's lines, without the running header and footer (the marking and "… Page x of y")."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = []
    for page in text.split("\f")[:-1]:
        lines = [" ".join(line.split()) for line in page.splitlines()]
        lines = [ln for ln in lines if ln and not re.search(r"Page \d+ of \d+$", ln) and ln != MARKING]
        pages.append(lines)
    return pages


MARKING = "RESTRICTED – COMMERCIAL"


@pytest.fixture(scope="module")
def laid_out(
    example_records: Callable[[str], list[Assessment]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Path, list[list[str]]]]:
    out = tmp_path_factory.mktemp("pdf")
    docs: dict[str, Path] = {}
    for case, (csu, checkpoint) in BY_OUTCOME.items():
        records = example_records(csu)
        previous = records[checkpoint - 2] if checkpoint > 1 else None
        docs[case] = write_assessment_report(
            records[checkpoint - 1],
            out / f"{case.replace(' ', '-')}.docx",
            context=ReportContext(previous=previous),
        )
    cohort = [
        AssessmentSummary.of(r[-1])
        for r in (
            example_records(c) for c in ("arden", "dales-moor", "exe-estuary", "marsh-lane", "wear-side")
        )
    ]
    docs["cohort"] = write_cohort_report(cohort, out / "cohort.docx", title="Five CSUs")
    made = pdf.convert_to_pdf(list(docs.values()))
    assert [m.error for m in made] == [""] * len(made)
    return {case: (doc, _pages(doc.with_suffix(".pdf"))) for case, doc in docs.items()}


@pytest.mark.parametrize("case", sorted(BY_OUTCOME))
def test_page_one_holds_the_whole_decision(
    case: str, laid_out: dict[str, tuple[Path, list[list[str]]]]
) -> None:
    _, pages = laid_out[case]
    first = " ".join(pages[0])
    assert "Decision: " in first
    assert "Distribution" in first and "CSU means commissioning support unit." in " ".join(pages[0][-3:])
    if case != "not_submitted":
        assert pages[1][0] == "Contents"
    else:
        assert len(pages) <= 2


@pytest.mark.parametrize("case", [*sorted(k for k in BY_OUTCOME if k != "not_submitted"), "cohort"])
def test_the_contents_give_the_page_each_section_starts_on(
    case: str, laid_out: dict[str, tuple[Path, list[list[str]]]]
) -> None:
    doc, pages = laid_out[case]
    listed = [h for level, h in headings(doc) if level == 1]
    where = 1 if case != "cohort" else 0
    entries = {}
    for line in pages[where]:
        found = DOT_LEADER.match(line)
        if found:
            entries[found["title"]] = int(found["page"])
    assert list(entries) == listed
    for title, page in entries.items():
        assert title in pages[page - 1], f"{title!r} is not on page {page}"


def test_page_one_of_every_example_report_holds_the_whole_decision(example_run: Path, tmp_path: Path) -> None:
    """All 61 reports of the example cohort: page 1 ends with the sign-off block and the note on the term CSU."""
    reports = sorted(p for p in example_run.rglob("*-report.docx") if "cohort-report" not in p.name)
    copies = []
    for report in reports:  # converted beside copies, so the run's own folder is left as the CLI wrote it
        copies.append(tmp_path / report.name)
        shutil.copy(report, copies[-1])
    made = pdf.convert_to_pdf(copies)
    assert [m.error for m in made] == [""] * len(reports)
    spilled = [
        m.document.name
        for m in made
        if m.pdf is not None and "CSU means commissioning support unit." not in " ".join(_pages(m.pdf)[0])
    ]
    assert spilled == []


@pytest.mark.parametrize("case", [*sorted(BY_OUTCOME), "cohort"])
def test_no_heading_is_the_last_line_of_a_page(
    case: str, laid_out: dict[str, tuple[Path, list[list[str]]]]
) -> None:
    doc, pages = laid_out[case]
    titles = [" ".join(h.split()) for _, h in headings(doc)]
    stranded = []
    for number, lines in enumerate(pages[:-1], start=1):
        tail = " ".join(lines[-3:])
        stranded += [f"page {number}: {t!r}" for t in titles if tail.endswith(t)]
    assert stranded == []
