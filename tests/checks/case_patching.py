"""Data-driven check cases: a baseline synthetic submission altered by a small, declarative patch.

A case file `tests/checks/cases/<CHECK-ID>.yaml` holds:

    check: CP2-CUS-03
    cases:
      - name: most CCGs commit                  # what the case shows
        expect: PASS                             # PASS | FAIL | NOT_EVIDENCED | NOT_APPLICABLE
        severity: critical                       # optional: the effective severity of a failure
        as_of: 2012-04-15                        # optional; default: the day after the checkpoint deadline
        checkpoint: 2                            # optional; default: the check's checkpoint
        prior_plan: [{check_id: CP2-CUS-03, binding: true}]   # optional: development plan from the last checkpoint
                                                 # (an escalation: {kind: escalation, item_id: ESCALATION-business@2})
        patch:                                   # applied in this order, all optional:
          plan: {price_per_head: "15.00", leadership: {lead_name: null}}  # deep-merged into business_plan
          drop: [ccg_interviews]                 # remove whole tables
          rows: {slas: [...]}                    # replace whole tables
          update: [{table: ccg_interviews, where: {ccg_id: B01}, set: {pct_from_css: 10}}]  # where, first: optional
          limit: {ccg_interviews: 2}             # keep only the first N rows
"""

from __future__ import annotations

from typing import Any

from csu_assure.synthetic import RawSubmission, apply_patch, baseline


def case_submission(checkpoint: int, patch: dict[str, Any]) -> RawSubmission:
    return apply_patch(baseline(checkpoint=checkpoint), patch)
