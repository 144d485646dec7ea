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
        patch:                                   # applied in this order, all optional:
          plan: {price_per_head: "15.00", leadership: {lead_name: null}}  # deep-merged into business_plan
          drop: [ccg_interviews]                 # remove whole tables
          rows: {slas: [...]}                    # replace whole tables
          update: [{table: ccg_interviews, where: {ccg_id: BA01}, set: {pct_from_css: 10}}]  # where: optional
          limit: {ccg_interviews: 2}             # keep only the first N rows
"""

from __future__ import annotations

import copy
from typing import Any

from csu_assure.synthetic import RawSubmission, baseline


def deep_merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _matches(row: dict[str, Any], where: dict[str, Any]) -> bool:
    return all(str(row.get(k)) == str(v) for k, v in where.items())


def apply_patch(raw: RawSubmission, patch: dict[str, Any]) -> RawSubmission:
    plan = deep_merge(raw.plan, patch.get("plan", {}))
    tables = copy.deepcopy(raw.tables)
    for name in patch.get("drop", []):
        tables.pop(name, None)
    for name, rows in patch.get("rows", {}).items():
        tables[name] = copy.deepcopy(rows)
    for update in patch.get("update", []):
        hits = [row for row in tables[update["table"]] if _matches(row, update.get("where", {}))]
        if not hits:  # a case whose patch changes nothing would pass or fail for the wrong reason
            raise ValueError(f"update matched no rows of {update['table']}: {update.get('where')}")
        for row in hits:
            row.update(update["set"])
    for name, count in patch.get("limit", {}).items():
        tables[name] = tables[name][:count]
    unknown = set(patch) - {"plan", "drop", "rows", "update", "limit"}
    if unknown:
        raise ValueError(f"unknown patch operation(s): {sorted(unknown)}")
    return RawSubmission(plan=plan, tables=tables)


def case_submission(checkpoint: int, patch: dict[str, Any]) -> RawSubmission:
    return apply_patch(baseline(checkpoint=checkpoint), patch)
