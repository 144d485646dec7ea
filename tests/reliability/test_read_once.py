"""Issue 14, item 2: the digest recorded is the digest of the bytes judged. Each input is read once; the loader
hashes and parses those same bytes, so a file replaced while a run reads it (an editor saving) cannot leave an
invalid verdict recorded against the valid file's digest. Hidden files are not inputs, and a file vanishing
mid-read is a located problem, not a traceback. Reproduced against the old code (which hashed by reading again
after judging) before the fix; run through the real CLI."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from csu_assure.loading import folder as folder_loader
from csu_assure.register import Register
from csu_assure.results import Assessment
from tests.support.cli import run_cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "submissions" / "example-cohort"


def _latest(out: Path, csu_id: str, checkpoint: int) -> Assessment:
    register = Register.open_existing(f"sqlite:///{out / 'register.sqlite'}")
    try:
        entry = register.latest_entry(csu_id, checkpoint)
        assert entry is not None
        return entry.assessment
    finally:
        register.close()


@pytest.fixture
def csu(tmp_path: Path) -> Path:
    target = tmp_path / "north-vale"
    shutil.copytree(EXAMPLE / "north-vale", target)
    return target


def _replace_after_reading(name: str, replacement: bytes) -> Callable[..., tuple[bytes | None, object]]:
    """`read_bytes` as an editor saving at the worst moment sees it: the file changes right after it is read."""
    real = folder_loader.read_bytes

    def reading_then_replaced(path: Path, *args: object, **kwargs: object) -> tuple[bytes | None, object]:
        data, problem = real(path, *args, **kwargs)  # type: ignore[arg-type]
        if path.name == name:
            path.write_bytes(replacement)
        return data, problem

    return reading_then_replaced


def test_an_invalid_verdict_is_recorded_against_the_bytes_judged_not_the_file_saved_after(
    csu: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = csu / "cp1" / "business_plan.yaml"
    valid = plan.read_bytes()
    broken = valid.replace(b"csu_name:", b"csu_nam:", 1)
    plan.write_bytes(broken)
    out = tmp_path / "out"
    monkeypatch.setattr(folder_loader, "read_bytes", _replace_after_reading(plan.name, valid))

    code, output = run_cli("assess", csu, "-c", "1", "--no-prefect", "--out", out)

    assert code == 1, output  # the submission judged (the broken one) is invalid
    judged = _latest(out, "north-vale", 1)
    assert judged.outcome.value == "not_submitted"  # shown "Fail — not submitted"
    recorded = {i.path.rsplit("/", 1)[-1]: i.sha256 for i in judged.provenance.inputs}
    assert recorded["business_plan.yaml"] == hashlib.sha256(broken).hexdigest()
    assert recorded["business_plan.yaml"] != hashlib.sha256(valid).hexdigest()
    assert plan.read_bytes() == valid  # the editor's save landed

    monkeypatch.undo()
    code, output = run_cli("assess", csu, "-c", "1", "--no-prefect", "--out", out)

    # The valid file is new inputs: assessed on its merits, not answered from the broken file's record.
    assert code == 0, output
    assessed = _latest(out, "north-vale", 1)
    assert assessed.assessment_id != judged.assessment_id
    assert assessed.outcome.value != "not_submitted"


def test_hidden_files_are_not_inputs(csu: Path, tmp_path: Path) -> None:
    (csu / "cp1" / ".~lock.business_plan.yaml#").write_text("editor lock\n")
    (csu / "cp1" / "~$sla_register.csv").write_text("lock\n")
    (csu / "cp1" / ".DS_Store").write_bytes(b"\0\1")
    out = tmp_path / "out"

    code, output = run_cli("assess", csu, "-c", "1", "--no-prefect", "--out", out)

    assert code == 0, output
    names = {i.path.rsplit("/", 1)[-1] for i in _latest(out, "north-vale", 1).provenance.inputs}
    assert names and not any(n.startswith((".", "~$")) for n in names)


def test_a_file_vanishing_mid_read_is_a_located_problem(
    csu: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = next(p for p in sorted((csu / "cp1").glob("*.csv")))
    real_open = Path.open

    def vanishing_open(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self.name == table.name:
            self.unlink()  # removed between the size check and the read
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", vanishing_open)
    out = tmp_path / "out"

    code, output = run_cli("assess", csu, "-c", "1", "--no-prefect", "--out", out)

    assert code == 1, output
    assert table.name in output and "changed while being read" in output
