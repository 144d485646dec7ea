"""Progress of long work, told to whoever listens in this process: the CLI's progress bar, under Prefect as
without it (a flow called from the CLI runs in the CLI's process, so the sequences can tell the bar directly).

The sequences in `service` call `tell` as CSUs become final; nothing listens unless a caller wraps the work in
`listening(...)`, so a Prefect worker or a test pays one empty loop per batch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """`done` more of `total` units of the work called `what` are final ("CSUs", "checkpoints")."""

    what: str
    done: int
    total: int


Listener = Callable[[Step], None]

_listeners: list[Listener] = []
_lock = threading.Lock()  # tasks may finish on worker threads


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Have `listener` told of every step of the work done inside the block."""
    with _lock:
        _listeners.append(listener)
    try:
        yield
    finally:
        with _lock:
            _listeners.remove(listener)


def tell(what: str, done: int, total: int) -> None:
    """Tell every listener that `done` more of `total` units are final."""
    with _lock:
        listeners = tuple(_listeners)
    for listener in listeners:
        listener(Step(what, done, total))
