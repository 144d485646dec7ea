"""Word reports built from `Assessment` records: one per CSU per checkpoint, and a cohort summary."""

from __future__ import annotations

from csu_assure.render.word.build import write_assessment_report, write_cohort_report

__all__ = ["write_assessment_report", "write_cohort_report"]
