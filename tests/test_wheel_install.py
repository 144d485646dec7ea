"""A wheel install (not the editable checkout) carries the report templates and writes a real report.

The flat layout keeps `templates/` at the repository root, outside every package, so a wheel must ship it as
data; this builds the wheel, installs it into a fresh virtual environment and assesses an example CSU there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
from docx import Document

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def test_a_wheel_install_finds_its_templates_and_writes_a_report(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("csu_assure-*.whl")
    with zipfile.ZipFile(wheel) as z:
        shipped = {Path(n).name for n in z.namelist() if "/share/csu-assure/templates/" in n}
    assert shipped == {p.name for p in (ROOT / "templates").iterdir()}

    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr
    # The product's dependencies come from the test environment's site-packages. Its editable csu_assure is a
    # .pth import hook, which PYTHONPATH entries do not run, so `csu_assure` is the wheel's copy.
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    out = tmp_path / "out"
    run = subprocess.run(
        [
            str(env_dir / "bin" / "csu-assure"),
            "assess",
            str(ROOT / "submissions" / "example-cohort" / "cheviot"),
            "--checkpoint",
            "1",
            "--out",
            str(out),
            "--no-prefect",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,  # not the checkout, whose templates/ a wrong lookup could find by accident
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import csu_assure.render.word.build as b; print(b.__file__); print(b.DEFAULT_TEMPLATES)",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    ).stdout.split()
    assert where[0].startswith(str(env_dir)) and where[1] == str(
        env_dir / "share" / "csu-assure" / "templates"
    )
    (report,) = out.rglob("*.docx")
    assert any("Cheviot" in p.text for p in Document(str(report)).paragraphs)
