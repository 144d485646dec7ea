"""docs/examples holds page images of one report per outcome (`make examples` writes them), small enough for git."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
PAGE_LIMIT = 150 * 1024


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_examples", ROOT / "scripts" / "make_examples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_example_has_its_two_pages_listed_and_small() -> None:
    index = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    stems = [stem for stem, _, _ in _script().EXAMPLES]
    outcomes = {"proceed", "proceed-consolidate", "a", "b", "c", "recommend", "recommend-with-conditions"}
    assert outcomes <= {s.split("-", 1)[1] for s in stems}
    assert {"cp3-not-recommended", "cp3-not-submitted", "cp2-invalid-submission", "cohort-cp3"} <= set(stems)
    for stem in stems:
        for page in (1, 2):
            image = EXAMPLES / f"{stem}-p{page}.png"
            assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", image
            assert image.stat().st_size <= PAGE_LIMIT, image
            assert f"]({image.name})" in index
    assert sorted(p.name for p in EXAMPLES.glob("*.png")) == sorted(
        f"{s}-p{n}.png" for s in stems for n in (1, 2)
    )
