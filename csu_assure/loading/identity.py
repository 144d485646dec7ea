"""Which CSU a folder speaks for: its id (a slug that is safe as a folder and file name) and a name to show."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

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
    """(csu_id, csu_name) of a CSU folder. The id is the folder's name (`layout`: a folder speaks for the CSU it
    is named after, whatever its files say); the name is taken from a business plan of that same CSU, else the
    folder name. A folder name that is not a valid id (refused before any assessment) is made safe, so that
    even then nothing is written outside the output folder."""
    csu_dir = Path(csu_dir)
    folder = csu_dir.name
    csu_id = folder if is_csu_id(folder) else path_safe_id(folder)
    for plan in sorted(csu_dir.glob(f"cp[123]/{PLAN_FILE}")):
        data, _ = read_bytes(plan, csu_dir, MAX_PLAN_BYTES, str(plan))
        text, _ = decode_text(data, str(plan)) if data is not None else (None, None)
        raw, problem = parse_yaml(text, str(plan)) if text is not None else (None, None)
        if problem is None and isinstance(raw, dict) and raw.get("csu_id") == csu_id:
            name = raw.get("csu_name")
            return csu_id, display_name(name) if isinstance(name, str) and name.strip() else csu_id
    return csu_id, display_name(folder)
