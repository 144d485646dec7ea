"""The service's sequences run directly: one CSU, invalid and missing submissions, isolation, progression."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from checks import catalogue as shipped_catalogue
from csu_assure import engine, service
from csu_assure.domain import CheckGroup, Checkpoint, DomainStatus, Outcome, Status
from csu_assure.render.markdown import cohort_markdown
from csu_assure.render.records import run_json
from csu_assure.service import Options
from csu_assure.settings import Settings
from tests.flows.cohort_data import STOP_AT_CP2, write_cohort, write_csu


@pytest.fixture
def config(tmp_path: Path) -> service.Config:
    return service.configure(
        Settings(out_dir=tmp_path / "out", assessor="Test Assessor"), shipped_catalogue()
    )


def run_one(csu: Path, checkpoint: Checkpoint, config: service.Config, **options: object) -> service.CsuRun:
    return service.assess_csu(csu, checkpoint, config, Options.model_validate(options))


def test_one_csu_is_assessed_recorded_and_reported(tmp_path: Path, config: service.Config) -> None:
    csu = write_csu(tmp_path / "cohort", "alpha")
    outcome = run_one(csu, Checkpoint.VIABILITY, config)
    a = outcome.assessment
    assert outcome.disposition == "assessed" and a is not None
    assert a.outcome is Outcome.A and a.moderation.status == "not_moderated"
    assert a.provenance.as_of == dt.date(2012, 4, 1)  # the day after the deadline
    assert a.report_path == str(tmp_path / "out/alpha/cp2/alpha-cp2-report.docx")
    assert Path(a.report_path).stat().st_size > 0
    assert config.register.latest("alpha", 2) == a
    again = run_one(csu, Checkpoint.VIABILITY, config)
    assert again.assessment == a and len(config.register.history("alpha")) == 1


def test_an_invalid_submission_is_recorded_with_its_problems(tmp_path: Path, config: service.Config) -> None:
    csu = write_csu(tmp_path / "cohort", "alpha", checkpoints=(2,))
    plan = csu / "cp2/business_plan.yaml"
    plan.write_text(plan.read_text().replace("price_per_head: '11.00'", "price_per_head: eleven"))
    outcome = run_one(csu, Checkpoint.VIABILITY, config)
    assert outcome.disposition == "invalid_submission" and outcome.failed
    assert any("price_per_head" in p for p in outcome.problems)
    a = outcome.assessment
    assert a is not None and a.outcome is Outcome.NOT_SUBMITTED
    evidence = [r for r in a.results if r.group is CheckGroup.EVIDENCE]
    assert evidence and all(r.status is Status.FAIL for r in evidence)
    assert any("price_per_head" in row["where"] for row in evidence[0].evidence)
    assert {i.path for i in a.provenance.inputs} >= {"alpha/cp2/business_plan.yaml"}
    entry = config.register.latest_entry("alpha", 2)
    assert entry is not None and entry.status == "invalid_submission"


def test_a_missing_submission_is_not_submitted_after_the_deadline_and_pending_before(
    tmp_path: Path, config: service.Config
) -> None:
    csu = write_csu(tmp_path / "cohort", "alpha", checkpoints=(1,))
    early = run_one(csu, Checkpoint.VIABILITY, config, as_of=dt.date(2012, 3, 20))
    assert early.disposition == "pending" and early.assessment is None
    late = run_one(csu, Checkpoint.VIABILITY, config)
    assert late.disposition == "not_submitted" and late.assessment is not None
    assert late.assessment.outcome is Outcome.NOT_SUBMITTED and late.csu_name == "Alpha CSU"


def test_a_crash_in_one_csu_does_not_stop_the_cohort(
    tmp_path: Path, config: service.Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    cohort = write_cohort(tmp_path / "cohort")
    real = engine.assess

    def crash_for_beta(sub, *args, **kwargs):  # type: ignore[no-untyped-def]
        if sub.csu_id == "beta":
            raise RuntimeError("injected failure")
        return real(sub, *args, **kwargs)

    monkeypatch.setattr(engine, "assess", crash_for_beta)
    summary = service.assess_cohort(cohort, Checkpoint.OUTLINE_PLAN, config, Options())
    assert [(o.csu_id, o.disposition) for o in summary.rows] == [
        ("alpha", "assessed"),
        ("beta", "error"),
        ("gamma", "assessed"),
    ]
    assert "RuntimeError: injected failure" in summary.errors[0].message
    assert summary.counts == {"Proceed": 2, "error": 1}
    assert summary.report_path is not None and summary.report_path.exists()
    assert config.register.latest("beta", 1) is None
    assert "injected failure" in cohort_markdown(summary)
    # Capped (a Prefect artifact must stay under its event size limit), the errors are still all listed.
    capped = cohort_markdown(summary, rows_up_to=1)
    assert "| Alpha CSU | assessed |" in capped and "| Gamma CSU |" not in capped
    assert "… and 2 more CSUs" in capped and "injected failure" in capped


def test_progress_stops_at_checkpoint_2_and_carries_the_plan(tmp_path: Path, config: service.Config) -> None:
    csu = write_csu(tmp_path / "cohort", "alpha", patches={2: STOP_AT_CP2})
    outcomes = service.progress_csu(csu, config, Options())
    assert [(int(o.checkpoint), o.assessment.outcome if o.assessment else None) for o in outcomes] == [
        (1, Outcome.PROCEED),
        (2, Outcome.C),
    ]
    c = outcomes[1].assessment
    assert c is not None and c.development_plan == ()
    assert sum(s is DomainStatus.FAIL for s in c.domains.values()) >= 2
    # a cohort run at checkpoint 3 now skips the stopped CSU instead of recording it "not submitted"
    later = run_one(csu, Checkpoint.FULL_BUSINESS_PLAN, config)
    assert later.disposition == "stopped" and config.register.latest("alpha", 3) is None


def test_moderation_overrides_a_check_and_names_the_assessor(tmp_path: Path, config: service.Config) -> None:
    csu = write_csu(tmp_path / "cohort", "alpha", checkpoints=(2,))
    draft = service.draft_csu(csu, Checkpoint.VIABILITY, config, Options(moderation=True))
    assert draft.assessment is not None and draft.assessment.moderation.status == "draft"
    override = engine.Override(
        check_id="CP2-CUS-03", status=Status.FAIL, reason="Letters of intent withdrawn"
    )
    moderated = service.moderate(
        draft,
        config,
        assessor="Dr Jane Smith",
        overrides=[override],
        on=dt.date(2012, 4, 20),
    )
    final = service.finish_moderation(draft.assessment, moderated, config)
    assert final.moderation.status == "moderated" and final.moderation.assessor == "Dr Jane Smith"
    assert final.result("CP2-CUS-03").status is Status.FAIL and final.outcome is Outcome.B
    assert config.register.latest("alpha", 2) == final
    with pytest.raises(engine.ModerationRejected, match="CP1-OFF-01"):
        service.moderate(
            draft,
            config,
            assessor="Dr Jane Smith",
            on=dt.date(2012, 4, 20),
            overrides=[engine.Override(check_id="CP1-OFF-01", status=Status.PASS, reason="x")],
        )


def test_json_export_has_the_documented_keys(tmp_path: Path, config: service.Config) -> None:
    outcome = run_one(write_csu(tmp_path / "cohort", "alpha", checkpoints=(1,)), Checkpoint(1), config)
    exported = run_json(outcome.row())
    assert {"csu_id", "checkpoint", "outcome", "domains", "report", "assessment_id"} <= set(exported)
    assert exported["outcome"] == "proceed" and set(exported["domains"].values()) == {"pass"}


def _docx_text(path: str) -> str:
    import docx

    document = docx.Document(path)
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_an_expired_waiver_makes_the_csu_reassessed_with_an_amended_report(
    tmp_path: Path, config: service.Config
) -> None:
    from tests.flows.cohort_data import cp2_cus_03_fails

    cohort = tmp_path / "cohort"
    csu = write_csu(cohort, "alpha", checkpoints=(2,), patches={2: cp2_cus_03_fails("alpha")})
    draft = service.draft_csu(csu, Checkpoint.VIABILITY, config, Options(moderation=True))
    assert draft.assessment is not None and draft.assessment.outcome is Outcome.B
    last_day = dt.date(2012, 6, 30)
    waiver = engine.Waiver(check_id="CP2-CUS-03", expires=last_day, reason="Letters of intent due in June")
    moderated = service.moderate(
        draft, config, assessor="Dr Jane Smith", waivers=[waiver], on=dt.date(2012, 4, 20)
    )
    waived = service.finish_moderation(draft.assessment, moderated, config)
    assert waived.outcome is Outcome.A and waived.result("CP2-CUS-03").status is Status.WAIVED

    assert service.reassess_expired_waivers(cohort, config, on=last_day) == []  # its last day: still applies
    (run,) = service.reassess_expired_waivers(cohort, config, on=last_day + dt.timedelta(days=1))
    amended = run.assessment
    assert run.disposition == "assessed" and amended is not None and amended.amendment is not None
    assert amended.amendment.replaces == waived.assessment_id
    assert amended.outcome is Outcome.B and amended.result("CP2-CUS-03").status is Status.FAIL
    assert config.register.latest("alpha", 2) == amended
    assert [e.superseded for e in config.register.history("alpha")] == [True, True, False]
    assert amended.report_path == waived.report_path  # the amended report replaces the issued one
    text = _docx_text(amended.report_path or "")
    assert "This is an amended report" in text and "Waiver by Dr Jane Smith expired on 2012-06-30" in text
    assert "The waiver of CP2-CUS-03 by Dr Jane Smith (until 2012-06-30" in text
    # Done once: the next day finds nothing more to do.
    assert service.reassess_expired_waivers(cohort, config, on=last_day + dt.timedelta(days=2)) == []


def test_an_expired_waiver_on_a_changed_submission_is_named_not_acted_on(
    tmp_path: Path, config: service.Config
) -> None:
    from tests.flows.cohort_data import cp2_cus_03_fails

    cohort = tmp_path / "cohort"
    csu = write_csu(cohort, "alpha", checkpoints=(2,), patches={2: cp2_cus_03_fails("alpha")})
    draft = service.draft_csu(csu, Checkpoint.VIABILITY, config, Options(moderation=True))
    waiver = engine.Waiver(check_id="CP2-CUS-03", expires=dt.date(2012, 6, 30), reason="r")
    moderated = service.moderate(draft, config, assessor="A", waivers=[waiver], on=dt.date(2012, 4, 20))
    assert draft.assessment is not None
    waived = service.finish_moderation(draft.assessment, moderated, config)
    plan = csu / "cp2" / "business_plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    (run,) = service.reassess_expired_waivers(cohort, config, on=dt.date(2012, 7, 1))
    assert run.failed and "files changed" in run.message
    assert config.register.latest("alpha", 2) == waived  # the record stands
    (gone,) = service.reassess_expired_waivers(tmp_path / "elsewhere", config, on=dt.date(2012, 7, 1))
    assert gone.failed and "no folder" in gone.message


def test_an_amendment_rewrites_the_cohort_summary_from_the_register(
    tmp_path: Path, config: service.Config
) -> None:
    """The national picture never shows a replaced decision: once alpha's waiver lapses and its record is amended
    (A → B), the checkpoint 2 cohort summary is written again from the register, beta's record unchanged."""
    from tests.flows.cohort_data import cp2_cus_03_fails
    from tests.render.reading import section

    cohort = tmp_path / "cohort"
    alpha = write_csu(cohort, "alpha", checkpoints=(2,), patches={2: cp2_cus_03_fails("alpha")})
    beta = write_csu(cohort, "beta", checkpoints=(2,))
    assert service.assess_csu(beta, Checkpoint.VIABILITY, config, Options()).assessment is not None
    draft = service.draft_csu(alpha, Checkpoint.VIABILITY, config, Options(moderation=True))
    assert draft.assessment is not None
    waiver = engine.Waiver(check_id="CP2-CUS-03", expires=dt.date(2012, 6, 30), reason="Letters due.")
    moderated = service.moderate(draft, config, assessor="A", waivers=[waiver], on=dt.date(2012, 4, 20))
    service.finish_moderation(draft.assessment, moderated, config)

    (run,) = service.reassess_expired_waivers(cohort, config, on=dt.date(2012, 7, 1))
    assert run.assessment is not None and run.assessment.outcome is Outcome.B
    path = service.cohort_report_path(config.out_dir, "cohort", Checkpoint.VIABILITY)
    counts = {row[0]: row[1] for row in section(path, "Decisions and domains").table("Decision")[1:]}
    beta_outcome = config.register.latest("beta", 2)
    assert beta_outcome is not None
    expected = {Outcome.B.label: 1}
    expected[beta_outcome.outcome.label] = expected.get(beta_outcome.outcome.label, 0) + 1
    assert {k: int(v) for k, v in counts.items() if k != "Total" and int(v)} == expected
