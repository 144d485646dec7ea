"""The per-CSU report, read back with python-docx: page 1 is the decision (decision, reasons citing check ids, domain
statuses, conditions with owner, date and test of done, next steps, the appeal route after a stop, moderation,
sign-off), and "Since the last checkpoint" says what changed; then findings, checks, evidence, plan, provenance."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest
from docx import Document

from checks import catalogue as shipped_catalogue
from csu_assure import engine, synthetic
from csu_assure.calendar import load_calendar
from csu_assure.domain import Checkpoint, Disposition, Outcome
from csu_assure.loading.problems import Problem
from csu_assure.render.word import write_assessment_report
from csu_assure.render.word.build import _save_atomically
from csu_assure.render.word.firmness import firmness_note
from csu_assure.render.word.view import ReportContext
from csu_assure.results import Assessment, Firmness
from csu_assure.ruleset import load_ruleset
from csu_assure.settings import DEFAULT_MARKING
from csu_assure.submission import InputFile
from tests.render.conftest import AS_OF, ASSESSOR, all_text, escalated_record
from tests.render.reading import headings, page_one, section

CHECK_ID = re.compile(r"\bCP[123]-[A-Z]{3}-\d\d\b")
LONG_DATE = re.compile(
    r"^\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) 20\d\d$"
)

# One report of the example cohort for each outcome: (CSU, checkpoint).
BY_OUTCOME = {
    "proceed": ("pennine-ridge", 1),
    "proceed_consolidate": ("arden", 1),
    "A": ("dales-moor", 2),
    "B": ("kennet-wey", 2),
    "B with an escalation": ("pennine-ridge", 2),
    "C": ("fen-marsh", 2),
    "recommend": ("exe-estuary", 3),
    "recommend_with_conditions": ("pennine-ridge", 3),
    "not_recommended": ("dales-moor", 3),
    "not_submitted": ("marsh-lane", 3),
}


def _report(records: list[Assessment], checkpoint: int, path: Path) -> tuple[Assessment, Path]:
    a = records[checkpoint - 1]
    previous = records[checkpoint - 2] if checkpoint > 1 else None
    return a, write_assessment_report(a, path, context=ReportContext(previous=previous))


def _sentences(paragraphs: list[str]) -> int:
    return sum(len(re.findall(r"[.!?](?:\s|$)", p)) for p in paragraphs)


@pytest.mark.parametrize("case", sorted(BY_OUTCOME))
def test_page_one_is_the_decision(
    case: str, example_records: Callable[[str], list[Assessment]], tmp_path: Path
) -> None:
    csu, checkpoint = BY_OUTCOME[case]
    a, path = _report(example_records(csu), checkpoint, tmp_path / f"{csu}.docx")
    assert a.outcome.value == case.split()[0]
    page = page_one(path)

    # The decision, in the banner.
    banner = next(t for s, t in page.paragraphs if s.startswith("Banner"))
    assert banner.startswith(f"Decision: {a.outcome.label}")
    assert (a.escalation is not None) == ("escalated" in banner)

    # Two to five sentences of reasons, citing the check ids that set each failed or marginal domain.
    reasons = page.texts("Reason")
    body = [r for r in reasons if not r.startswith(("Moderation:", "Appeal:"))]
    assert 2 <= _sentences(body) <= 5, body
    if any(s.value != "pass" for s in a.domains.values()) and a.disposition is Disposition.ASSESSED:
        cited = set(CHECK_ID.findall(" ".join(body)))
        deciding = {r.check_id for r in a.results if r.failed and r.severity.rank >= 2}
        assert cited and cited <= {r.check_id for r in a.results}
        assert cited & deciding

    # The domains and their statuses.
    if a.disposition is Disposition.ASSESSED:
        domains = page.table("Domain")
        assert [row[1] for row in domains[1:]] == [s.value.capitalize() for s in a.domains.values()]

    # Conditions (or advice at checkpoint 1) with owner, long date and a test of done.
    items = [p for p in a.development_plan if p.binding or a.checkpoint is Checkpoint.OUTLINE_PLAN]
    if a.outcome.proceeds and items:
        conditions = page.table("Condition")
        assert conditions[0] == ["Condition", "Owner", "Due", "Done when"]
        assert len(conditions) - 1 == min(len(items), 5)
        for row in conditions[1:]:
            assert CHECK_ID.search(row[0]) and row[1].strip()
            assert LONG_DATE.match(row[2]), row[2]
            assert len(row[3]) > 10 and "(s)" not in row[3]
    else:
        assert not page.has_table("Condition")

    # Next steps, and the appeal route after a stop.
    assert "Next steps" in page.texts("Heading 3")
    assert page.texts("List Bullet")
    appeal = [r for r in reasons if r.startswith("Appeal:")]
    assert bool(appeal) == (not a.outcome.proceeds)
    if appeal:
        assert "10 working days" in appeal[0]

    # The moderation record and the sign-off block.
    moderation = next(r for r in reasons if r.startswith("Moderation:"))
    assert "Not moderated" in moderation
    signoff = page.table("Role")
    assert signoff[0] == ["Role", "Name", "Signature", "Date"]
    assert [row[0] for row in signoff[1:]] == ["Assessor", "Moderator"]
    assert signoff[1][1] == a.provenance.assessor and LONG_DATE.match(signoff[1][3])
    issue = {row[0]: row[1] for row in page.table("Date of issue")}
    assert set(issue) == {"Date of issue", "Version", "Reference", "Distribution"}
    assert issue["Reference"] == a.assessment_id and issue["Version"].startswith("1 ")


def test_an_invalid_submission_gets_a_short_report_naming_its_problems(tmp_path: Path) -> None:
    catalogue = shipped_catalogue()
    a = engine.assess_invalid(
        "broken-csu",
        "Broken CSU",
        Checkpoint.VIABILITY,
        [Problem("ccgs.csv", "row 3, column population", "expected a whole number", "lots")],
        [InputFile(path="broken-csu/cp2/ccgs.csv", sha256="ab" * 32)],
        catalogue=catalogue,
        ruleset=load_ruleset(catalogue),
        calendar=load_calendar(),
        as_of=AS_OF,
        assessor=ASSESSOR,
    )
    path = write_assessment_report(a, tmp_path / "broken.docx")
    page = page_one(path)
    assert "could not be read: 1 problem in its files" in " ".join(page.texts("Reason"))
    assert any(r.startswith("Appeal:") for r in page.texts("Reason"))
    problems = section(path, "Why the submission could not be read")
    assert problems.tables[0][1][:3] == ["ccgs.csv", "row 3, column population", "expected a whole number"]
    text = all_text(path)
    assert "Checkpoint 2 asked for the final outline business plan" in text
    assert "ab" * 32 in text
    assert [h for level, h in headings(path) if level == 1] == [
        "Why the submission could not be read",
        "The checks",
        "Since checkpoint 1",
        "Provenance",
    ]


def test_since_the_last_checkpoint_after_a_checkpoint_2_escalation(
    example_records: Callable[[str], list[Assessment]], tmp_path: Path
) -> None:
    """Pennine Ridge: B at checkpoint 2 with customer focus escalated (CP2-CUS-02 critical); at checkpoint 3 the
    escalation is reported met and resolved, the customer test is marginal on the September survey (CP3-CUS-03,
    which re-tests CP2-CUS-02), and hosting is recommended with conditions."""
    records = example_records("pennine-ridge")
    assert records[1].escalation is not None and records[1].escalation.value == "customer"
    _, path = _report(records, 3, tmp_path / "pennine-ridge-cp3.docx")
    since = section(path, "Since checkpoint 2")

    summary = " ".join(since.texts("Normal"))
    assert (
        "At checkpoint 2 (assessed 1 April 2012) the decision was “B — proceed, issues need rapid management, "
        "with customer focus escalated”; at checkpoint 3 it is “Recommend hosting with conditions”."
        in summary
    )
    assert "2 of 2 binding plan items met" in summary
    assert "The customer focus escalation is resolved." in summary

    domains = {row[0]: row[1:] for row in since.table("Domain")[1:]}
    assert domains["Customer"] == ["Fail", "Marginal", "improved"]
    assert domains["Delivery"] == ["not judged", "Pass", "first judged"]

    [escalation] = since.table("Escalation")[1:]
    assert escalation[:3] == ["ESCALATION-customer@2", "30 June 2012", "Resolved"]
    assert escalation[3] == "Customer now: Marginal"

    plan = {row[0].split("\n")[0]: row for row in since.table("Item")[1:]}
    assert set(plan) == {"ESCALATION-customer@2", "CP2-CUS-02@2"}
    assert plan["ESCALATION-customer@2"][3] == "Met"
    assert plan["CP2-CUS-02@2"][3] == "Reported met; re-test fails"
    # Reported met, and the evidence says the re-test still falls short: both are shown.
    assert "reported met in the checkpoint 3 development plan" in plan["CP2-CUS-02@2"][4]
    assert "CP3-CUS-03 fails" in plan["CP2-CUS-02@2"][4]

    still = since.table("Check")
    assert still[0][2] == "Earlier" and still[1][:3] == [
        "CP3-CUS-03",
        "CCGs' September survey shows weak satisfaction with, or engagement in, the CSU",
        "CP2-CUS-02",
    ]


def test_since_the_last_checkpoint_when_nothing_was_submitted(
    example_records: Callable[[str], list[Assessment]], tmp_path: Path
) -> None:
    """Thames Gate: B at checkpoint 2 with 7 binding items; nothing at checkpoint 3. Two pages at most, and the
    items are named as not evidenced."""
    records = example_records("thames-gate")
    _, path = _report(records, 3, tmp_path / "thames-gate-cp3.docx")
    since = section(path, "Since checkpoint 2")
    text = " ".join(since.texts())
    assert "Because nothing was submitted, nothing from checkpoint 2 can be shown resolved" in text
    assert "none of the 7 binding development-plan items can be shown met: CP2-BUS-01@2, " in text
    assert not since.has_table("Item")  # the short report names them; each is in the checkpoint 2 report


def test_a_report_without_a_previous_record_says_so(
    example_records: Callable[[str], list[Assessment]], tmp_path: Path
) -> None:
    a = example_records("north-vale")[1]
    path = write_assessment_report(a, tmp_path / "r.docx")
    assert "The register holds no assessment of North Vale CSU at checkpoint 1" in all_text(path)


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
    for item in a.provenance.inputs:
        assert item.sha256 in text and item.path in text
    assert a.provenance.ruleset_sha256 in text
    # Every check is in the report once: failing ones in full, the rest in one table.
    assert sum(text.count(r.check_id) >= 1 for r in a.results) == len(a.results)
    checks = section(path, "Checks that did not fail").table("Check")
    assert {row[0] for row in checks[1:]} == {r.check_id for r in a.results if not r.failed}
    charts = len(Document(str(path)).inline_shapes)
    # Checkpoint 1 has a price but no financial plan or interviews; later checkpoints chart all three.
    assert charts == (1 if checkpoint == 1 else 3)
    if checkpoint == 1:
        assert "Chart not shown" in text


def test_escalated_b_explains_why(tmp_path: Path) -> None:
    a = escalated_record()
    path = write_assessment_report(a, tmp_path / "b.docx")
    page = page_one(path)
    reasons = " ".join(page.texts("Reason"))

    assert "Decision: B — proceed, issues need rapid management, with leadership escalated" in page.texts(
        "Banner Amber"
    )
    assert (
        "Exactly one domain, leadership, failed, so Rapid CSU proceeds to checkpoint 3 (B) only with that"
        in (reasons)
    )
    assert "Leadership failed on CP2-LEA-01 (no prospective leader interviewed" in reasons
    assert "Customer focus passed only marginally on CP2-CUS-02" in reasons
    assert "Moderation: Moderated by Sam Moderator on 12 April 2012." in reasons
    assert "Two check results were adjusted by the assessor" in reasons
    signoff = page.table("Role")
    assert signoff[2][1:] == ["Sam Moderator", "", "12 April 2012"]


def test_overrides_waivers_and_plan_are_listed(tmp_path: Path) -> None:
    a = escalated_record()
    doc = Document(str(write_assessment_report(a, tmp_path / "b.docx")))
    text = all_text(tmp_path / "b.docx")

    adjustments = next(t for t in doc.tables if t.rows[0].cells[0].text == "Check" and len(t.columns) == 7)
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in adjustments.rows[1:]}
    assert rows["CP2-BUS-01"][1:5] == ["Override", "Fail", "Pass", "Sam Moderator"]
    assert rows["CP2-CUS-01"][1:4] == ["Waiver", "Fail", "Waived"]
    assert "applies until 30 June 2012 (its last day)" in rows["CP2-CUS-01"][6]
    passed = {row[0]: row for row in section(tmp_path / "b.docx", "Checks that did not fail").table("Check")}
    assert passed["CP2-BUS-01"][3] == "Pass (overridden; computed: Fail)"
    assert passed["CP2-CUS-01"][3] == "Waived (computed: Fail)"
    assert "Year-1 deficit is covered by a signed transition fund." in text

    plan = section(tmp_path / "b.docx", "Development plan").table("Item")
    assert plan[0] == ["Item", "What must be done", "Owner", "Due", "Done when", "Weight"]
    assert len(plan) - 1 == len(a.development_plan)
    assert "31 August 2012" in plan[1][3]


def test_evidence_is_capped_with_a_count_of_the_rest(tmp_path: Path) -> None:
    text = all_text(write_assessment_report(escalated_record(), tmp_path / "b.docx"))
    doc = Document(str(tmp_path / "b.docx"))

    evidence = next(t for t in doc.tables if t.rows[0].cells[0].text == "CCG ID")
    assert len(evidence.rows) == 1 + 20
    assert "Evidence (first 20 of 27 rows)" in text
    assert "… and 7 more rows in the assessment record." in text


def test_not_submitted_record_renders_two_pages_without_charts(
    not_submitted: Assessment, tmp_path: Path
) -> None:
    assert not_submitted.figures is None and not_submitted.outcome is Outcome.NOT_SUBMITTED
    path = write_assessment_report(not_submitted, tmp_path / "late.docx")
    text = all_text(path)

    assert "Decision: Fail — not submitted" in text
    assert "No submission from Late CSU reached the BDU by the checkpoint 2 deadline" in text
    assert "Checkpoint 2 asked for the final outline business plan" in text
    assert "(submission by 31 March 2012)" in text
    # No check is repeated one by one: nothing was submitted for any of them.
    assert "Insufficient evidence: nothing was submitted." not in text
    assert not any(r.name in text for r in not_submitted.results)
    assert len(Document(str(path)).inline_shapes) == 0
    body = Document(str(path)).element.body.xml
    assert body.count('w:type="page"') == 1  # the decision page, then one more


def test_contents_with_page_references_marking_and_update_on_open(tmp_path: Path) -> None:
    path = write_assessment_report(escalated_record(), tmp_path / "b.docx", marking="NHS CONFIDENTIAL")
    with zipfile.ZipFile(path) as z:
        document = z.read("word/document.xml").decode()
        settings = z.read("word/settings.xml").decode()
        footers = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/footer"))
        headers = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/header"))

    listed = [h for level, h in headings(path) if level == 1]
    bookmarks = re.findall(r'<w:bookmarkStart w:id="\d+" w:name="(_TocCsu\d+)"/>', document)
    references = re.findall(r"PAGEREF (_TocCsu\d+) \\h", document)
    assert len(references) == len(listed) and set(references) <= set(bookmarks)
    assert '<w:updateFields w:val="true"/>' in settings
    assert " PAGE " in footers and " NUMPAGES " in footers
    assert "NHS CONFIDENTIAL" in headers and "NHS CONFIDENTIAL" in footers
    doc = Document(str(path))
    assert doc.core_properties.category == "NHS CONFIDENTIAL"
    assert doc.core_properties.author == "Jo Bloggs (BDU)"
    assert doc.core_properties.language == "en-GB"


def test_default_marking_is_the_2012_scheme(tmp_path: Path) -> None:
    text = all_text(write_assessment_report(escalated_record(), tmp_path / "b.docx"))
    assert DEFAULT_MARKING == "RESTRICTED – COMMERCIAL" and DEFAULT_MARKING in text
    assert "OFFICIAL" not in text


def test_findings_show_plain_english_sources_and_the_weight(tmp_path: Path) -> None:
    a = escalated_record()
    a = a.model_copy(
        update={
            "results": tuple(
                r.model_copy(update={"source": '[S] seed `003` ("SLAs signed"); BRIEF.md CP3-CUS-01 [A].'})
                for r in a.results
            )
        }
    )
    path = write_assessment_report(a, tmp_path / "b.docx")
    finding = section(path, "Findings that matter")
    rows = {row[0]: row[1] for row in finding.tables[0]}  # the first finding: CP2-LEA-01, critical
    assert rows["Standard set by"] == (
        "Set by NHS Commissioning Board checkpoint 3 guidance, 2012; the BDU assessment framework, 2012"
    )
    assert rows["Result"].startswith("Fail · critical: fails its domain")
    assert "seed" not in all_text(path) and "[S]" not in all_text(path)


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


def test_a_note_on_how_firm_the_decision_is_shows_only_when_given(tmp_path: Path) -> None:
    """Page 1 says how firm the decision is when the record knows it (the engine keeps it on every assessed
    record); a record without it (made before firmness was kept) says nothing about it."""
    plain = page_one(write_assessment_report(escalated_record(), tmp_path / "plain.docx"))
    assert not any("How firm" in t for t in plain.texts())
    firmness = Firmness(tolerance=0.05)
    note = firmness_note(firmness)
    firm = page_one(write_assessment_report(escalated_record(firmness=firmness), tmp_path / "firm.docx"))
    assert f"How firm is this decision: {note}" in firm.texts("Reason")
