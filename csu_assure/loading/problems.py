"""Located, human-readable problems with a submission, and the exception that carries them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from csu_assure.submission import InputFile


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: which file, where in it, the offending value, what was expected."""

    file: str
    where: str  # e.g. "row 4, column population" or "leadership.leader_interview_rating"
    message: str  # what was expected
    value: str | None = None

    def __str__(self) -> str:
        value = f" (got {self.value})" if self.value is not None else ""
        where = f": {self.where}" if self.where else ""
        return visible(f"{self.file}{where}: {self.message}{value}")


class SubmissionInvalid(Exception):
    """A submission could not be loaded; `problems` lists every located reason, `inputs` the digest of every file
    as it was read and judged (so a record of the invalid submission vouches for those very bytes)."""

    def __init__(self, source: str, problems: Sequence[Problem], inputs: Sequence[InputFile] = ()) -> None:
        self.source = visible(source)
        self.problems = tuple(problems)
        self.inputs = tuple(inputs)
        super().__init__(
            f"{self.source}: {len(self.problems)} problem(s)\n" + "\n".join(f"  - {p}" for p in problems)
        )


# Control characters (C0 including newlines, DEL, C1), lone surrogates, line/paragraph separators and bidi
# overrides: in a file name or a YAML key they could colour a terminal, forge an extra line of output,
# reorder what a reader sees, or break an encoder.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """`text` with every control character shown as an escape (`\\x1b`), so a message is one safe line."""
    return _INVISIBLE.sub(lambda m: repr(m.group())[1:-1], text)


def show_value(value: object, limit: int = 60) -> str:
    """A short, printable rendering of an offending value (control characters made visible)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def problems_from_validation(
    error: ValidationError, file: str, prefix: str = "", locate: str | None = None
) -> Iterable[Problem]:
    """Turn pydantic's errors into Problems; `locate` replaces the field path (e.g. "row 4"), keeping columns."""
    for err in error.errors(include_url=False):
        path = ".".join(str(part) for part in err["loc"])
        if locate is not None:
            where = f"{locate}, column {path}" if path else locate
        else:
            where = f"{prefix}.{path}".strip(".") if prefix or path else ""
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown field (not part of the submission format; check the spelling)"
        elif err["type"] == "missing":
            message = "required field is missing"
        # A model-level rule (empty loc) has the whole row as its input: the message says enough.
        value = None if err["type"] == "missing" or not err["loc"] else show_value(err.get("input"))
        yield Problem(file=file, where=where, message=message, value=value)
