"""Every source a check cites has a plain-English citation, and none of the internal tags reach a reader."""

from __future__ import annotations

import re

from checks import catalogue as shipped_catalogue
from csu_assure.sources import FRAMEWORK, SEED_CITATIONS, plain_source

SEEDS = re.compile(r"`(\d{3})`")


def test_every_seed_a_check_cites_has_a_citation() -> None:
    cited = {tag for c in shipped_catalogue() for tag in SEEDS.findall(c.source)}
    assert cited and cited <= set(SEED_CITATIONS)


def test_plain_sources_carry_no_internal_tags() -> None:
    for c in shipped_catalogue():
        plain = plain_source(c.source)
        assert plain, c.id
        assert not re.search(r"\[[SDA]\b|seed|BRIEF\.md|`", plain), (c.id, plain)


def test_the_basis_is_said_in_words() -> None:
    assert plain_source('[S] seed `003` ("4%"); BRIEF.md CP3-FIN-02.') == (
        "Set by NHS Commissioning Board checkpoint 3 guidance, 2012; " + FRAMEWORK
    )
    assert plain_source("[D] seed `000` and `001`.").startswith("Derived from NHS Commissioning Board on the")
    assert plain_source("[A] BRIEF.md CP3-FIN-06.") == (
        "The BDU assessment framework's own standard, 2012, where the publications set no figure"
    )
    assert plain_source("[A, from seed `003`] notice periods").endswith(
        "informed by NHS Commissioning Board checkpoint 3 guidance, 2012"
    )
    assert plain_source("") == ""
