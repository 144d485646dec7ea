"""The one place a submission's files are read and hashed: each file is read once, within its size limit, and
the digest recorded for it is the digest of those very bytes, which are the bytes then parsed and judged."""

from __future__ import annotations

import hashlib
from pathlib import Path

from csu_assure.loading.problems import Problem
from csu_assure.submission import InputFile


def input_file(label: str, data: bytes) -> InputFile:
    """The provenance of bytes read from the file shown as `label`."""
    return InputFile(path=label, sha256=hashlib.sha256(data).hexdigest())


def read_bytes(path: Path, root: Path, limit: int, label: str) -> tuple[bytes | None, Problem | None]:
    """Read a file that must lie inside `root` and be at most `limit` bytes (checked before reading)."""
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError) as error:  # RuntimeError: a link loop (Python 3.11)
        if path.is_symlink():
            return None, Problem(label, "", "is a link that leads nowhere (a loop or a missing target)")
        return None, Problem(label, "", f"cannot be read: {error.__class__.__name__}")
    if not resolved.is_relative_to(root.resolve()):
        return None, Problem(label, "", "points outside the submission folder (a link?); refusing to read it")
    if not resolved.is_file():
        return None, Problem(label, "", "is not a regular file")
    try:
        size = resolved.stat().st_size
        if size > limit:
            return None, Problem(label, "", f"is {size:,} bytes; the limit is {limit:,}")
        with resolved.open("rb") as handle:
            data = handle.read(limit + 1)  # it may have grown since stat(): never read more than the limit
    except OSError as error:  # removed or replaced while being read (an editor saving): judged unreadable
        return None, Problem(label, "", f"changed while being read ({error.__class__.__name__}); try again")
    if len(data) > limit:
        return None, Problem(label, "", f"is larger than the limit of {limit:,} bytes")
    return data, None
