"""Meta-tests that keep the check catalogue honest: ids, documentation, cases, rule-set entries and the
generated rule reference all stay in step with the checks themselves."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

import checks
from checks import catalogue as shipped_catalogue
from csu_assure.calendar import load_calendar
from csu_assure.catalogue import CatalogueError, build_catalogue, collect_checks
from csu_assure.checking import DOC_SECTIONS, Check, Context, NoParams, judge
from csu_assure.domain import DECISION_DOMAINS, CheckGroup, Checkpoint, Domain
from csu_assure.engine import make_context, run_check
from csu_assure.results import Judgement
from csu_assure.rule_reference import REGENERATE, render_rule_reference
from csu_assure.ruleset import default_ruleset_path, load_ruleset
from csu_assure.submission import Submission
from csu_assure.synthetic import baseline, to_submission
from tests.checks.case_patching import case_submission

ROOT = Path(__file__).resolve().parents[2]
CASES_DIR = Path(__file__).parent / "cases"
MIN_CHECKS_PER_CHECKPOINT = 10

CATALOGUE = shipped_catalogue()
CHECKS = sorted(CATALOGUE, key=lambda c: c.id)


def by_id(item: Check[Any]) -> str:
    return item.id


# ------------------------------------------------------------------------------------ catalogue building


def _fake(
    check_id: str,
    module: str,
    checkpoint: int = 1,
    domain: Domain = Domain.BUSINESS,
    group: CheckGroup = CheckGroup.OFFER,
) -> Check[NoParams]:
    def function(sub: Submission, p: NoParams, ctx: Context) -> Judgement:
        return judge(passed=True, actual=None, expected="", finding="fake")

    return Check(
        id=check_id,
        name="A fake problem",
        checkpoint=Checkpoint(checkpoint),
        domain=domain,
        group=group,
        params=NoParams,
        action="Do something.",
        evidence_required="Proof.",
        function=function,
        doc={},
        module=module,
    )


def test_shipped_check_ids_are_unique() -> None:
    counts = Counter(c.id for c in collect_checks(checks))
    assert [i for i, n in counts.items() if n > 1] == []
    assert len(CATALOGUE) == sum(counts.values())


def test_build_catalogue_accepts_consistent_checks() -> None:
    built = build_catalogue(
        [
            _fake("CP1-OFF-01", "checks.offer.cp1_off_01_outline"),
            _fake("CP1-FIN-01", "checks.business.cp1_fin_01_cost", group=CheckGroup.BUSINESS),
        ]
    )
    assert sorted(built.checks) == ["CP1-FIN-01", "CP1-OFF-01"]


def test_build_catalogue_rejects_duplicate_ids() -> None:
    first = _fake("CP1-OFF-01", "checks.offer.cp1_off_01_outline")
    second = _fake("CP1-OFF-01", "checks.offer.cp1_off_01_again")
    with pytest.raises(CatalogueError, match="duplicate check id CP1-OFF-01"):
        build_catalogue([first, second])


def test_build_catalogue_rejects_id_that_does_not_match_the_file_name() -> None:
    with pytest.raises(CatalogueError, match="should start with cp1_off_02_"):
        build_catalogue([_fake("CP1-OFF-02", "checks.offer.cp1_off_01_outline")])


def test_build_catalogue_rejects_checkpoint_and_group_that_contradict_the_id() -> None:
    with pytest.raises(CatalogueError) as error:
        build_catalogue(
            [_fake("CP2-OFF-01", "checks.offer.cp2_off_01_x", checkpoint=1, group=CheckGroup.SCALE)]
        )
    assert "does not match its id" in str(error.value)
    assert "does not match group scale" in str(error.value)


def test_build_catalogue_rejects_a_decision_domain_its_checkpoint_does_not_have() -> None:
    with pytest.raises(CatalogueError, match="delivery is not a decision domain of checkpoint 2"):
        build_catalogue(
            [_fake("CP2-OFF-01", "checks.offer.cp2_off_01_x", checkpoint=2, domain=Domain.DELIVERY)]
        )


def test_build_catalogue_rejects_malformed_id() -> None:
    with pytest.raises(CatalogueError, match="not of the form"):
        build_catalogue([_fake("CP1-OFFER-1", "checks.offer.cp1_offer_1")])


# ------------------------------------------------------------------------------------------ every check


@pytest.mark.parametrize("item", CHECKS, ids=by_id)
def test_check_is_documented(item: Check[Any]) -> None:
    empty = [name for name in DOC_SECTIONS if not item.doc.get(name, "").strip()]
    assert not empty, f"{item.module}: docstring sections missing or empty: {empty}"
    assert item.name.strip() and not item.name.endswith("."), f"{item.id}: name should be a short title"
    assert item.action.strip(), f"{item.id}: no development-plan action"
    assert item.evidence_required.strip(), f"{item.id}: no evidence required"


@pytest.mark.parametrize("item", CHECKS, ids=by_id)
def test_check_counts_towards_a_decision_domain_and_says_why_it_weighs_what_it_does(item: Check[Any]) -> None:
    assert item.domain in DECISION_DOMAINS[item.checkpoint], (
        f"{item.id}: {item.domain} is no domain of its checkpoint"
    )
    severity = load_ruleset(CATALOGUE).severity[item.id]
    reason = item.doc.get("Severity", "")
    assert reason.lower().startswith(severity.value), (
        f"{item.id}: its Severity section should open with the rule set's severity ({severity.value}), then say why"
    )
    assert len(reason.split()) >= 12, f"{item.id}: a severity needs a reason, not just a word"


@pytest.mark.parametrize("item", CHECKS, ids=by_id)
def test_a_declared_remedy_is_shown_by_a_case_and_every_remedied_case_is_declared(item: Check[Any]) -> None:
    cases = yaml.safe_load((CASES_DIR / f"{item.id}.yaml").read_text(encoding="utf-8"))["cases"]
    remedied = [c["name"] for c in cases if c.get("remedy") is True]
    if item.remedy:
        assert remedied, (
            f"{item.id} declares the remedy {item.remedy!r} but no case shows it lowering a failure"
        )
        assert "remedy" in item.doc.get("Severity", "").lower() or "lowers" in item.doc.get("Severity", "")
    else:
        assert not remedied, f"{item.id}: cases {remedied} show a remedy the check does not declare"


@pytest.mark.parametrize("item", CHECKS, ids=by_id)
def test_check_params_are_described(item: Check[Any]) -> None:
    undescribed = [name for name, field in item.params.model_fields.items() if not field.description]
    assert not undescribed, f"{item.id}: Params fields without a description (the rule reference shows them)"


@pytest.mark.parametrize("item", CHECKS, ids=by_id)
def test_check_has_pass_and_fail_cases(item: Check[Any]) -> None:
    path = CASES_DIR / f"{item.id}.yaml"
    assert path.is_file(), f"{item.id}: no case file {path.relative_to(ROOT)}"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    expected = {case["expect"] for case in spec["cases"]}
    assert {"PASS", "FAIL"} <= expected, f"{path.name} needs at least one PASS and one FAIL case"


def _patched_cases() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        found += [(path.stem, case) for case in spec["cases"] if case.get("patch")]
    return found


@pytest.mark.parametrize(
    ("check_id", "case"), _patched_cases(), ids=lambda v: v if isinstance(v, str) else v["name"]
)
def test_case_patch_changes_the_submission(check_id: str, case: dict[str, Any]) -> None:
    """A patch that leaves the baseline as it was would pass or fail for the wrong reason."""
    checkpoint = case.get("checkpoint", int(CATALOGUE[check_id].checkpoint))
    patched = to_submission(case_submission(checkpoint, case["patch"]))
    assert patched != to_submission(baseline(checkpoint=checkpoint)), f"{check_id}: patch changes nothing"


@pytest.mark.parametrize("item", CHECKS, ids=by_id)
def test_check_has_a_valid_rule_set_entry(item: Check[Any]) -> None:
    raw = yaml.safe_load(default_ruleset_path().read_text(encoding="utf-8"))["checks"]
    assert item.id in raw, f"{item.id}: no entry in {default_ruleset_path().name}"
    item.params.model_validate(raw[item.id].get("params", {}))


def test_default_rule_set_loads_against_the_catalogue() -> None:
    ruleset = load_ruleset(CATALOGUE)
    assert set(ruleset.params) == set(CATALOGUE.checks)


@pytest.mark.parametrize("checkpoint", list(Checkpoint), ids=lambda c: f"checkpoint-{int(c)}")
def test_enough_checks_per_checkpoint(checkpoint: Checkpoint) -> None:
    count = len(CATALOGUE.for_checkpoint(checkpoint))
    assert count >= MIN_CHECKS_PER_CHECKPOINT, f"{checkpoint.title}: only {count} checks"


@pytest.mark.parametrize("checkpoint", list(Checkpoint), ids=lambda c: f"checkpoint-{int(c)}")
def test_baseline_fails_no_check_of_its_checkpoint(checkpoint: Checkpoint) -> None:
    ruleset = load_ruleset(CATALOGUE)
    calendar = load_calendar()
    sub = to_submission(baseline(checkpoint=int(checkpoint)))
    ctx = make_context(calendar, checkpoint, calendar.deadline(checkpoint) + dt.timedelta(days=1))
    failing = {}
    for item in CATALOGUE.for_checkpoint(checkpoint):
        judgement, error = run_check(item, sub, ruleset, ctx)
        if judgement is None or judgement.status.counts_as_failure:
            failing[item.id] = error or (judgement.finding if judgement else "")
    assert failing == {}


# ---------------------------------------------------------------------------------------- rule reference


def test_committed_rule_reference_is_current() -> None:
    committed = ROOT / "docs" / "rules.md"
    fresh = render_rule_reference(CATALOGUE, load_ruleset(CATALOGUE))
    assert committed.is_file(), f"docs/rules.md is missing; run `{REGENERATE}`"
    assert committed.read_text(encoding="utf-8") == fresh, f"docs/rules.md is stale; run `{REGENERATE}`"
