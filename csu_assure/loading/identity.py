"""Which CSU a folder speaks for: its id (a slug that is safe as a folder and file name) and a name to show."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from csu_assure.domain import Checkpoint
from csu_assure.loading import discover
from csu_assure.loading.files import read_bytes
from csu_assure.loading.folder import MAX_PLAN_BYTES, PLAN_FILE, decode_text, parse_yaml
from csu_assure.loading.problems import visible
from csu_assure.submission import CsuId

_CSU_ID = TypeAdapter(CsuId)


def is_csu_id(value: object) -> bool:
    """Whether `value` is a valid CSU id (and so safe as a folder and file name)."""
    try:
        _CSU_ID.validate_python(value, strict=True)
    except ValidationError:
        return False
    return True


def path_safe_id(name: str) -> str:
    """`name` as a valid CSU id (a slug that is safe as a folder and file name): "North CSU (v2)" → "north-csu-v2"."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:63].strip("-")
    return (
        slug if is_csu_id(slug) else f"csu-{hashlib.sha256(name.encode('utf-8', 'replace')).hexdigest()[:12]}"
    )


def display_name(name: str) -> str:
    """A name to show, never a path: one line, control characters visible, at most 200 characters."""
    shown = visible(" ".join(name.split()))[:200]
    return shown or "(unnamed CSU)"


def identify(csu_dir: Path) -> tuple[str, str]:
    """(csu_id, csu_name) from any readable business plan of the CSU; the folder name when none is readable.

    The id names report folders and files, and the plan may be the very thing that is invalid, so it is used
    only when it is a valid CSU id (`csu_id: ../../x` is not); a folder name used instead is made safe too.
    """
    csu_dir = Path(csu_dir)
    for plan in sorted(csu_dir.glob(f"cp[123]/{PLAN_FILE}")):
        data, _ = read_bytes(plan, csu_dir, MAX_PLAN_BYTES, str(plan))
        text, _ = decode_text(data, str(plan)) if data is not None else (None, None)
        raw, problem = parse_yaml(text, str(plan)) if text is not None else (None, None)
        if problem is None and isinstance(raw, dict) and is_csu_id(raw.get("csu_id")):
            name = raw.get("csu_name")
            shown = display_name(name) if isinstance(name, str) and name.strip() else raw["csu_id"]
            return raw["csu_id"], shown
    folder_name = csu_dir.resolve().name
    return path_safe_id(folder_name), display_name(folder_name)


def locate(csu_dir: Path, checkpoint: Checkpoint) -> Path | None:
    """The CSU's submission for `checkpoint` (folder `cpN/` or workbook `cpN.xlsx`), if there is one."""
    found = [f for f in discover(Path(csu_dir), checkpoint) if f.checkpoint == checkpoint]
    return found[0].path if found else None
