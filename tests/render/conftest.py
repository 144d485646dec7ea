"""Fixtures for the report tests: real engine assessments of synthetic CSUs, and hand-built records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from checks import catalogue as shipped_catalogue
from csu_assure import engine, synthetic
from csu_assure.calendar import Calendar, load_calendar
from csu_assure.catalogue import Catalogue
from csu_assure.domain import CheckGroup, Checkpoint, Domain, DomainStatus, Outcome, Severity, Status
from csu_assure.loading import load_submission
from csu_assure.results import (
    Adjustment,
    Assessment,
    CheckResult,
    KeyFigures,
    Moderation,
    PlanItem,
    Provenance,
    QuestionScore,
    YearFigures,
)
from csu_assure.ruleset import RuleSet, load_ruleset
from csu_assure.submission import InputFile

AS_OF = dt.date(2012, 4, 10)
ASSESSOR = "Jo Bloggs (BDU)"


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return shipped_catalogue()


@pytest.fixture(scope="session")
def ruleset(catalogue: Catalogue) -> RuleSet:
    return load_ruleset(catalogue)


@pytest.fixture(scope="session")
def calendar() -> Calendar:
    return load_calendar()


@pytest.fixture(scope="session")
def assess_raw(
    catalogue: Catalogue, ruleset: RuleSet, calendar: Calendar, tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., Assessment]:
    """Write a raw submission to a folder, load it back (so inputs carry SHA-256s) and assess it."""

    def run(raw: synthetic.RawSubmission, **kwargs: Any) -> Assessment:
        folder = synthetic.write_folder(raw, tmp_path_factory.mktemp("submission") / raw.plan["csu_id"])
        sub = load_submission(folder)
        return engine.assess(
            sub,
            catalogue=catalogue,
            ruleset=ruleset,
            calendar=calendar,
            as_of=AS_OF,
            assessor=ASSESSOR,
            **kwargs,
        )

    return run


@pytest.fixture(scope="session")
def not_submitted(catalogue: Catalogue, ruleset: RuleSet, calendar: Calendar) -> Assessment:
    return engine.assess_not_submitted(
        "late-csu",
        "Late CSU",
        Checkpoint.VIABILITY,
        catalogue=catalogue,
        ruleset=ruleset,
        calendar=calendar,
        as_of=AS_OF,
        assessor=ASSESSOR,
    )


def result(
    check_id: str,
    domain: Domain,
    *,
    status: Status = Status.PASS,
    severity: Severity = Severity.HIGH,
    computed: Status | None = None,
    finding: str = "A finding.",
    evidence: tuple[dict[str, str], ...] = (),
    adjustment: Adjustment | None = None,
    name: str | None = None,
) -> CheckResult:
    return CheckResult(
        check_id=check_id,
        name=name or f"Problem named by {check_id}",
        domain=domain,
        group=CheckGroup(domain.value),
        severity=severity,
        computed_status=computed or status,
        status=status,
        actual="3 of 6",
        expected="≥ 4 of 6",
        finding=finding,
        evidence=evidence,
        source="[A] assumed for the test",
        adjustment=adjustment,
    )


def escalated_record(**overrides: Any) -> Assessment:
    """Checkpoint 2, B with escalation: leadership failed, customer marginal, business passed with an override."""
    override = Adjustment(
        kind="override",
        check_id="CP2-BUS-01",
        assessor="Sam Moderator",
        reason="Year-1 deficit is covered by a signed transition fund.",
        status=Status.PASS,
        recorded_on=dt.date(2012, 4, 9),
    )
    waiver = Adjustment(
        kind="waiver",
        check_id="CP2-CUS-01",
        assessor="Sam Moderator",
        reason="Two CCG interviews rescheduled by the BDU.",
        expires=dt.date(2012, 6, 30),
    )
    evidence = tuple({"ccg_id": f"C{i:02d}", "score": str(i % 5 + 1)} for i in range(27))
    results = (
        result(
            "CP2-LEA-01",
            Domain.LEADERSHIP,
            status=Status.FAIL,
            severity=Severity.CRITICAL,
            name="No prospective leader interviewed",
        ),
        result("CP2-LEA-02", Domain.LEADERSHIP),
        result("CP2-CUS-01", Domain.CUSTOMER, status=Status.WAIVED, computed=Status.FAIL, adjustment=waiver),
        result(
            "CP2-CUS-02",
            Domain.CUSTOMER,
            status=Status.FAIL,
            evidence=evidence,
            name="CCGs interviewed have low confidence",
        ),
        result("CP2-CUS-05", Domain.CUSTOMER, status=Status.NOT_EVIDENCED, name="Income does not reconcile"),
        result(
            "CP2-BUS-01",
            Domain.BUSINESS,
            status=Status.PASS,
            computed=Status.FAIL,
            severity=Severity.CRITICAL,
            adjustment=override,
        ),
        result("CP2-BUS-05", Domain.BUSINESS, status=Status.FAIL, severity=Severity.LOW),
    )
    plan = tuple(
        PlanItem(
            item_id=f"{r.check_id}@2",
            check_id=r.check_id,
            finding=r.finding,
            action=f"Fix {r.check_id}",
            owner="Alex Morgan (managing director)",
            due=dt.date(2012, 8, 31),
            evidence_required="Minutes of the board meeting",
            severity=r.severity,
        )
        for r in results
        if r.failed
    )
    figures = KeyFigures(
        population=1_850_000,
        ccg_count=6,
        price_per_head=Decimal("13.40"),
        rca_per_head_mean=Decimal("25.00"),
        total_rca=Decimal("46250000"),
        planned_ccg_income_y1=Decimal("20000000"),
        capture=0.43,
        surplus_y1_pct=-0.02,
        years=tuple(
            YearFigures(year=y, income=Decimal(f"{22_000_000 + y * 300_000}"), costs=Decimal("22400000"))
            for y in range(1, 5)
        ),
        scores=(
            QuestionScore(question="understanding", label="Understanding of our needs", mean=2.4, answers=6),
            QuestionScore(question="recommend", label="Would recommend", mean=None, answers=0),
        ),
        scores_source="ccg_interviews",
    )
    fields: dict[str, Any] = {
        "assessment_id": "0123456789abcdef0123",
        "csu_id": "rapid-csu",
        "csu_name": "Rapid CSU",
        "checkpoint": Checkpoint.VIABILITY,
        "outcome": Outcome.B,
        "escalation": Domain.LEADERSHIP,
        "domains": {
            Domain.LEADERSHIP: DomainStatus.FAIL,
            Domain.BUSINESS: DomainStatus.PASS,
            Domain.CUSTOMER: DomainStatus.MARGINAL,
        },
        "results": results,
        "development_plan": plan,
        "figures": figures,
        "moderation": Moderation(
            status="moderated", assessor="Sam Moderator", moderated_on=dt.date(2012, 4, 12)
        ),
        "provenance": Provenance(
            inputs=(InputFile(path="rapid-csu/cp2/business_plan.yaml", sha256="ab" * 32),),
            ruleset_name="bdu-2012",
            ruleset_version="2012.1",
            ruleset_sha256="cd" * 32,
            engine_version="9.9.9",
            as_of=AS_OF,
            assessor=ASSESSOR,
            flow_run_id="flow-run-42",
        ),
    }
    fields.update(overrides)
    return Assessment(**fields)


def all_text(path: Path) -> str:
    """Every piece of text a reader sees: body paragraphs, table cells, headers and footers."""
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in doc.sections:
        parts.extend(p.text for p in section.header.paragraphs)
        parts.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(parts)


@pytest.fixture(scope="session")
def example_records() -> Callable[[str], list[Assessment]]:
    """The example cohort's records of one CSU, checkpoint by checkpoint, as the golden test makes them (each
    checkpoint's plan carried to the next, moderation as an unattended run leaves it)."""
    from functools import cache

    from csu_assure.domain import ModerationStatus
    from tests.test_example_cohort import COHORT, progress

    @cache
    def records(csu: str) -> list[Assessment]:
        unattended = Moderation(status=ModerationStatus.NOT_MODERATED)
        return [a.model_copy(update={"moderation": unattended}) for a in progress(COHORT / csu)]

    return records


@pytest.fixture(scope="session")
def example_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example cohort through checkpoints 1 → 2 → 3 by the real CLI (`csu-assure demo --no-prefect`): the
    output folder, with every report and the register."""
    from typer.testing import CliRunner

    from cli import app

    out = tmp_path_factory.mktemp("example-run") / "out"
    result = CliRunner().invoke(app, ["demo", "--no-prefect", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out
