"""Records made under the first decision model (schema version 1: nine domains coloured red / amber / green,
critical / major / minor) stay readable, keep what was decided, and re-render."""

from __future__ import annotations

import json
from pathlib import Path

from docx import Document

from csu_assure.domain import CheckGroup, Domain, DomainStatus, Outcome, Severity
from csu_assure.render.word import write_assessment_report
from csu_assure.results import SCHEMA_VERSION, Assessment

V1 = (
    Path(__file__).parent / "fixtures" / "assessment-schema-v1.json"
)  # pennine-ridge at checkpoint 2, 2026-12


def test_a_version_1_record_reads_as_version_2_and_keeps_its_decision() -> None:
    raw = json.loads(V1.read_text(encoding="utf-8"))
    assert raw["schema_version"] == 1 and raw["escalation"] is True and raw["domains"]["customer"] == "RED"
    record = Assessment.model_validate(raw)
    assert record.schema_version == SCHEMA_VERSION
    assert (record.outcome, record.escalation) == (Outcome.B, Domain.CUSTOMER)  # decided then, kept now
    assert record.domains == {
        Domain.BUSINESS: DomainStatus.PASS,  # evidence, scale and business were green
        Domain.LEADERSHIP: DomainStatus.PASS,  # leadership and governance were green
        Domain.CUSTOMER: DomainStatus.FAIL,
    }
    groups = {r.check_id: r.group for r in record.results}
    assert groups["CP2-SCL-01"] is CheckGroup.SCALE and groups["CP2-GOV-01"] is CheckGroup.GOVERNANCE
    assert {r.check_id: r.domain for r in record.results}["CP2-SCL-01"] is Domain.BUSINESS
    severities = {r.check_id: r.severity for r in record.results}
    assert (
        severities["CP2-BUS-05"] is Severity.LOW and severities["CP2-BUS-02"] is Severity.HIGH
    )  # minor, major
    assert {i.severity for i in record.development_plan} <= set(Severity)


def test_a_version_1_record_round_trips_and_re_renders(tmp_path: Path) -> None:
    record = Assessment.model_validate_json(V1.read_text(encoding="utf-8"))
    assert Assessment.model_validate_json(record.model_dump_json()) == record
    path = write_assessment_report(record, tmp_path / "v1.docx")
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert f"Decision: {record.outcome.label}" in text
