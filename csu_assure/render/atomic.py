"""Write a file atomically, and clear away the temporary files of writers that died before finishing theirs.

A writer saves into its own temporary file next to the target (`.<name>.<random>.tmp`, from `mkstemp`, so two
writers never share one) and `os.replace`s it onto the target: a reader sees the old file or the new one, never
half of one, and when several write at once the last complete file wins.

A writer killed mid-write (SIGKILL, power cut) leaves its temporary file behind. On POSIX each writer holds an
exclusive `flock` on its temporary file until it has replaced the target; the kernel drops the lock when the
process dies, so a temporary file nobody holds a lock on belongs to a dead writer and the next write of the same
target deletes it. No clock and no process ids are involved: a slow writer is never mistaken for a dead one.

`lock_exclusively(path)` makes a longer step about `path` (write it, then note it elsewhere) one critical section
across threads and processes: an exclusive lock on `.<name>.lock` beside it, which the holder removes when done.
"""

from __future__ import annotations

import errno
import glob
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

TEMP_SUFFIX = ".tmp"
LOCK_SUFFIX = ".lock"

if sys.platform != "win32":
    import fcntl

    _LOCKING = True

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)  # waits only while a sweeper is looking at this very file

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # a live writer holds it
            return False
        return True

    def _hold(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _release(fd: int) -> None:
        return None  # closing the file releases the lock

else:
    import msvcrt

    _LOCKING = False

    def _lock(fd: int) -> None:
        return None

    def _try_lock(fd: int) -> bool:
        return False

    def _hold(fd: int) -> None:
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
            except OSError as error:  # LK_LOCK gives up after ten one-second tries; a report may take longer
                if error.errno not in (errno.EDEADLOCK, errno.EACCES):
                    raise
                continue
            return

    def _release(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def temp_prefix(path: Path) -> str:
    """Temporary files for `path` are named `<temp_prefix(path)><random><TEMP_SUFFIX>` in its folder."""
    return f".{Path(path).name}."


def _umask() -> int:
    """The process umask, read without changing it (os.umask would briefly change it for every thread)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022


class FolderUnusable(Exception):
    """An output folder that cannot be created or written; the message says which and why, in one line."""


def ensure_writable_folder(folder: Path) -> Path:
    """Create `folder` if need be and prove it can be written (a temporary file made and removed), so a run
    fails before assessing anything rather than at its first report. Raises FolderUnusable."""
    folder = Path(folder)
    blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        where = "is a file" if blocker == folder else f"cannot be made: {blocker} is a file"
        raise FolderUnusable(f"the output folder {folder} {where}, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise FolderUnusable(f"the output folder {folder} cannot be written: {reason.lower()}") from None
    return folder


def write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> Path:
    """Call `write` with a binary file and put what it wrote at `path` in one step; returns `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_abandoned(path)
    fd, tmp = _claim_temp(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
            # mkstemp makes the file owner-only (0600); a report is an ordinary document: honour the umask.
            os.chmod(tmp, 0o666 & ~_umask())
            if _LOCKING:  # replace while still holding the lock, so no sweeper can take the file meanwhile
                os.replace(tmp, path)
        if not _LOCKING:  # Windows cannot replace a file that is still open
            os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def remove_abandoned(path: Path) -> list[Path]:
    """Delete the temporary files of writers of `path` that died mid-write; returns what was deleted.

    Without file locks (Windows) nothing can be told apart safely, so nothing is deleted.
    """
    removed: list[Path] = []
    if not _LOCKING:
        return removed
    pattern = glob.escape(temp_prefix(path)) + "*" + glob.escape(TEMP_SUFFIX)
    for candidate in sorted(Path(path).parent.glob(pattern)):
        try:
            fd = os.open(candidate, os.O_RDONLY)
        except FileNotFoundError:  # its writer finished (or another sweeper won) meanwhile
            continue
        try:
            if _try_lock(fd) and _same_file(fd, candidate):
                candidate.unlink()
                removed.append(candidate)
        finally:
            os.close(fd)  # also releases the lock
    return removed


def _same_file(fd: int, path: Path) -> bool:
    """Still the file at `path`: a writer that finished meanwhile renamed it onto the target."""
    try:
        named = path.stat()
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def _claim_temp(path: Path) -> tuple[int, str]:
    """A new temporary file for `path`, locked by this writer.

    Between `mkstemp` and the lock a sweeper may find the file unlocked and delete it; the writer then holds a
    lock on an unlinked file (no links left) and simply takes another one.
    """
    while True:
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=TEMP_SUFFIX, dir=path.parent)
        if not _LOCKING:
            return fd, tmp
        _lock(fd)
        if os.fstat(fd).st_nlink > 0:
            return fd, tmp
        os.close(fd)


def lock_file(path: Path) -> Path:
    """The lock file `lock_exclusively(path)` holds: `.<name>.lock` beside `path`."""
    path = Path(path)
    return path.parent / f".{path.name}{LOCK_SUFFIX}"


@contextmanager
def lock_exclusively(path: Path) -> Iterator[None]:
    """Hold an exclusive lock about `path` for the length of the `with` block; other threads and processes
    asking for the same path wait (on POSIX, also on another machine sharing the folder over NFS, whose client
    passes `flock` on as a lock on the server).

    The lock file is removed by its holder, so none is left behind: a waiter that finds, once it holds the lock,
    that its file is no longer the one at the path (its holder removed it meanwhile; over NFS, a stale handle)
    opens the path again. A holder killed mid-step leaves its file unlocked, and the next holder takes it. On
    Windows an open file cannot be removed, so the lock file stays.
    """
    target = lock_file(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(target, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            _hold(fd)
            held = not _LOCKING or _same_file(fd, target)
        except OSError as error:
            os.close(fd)
            if error.errno == errno.ESTALE:  # NFS: the holder removed the file this one was waiting on
                continue
            raise
        except BaseException:
            os.close(fd)
            raise
        if held:
            break
        os.close(fd)
    try:
        yield
    finally:
        try:
            if _LOCKING:  # removed while still held, so no one can take this file between removal and release
                target.unlink(missing_ok=True)
            else:
                _release(fd)
        finally:
            os.close(fd)


__all__ = [
    "LOCK_SUFFIX",
    "TEMP_SUFFIX",
    "lock_exclusively",
    "lock_file",
    "remove_abandoned",
    "temp_prefix",
    "write_atomically",
]
