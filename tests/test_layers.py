"""The layers are enforced, not hoped for: the import contracts hold, and they fail a kernel that imports Prefect."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import csu_assure

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("csu_assure", "checks", "flows", "cli")


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},  # the copy, not the editable install
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def copy_of_the_code(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_code_keeps_every_contract(copy_of_the_code: Path) -> None:
    done = _lint_imports(copy_of_the_code)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("csu_assure/orchestrate.py", "import prefect", "The kernel imports no edge"),
        ("csu_assure/shortcut.py", "from checks import catalogue", "The kernel imports no edge"),
        ("checks/orchestrate.py", "from prefect import flow", "The checks import no orchestration"),
        ("flows/shortcut.py", "import cli", "The flows import no CLI"),
    ],
)
def test_a_module_crossing_a_layer_fails_its_contract(
    copy_of_the_code: Path, module: str, line: str, contract: str
) -> None:
    (copy_of_the_code / module).write_text(f'"""A layer crossed."""\n\n{line}\n', encoding="utf-8")
    done = _lint_imports(copy_of_the_code)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{contract}" in done.stdout and "BROKEN" in done.stdout
    assert module.removesuffix(".py").replace("/", ".") in done.stdout


def test_the_kernels_public_names_are_the_ones_it_exports() -> None:
    exported = set(csu_assure._EXPORTS) | {"__version__"}
    assert set(csu_assure.__all__) == exported
    for name in csu_assure._EXPORTS:
        assert getattr(csu_assure, name) is not None, name
