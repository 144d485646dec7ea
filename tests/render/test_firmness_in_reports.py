"""How firm a decision is, where an assessor reads it: page 1 of each report ("How firm is this decision") and the
cohort summary's "Decisions that hang on a line", from the firmness the engine keeps on every record.

Wolds Edge is the example cohort's borderline CSU: its price takes 49% of its CCGs' running-cost allowance, one
percentage point inside CP2-BUS-04's 50% line (and its signed SLAs the same inside CP3-FIN-05's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from csu_assure.domain import Outcome, Status, Unit
from csu_assure.render.word.firmness import firmness_note, hinge_text
from csu_assure.results import Firmness, Hinge, Margin
from tests.render.reading import page_one, section


def _how_firm(report: Path) -> str:
    texts = [t for t in page_one(report).texts("Reason") if t.startswith("How firm is this decision:")]
    assert len(texts) == 1, page_one(report).texts()
    return texts[0]


def test_the_borderline_csu_says_on_page_one_which_line_it_hangs_on(example_run: Path) -> None:
    note = _how_firm(example_run / "wolds-edge" / "cp2" / "wolds-edge-cp2-report.docx")
    assert "Borderline" in note and "within 5%" in note
    assert "CP2-BUS-04" in note and "49%" in note and "at most 50%" in note
    assert "the decision would be B — proceed, issues need rapid management" in note
    assert "max_share_of_rca" not in note  # the rule set's parameter names stay out of the report

    at_three = _how_firm(example_run / "wolds-edge" / "cp3" / "wolds-edge-cp3-report.docx")
    assert "CP3-FIN-05" in at_three and "Recommend hosting with conditions" in at_three


def test_a_decision_far_from_every_line_is_called_firm(example_run: Path) -> None:
    note = _how_firm(example_run / "dales-moor" / "cp2" / "dales-moor-cp2-report.docx")
    assert note.startswith("How firm is this decision: Firm: no threshold moved by up to 5%")


def test_a_report_on_nothing_submitted_says_nothing_about_firmness(example_run: Path) -> None:
    report = example_run / "marsh-lane" / "cp3" / "marsh-lane-cp3-report.docx"
    assert not any(t.startswith("How firm") for t in page_one(report).texts())


@pytest.mark.parametrize("checkpoint", [2, 3])
def test_the_cohort_summary_names_the_borderline_csus_and_their_lines(
    example_run: Path, checkpoint: int
) -> None:
    summary = example_run / f"example-cohort-cp{checkpoint}-cohort-report.docx"
    part = section(summary, "Decisions that hang on a line")
    assert part.texts()[0].startswith("One decision of ")
    rows = part.table("CSU")[1:]
    assert [r[0] for r in rows] == ["Wolds Edge CSU"]
    check = "CP2-BUS-04" if checkpoint == 2 else "CP3-FIN-05"
    assert rows[0][2].startswith(f"{check}: 49% against at most 50% → ")


def _hinge(status: Status, crossed: Status, value: float, at: float, met: bool) -> Hinge:
    margin = Margin(
        check_id="CP2-CUS-04",
        measure="share of the CCGs' spend captured",
        unit=Unit.SHARE,
        value=value,
        param="pass_at",
        threshold=at,
        met_when="at_least",
        role="pass",
        met=met,
        distance=value - at,
        share=(value - at) / at,
    )
    return Hinge(
        margin=margin,
        check_name="Low capture of CCG spend",
        status=status,
        status_if_crossed=crossed,
        outcome=Outcome.B,
        outcome_if_crossed=Outcome.A,
    )


def test_a_failing_check_just_outside_its_line_reads_as_passing_across_it() -> None:
    text = hinge_text(_hinge(Status.FAIL, Status.PASS, 0.295, 0.30, met=False))
    assert "29.5% against a line of at least 30%, 0.5 percentage points (1.7% of the line) outside it" in text
    assert "the check would pass and the decision would be A — proceed" in text


def test_a_figure_exactly_at_its_line_is_said_to_be_at_it() -> None:
    assert "exactly at it" in hinge_text(_hinge(Status.PASS, Status.FAIL, 0.30, 0.30, met=True))


def test_many_hinges_are_counted_not_all_spelled() -> None:
    hinge = _hinge(Status.FAIL, Status.PASS, 0.295, 0.30, met=False)
    note = firmness_note(Firmness(tolerance=0.1, hinges=(hinge,) * 5))
    assert note is not None and "hangs on 5 lines within 10% of themselves" in note
    assert note.count("CP2-CUS-04 (") == 3 and "2 more lines within 10% would also change it." in note
    assert firmness_note(None) is None
