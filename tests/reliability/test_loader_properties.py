"""Whatever bytes a table or the business plan holds, loading gives a Submission or located problems.

Random bytes, random text from an alphabet of YAML/CSV syntax and control characters, and valid files with
random damage (cut short, text spliced in) are written into an otherwise valid submission folder;
`load_submission` must return a `Submission` or raise `SubmissionInvalid` whose problems name a file and
print as one safe line. Any other exception is a bug.
"""

from __future__ import annotations

import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csu_assure.loading import SubmissionInvalid, load_submission
from csu_assure.submission import Submission
from csu_assure.synthetic import baseline, write_folder

# What must never reach a terminal raw: controls, surrogates, line/paragraph separators, bidi overrides.
UNSAFE = {"Cc", "Cs", "Zl", "Zp"}
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
TARGETS = ("business_plan.yaml", "ccgs.csv", "services.csv", "ccg_interviews.csv", "financial_plan.csv")
SYNTAX = [
    *":-[]{}&*!|>'\"#%@`,?.<>=\\/ \n\r\t0123456789aeEnNtrufl_",
    "\x00",
    "\x1b",
    "\x7f",
    "\x85",
    "\u2028",
    "\ud800",
    "\u202e",
    "\ue000",
    "\ufeff",
    "£",
    "!!set ",
    "<<: ",
    "&a ",
    "*a",
    "2012-02-30",
    "1e400",
    ".nan",
    "---\n",
    '"\n',
]


def _valid(name: str) -> bytes:
    with tempfile.TemporaryDirectory() as scratch:
        return (write_folder(baseline(checkpoint=2), Path(scratch) / "cp2") / name).read_bytes()


VALID = {name: _valid(name) for name in TARGETS}
tricky_text = st.lists(st.sampled_from(SYNTAX), max_size=400).map("".join)


@st.composite
def damaged(draw: st.DrawFn, name: str) -> bytes:
    """A valid file cut short and/or with tricky text spliced in somewhere."""
    data = VALID[name]
    at = draw(st.integers(0, len(data)))
    insert = draw(tricky_text).encode("utf-8", "surrogatepass")
    cut = draw(st.one_of(st.none(), st.integers(at, len(data))))
    return data[:at] + insert + (data[at:cut] if cut is not None else data[at:])


@st.composite
def contents(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(TARGETS))
    data = draw(
        st.one_of(
            st.binary(max_size=3000),
            tricky_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
            damaged(name),
        )
    )
    return name, data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contents())
def test_any_file_content_loads_or_gives_located_problems(content: tuple[str, bytes]) -> None:
    name, data = content
    with tempfile.TemporaryDirectory() as scratch:
        folder = write_folder(baseline(checkpoint=2), Path(scratch) / "baseline" / "cp2")
        (folder / name).write_bytes(data)
        try:
            loaded = load_submission(folder)
        except SubmissionInvalid as error:
            assert error.problems
            for problem in error.problems:
                assert problem.file, problem
                shown = str(problem)
                hidden = [c for c in shown if unicodedata.category(c) in UNSAFE or c in BIDI]
                assert not hidden, shown
        else:
            assert isinstance(loaded, Submission)
