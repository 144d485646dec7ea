"""Waivers over time: which of an assessment's waivers have expired as of a day, and how an amendment says so.

A waiver (an `Adjustment` of kind "waiver") makes a failing check not count up to and including its `expires`
day. Once that day has passed, the record still holding the waiver applied is out of date: the CSU is
re-assessed without it (`engine.amend`) and an amended report issued. Pure: the day is always given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from csu_assure.domain import Status
from csu_assure.results import Adjustment, Assessment


def lapsed_waivers(assessment: Assessment, on: dt.date) -> tuple[Adjustment, ...]:
    """The waivers `assessment` still applies whose last day is before `on`, in check order. A waiver already
    judged expired (an amended record) is not applied, so it is not listed again."""
    return tuple(
        r.adjustment
        for r in sorted(assessment.results, key=lambda r: r.check_id)
        if r.status is Status.WAIVED
        and r.adjustment is not None
        and r.adjustment.kind == "waiver"
        and r.adjustment.expires is not None
        and r.adjustment.expires < on
    )


def amendment_reason(lapsed: Sequence[Adjustment]) -> str:
    """One sentence for the amended record and its report, e.g. "The waiver of CP2-CUS-03 by Dr A (until
    2012-06-30: letters expected) expired, so the check counts again."."""
    parts = [
        f"{w.check_id} by {w.assessor} (until {w.expires.isoformat() if w.expires else '—'}: {w.reason})"
        for w in lapsed
    ]
    noun, verb = ("waiver", "the check counts") if len(parts) == 1 else ("waivers", "the checks count")
    return f"The {noun} of {'; '.join(parts)} expired, so {verb} again."
