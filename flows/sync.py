"""Prefect's "sync compatible" calls, typed as they behave when called from synchronous code."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


def synchronously(value: T | Awaitable[T]) -> T:
    """The value of a Prefect call made from synchronous code. Prefect types such calls as a value or a coroutine
    (`run_deployment`, `Automation.read`, `Flow.to_deployment`); from synchronous code they return the value."""
    if inspect.isawaitable(value):
        raise TypeError("a Prefect call returned a coroutine: it was made from asynchronous code")
    return value
