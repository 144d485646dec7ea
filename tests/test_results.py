"""Every record of an assessment is the record pydantic's validation builds from its fields.

The engine builds results, plan items and key figures by validation through public pydantic APIs (some through
`TypeAdapter`s of the models, for speed). These tests keep that so: a record must equal, print, serialise and
report its set fields exactly as the model validated from those fields does."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from checks import catalogue as shipped_catalogue
from csu_assure.calendar import load_calendar
from csu_assure.domain import Domain, Severity, Status
from csu_assure.engine import assess
from csu_assure.results import CHECK_RESULT, JUDGEMENT, Adjustment, CheckResult, Judgement
from csu_assure.ruleset import load_ruleset
from csu_assure.synthetic import apply_patch, baseline, to_submission


def same_as_validated(record: BaseModel) -> None:
    """`record` equals the model validated from the fields it says were given, in every observable way."""
    given = {name: getattr(record, name) for name in record.model_fields_set}
    validated = type(record)(**given)
    assert record == validated
    assert repr(record) == repr(validated)  # fields in declaration order
    assert record.model_dump_json() == validated.model_dump_json()
    assert record.model_fields_set == validated.model_fields_set
    assert record.__pydantic_extra__ == validated.__pydantic_extra__
    assert record.__pydantic_private__ == validated.__pydantic_private__


def nested_records(record: BaseModel) -> list[BaseModel]:
    found = [record]
    for name in type(record).model_fields:
        value = getattr(record, name)
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if isinstance(item, BaseModel):
                found.extend(nested_records(item))
    return found


@pytest.mark.parametrize("checkpoint", [1, 2, 3])
def test_every_record_of_an_assessment_is_what_validation_builds(checkpoint: int) -> None:
    catalogue, calendar = shipped_catalogue(), load_calendar()
    ruleset = load_ruleset(catalogue)
    # Some failures (development-plan items), an override, an expired and a live waiver, an errored check.
    drop = {1: ["services"], 2: ["ccg_interviews"], 3: ["workforce"]}[checkpoint]
    raw = apply_patch(baseline(checkpoint=checkpoint), {"drop": drop})
    ids = [c.id for c in catalogue.for_checkpoint(raw.checkpoint)]
    adjustments = [
        Adjustment(kind="override", check_id=ids[0], assessor="a", reason="r", status=Status.PASS),
        Adjustment(kind="waiver", check_id=ids[1], assessor="b", reason="r", expires=dt.date(2012, 1, 1)),
        Adjustment(kind="waiver", check_id=ids[2], assessor="b", reason="r"),
    ]
    record = assess(
        to_submission(raw),
        catalogue=catalogue,
        ruleset=ruleset,
        calendar=calendar,
        as_of=calendar.deadline(raw.checkpoint) + dt.timedelta(days=1),
        assessor="test",
        adjustments=adjustments,
    )
    records = nested_records(record)
    assert {type(r).__name__ for r in records} >= {"CheckResult", "Assessment", "Provenance"}
    assert record.development_plan, "the patch should leave development-plan items"
    for r in records:
        same_as_validated(r)


def test_the_adapters_validate_and_build_the_models_own_records() -> None:
    """`results.CHECK_RESULT` and `results.JUDGEMENT` are the models' own validation: the same records as
    `model_validate`, and bad values refused."""
    fields: dict[str, Any] = {
        "check_id": "CP3-FIN-01",
        "name": "A problem",
        "domain": Domain.BUSINESS,
        "group": "business",
        "severity": Severity.HIGH,
        "computed_status": Status.FAIL,
        "status": Status.FAIL,
        "actual": "2 gap(s)",
        "finding": "Two gaps.",
        "evidence": ({"year": "1", "missing": "customer C01"},),
    }
    record = CHECK_RESULT.validate_python(fields)
    assert type(record) is CheckResult
    same_as_validated(record)
    assert record.model_fields_set == set(fields)
    judgement = JUDGEMENT.validate_python({"status": Status.PASS, "finding": "Fine."})
    assert judgement == Judgement(status=Status.PASS, finding="Fine.")
    with pytest.raises(ValidationError):
        CHECK_RESULT.validate_python({**fields, "status": "BOGUS"})
    with pytest.raises(ValidationError):
        JUDGEMENT.validate_python({"status": Status.WAIVED, "finding": "Only the engine waives."})
