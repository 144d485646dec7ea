"""Signed chain heads: the register key, what a register opened with and without it writes and verifies, a
tampered, missing or wrong signature, a register made before signing, and signing and rotating with `sign_heads`."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select, text, update

from csu_assure.register import Register, RegisterSignatureError
from csu_assure.register.chain import NOT_SIGNED, ChainCheck, ChainHead, Signatures, row_hash
from csu_assure.register.schema import assessments, chain_head_signatures, chain_heads
from csu_assure.register.signing import (
    RegisterKey,
    RegisterKeyInvalid,
    RegisterKeyUnavailable,
    secret_block_name,
)
from tests.test_register import _assess

KEY = RegisterKey("the-register-key-for-tests")
OTHER_KEY = RegisterKey("another-register-key-entirely")


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'register.sqlite'}"


def _signatures(register: Register) -> dict[str, str]:
    with register.engine.connect() as conn:
        return {r.table_name: r.signature for r in conn.execute(select(chain_head_signatures))}


def _signed_register(url: str, *csus: str) -> Register:
    """A register written with KEY: `csus` (default alpha and beta) and alpha again, forced, so that two chains
    have heads (assessments, and events with the supersession)."""
    register = Register(url, KEY)
    for csu in csus or ("alpha", "beta"):
        register.record(_assess(csu))
    register.record(_assess(csus[0] if csus else "alpha"), force=True)
    return register


def _append_forged_row(register: Register) -> int:
    """An assessment row appended and hashed as the register would, with its chain head moved (not signed)."""
    with register.engine.begin() as conn:
        last = dict(
            conn.execute(select(assessments).order_by(assessments.c.row_id.desc()).limit(1)).mappings().one()
        )
        forged = {**last, "row_id": last["row_id"] + 1, "assessment_id": "forged", "csu_id": "forged"}
        forged["prev_hash"] = last["record_hash"]
        forged["record_hash"] = row_hash(assessments, forged["prev_hash"], forged)
        conn.execute(assessments.insert().values(**forged))
        conn.execute(
            update(chain_heads)
            .where(chain_heads.c.table_name == "assessments")
            .values(row_count=forged["row_id"], head_hash=forged["record_hash"])
        )
    return int(forged["row_id"])


# -- the key -----------------------------------------------------------------------------------------------------


def test_a_key_signs_a_head_and_never_shows_its_value() -> None:
    head = ChainHead("assessments", 3, "a" * 64)
    signature = KEY.sign(head)
    assert len(signature) == 64 and KEY.signed(head, signature)
    assert not KEY.signed(ChainHead("assessments", 4, "a" * 64), signature)  # the row count is signed
    assert not KEY.signed(ChainHead("events", 3, "a" * 64), signature)  # and the table
    assert not OTHER_KEY.signed(head, signature) and not KEY.signed(head, None)
    assert "the-register-key" not in repr(KEY) and "the-register-key" not in f"{KEY!s}"


def test_a_key_setting_is_a_key_a_secret_block_reference_or_nothing() -> None:
    assert RegisterKey.from_setting(None) is None and RegisterKey.from_setting(SecretStr("")) is None
    head = ChainHead("t", 1, "0" * 64)
    key = RegisterKey.from_setting(SecretStr("x" * 16))
    assert key is not None and key.signed(head, RegisterKey("x" * 16).sign(head))
    with pytest.raises(
        RegisterKeyInvalid, match=r"CSU_ASSURE_REGISTER_KEY is 5 characters long: .* at least 16"
    ):
        RegisterKey.from_setting(SecretStr("short"))
    assert secret_block_name(SecretStr("prefect-secret:csu-register-key")) == "csu-register-key"
    assert secret_block_name(SecretStr("x" * 16)) is None
    with pytest.raises(RegisterKeyInvalid, match="followed by the Secret block's name"):
        secret_block_name("prefect-secret:  ")
    unresolved = RegisterKey.from_setting(SecretStr("prefect-secret:csu-register-key"))
    assert unresolved is not None and repr(unresolved) == "RegisterKey(<unavailable>)"
    with pytest.raises(RegisterKeyUnavailable, match="names the Prefect Secret block 'csu-register-key'"):
        unresolved.sign(head)


def test_a_register_with_an_unresolved_key_reads_but_does_not_write(url: str) -> None:
    _signed_register(url, "alpha")
    unresolved = Register(url, RegisterKey.unavailable("the key is in a Secret block nothing resolved"))
    assert unresolved.latest("alpha", 2) is not None
    with pytest.raises(RegisterKeyUnavailable, match="nothing resolved"):
        unresolved.record(_assess("beta"))
    assert unresolved.latest("beta", 2) is None


# -- writing and verifying -----------------------------------------------------------------------------------------


def test_a_register_with_a_key_signs_every_head_it_moves(url: str) -> None:
    register = _signed_register(url)
    heads = register.heads()
    signatures = _signatures(register)
    written = {t for t, h in heads.items() if h.row_count}
    assert written == set(signatures) == {"assessments", "events"}
    assert all(KEY.signed(heads[t], signatures[t]) for t in written)
    check = register.check_chain()
    assert check.problems == () and check.signatures is Signatures.VERIFIED
    assert register.check_heads().problems == ()


def test_without_a_key_a_signed_register_verifies_with_its_signatures_unchecked(url: str) -> None:
    _signed_register(url)
    check = Register(url).check_chain()
    assert check.problems == () and check.signatures is Signatures.UNCHECKED


def test_a_register_written_without_a_key_is_unsigned_and_one_problem_for_a_key(url: str) -> None:
    Register(url).record(_assess())
    assert Register(url).check_chain() == ChainCheck((), Signatures.UNSIGNED)
    check = Register(url, KEY).check_chain()
    assert check.signatures is Signatures.UNSIGNED
    assert [(p.table, p.row_id) for p in check.problems] == [("chain_heads", None)]
    assert str(check.problems[0]).startswith(
        "chain_heads: no chain head is signed: the register was written without a register key"
    )


def test_a_tampered_signature_is_a_broken_row(url: str) -> None:
    register = _signed_register(url)
    last = register.heads()["assessments"].row_count
    with register.engine.begin() as conn:
        conn.execute(
            update(chain_head_signatures)
            .where(chain_head_signatures.c.table_name == "assessments")
            .values(signature="0" * 64)
        )
    check = register.check_chain()
    assert check.signatures is Signatures.INVALID
    assert [(p.table, p.row_id, p.reason) for p in check.problems] == [
        ("assessments", last, f"{NOT_SIGNED} (its signature does not match this key)")
    ]


def test_a_missing_signature_is_a_broken_row(url: str) -> None:
    register = _signed_register(url)
    last = register.heads()["events"].row_count
    with register.engine.begin() as conn:
        conn.execute(chain_head_signatures.delete().where(chain_head_signatures.c.table_name == "events"))
    assert [(p.table, p.row_id, p.reason) for p in register.check_chain().problems] == [
        ("events", last, f"{NOT_SIGNED} (the head carries no signature)")
    ]


def test_a_wrong_key_is_one_problem_not_one_per_head(url: str) -> None:
    _signed_register(url)
    check = Register(url, OTHER_KEY).check_chain()
    assert check.signatures is Signatures.INVALID
    assert [str(p) for p in check.problems] == [
        "chain_heads: no chain head's signature matches the register key: it is not the key the register was "
        "signed with (or every head was forged)"
    ]


def test_an_appended_forgery_is_found_and_stripping_every_signature_does_not_hide_it(url: str) -> None:
    register = _signed_register(url)
    forged = _append_forged_row(register)
    assert Register(url).verify_chain() == []  # without the key the chain is whole
    assert [(p.table, p.row_id) for p in register.verify_chain()] == [("assessments", forged)]
    with register.engine.begin() as conn:  # the forger removes every signature: the register looks unsigned
        conn.execute(chain_head_signatures.delete())
    assert [(p.table, p.row_id) for p in register.verify_chain()] == [("chain_heads", None)]


def test_rows_past_a_head_fail_the_quick_check(url: str) -> None:
    register = _signed_register(url)
    ends = register.heads()["assessments"].row_count
    forged = _append_forged_row(register)
    with register.engine.begin() as conn:  # the head put back where it was: rows past it
        conn.execute(
            update(chain_heads).where(chain_heads.c.table_name == "assessments").values(row_count=ends)
        )
    problems = [str(p) for p in Register(url).check_heads().problems]
    assert problems == [
        f"assessments row {forged}: rows {forged}-{forged} were not written by the register: the chain head ends "
        f"at row {ends}"
    ]


# -- writers refuse what they cannot vouch for --------------------------------------------------------------------


def test_a_writer_without_the_key_refuses_a_signed_register(url: str) -> None:
    register = _signed_register(url)
    before = register.heads()
    with pytest.raises(RegisterSignatureError, match="heads are signed, and this writer has no register key"):
        Register(url).record(_assess("gamma"))
    assert register.heads() == before and register.latest("gamma", 2) is None


def test_a_writer_with_the_key_refuses_to_extend_a_forged_head(url: str) -> None:
    register = _signed_register(url)
    _append_forged_row(register)
    before = register.heads()
    with pytest.raises(
        RegisterSignatureError, match="assessments chain head is not signed with this register"
    ):
        register.record(_assess("gamma"))
    assert register.heads() == before  # the forgery stays at the end, where verify finds it


def test_a_writer_with_the_wrong_key_refuses_to_write(url: str) -> None:
    _signed_register(url)
    with pytest.raises(RegisterSignatureError, match="is not the key the register was signed with"):
        Register(url, OTHER_KEY).record(_assess("gamma"))


def test_a_register_written_without_a_key_is_signed_once_then_written_with_it(url: str) -> None:
    Register(url).record(_assess("alpha"))
    keyed = Register(url, KEY)
    with pytest.raises(
        RegisterSignatureError, match="chain head is not signed: the register was written without"
    ):
        keyed.record(_assess("beta"))
    check = keyed.sign_heads()
    assert check.problems == () and check.signatures is Signatures.UNSIGNED  # what it was before
    keyed.record(_assess("beta"))
    assert keyed.check_chain() == ChainCheck((), Signatures.VERIFIED)


def test_a_register_made_before_signatures_existed_gains_their_table_on_open(url: str) -> None:
    Register(url).record(_assess("alpha"))
    with Register(url).engine.begin() as conn:
        conn.execute(text("DROP TABLE chain_head_signatures"))
    old = Register(url)  # opening it creates the table, as it creates any table a register lacks
    old.record(_assess("beta"))
    assert old.verify_chain() == [] and old.check_chain().signatures is Signatures.UNSIGNED
    keyed = Register(url, KEY)
    assert keyed.sign_heads().problems == ()
    assert keyed.check_chain().signatures is Signatures.VERIFIED


# -- signing and rotating ----------------------------------------------------------------------------------------


def test_rotating_the_key_checks_the_old_signatures_and_signs_with_the_new(url: str) -> None:
    _signed_register(url)
    rotated = Register(url, OTHER_KEY)
    refused = rotated.sign_heads()  # without the old key the present signatures do not verify
    assert [p.table for p in refused.problems] == ["chain_heads"]
    assert Register(url, KEY).check_chain().signatures is Signatures.VERIFIED  # nothing was signed
    assert rotated.sign_heads(previous=KEY).problems == ()
    assert Register(url, OTHER_KEY).check_chain().signatures is Signatures.VERIFIED
    assert Register(url, KEY).check_chain().signatures is Signatures.INVALID
    rotated.record(_assess("gamma"))
    assert rotated.verify_chain() == []


def test_signing_refuses_a_register_that_does_not_verify(url: str) -> None:
    register = _signed_register(url)
    before = _signatures(register)
    with register.engine.begin() as conn:
        conn.execute(update(assessments).where(assessments.c.row_id == 1).values(outcome="C"))
    check = register.sign_heads()
    assert [(p.table, p.row_id, p.reason) for p in check.problems] == [
        ("assessments", 1, "content does not match its hash")
    ]
    assert _signatures(register) == before


def test_signing_refuses_a_forged_head_unless_its_rows_are_trusted(url: str) -> None:
    register = _signed_register(url)
    forged = _append_forged_row(register)
    assert [(p.table, p.row_id) for p in register.sign_heads().problems] == [("assessments", forged)]
    assert register.sign_heads(trust=True).problems == ()
    assert register.verify_chain() == []


def test_signing_needs_a_key(url: str) -> None:
    register = Register(url)
    register.record(_assess())
    with pytest.raises(RegisterSignatureError, match="no register key to sign with"):
        register.sign_heads()
