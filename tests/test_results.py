"""Records the engine builds with `trusted` (no second validation) are the records validation would build."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import BaseModel, Field, PrivateAttr

from checks import catalogue as shipped_catalogue
from csu_assure.calendar import load_calendar
from csu_assure.domain import Domain, Severity, Status
from csu_assure.engine import assess
from csu_assure.results import Adjustment, CheckResult, PlanItem, trusted
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


def test_an_errored_check_leaves_its_other_fields_at_their_defaults() -> None:
    fields: dict[str, Any] = {
        "check_id": "CP3-FIN-01",
        "name": "A problem",
        "domain": Domain.BUSINESS,
        "severity": Severity.MAJOR,
        "computed_status": Status.ERROR,
        "status": Status.ERROR,
        "finding": "The check could not be completed.",
        "source": "[A]",
        "adjustment": None,
        "note": "ValueError: boom",
    }
    record = trusted(CheckResult, fields)
    same_as_validated(record)
    assert record.model_fields_set == set(fields)
    assert (record.actual, record.expected, record.evidence) == (None, "", ())


def test_fields_given_out_of_order_are_kept_in_declaration_order() -> None:
    fields: dict[str, Any] = {
        "severity": Severity.MINOR,
        "due": dt.date(2012, 8, 31),
        "item_id": "CP2-CUS-03@2",
        "check_id": "CP2-CUS-03",
        "finding": "f",
        "action": "a",
        "owner": "o",
        "evidence_required": "e",
    }
    record = trusted(PlanItem, fields)
    assert list(record.__dict__) == list(PlanItem.model_fields)
    assert record.binding is True and "binding" not in record.model_fields_set
    same_as_validated(record)


def test_models_that_need_pydantics_own_construction_are_refused() -> None:
    class WithFactory(BaseModel):
        items: list[int] = Field(default_factory=list)

    class WithPrivate(BaseModel):
        _cache: int = PrivateAttr(0)

    for model in (WithFactory, WithPrivate):
        with pytest.raises(TypeError):
            trusted(model, {})
