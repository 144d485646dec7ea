"""A register key kept in a Prefect Secret block: the flow run loads it (the kernel sees only its value), and a
block that is not there stops the run with a message naming it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from pydantic import SecretStr

from csu_assure.register import Register, RegisterKey, Signatures
from csu_assure.register.signing import RegisterKeyInvalid
from csu_assure.service import Options
from csu_assure.settings import Settings
from tests.flows.cohort_data import write_csu

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

KEY = "a-register-key-kept-in-prefect"


def _secret_block() -> str:
    from prefect.blocks.system import Secret

    name = f"csu-register-key-{uuid.uuid4().hex[:8]}"
    Secret(value=SecretStr(KEY)).save(name)
    return name


def test_a_key_setting_naming_a_secret_block_is_resolved_to_its_value() -> None:
    from flows.secrets import resolve_secrets

    name = _secret_block()
    settings = Settings(
        register_key=SecretStr(f"prefect-secret:{name}"), register_old_key=SecretStr("x" * 16)
    )
    resolved = resolve_secrets(settings)
    assert resolved.register_key is not None and resolved.register_key.get_secret_value() == KEY
    assert resolved.register_old_key == settings.register_old_key  # a key given as itself is left alone
    assert resolve_secrets(Settings(register_key=None)).register_key is None
    with pytest.raises(RegisterKeyInvalid, match="the Prefect Secret block 'no-such-block' cannot be loaded"):
        resolve_secrets(Settings(register_key=SecretStr("prefect-secret:no-such-block")))


def test_a_flow_run_signs_the_register_with_the_key_from_the_secret_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.assess import assess_flow

    monkeypatch.setenv("CSU_ASSURE_REGISTER_KEY", f"prefect-secret:{_secret_block()}")
    csu = write_csu(tmp_path / "cohort", "alpha", checkpoints=(1,))
    assess_flow(str(csu), 1, Options(out_dir=tmp_path / "out", assessor="Test Assessor"))
    url = f"sqlite:///{tmp_path / 'out' / 'register.sqlite'}"
    assert Register(url, RegisterKey(KEY)).check_chain().signatures is Signatures.VERIFIED
    assert (
        Register(url, RegisterKey("not-the-key-in-the-block")).check_chain().signatures is Signatures.INVALID
    )
