"""How firm a decision is, in words: the decision page's "How firm is this decision" and the cohort summary's
borderline CSUs, both from the `Firmness` the engine keeps on every record (`csu_assure.margins`).

A hinge is a line (a threshold of a check) that a move of no more than the rule set's tolerance would carry
across, changing the outcome. The words name the check, the figure, the line and which side of it the figure
stands, in the check's own units; parameter names stay out (they are the rule set's, not the reader's).
"""

from __future__ import annotations

from csu_assure.domain import Status
from csu_assure.language import cap, count
from csu_assure.results import Firmness, Hinge, Margin

# At most this many hinges are spelled out on a decision page; a decision hanging on more says how many more.
HINGES_SPELLED = 3

_SIDE = {"at_least": "at least", "at_most": "at most", "above": "above", "below": "below"}


def tolerance_text(tolerance: float) -> str:
    """0.05 → "5%"."""
    return f"{tolerance * 100:.3g}%"


def line_text(m: Margin) -> str:
    """ "at most 50%", or for a grading line "below 2.5 (where its failure becomes more serious)"."""
    line = f"{_SIDE[m.met_when]} {m.unit.show(m.threshold)}"
    return line if m.role == "pass" else f"{line}, the line that grades its failure,"


def distance_text(m: Margin) -> str:
    """ "1 percentage point (2% of the line) inside it", "exactly at it"."""
    if m.distance == 0:
        return "exactly at it"
    share = f" ({abs(m.share) * 100:.2g}% of the line)" if m.share is not None else ""
    side = "inside" if m.met else "outside"
    return f"{m.unit.show_distance(m.distance)}{share} {side} it"


def hinge_text(h: Hinge) -> str:
    """One line a decision hangs on, as a sentence: the check, its figure against the line, and the outcome were
    the figure or the line to move across it."""
    m = h.margin
    return (
        f"{m.check_id} ({h.check_name[:1].lower() + h.check_name[1:]}): the {m.measure} is "
        f"{m.unit.show(m.value)} against a line of {line_text(m)}, {distance_text(m)}; across it the check would "
        f"{_crossed(h)} and the decision would be {h.outcome_if_crossed.label}."
    )


def _crossed(h: Hinge) -> str:
    """What the check would conclude across the line: "fail (high)", "pass", "still fail, graded critical"."""
    weight = h.severity_if_crossed.value if h.severity_if_crossed is not None else ""
    if h.status_if_crossed is Status.FAIL:
        if h.status is Status.FAIL:
            return f"still fail, graded {weight}" if weight else "still fail"
        return f"fail ({weight})" if weight else "fail"
    if h.status_if_crossed is Status.PASS:
        return "pass"
    return f"be {h.status_if_crossed.value.lower().replace('_', ' ')}"


def firmness_note(firmness: Firmness | None) -> str | None:
    """The decision page's note: firm at the tolerance, or borderline with the lines it hangs on. None when the
    record has no firmness (nothing submitted, nothing readable, or a record made before firmness was kept)."""
    if firmness is None:
        return None
    tol = tolerance_text(firmness.tolerance)
    if not firmness.borderline:
        return (
            f"Firm: no threshold moved by up to {tol} of itself, and no figure moved as far, would change this "
            "decision."
        )
    hinges = firmness.hinges
    spelled = " ".join(hinge_text(h) for h in hinges[:HINGES_SPELLED])
    more = len(hinges) - HINGES_SPELLED
    tail = f" {cap(count(more, 'more line'))} within {tol} would also change it." if more > 0 else ""
    lines = "one line" if len(hinges) == 1 else count(len(hinges), "line")
    return (
        f"Borderline: this decision hangs on {lines} within {tol} of {'itself' if len(hinges) == 1 else 'themselves'}"
        f", so a small change in a figure or in the rule set would change it. {spelled}{tail}"
    )


def hinge_brief(h: Hinge) -> str:
    """The cohort summary's cell: "CP2-BUS-04: 49% against at most 50% → B — proceed, …"."""
    m = h.margin
    return f"{m.check_id}: {m.unit.show(m.value)} against {line_text(m)} → {h.outcome_if_crossed.label}"


__all__ = ["HINGES_SPELLED", "firmness_note", "hinge_brief", "hinge_text", "tolerance_text"]
