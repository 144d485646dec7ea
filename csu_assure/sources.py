"""Where a check's threshold comes from, in plain English for a report's reader.

A check's `source` (the "## Source" section of its documentation, kept on every result) is written for the people
who maintain the rule set: it tags each threshold [S] sourced, [D] derived or [A] assumed and cites the source
articles by their file prefix (seed `003`) and the domain brief (BRIEF.md). Those tags stay in the rule reference
(`docs/rules.md`); a report says the same thing as a 2012 reader would: which publication, and whether the figure
is the publication's own, worked out from it, or the assessment framework's standard where the publications set
none. `SEED_CITATIONS` is the one table that names each source article.
"""

from __future__ import annotations

import re

# Each source article (the file-name prefix of `seeds/NNN_*.txt`, as a check's source cites it) as a reader would
# cite it.
SEED_CITATIONS: dict[str, str] = {
    "000": "NHS Commissioning Board on the checkpoints, reported in Healthcare Finance, April 2012",
    "001": "Kingston CCG's account of the cost of its commissioning support",
    "002": "NHS Commissioning Board timetable for commissioning support, April 2012",
    "003": "NHS Commissioning Board checkpoint 3 guidance, 2012",
    "004": "Department of Health stocktake of PCT cluster commissioning support, 2011",
}
# The domain brief gathers the published 2012 figures and the decision model: a reader knows it as the
# assessment framework.
FRAMEWORK = "the BDU assessment framework, 2012"

_SEED = re.compile(r"`(\d{3})`")
_BASIS = re.compile(r"^\s*\[([SDA])\b")

_BASIS_WORDS = {
    "S": "Set by",
    "D": "Derived from",
}


def citations(source: str) -> list[str]:
    """The publications a source cites, in order of first mention, without repeats."""
    found = [SEED_CITATIONS[tag] for tag in _SEED.findall(source) if tag in SEED_CITATIONS]
    if "BRIEF.md" in source or not found:
        found.append(FRAMEWORK)
    return list(dict.fromkeys(found))


def plain_source(source: str) -> str:
    """A check's source as a report prints it, e.g. "Set by NHS Commissioning Board checkpoint 3 guidance, 2012;
    the BDU assessment framework, 2012". Empty when the check names no source."""
    if not source.strip():
        return ""
    basis = _BASIS.match(source)
    cited = citations(source)
    if basis and basis.group(1) == "A":
        publications = [c for c in cited if c != FRAMEWORK]
        own = "The BDU assessment framework's own standard, 2012, where the publications set no figure"
        return f"{own}; informed by {'; '.join(publications)}" if publications else own
    lead = _BASIS_WORDS[basis.group(1)] if basis else "Based on"
    return f"{lead} {'; '.join(cited)}"


__all__ = ["FRAMEWORK", "SEED_CITATIONS", "citations", "plain_source"]
