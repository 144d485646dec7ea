"""The check catalogue: one check per module, grouped by check group (`checks/customer/cp2_cus_03_...py`).

`catalogue()` is the shipped catalogue, built once per process from this package; the kernel never imports
this package, so whoever runs an assessment passes the catalogue down. What the engine and the charts need to
know about particular checks is declared here, beside the checks it names.
"""

from __future__ import annotations

import sys
from functools import cache

from csu_assure.catalogue import Catalogue, build_catalogue, collect_checks

# Its failure means "no agreed development plan": a stop at checkpoint 2 whatever the domains say.
DEVELOPMENT_PLAN_CHECK = "CP2-GOV-01"


@cache
def catalogue() -> Catalogue:
    """The shipped catalogue (immutable, so built once per process)."""
    from checks.chart_thresholds import read_chart_thresholds

    return build_catalogue(
        collect_checks(sys.modules[__name__]),
        development_plan_check=DEVELOPMENT_PLAN_CHECK,
        chart_thresholds=read_chart_thresholds,
    )


__all__ = ["DEVELOPMENT_PLAN_CHECK", "catalogue"]
