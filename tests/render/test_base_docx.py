"""The committed styled base document defines every style the builder uses, and the script rebuilds it."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from docx import Document

from csu_assure.render.word.build import DEFAULT_TEMPLATES
from csu_assure.render.word.styles import STYLE_IDS

ROOT = Path(__file__).resolve().parents[2]


def _style_ids(path: Path) -> dict[str, str]:
    return {s.name: s.style_id for s in Document(str(path)).styles}


def test_committed_base_has_every_named_style() -> None:
    ids = _style_ids(DEFAULT_TEMPLATES / "base.docx")
    assert {name: ids.get(name) for name in STYLE_IDS} == STYLE_IDS


def test_script_rebuilds_an_equivalent_base(tmp_path: Path) -> None:
    target = tmp_path / "base.docx"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_base_docx.py"), str(target)], check=True)
    assert _style_ids(target) == _style_ids(DEFAULT_TEMPLATES / "base.docx")
    doc = Document(str(target))
    assert doc.paragraphs == [] or all(p.text == "" for p in doc.paragraphs)
    assert doc.styles["Heading 1"].font.name == "Arial"
    assert str(doc.styles["Heading 1"].font.color.rgb) == "005EB8"


def test_base_carries_no_template_leftovers() -> None:
    """No Word 2010 `stylesWithEffects` copy (438 KB in every report) and no thumbnail of another document."""
    with zipfile.ZipFile(DEFAULT_TEMPLATES / "base.docx") as z:
        names = set(z.namelist())
    assert "word/stylesWithEffects.xml" not in names
    assert not any(n.startswith("docProps/thumbnail") for n in names)
    assert {"word/document.xml", "word/styles.xml"} <= names
