"""What the CLI records and refuses about who assessed and where the register is: no login name as assessor, and
a register URL that names a Prefect Secret block (which only flow runs resolve) is one sentence, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from csu_assure.register import Register
from tests.flows.cohort_data import write_csu

runner = CliRunner()


def test_an_assessor_not_named_is_recorded_as_such_not_as_the_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CSU_ASSURE_ASSESSOR", raising=False)
    monkeypatch.delenv("CSU_ASSURE_REGISTER_URL", raising=False)
    csu = write_csu(tmp_path / "cohort", "alpha", checkpoints=(1,))
    out = tmp_path / "out"
    result = runner.invoke(app, ["assess", str(csu), "-c", "1", "--out", str(out), "--no-prefect"])
    assert result.exit_code == 0, result.stderr
    recorded = Register(f"sqlite:///{out / 'register.sqlite'}").latest("alpha", 1)
    assert recorded is not None and recorded.provenance.assessor == "not named"


def test_a_register_url_naming_a_secret_block_is_one_sentence_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSU_ASSURE_REGISTER_URL", "prefect-secret:csu-register-url")
    csu = write_csu(tmp_path / "cohort", "alpha", checkpoints=(1,))
    result = runner.invoke(
        app, ["assess", str(csu), "-c", "1", "--out", str(tmp_path / "out"), "--no-prefect"]
    )
    assert result.exit_code == 2
    assert (
        "names the Prefect Secret block 'csu-register-url', which only a flow run resolves" in result.stderr
    )
    assert "Traceback" not in result.stderr
