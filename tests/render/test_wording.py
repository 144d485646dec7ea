"""Issue 16: every report of the example cohort reads as a BDU document. Run through the real CLI (checkpoints 1 →
2 → 3, as `csu-assure demo --no-prefect` runs them), every CSU report and cohort summary is read back, headers,
footers, tables and chart labels included, and held to the house style: no internal tags (the rule set's [S]/[D]/
[A] marks, source-file numbers, the domain brief's file name, backticks), counts that agree ("1 … are" never
appears), no double negative of nothing ("0 … have not"), no "(s)" plurals, long dates only, one term (CSU) with
the historical CSS named once, and the 2012 marking."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from docx import Document

from csu_assure.domain import Outcome
from csu_assure.language import CSU_TERM_NOTE
from csu_assure.settings import DEFAULT_MARKING
from tests.render.conftest import all_text

ROOT = Path(__file__).resolve().parents[2]
COHORT = ROOT / "submissions" / "example-cohort"

INTERNAL_TAGS = re.compile(r"\[[SDA]\b|\bseeds?\b|BRIEF\.md|`", re.IGNORECASE)
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
ONE_ARE = re.compile(rf"(?<![\d.,£−-])\b1 (?!of\b|(?:{MONTHS})\b)(?:[\w'-]+ ){{1,4}}?(?:are|were|have)\b")
ZERO_NOT = re.compile(r"(?<![\d.,£−-])\b0 (?:[\w'-]+ ){0,6}?(?:have|has|are|is|were|was|do|does) not\b")
ZERO_OF = re.compile(r"(?<![\d.,£−-])\b0 of \d")
ISO_DATE = re.compile(r"\b(?:19|20)\d\d-[01]\d-[0-3]\d\b")
PROSE_STYLES = {"Normal", "Reason", "List Bullet", "Note"}
CSS = re.compile(r"\bCSSs?\b|commissioning support services?\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def reports(example_run: Path) -> tuple[Path, ...]:
    return tuple(sorted(example_run.rglob("*.docx")))


def _chart_text(path: Path) -> str:
    """The words of every chart (titles, category labels, captions are in the body)."""
    with zipfile.ZipFile(path) as z:
        return "\n".join(
            " ".join(re.findall(r"<[ac]:t>([^<]*)</[ac]:t>|<c:v>([^<]*)</c:v>", z.read(n).decode()).__str__())
            for n in z.namelist()
            if n.startswith("word/charts/chart")
        )


def _names(path: Path) -> set[str]:
    """The CSU names a report may print as they are (a CSU called "Staffordshire CSS" keeps its name)."""
    doc = Document(str(path))
    return {doc.core_properties.title.split(":")[0]} | {
        cell.text.split("\n")[0] for t in doc.tables for row in t.rows for cell in row.cells[:1]
    }


def test_every_outcome_has_a_report(reports: tuple[Path, ...]) -> None:
    """61 CSU reports (21 at checkpoints 1 and 2, 19 at 3: two CSUs stopped at 2) reaching every outcome."""
    csu_reports = [r for r in reports if "cohort-report" not in r.name]
    assert len(csu_reports) == 61
    assert len(reports) - len(csu_reports) == 3
    decided = {
        line.removeprefix("Decision: ").split(", with ")[0]
        for r in csu_reports
        for line in all_text(r).splitlines()
        if line.startswith("Decision: ")
    }
    assert decided == {o.label for o in Outcome}


def test_no_report_prints_internal_tags_or_broken_counts(reports: tuple[Path, ...]) -> None:
    problems = []
    for report in reports:
        text = all_text(report) + "\n" + _chart_text(report)
        for name, pattern in (
            ("internal tag", INTERNAL_TAGS),
            ("1 … are", ONE_ARE),
            ("0 … not", ZERO_NOT),
            ("0 of N", ZERO_OF),
            ("ISO date", ISO_DATE),
        ):
            problems += [f"{report.name}: {name}: {m.group(0)!r}" for m in pattern.finditer(text)]
        if "(s)" in text:
            problems.append(f"{report.name}: '(s)' plural")
    assert problems == [], "\n".join(problems)


def test_no_sentence_of_the_text_starts_with_a_figure(reports: tuple[Path, ...]) -> None:
    """ "2 domains failed" reads as a table cell, not a sentence: counts that start a sentence are words."""
    starts = [
        f"{report.name}: {p.text[:60]!r}"
        for report in reports
        for p in Document(str(report)).paragraphs
        if p.style is not None and p.style.name in PROSE_STYLES and re.match(r"\d", p.text)
    ]
    assert starts == [], "\n".join(starts)


def test_one_term_with_the_historical_name_explained_once(reports: tuple[Path, ...]) -> None:
    for report in reports:
        text = all_text(report)
        assert text.count(CSU_TERM_NOTE) == 1, report.name
        rest = text.replace(CSU_TERM_NOTE, "")
        for name in _names(report):
            if "CSS" in name:
                rest = rest.replace(name, "")
        assert CSS.findall(rest) == [], report.name


def test_reports_are_british_english_with_the_2012_marking(reports: tuple[Path, ...]) -> None:
    for report in reports:
        with zipfile.ZipFile(report) as z:
            styles = z.read("word/styles.xml").decode()
            fonts = z.read("word/fontTable.xml").decode()
        assert '<w:lang w:val="en-GB"/>' in styles and "en-US" not in styles, report.name
        assert 'w:name="Arial"><w:altName w:val="Liberation Sans"/>' in fonts
        text = all_text(report)
        assert DEFAULT_MARKING in text and "OFFICIAL" not in text, report.name
