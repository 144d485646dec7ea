"""The rule-set thresholds a record's charts draw, read from the checks that judge against them.

A chart's reference line must be the line the CSU was judged against: with `--rules` an assessor can move the
score pass line or the scale floor, and a chart still drawing the BDU 2012 figure would contradict the check
beside it. So the engine copies these thresholds into each record's key figures, and a report re-issued from
the register years later draws what was in force then.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from csu_assure.domain import Checkpoint
from csu_assure.results import ChartThresholds
from csu_assure.ruleset import RuleSet

# The lines drawn for a record made before thresholds were kept; these are the BDU 2012 rule set's values.
BDU_2012 = ChartThresholds(
    min_population=1_000_000,
    score_pass_mean=3.0,
    capture_pass=0.30,
    min_price=Decimal("8.00"),
    max_price=Decimal("14.00"),
    max_share_of_rca=Decimal("0.50"),
    min_surplus_share=Decimal("0"),
)

# Which check's parameter each threshold is, per checkpoint where the checks differ.
_SCALE_CHECK = {Checkpoint.OUTLINE_PLAN: "CP1-SCL-01"}
_PRICE_SHARE_CHECK = {Checkpoint.OUTLINE_PLAN: "CP1-FIN-02", Checkpoint.FULL_BUSINESS_PLAN: "CP3-FIN-05"}

_cache: dict[tuple[str, str, Checkpoint], ChartThresholds | None] = {}


def chart_thresholds(ruleset: RuleSet, checkpoint: Checkpoint) -> ChartThresholds | None:
    """The thresholds under `ruleset` at `checkpoint`; None when the rule set lacks one of the checks (a custom
    catalogue), so the charts say they fall back to BDU 2012's figures rather than passing those off as its own.
    """
    key = (ruleset.sha256, ruleset.source, checkpoint)
    if key not in _cache:  # a rule set is immutable once loaded: one lookup per rule set and checkpoint
        _cache[key] = _read(ruleset, checkpoint)
    return _cache[key]


def _read(ruleset: RuleSet, checkpoint: Checkpoint) -> ChartThresholds | None:
    def param(check_id: str, name: str) -> Any:
        params = ruleset.params.get(check_id)
        if params is None or not hasattr(params, name):
            raise LookupError(check_id, name)
        return getattr(params, name)

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
