"""The thresholds a record keeps for its charts are the rule set's, checkpoint by checkpoint."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from checks import catalogue as shipped_catalogue
from checks.chart_thresholds import read_chart_thresholds
from csu_assure.domain import Checkpoint
from csu_assure.render.word.charts import BDU_2012
from csu_assure.ruleset import default_ruleset_path, load_ruleset


@pytest.mark.parametrize("checkpoint", list(Checkpoint))
def test_the_shipped_rule_set_gives_the_bdu_2012_lines_at_every_checkpoint(checkpoint: Checkpoint) -> None:
    # The fallback for records without thresholds must be what the shipped rule set says, not a copy that drifts.
    assert load_ruleset(shipped_catalogue()).chart_thresholds[checkpoint] == BDU_2012


def test_each_checkpoint_reads_its_own_checks(tmp_path: Path) -> None:
    spec = yaml.safe_load(default_ruleset_path().read_text())
    spec["checks"]["CP1-SCL-01"]["params"]["min_population"] = 800_000
    spec["checks"]["CP1-FIN-02"]["params"]["max_share_of_rca"] = "0.45"
    spec["checks"]["CP3-FIN-05"]["params"]["max_share_of_rca"] = "0.35"
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(spec))
    ruleset = load_ruleset(shipped_catalogue(), path)
    cp1, cp2, cp3 = (ruleset.chart_thresholds[c] for c in Checkpoint)
    assert cp1 is not None and cp2 is not None and cp3 is not None
    assert (cp1.min_population, cp1.max_share_of_rca) == (800_000, Decimal("0.45"))
    assert (cp2.min_population, cp2.max_share_of_rca) == (1_000_000, Decimal("0.50"))
    assert (cp3.min_population, cp3.max_share_of_rca) == (1_000_000, Decimal("0.35"))


def test_a_rule_set_without_one_of_the_checks_gives_no_thresholds() -> None:
    ruleset = load_ruleset(shipped_catalogue())
    params = {k: v for k, v in ruleset.params.items() if k != "CP2-CUS-02"}
    assert read_chart_thresholds(params, Checkpoint.VIABILITY) is None
