"""Where a person's browser finds a report: its URL under the served reports folder, or its path as text.

Browsers refuse `file://` links from a web page (the Prefect UI), and a path on a worker means nothing on an
assessor's machine anyway; `csu-assure reports serve` serves the output folder over HTTP, and `reports_url`
(CSU_ASSURE_REPORTS_URL) says where, so a report `out/<csu>/cpN/<file>.docx` is `<reports_url>/<csu>/cpN/<file>.docx`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote


@dataclass(frozen=True)
class ReportLinks:
    """Links to the files under `out_dir`, as served at `base_url` (None: not served, paths given as text)."""

    out_dir: Path
    base_url: str | None = None

    def url(self, path: str | Path | None) -> str | None:
        """The URL of `path`, or None when the folder is not served or the file is not under it."""
        if not self.base_url or not path:
            return None
        try:
            relative = Path(path).resolve().relative_to(Path(self.out_dir).resolve())
        except ValueError:
            return None
        return self.base_url.rstrip("/") + "/" + "/".join(quote(part) for part in relative.parts)

    def text(self, path: str | Path | None) -> str:
        """The URL when there is one, else the path itself (for logs and plain table cells)."""
        return self.url(path) or (str(path) if path else "")
