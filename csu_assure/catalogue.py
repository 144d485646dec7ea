"""Building an immutable check catalogue from a package of checks it is given, and validating it.

The kernel never names the shipped `checks` package: whoever runs an assessment (the CLI, a flow, a notebook, a
test) builds the catalogue from it (`checks.catalogue()`) and passes it down. What the engine and the charts
need to know about particular checks (which one says "no agreed development plan", which thresholds a chart
draws) comes with the catalogue from the same package, so no check id is written in the kernel.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any

from csu_assure.checking import Check, CheckParams
from csu_assure.domain import CHECK_ID_PATTERN, DECISION_DOMAINS, CheckGroup, Checkpoint
from csu_assure.results import ChartThresholds

CHECK_ID = re.compile(CHECK_ID_PATTERN)

# A rule set's parameters (check id → typed params) and a checkpoint → the thresholds its records' charts draw.
ChartThresholdReader = Callable[[Mapping[str, CheckParams], Checkpoint], ChartThresholds | None]


def _no_chart_thresholds(params: Mapping[str, CheckParams], checkpoint: Checkpoint) -> ChartThresholds | None:
    return None


# A check id's three letters name its group (FIN and BUS are both the business group).
GROUP_CODES = {
    "EVD": CheckGroup.EVIDENCE,
    "LEA": CheckGroup.LEADERSHIP,
    "CUS": CheckGroup.CUSTOMER,
    "BUS": CheckGroup.BUSINESS,
    "FIN": CheckGroup.BUSINESS,
    "DEL": CheckGroup.DELIVERY,
    "SCL": CheckGroup.SCALE,
    "OFF": CheckGroup.OFFER,
    "GOV": CheckGroup.GOVERNANCE,
    "PAR": CheckGroup.PARTNERSHIP,
}


class CatalogueError(Exception):
    """The catalogue itself is inconsistent: a programming error, caught by the meta-tests."""


@dataclass(frozen=True)
class Catalogue:
    checks: Mapping[str, Check[Any]]
    # The check whose failure means "no agreed development plan" (a stop at checkpoint 2), if the catalogue has one.
    development_plan_check: str | None = None
    # Which rule-set thresholds a record's charts draw as reference lines (None: the catalogue does not say).
    chart_thresholds: ChartThresholdReader = _no_chart_thresholds

    def __iter__(self) -> Iterator[Check[Any]]:
        return iter(self.checks.values())

    def __len__(self) -> int:
        return len(self.checks)

    def __getitem__(self, check_id: str) -> Check[Any]:
        return self.checks[check_id]

    def for_checkpoint(self, checkpoint: Checkpoint) -> tuple[Check[Any], ...]:
        return tuple(c for c in self.checks.values() if c.checkpoint == checkpoint)


def collect_checks(package: ModuleType) -> list[Check[Any]]:
    """Import every module under `package` and collect the `Check` values they define (explicitly, by type)."""
    found: list[Check[Any]] = []
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
        module = importlib.import_module(info.name)
        found.extend(v for v in vars(module).values() if isinstance(v, Check) and v.module == module.__name__)
    return found


def build_catalogue(
    checks: list[Check[Any]],
    *,
    development_plan_check: str | None = None,
    chart_thresholds: ChartThresholdReader = _no_chart_thresholds,
) -> Catalogue:
    """Validate and freeze: unique ids, ids that match their checkpoint and their module's file name."""
    errors: list[str] = []
    by_id: dict[str, Check[Any]] = {}
    for item in sorted(checks, key=lambda c: c.id):
        if not CHECK_ID.match(item.id):
            errors.append(f"{item.module}: id {item.id!r} is not of the form CPn-XXX-nn")
            continue
        checkpoint, code = int(item.id[2]), item.id[4:7]  # CP<n>-<code>-<nn>, as the pattern says
        if item.id in by_id:
            errors.append(f"duplicate check id {item.id} in {item.module} and {by_id[item.id].module}")
        if checkpoint != int(item.checkpoint):
            errors.append(f"{item.id}: declared checkpoint {int(item.checkpoint)} does not match its id")
        if GROUP_CODES.get(code) is not item.group:
            errors.append(f"{item.id}: id code {code} does not match group {item.group.value}")
        if item.domain not in DECISION_DOMAINS[item.checkpoint]:
            errors.append(
                f"{item.id}: {item.domain.value} is not a decision domain of checkpoint {int(item.checkpoint)}"
            )
        stem = item.module.rsplit(".", 1)[-1]
        if not stem.startswith(item.id.lower().replace("-", "_") + "_"):
            errors.append(
                f"{item.id}: module {stem!r} should start with {item.id.lower().replace('-', '_')}_"
            )
        by_id[item.id] = item
    if development_plan_check is not None and development_plan_check not in by_id:
        errors.append(f"development plan check {development_plan_check} is not in the catalogue")
    if errors:
        raise CatalogueError("\n".join(errors))
    return Catalogue(
        checks=MappingProxyType(by_id),
        development_plan_check=development_plan_check,
        chart_thresholds=chart_thresholds,
    )


def package_dir(package: ModuleType) -> Path:
    """The folder of a package of checks (where the rule reference finds each check's file)."""
    return Path(package.__path__[0])
