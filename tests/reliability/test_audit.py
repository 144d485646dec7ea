"""Tamper evidence: `csu-assure audit verify` finds every edited, deleted, inserted or reordered register row,
every edited supersession or report path and every replaced report file; an intact register verifies clean."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from typer.testing import CliRunner

from checks import catalogue as shipped_catalogue
from cli import app
from csu_assure import service
from csu_assure.domain import Checkpoint
from csu_assure.loading import csu_folders
from csu_assure.register import Register, RegisterSignatureError
from csu_assure.register.chain import row_hash
from csu_assure.register.schema import GENESIS, assessments, chain_heads, events, plan_items
from csu_assure.settings import Settings

COHORT = Path(__file__).resolve().parents[2] / "submissions" / "example-cohort"
runner = CliRunner()


@dataclass(frozen=True)
class Audited:
    out: Path
    register: Register

    def verify(self, *extra: str) -> tuple[int, str]:
        result = runner.invoke(app, ["audit", "verify", "--out-dir", str(self.out), *extra])
        return result.exit_code, result.stdout + result.stderr

    def sql(self, *statements: str) -> None:
        with self.register.engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))


def _config(out: Path) -> service.Config:
    return service.configure(Settings(out_dir=out, assessor="Audit Test"), shipped_catalogue())


def _run_one(csu: Path, config: service.Config, force: bool = False) -> service.CsuRun:
    return service.assess_csu(csu, Checkpoint.OUTLINE_PLAN, config, service.Options(force=force))


@pytest.fixture
def audited(tmp_path: Path) -> Audited:
    """Three CSUs assessed at checkpoint 1 (with reports), one re-run with --force (a supersession)."""
    out = tmp_path / "out"
    config = _config(out)
    for name in ("cheviot", "severn-bridge", "thames-gate"):
        _run_one(COHORT / name, config)
    _run_one(COHORT / "cheviot", config, force=True)
    assert config.register.verify_chain() == []
    return Audited(out, config.register)


def _save_heads(audited: Audited, path: Path) -> Path:
    result = runner.invoke(app, ["audit", "head", "--out-dir", str(audited.out), "--save", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.slow  # assesses and reports on every example CSU
def test_an_intact_register_of_the_example_cohort_verifies(tmp_path: Path) -> None:
    out = tmp_path / "out"
    config = _config(out)
    outcomes = [_run_one(csu, config) for csu in csu_folders(COHORT)]
    every_csu = [p for p in COHORT.iterdir() if p.is_dir()]
    assert len(outcomes) == len(every_csu) >= 20
    assert all(o.assessment and o.assessment.report_path for o in outcomes)
    heads = _save_heads(Audited(out, config.register), tmp_path / "heads.json")
    result = runner.invoke(
        app, ["audit", "verify", "--out-dir", str(out), "--expect-heads", str(heads), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["intact"] is True and report["problems"] == []
    assert report["heads"]["assessments"]["rows"] == len(every_csu) == report["reports_checked"]
    result = runner.invoke(app, ["audit", "verify", "--out-dir", str(out)])
    assert result.exit_code == 0 and "register intact" in result.stdout


def test_an_edited_record_is_found(audited: Audited) -> None:
    audited.sql(
        "UPDATE assessments SET record_json = replace(record_json, 'Cheviot', 'Cheviot Ltd') WHERE row_id = 1"
    )
    code, output = audited.verify()
    assert code == 1
    assert "assessments row 1: content does not match its hash" in output


def test_an_edited_decision_column_is_found(audited: Audited) -> None:
    audited.sql("UPDATE assessments SET outcome = 'not_submitted' WHERE row_id = 3")
    code, output = audited.verify()
    assert code == 1 and "assessments row 3: content does not match its hash" in output


def test_a_deleted_middle_row_is_found(audited: Audited) -> None:
    audited.sql("DELETE FROM assessments WHERE row_id = 2")
    code, output = audited.verify()
    assert code == 1
    assert "assessments row 3: row id 3 where 2 was expected" in output
    assert "assessments row 3: does not link to the previous row" in output


def test_a_deleted_last_row_is_found_by_the_chain_head(audited: Audited) -> None:
    last = audited.register.heads()["assessments"].row_count
    audited.sql(f"DELETE FROM assessments WHERE row_id = {last}")
    code, output = audited.verify()
    assert code == 1
    assert f"assessments row {last}: missing: the chain head records {last} rows" in output


def test_a_deleted_last_row_with_a_rewritten_head_is_found_by_the_saved_heads(
    audited: Audited, tmp_path: Path
) -> None:
    heads = _save_heads(audited, tmp_path / "heads.json")
    last = audited.register.heads()["plan_items"].row_count
    assert last > 0
    with audited.register.engine.begin() as conn:  # a careful forger moves the head back as well
        before = conn.execute(select(plan_items.c.prev_hash).where(plan_items.c.row_id == last)).scalar_one()
        conn.execute(plan_items.delete().where(plan_items.c.row_id == last))
        conn.execute(
            update(chain_heads)
            .where(chain_heads.c.table_name == "plan_items")
            .values(row_count=last - 1, head_hash=before)
        )
    assert audited.verify()[0] == 0  # nothing inside the database can show this ...
    code, output = audited.verify("--expect-heads", str(heads))  # ... the heads kept outside it can
    assert code == 1
    assert f"plan_items row {last}: missing: the saved head ends at row {last}" in output


def test_a_rewritten_and_rehashed_history_is_found_by_the_saved_heads(
    audited: Audited, tmp_path: Path
) -> None:
    heads = _save_heads(audited, tmp_path / "heads.json")
    with audited.register.engine.begin() as conn:  # edit row 1 and re-hash the whole chain after it
        rows = [dict(r) for r in conn.execute(select(assessments).order_by(assessments.c.row_id)).mappings()]
        rows[0]["outcome"] = "proceed_consolidate"
        prev = GENESIS
        for row in rows:
            row["prev_hash"], row["record_hash"] = prev, row_hash(assessments, prev, row)
            conn.execute(
                update(assessments)
                .where(assessments.c.row_id == row["row_id"])
                .values(outcome=row["outcome"], prev_hash=row["prev_hash"], record_hash=row["record_hash"])
            )
            prev = row["record_hash"]
        conn.execute(
            update(chain_heads).where(chain_heads.c.table_name == "assessments").values(head_hash=prev)
        )
    assert audited.verify()[0] == 0
    code, output = audited.verify("--expect-heads", str(heads))
    assert code == 1 and "the chain up to it was rewritten" in output


def test_a_row_inserted_at_the_end_is_found(audited: Audited) -> None:
    with audited.register.engine.begin() as conn:
        last = dict(conn.execute(select(events).order_by(events.c.row_id.desc()).limit(1)).mappings().one())
        forged = {**last, "row_id": last["row_id"] + 1, "prev_hash": last["record_hash"]}
        forged["record_hash"] = row_hash(events, forged["prev_hash"], forged)
        conn.execute(events.insert().values(**forged))
    code, output = audited.verify()
    assert code == 1
    assert (
        f"events row {last['row_id'] + 1}: rows {last['row_id'] + 1}-{last['row_id'] + 1} were not written"
        in output
    )


def test_swapped_row_ids_are_found(audited: Audited) -> None:
    audited.sql(
        "UPDATE assessments SET row_id = -1 WHERE row_id = 1",
        "UPDATE assessments SET row_id = 1 WHERE row_id = 2",
        "UPDATE assessments SET row_id = 2 WHERE row_id = -1",
    )
    code, output = audited.verify()
    assert code == 1
    for row in (1, 2):
        assert f"assessments row {row}: content does not match its hash" in output
    assert "assessments row 1: does not link to the previous row" in output


def test_an_edited_supersession_is_found(audited: Audited) -> None:
    superseded = [e for e in audited.register.history("cheviot") if e.superseded]
    assert len(superseded) == 1
    audited.sql(
        "UPDATE assessments SET superseded_by = 'someone-else' "
        f"WHERE assessment_id = '{superseded[0].assessment.assessment_id}'"
    )
    code, output = audited.verify()
    assert code == 1
    assert "superseded=True, superseded_by='someone-else' do not match the events" in output


def test_a_current_assessment_marked_superseded_is_found(audited: Audited) -> None:
    audited.sql("UPDATE assessments SET superseded = 1 WHERE csu_id = 'thames-gate'")
    code, output = audited.verify()
    assert (
        code == 1
        and "superseded=True, superseded_by=None do not match the events (superseded=False" in output
    )


def test_an_edited_report_path_is_found(audited: Audited, tmp_path: Path) -> None:
    audited.sql(
        f"UPDATE assessments SET report_path = '{tmp_path / 'elsewhere.docx'}' WHERE csu_id = 'severn-bridge'"
    )
    code, output = audited.verify()
    assert code == 1 and "elsewhere.docx' does not match the events" in output


def test_a_replaced_or_missing_report_file_is_found(audited: Audited) -> None:
    latest = audited.register.latest("severn-bridge", 1)
    assert latest is not None and latest.report_path
    report = Path(latest.report_path)
    report.write_bytes(report.read_bytes() + b"\0")
    code, output = audited.verify()
    assert code == 1
    assert f"report of {latest.assessment_id} at {report} has changed: SHA-256" in output
    report.unlink()
    code, output = audited.verify()
    assert code == 1 and f"report of {latest.assessment_id} at {report} is missing" in output
    assert audited.verify("--no-reports")[0] == 0


def test_a_report_rewritten_by_the_pipeline_is_not_a_problem(audited: Audited) -> None:
    """A report rewritten through the register (`csu-assure report`) records its new SHA-256."""
    result = runner.invoke(app, ["report", "cheviot", "--out", str(audited.out)])
    assert result.exit_code == 0, result.output
    code, output = audited.verify()
    assert code == 0, output


def test_an_edit_stays_visible_after_later_appends(audited: Audited) -> None:
    last = audited.register.heads()["assessments"].row_count
    audited.sql(f"DELETE FROM assessments WHERE row_id = {last}")
    _run_one(COHORT / "dales-moor", _config(audited.out))
    code, output = audited.verify()
    assert code == 1  # the new row links to the recorded head, not to the row before the deleted one
    assert f"assessments row {last + 1}: row id {last + 1} where {last} was expected" in output


def test_verify_usage_errors_exit_2(audited: Audited, tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", "verify", "--out-dir", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "there is no register at" in result.stderr
    assert not (tmp_path / "nowhere" / "register.sqlite").exists()  # verifying must not create one
    bad = tmp_path / "heads.json"
    bad.write_text('{"heads": {"assessments": {"rows": "three", "hash": "x"}}}')
    code, output = audited.verify("--expect-heads", str(bad))
    assert code == 2 and f"{bad}: heads.assessments.rows: expected a whole number ≥ 0 (got 'three')" in output
    bad.write_text("{not json")
    code, output = audited.verify("--expect-heads", str(bad))
    assert code == 2 and f"{bad}: line 1, column 2: not JSON" in output
    code, output = audited.verify("--expect-heads", str(tmp_path / "missing.json"))
    assert code == 2 and "missing.json: no such file" in output


def test_an_edited_heads_file_is_refused(audited: Audited, tmp_path: Path) -> None:
    heads = _save_heads(audited, tmp_path / "heads.json")
    document = json.loads(heads.read_text())
    document["heads"]["assessments"]["rows"] -= 1
    heads.write_text(json.dumps(document))
    code, output = audited.verify("--expect-heads", str(heads))
    assert code == 2 and "is not the digest of the heads in the file" in output


def test_audit_head_prints_the_heads_and_their_digest(audited: Audited) -> None:
    result = runner.invoke(app, ["audit", "head", "--out-dir", str(audited.out)])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    heads = audited.register.heads()
    assert {t: (h["rows"], h["hash"]) for t, h in document["heads"].items()} == {
        t: (h.row_count, h.head_hash) for t, h in heads.items()
    }
    assert document["heads"]["assessments"]["rows"] == 4 and document["heads"]["events"]["rows"] == 5
    assert len(document["digest"]) == 64


# -- signed chain heads (issue 14, item 6) ----------------------------------------------------------------------
# A forger who can write the database appends a row that supersedes the real assessment, hashed as the register
# would hash it, and moves the chain heads to it: the chains are whole and saved heads are still in them, so only
# a signature made with a key the forger does not hold can tell.

REGISTER_KEY = "test-register-key-6f1d0c2a9b8e4f7d"


def _assess_cli(out: Path, *names: str) -> None:
    for name in names:
        result = runner.invoke(
            app, ["assess", str(COHORT / name), "--checkpoint", "1", "--out", str(out), "--no-prefect"]
        )
        assert result.exit_code == 0, result.output


def _append_forged_supersession(register: Register, csu_id: str, outcome: str) -> tuple[int, int]:
    """Append an assessment of `csu_id` with `outcome` that supersedes the current one, and its supersession
    event, each consistently hashed onto its chain, and move both chain heads: what a forger with write access
    to the database and this code's hashing rule can do. Returns the forged assessment's and event's row ids."""
    with register.engine.begin() as conn:
        real = dict(
            conn.execute(
                select(assessments)
                .where(assessments.c.csu_id == csu_id, assessments.c.superseded.is_(False))
                .order_by(assessments.c.row_id.desc())
                .limit(1)
            )
            .mappings()
            .one()
        )
        forged_id = f"{real['assessment_id']}-r9"
        record = json.loads(real["record_json"])
        record.update(assessment_id=forged_id, outcome=outcome)
        conn.execute(
            update(assessments)
            .where(assessments.c.row_id == real["row_id"])
            .values(superseded=True, superseded_by=forged_id)
        )
        forged_rows = []
        for table, values in (
            (
                assessments,
                {
                    **real,
                    "assessment_id": forged_id,
                    "outcome": outcome,
                    "record_json": json.dumps(record),
                    "report_path": None,
                },
            ),
            (
                events,
                {
                    "kind": "superseded",
                    "assessment_id": real["assessment_id"],
                    "superseded_by": forged_id,
                    "report_path": None,
                    "report_sha256": None,
                    "created_at": real["created_at"],
                },
            ),
        ):
            last = conn.execute(
                select(table.c.row_id, table.c.record_hash).order_by(table.c.row_id.desc()).limit(1)
            ).one()
            row = {**values, "row_id": last.row_id + 1, "prev_hash": last.record_hash}
            row["record_hash"] = row_hash(table, last.record_hash, row)
            conn.execute(table.insert().values(**row))
            conn.execute(
                update(chain_heads)
                .where(chain_heads.c.table_name == table.name)
                .values(row_count=row["row_id"], head_hash=row["record_hash"])
            )
            forged_rows.append(row["row_id"])
    return forged_rows[0], forged_rows[1]


def test_without_a_key_an_appended_forgery_passes_verify_and_saved_heads(tmp_path: Path) -> None:
    """What the key is for: an unsigned register cannot tell a forged row appended at the end from a real one."""
    out = tmp_path / "out"
    _assess_cli(out, "cheviot", "severn-bridge")
    audited = Audited(out, Register.open_existing(f"sqlite:///{out / 'register.sqlite'}"))
    heads = _save_heads(audited, tmp_path / "heads.json")
    _append_forged_supersession(audited.register, "cheviot", "C")
    assert audited.verify()[0] == 0
    assert audited.verify("--expect-heads", str(heads))[0] == 0
    latest = audited.register.latest("cheviot", 1)
    assert latest is not None and latest.outcome == "C"


def test_a_forged_row_appended_to_a_signed_register_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSU_ASSURE_REGISTER_KEY", REGISTER_KEY)
    out = tmp_path / "out"
    _assess_cli(out, "cheviot", "severn-bridge")
    audited = Audited(out, Register.open_existing(f"sqlite:///{out / 'register.sqlite'}"))
    code, output = audited.verify()
    assert code == 0 and "register intact" in output, output
    heads = _save_heads(audited, tmp_path / "heads.json")

    forged_assessment, forged_event = _append_forged_supersession(audited.register, "cheviot", "C")
    unsigned = (
        "the chain head was not signed with the register key: rows were appended by something that does "
    )
    code, output = audited.verify()
    assert code == 1, output
    assert f"assessments row {forged_assessment}: {unsigned}" in output
    assert f"events row {forged_event}: {unsigned}" in output
    code, output = audited.verify("--expect-heads", str(heads))
    assert code == 1 and f"assessments row {forged_assessment}: {unsigned}" in output

    exported = runner.invoke(app, ["export", "--format", "json", "--out-dir", str(out)])
    assert exported.exit_code == 1, exported.output
    assert f"assessments row {forged_assessment}: {unsigned}" in exported.output
    assert not (out / "register-export.json").exists(), "a register that fails its signatures was exported"


def _signed_cli_register(out: Path, monkeypatch: pytest.MonkeyPatch) -> Audited:
    monkeypatch.setenv("CSU_ASSURE_REGISTER_KEY", REGISTER_KEY)
    _assess_cli(out, "cheviot", "severn-bridge")
    return Audited(out, Register.open_existing(f"sqlite:///{out / 'register.sqlite'}"))


def test_verify_without_the_key_on_a_signed_register_warns_that_signatures_were_not_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audited = _signed_cli_register(tmp_path / "out", monkeypatch)
    monkeypatch.delenv("CSU_ASSURE_REGISTER_KEY")
    code, output = audited.verify()
    assert code == 0 and "register intact" in output
    assert "⚠ the chain heads are signed, but no register key was given" in output
    assert "their signatures could not be checked" in output
    code, output = audited.verify("--format", "json")
    document = json.loads(output)
    assert code == 0 and document["intact"] is True and document["signatures"] == "unchecked"
    exported = runner.invoke(app, ["export", "--format", "json", "--out-dir", str(audited.out)])
    assert exported.exit_code == 0 and "their signatures could not be checked" in exported.stderr


def test_verify_with_a_key_on_a_register_written_without_one_says_so_in_one_line(
    audited: Audited, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSU_ASSURE_REGISTER_KEY", REGISTER_KEY)
    code, output = audited.verify()
    assert code == 1
    assert "1 problem(s)" in output
    assert (
        "  - chain_heads: no chain head is signed: the register was written without a register key" in output
    )
    assert "`csu-assure audit sign`" in output
    code, output = audited.verify("--format", "json")
    document = json.loads(output)
    assert code == 1 and document["signatures"] == "unsigned"
    assert [(p["table"], p["row"]) for p in document["problems"]] == [("chain_heads", None)]


def test_verify_with_the_wrong_key_or_an_unusable_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audited = _signed_cli_register(tmp_path / "out", monkeypatch)
    monkeypatch.setenv("CSU_ASSURE_REGISTER_KEY", "not-the-register-key-at-all")
    code, output = audited.verify()
    assert code == 1 and "chain_heads: no chain head's signature matches the register key" in output
    monkeypatch.setenv("CSU_ASSURE_REGISTER_KEY", "short")
    code, output = audited.verify()
    assert code == 2 and "CSU_ASSURE_REGISTER_KEY is 5 characters long" in output


def test_audit_head_says_whether_each_head_is_signed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    audited = _signed_cli_register(tmp_path / "out", monkeypatch)
    document = json.loads(runner.invoke(app, ["audit", "head", "--out-dir", str(audited.out)]).stdout)
    assert {t: h["signed"] for t, h in document["heads"].items()} == {
        "assessments": True,
        "adjustments": False,  # never written: no head to sign
        "plan_items": True,
        "events": True,
    }
    assert document["signatures"] == "verified"
    monkeypatch.delenv("CSU_ASSURE_REGISTER_KEY")
    document = json.loads(runner.invoke(app, ["audit", "head", "--out-dir", str(audited.out)]).stdout)
    assert document["signatures"] == "unchecked" and document["heads"]["assessments"]["signed"] is True


def test_audit_sign_signs_a_register_written_without_a_key_then_rotates_the_key(
    audited: Audited, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    heads = _save_heads(audited, tmp_path / "heads.json")
    monkeypatch.setenv("CSU_ASSURE_REGISTER_KEY", REGISTER_KEY)
    with pytest.raises(RegisterSignatureError, match="the assessments chain head is not signed"):
        _run_one(
            COHORT / "dales-moor", _config_with_key(audited.out)
        )  # a writer with the key refuses it as is
    result = runner.invoke(
        app, ["audit", "sign", "--out-dir", str(audited.out), "--expect-heads", str(heads)]
    )
    assert result.exit_code == 0, result.output
    assert (
        "✓ signed 3 chain head(s) with the register key" in result.stdout
        and "unsigned until now" in result.stdout
    )
    assert audited.verify()[0] == 0
    _assess_cli(audited.out, "dales-moor")  # writers with the key now sign as they go
    code, output = audited.verify()
    assert code == 0 and "chain head signatures: verified with the register key" in output

    new_key = "the-next-register-key-2b7e"
    monkeypatch.setenv("CSU_ASSURE_REGISTER_KEY", new_key)
    result = runner.invoke(app, ["audit", "sign", "--out-dir", str(audited.out)])
    assert result.exit_code == 1  # the register is signed with another key, and the old one was not given
    assert "give that key in CSU_ASSURE_REGISTER_OLD_KEY" in result.stdout
    monkeypatch.setenv("CSU_ASSURE_REGISTER_OLD_KEY", REGISTER_KEY)
    result = runner.invoke(app, ["audit", "sign", "--out-dir", str(audited.out)])
    assert result.exit_code == 0 and "their signatures checked with the old key" in result.stdout
    monkeypatch.delenv("CSU_ASSURE_REGISTER_OLD_KEY")
    assert audited.verify()[0] == 0
    monkeypatch.setenv("CSU_ASSURE_REGISTER_KEY", REGISTER_KEY)
    code, output = audited.verify()
    assert code == 1 and "no chain head's signature matches the register key" in output


def test_audit_sign_refuses_without_a_key_or_a_register_that_does_not_verify(
    audited: Audited, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = runner.invoke(app, ["audit", "sign", "--out-dir", str(audited.out)])
    assert result.exit_code == 2 and "no register key to sign with" in result.stderr
    monkeypatch.setenv("CSU_ASSURE_REGISTER_KEY", REGISTER_KEY)
    audited.sql("UPDATE assessments SET outcome = 'C' WHERE row_id = 2")
    result = runner.invoke(app, ["audit", "sign", "--out-dir", str(audited.out)])
    assert result.exit_code == 1 and "✗ not signed" in result.stdout
    assert "assessments row 2: content does not match its hash" in result.stdout
    assert audited.register.signed_tables() == set()


def _config_with_key(out: Path) -> service.Config:
    return service.configure(Settings(out_dir=out, assessor="Audit Test"), shipped_catalogue())
