"""`csu-assure moderate`: what `--override` and `--waive` take and the usage errors that stop a moderation
before Prefect is reached (the paused runs themselves: tests/flows/test_moderation.py)."""

from __future__ import annotations

import uuid

import pytest
import typer
from typer.testing import CliRunner

from cli import app
from cli.moderate_cmd import parse_override, parse_waiver

RUN_ID = str(uuid.uuid4())


def test_a_waiver_names_the_check_its_last_day_and_the_reason() -> None:
    assert parse_waiver('CP2-LEA-02:2012-06-30:finance director starts in June, "confirmed"') == {
        "check_id": "CP2-LEA-02",
        "expires": "2012-06-30",
        "reason": 'finance director starts in June, "confirmed"',
    }
    assert parse_waiver("CP2-LEA-02:2012-06-30:a reason: with a colon")["reason"] == "a reason: with a colon"
    assert parse_override("CP2-CUS-03=PASS:letters arrived")["status"] == "PASS"


@pytest.mark.parametrize(
    "text",
    [
        "CP2-LEA-02:30/06/2012:why",
        "CP2-LEA-02:2012-06-30",
        "CP2-LEA-02=2012-06-30:why",
        "CP2-LEA-02::why",
        "",
    ],
)
def test_a_malformed_waiver_is_a_usage_error(text: str) -> None:
    with pytest.raises(typer.Exit) as exited:
        parse_waiver(text)
    assert exited.value.exit_code == 2


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--assessor", "A"), "give --accept, or at least one --override or --waive"),
        (("--assessor", "A", "--accept", "--waive", "CP2-LEA-02:2099-01-01:r"), "--accept takes the draft"),
        (("--assessor", "A", "--accept", "--override", "CP2-LEA-02=PASS:r"), "--accept takes the draft"),
        (("--assessor", "A", "--waive", "CP2-LEA-02:tomorrow:r"), "expected CHECK_ID:YYYY-MM-DD:reason"),
    ],
)
def test_an_ambiguous_or_malformed_moderation_is_refused_before_anything_is_sent(
    args: tuple[str, ...], says: str
) -> None:
    result = CliRunner().invoke(app, ["moderate", RUN_ID, *args])
    assert result.exit_code == 2, result.output
    assert says in " ".join(result.stderr.split())
