"""The export formats and tables, apart from the writers, so a command line can offer them without loading
the writers' libraries."""

from __future__ import annotations

from enum import StrEnum


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


class ExportTable(StrEnum):
    ASSESSMENTS = "assessments"
    RESULTS = "results"
