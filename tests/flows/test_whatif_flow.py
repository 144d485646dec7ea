"""The `whatif-cohort` flow: one task into the kernel, the change list published as a table artifact."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from csu_assure.ruleset import default_ruleset_path
from csu_assure.service import Options

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

ROOT = Path(__file__).resolve().parents[2]


def test_whatif_flow_publishes_the_csus_that_change(tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.whatif import whatif_flow

    spec = yaml.safe_load(default_ruleset_path().read_text(encoding="utf-8"))
    spec["version"] = "2012.3-panel"
    spec["checks"]["CP2-BUS-04"]["params"]["max_share_of_rca"] = "0.40"
    alt = tmp_path / "alt.yaml"
    alt.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    result = whatif_flow(
        str(ROOT / "submissions" / "example-cohort"), 2, str(alt), options=Options(out_dir=out)
    )
    assert "north-vale" in {c.csu_id for c in result.outcome_changes}
    assert not out.exists(), "a what-if writes nothing: no report, no register"
    keys = ["whatif-example-cohort-cp2", "whatif-example-cohort-cp2-changes"]
    with get_client(sync_client=True) as client:
        found = {
            a.key: a
            for a in client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=keys)))
        }
    assert set(found) == set(keys)
    assert found["whatif-example-cohort-cp2-changes"].type == "table"
    table = str(found["whatif-example-cohort-cp2-changes"].data)
    assert "north-vale" in table and "CP2-BUS-04" in table
    summary = str(found["whatif-example-cohort-cp2"].data)
    assert result.base.sha256 in summary and result.alt.sha256 in summary and "2012.3-panel" in summary
