"""Which rule-set thresholds a record's charts draw, read from the checks that judge against them.

A chart's reference line must be the line the CSU was judged against: with `--rules` an assessor can move the
score pass line or the scale floor, and a chart still drawing the BDU 2012 figure would contradict the check
beside it. So the rule set reads these thresholds when it is loaded, the engine copies them into each record's
key figures, and a report re-issued from the register years later draws what was in force then.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from csu_assure.checking import CheckParams
from csu_assure.domain import Checkpoint
from csu_assure.results import ChartThresholds

# Which check's parameter each threshold is, per checkpoint where the checks differ.
_SCALE_CHECK = {Checkpoint.OUTLINE_PLAN: "CP1-SCL-01"}
_PRICE_SHARE_CHECK = {Checkpoint.OUTLINE_PLAN: "CP1-FIN-02", Checkpoint.FULL_BUSINESS_PLAN: "CP3-FIN-05"}


def read_chart_thresholds(
    params: Mapping[str, CheckParams], checkpoint: Checkpoint
) -> ChartThresholds | None:
    """The thresholds in `params` (a rule set's, by check id) at `checkpoint`; None when one of the checks is
    missing (a custom rule set), so the charts say they fall back to BDU 2012's figures rather than passing those
    off as its own."""

    def param(check_id: str, name: str) -> Any:
        found = params.get(check_id)
        if found is None or not hasattr(found, name):
            raise LookupError(check_id, name)
        return getattr(found, name)

    try:
        return ChartThresholds(
            min_population=param(_SCALE_CHECK.get(checkpoint, "CP2-SCL-01"), "min_population"),
            score_pass_mean=param("CP2-CUS-02", "pass_mean"),
            capture_pass=float(param("CP2-CUS-04", "pass_at")),
            min_price=param("CP2-BUS-04", "min_price"),
            max_price=param("CP2-BUS-04", "max_price"),
            max_share_of_rca=param(_PRICE_SHARE_CHECK.get(checkpoint, "CP2-BUS-04"), "max_share_of_rca"),
            min_surplus_share=param("CP2-BUS-01", "min_surplus_share"),
        )
    except LookupError:
        return None
