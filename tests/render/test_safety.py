"""Submitted and assessor text reaches the document faithfully and safely: XML-illegal characters replaced,
markup shown literally, template syntax never evaluated."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csu_assure import synthetic
from csu_assure.render.word import write_assessment_report, write_cohort_report
from csu_assure.render.word.safe import REPLACEMENT, one_line, safe_text
from csu_assure.results import Assessment
from tests.render.conftest import all_text, escalated_record, result

TEMPLATE_BAIT = "{{ 7*7 }} {{ 1000+337 }} {% if true %}IF-RAN{% endif %} {# hidden #}"
MARKUP = "Tom & Jerry <w:t>x</w:t> ]]> \"quoted\" 'single'"
CONTROL = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r") + "\x7f"


def test_safe_text_replaces_each_illegal_character() -> None:
    assert safe_text(f"a{CONTROL}b") == "a" + REPLACEMENT * len(CONTROL) + "b"
    assert safe_text("tab\there\nnew line") == "tab\there\nnew line"
    assert safe_text("lone \ud800 surrogate \udfff") == f"lone {REPLACEMENT} surrogate {REPLACEMENT}"
    assert safe_text("£25 — ≥ 50% ✓ 😀") == "£25 — ≥ 50% ✓ 😀"
    assert safe_text(49) == "49"


def test_one_line_folds_newlines_so_values_cannot_add_paragraphs() -> None:
    assert one_line("first\n\n- injected bullet\r\nend") == "first - injected bullet end"


@given(st.text())
def test_safe_text_output_is_always_xml_safe(text: str) -> None:
    import lxml.etree as etree

    element = etree.Element("t")
    element.text = safe_text(text)  # lxml refuses XML-illegal characters, as python-docx would
    assert len(safe_text(text)) == len(text)


def test_submitted_text_is_rendered_literally(assess_raw: Callable[..., Assessment], tmp_path: Path) -> None:
    # The submission contract refuses C0 control characters, but DEL and every kind of markup get through.
    raw = synthetic.baseline(csu_id="bait-csu", checkpoint=2)
    name = f"Bait {MARKUP} {TEMPLATE_BAIT}\x7f CSU"
    raw.plan["csu_name"] = name[:200]
    raw.plan["leadership"]["lead_name"] = f"Lee {TEMPLATE_BAIT}"
    raw.tables["ccgs"][0]["ccg_name"] = f"NHS {MARKUP} CCG"
    a = assess_raw(raw)
    assert a.csu_name == raw.plan["csu_name"]

    text = all_text(write_assessment_report(a, tmp_path / "bait.docx"))

    expected_name = raw.plan["csu_name"].replace("\x7f", REPLACEMENT)
    assert expected_name in text
    assert TEMPLATE_BAIT in text
    assert "IF-RAN" not in text.replace(TEMPLATE_BAIT, "")
    assert "1337" not in text  # {{ 1000+337 }} was never evaluated
    assert MARKUP in text


def test_record_text_with_control_characters_and_surrogates_renders(tmp_path: Path) -> None:
    nasty = f"bad{CONTROL}\ud83d end {TEMPLATE_BAIT} {MARKUP}"
    evidence = ({f"col{CONTROL[:2]}": nasty, "plain": "ok"},)
    a = escalated_record(
        csu_name=f"Nasty {CONTROL[:5]} CSU",
        results=(
            result(
                "CP2-LEA-01",
                escalated_record().results[0].domain,
                finding=nasty,
                evidence=evidence,
                name=nasty,
            ),
            *escalated_record().results[1:],
        ),
    )
    path = write_assessment_report(a, tmp_path / "nasty.docx")
    text = all_text(path)

    cleaned = safe_text(nasty)
    assert cleaned in text
    assert f"Nasty {REPLACEMENT * 5} CSU" in text
    assert "\x00" not in text and "\ud83d" not in text and "\x7f" not in text
    assert "1337" not in text and "IF-RAN" not in text.replace(TEMPLATE_BAIT, "")

    cohort = all_text(
        write_cohort_report([a], tmp_path / "cohort.docx", title=f"Cohort {CONTROL} {TEMPLATE_BAIT}")
    )
    assert f"Nasty {REPLACEMENT * 5} CSU" in cohort
    assert f"Cohort {REPLACEMENT * len(CONTROL)} {TEMPLATE_BAIT}" in cohort


@pytest.mark.parametrize("marking", ["OFFICIAL\x00 <b>", "{{ marking }}"])
def test_marking_is_text_too(marking: str, tmp_path: Path) -> None:
    text = all_text(write_assessment_report(escalated_record(), tmp_path / "m.docx", marking=marking))
    assert safe_text(marking) in text
