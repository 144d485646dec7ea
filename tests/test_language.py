"""The house style (`csu_assure.language`): counts that agree, negatives for nothing, money, dates, one term."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from csu_assure import language as lang


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "no conditions are"),
        (1, "1 condition is"),
        (2, "2 conditions are"),
        (1204, "1,204 conditions are"),
    ],
)
def test_counts_agree_with_their_verbs(n: int, expected: str) -> None:
    assert lang.count_is(n, "condition") == expected


def test_a_count_of_nothing_reads_as_a_negative() -> None:
    assert lang.none_of(0, 6, "planned CCG") == "none of the 6 planned CCGs"
    assert lang.none_of(6, 6, "CCG") == "all 6 CCGs"
    assert lang.none_of(2, 2, "CCG") == "both CCGs"
    assert lang.none_of(1, 1, "escalation") == "the one escalation"
    assert lang.spelled(2, "domain") == "Two domains" and lang.spelled(0, "CSU") == "No CSUs"
    assert lang.spelled(12, "CSU") == "12 CSUs"


@pytest.mark.parametrize(
    ("raw", "tidied"),
    [
        (
            "12 of 12 CCGs have at least 1 recorded engagement event(s)",
            "12 of 12 CCGs have at least 1 recorded engagement event",
        ),
        (
            "The footprint spans 1 PCT cluster(s) and 2 region(s)",
            "The footprint spans 1 PCT cluster and 2 regions",
        ),
        ("0 CCG(s) scored an item 1", "no CCG scored an item 1"),
        ("mean ≥ 3.0 and ≤ 0 CCG(s) scoring 1", "mean ≥ 3.0 and no CCG scoring 1"),
        ("0 of 6 planned CCG customers have not signed", "all 6 planned CCG customers have signed"),
        ("0 of 12 CCGs unaffordable", "none of the 12 CCGs unaffordable"),
        (
            "1 of 2 binding milestones due by then were missed",
            "1 of 2 binding milestones due by then was missed",
        ),
        ("0 binding milestones are missed", "no binding milestone is missed"),
        ("a deficit of -65%", "a deficit of −65%"),
        ("due 2012-06-30", "due 2012-06-30"),  # dates are `with_long_dates`' business
        (
            "all of full_business_plan, financial_model by then",
            "all of full business plan, financial model by then",
        ),
        ("set aside in financial_plan.csv rows 1–60", "set aside in financial_plan.csv rows 1–60"),
    ],
)
def test_tidy(raw: str, tidied: str) -> None:
    assert lang.tidy(raw) == tidied


def test_money_is_rounded_in_prose_and_exact_in_tables() -> None:
    assert lang.money(Decimal("1360245.50")) == "£1.36m"
    assert lang.money(Decimal("450000")) == "£450,000"
    assert lang.money(Decimal("12.50")) == "£12.50"
    assert lang.money(Decimal("-100000")) == "−£100,000"
    assert lang.money_exact(Decimal("1360245.5")) == "£1,360,245.50"
    assert lang.per_head(Decimal("11.00")) == "£11" and lang.per_head(Decimal("12.5")) == "£12.50"
    assert lang.with_prose_money("income £22,595,759.96 against £4,500,000; price £12.50") == (
        "income £22.60m against £4.50m; price £12.50"
    )


def test_dates_are_long_and_british() -> None:
    assert lang.long_date(dt.date(2012, 8, 31)) == "31 August 2012"
    assert (
        lang.with_long_dates("due by 2012-09-01, not 2012-13-01") == "due by 1 September 2012, not 2012-13-01"
    )


def test_one_term_for_the_organisations() -> None:
    text = "The CSS and other CSSs; the CSS's plan; commissioning support services; Staffordshire CSS"
    assert lang.csu_term(text, keep=("Staffordshire CSS",)) == (
        "The CSU and other CSUs; the CSU's plan; commissioning support units; Staffordshire CSS"
    )
    assert "CSS" in lang.CSU_TERM_NOTE  # the one place the historical name is explained


def test_pass_condition_leaves_out_how_a_failure_is_graded() -> None:
    assert lang.pass_condition("mean ≥ 3.0 and ≤ 0 CCG(s) scoring 1 (critical below 2.5)") == (
        "mean ≥ 3.0 and no CCG scoring 1"
    )
    assert lang.decision_phrase("Recommend hosting") == "recommend hosting"
    assert lang.decision_phrase("B — proceed, issues need rapid management").startswith("B —")
