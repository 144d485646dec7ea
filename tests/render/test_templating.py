"""The narrative templates: sandboxed, strict about missing variables, and split into paragraphs/bullets."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from csu_assure.render.word.build import DEFAULT_TEMPLATES
from csu_assure.render.word.templating import Block, environment, render_blocks


def test_environment_is_sandboxed_strict_and_unescaped() -> None:
    env = environment(DEFAULT_TEMPLATES)
    assert isinstance(env, SandboxedEnvironment)
    assert env.from_string("{{ v }}").render(v="<&>") == "<&>"
    with pytest.raises(UndefinedError):
        env.from_string("{{ missing }}").render()
    with pytest.raises(SecurityError):
        env.from_string("{{ v.__class__.__mro__ }}").render(v="x")


def test_a_template_missing_a_variable_fails_loudly() -> None:
    with pytest.raises(UndefinedError):
        render_blocks(DEFAULT_TEMPLATES, "response.txt.j2")


def test_blocks_split_paragraphs_and_bullets(tmp_path: Path) -> None:
    (tmp_path / "t.txt.j2").write_text(
        "One.\n{% if x %}\nTwo.\n{% endif %}\n\n- first {{ x }}\n- second\nAfter.\n"
    )
    assert render_blocks(tmp_path, "t.txt.j2", x="{{ y }}") == [
        Block("One."),
        Block("Two."),
        Block("first {{ y }}", bullet=True),
        Block("second", bullet=True),
        Block("After."),
    ]
