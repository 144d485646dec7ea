"""The named styles of `templates/base.docx` that the builder uses, with their style ids.

`scripts/make_base_docx.py` defines each of these; `tests/report/test_base_docx.py` checks that the committed
base has every name with this id. Setting a style by id skips python-docx's name lookup, which scans every
style in the document and dominated the build time.
"""

from __future__ import annotations

PARAGRAPH_STYLES = (
    "Normal",
    "Title",
    "Subtitle",
    "Heading 1",
    "Heading 2",
    "Heading 3",
    "Contents Heading",
    "TOC 1",
    "TOC 2",
    "Banner Green",
    "Banner Amber",
    "Banner Red",
    "Caption",
    "Note",
    "Table Text",
    "Table Heading",
    "Field Label",
    "Check Heading",
    "Protective Marking",
    "Footer Text",
    "List Bullet",
    "Masthead",
    "Reason",
)
TABLE_STYLE = "Assurance Table"

# Word derives a style's id from its name without spaces, for built-in and added styles alike.
STYLE_IDS: dict[str, str] = {name: name.replace(" ", "") for name in (*PARAGRAPH_STYLES, TABLE_STYLE)}
