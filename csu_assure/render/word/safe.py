"""`safe_text`: the one gate every string passes on its way into a Word document."""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"

# Characters XML 1.0 forbids (C0 controls except tab/newline/CR, lone surrogates, U+FFFE/U+FFFF), plus DEL and
# the C1 controls, which are legal XML but invisible noise that no assessor typed on purpose.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def safe_text(value: object) -> str:
    """`value` as text that python-docx can always write: each forbidden character becomes U+FFFD."""
    text = value if isinstance(value, str) else str(value)
    return _ILLEGAL.sub(REPLACEMENT, text)


def one_line(value: object) -> str:
    """`safe_text` with every run of whitespace (including newlines) folded to one space, for narrative text
    where a submitted value must not add paragraphs or list items."""
    return " ".join(safe_text(value).split())
