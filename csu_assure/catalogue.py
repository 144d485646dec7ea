"""Building the immutable check catalogue from the `checks` package, and validating it."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from csu_assure.checking import CHECK_ID, Check
from csu_assure.domain import Checkpoint

DOMAIN_CODES = {
    "EVD": "evidence",
    "LEA": "leadership",
    "CUS": "customer",
    "BUS": "business",
    "FIN": "business",
    "DEL": "delivery",
    "SCL": "scale",
    "OFF": "offer",
    "GOV": "governance",
    "PAR": "partnership",
}


class CatalogueError(Exception):
    """The catalogue itself is inconsistent: a programming error, caught by the meta-tests."""


@dataclass(frozen=True)
class Catalogue:
    checks: Mapping[str, Check[Any]]

    def __iter__(self) -> Iterator[Check[Any]]:
        return iter(self.checks.values())

    def __len__(self) -> int:
        return len(self.checks)

    def __getitem__(self, check_id: str) -> Check[Any]:
        return self.checks[check_id]

    def for_checkpoint(self, checkpoint: Checkpoint) -> tuple[Check[Any], ...]:
        return tuple(c for c in self.checks.values() if c.checkpoint == checkpoint)


def collect_checks(package: str = "checks") -> list[Check[Any]]:
    """Import every module under `package` and collect the `Check` values they define (explicitly, by type)."""
    root = importlib.import_module(package)
    found: list[Check[Any]] = []
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        module = importlib.import_module(info.name)
        found.extend(v for v in vars(module).values() if isinstance(v, Check) and v.module == module.__name__)
    return found


def build_catalogue(checks: list[Check[Any]]) -> Catalogue:
    """Validate and freeze: unique ids, ids that match their checkpoint and their module's file name."""
    errors: list[str] = []
    by_id: dict[str, Check[Any]] = {}
    for item in sorted(checks, key=lambda c: c.id):
        match = CHECK_ID.match(item.id)
        if not match:
            errors.append(f"{item.module}: id {item.id!r} is not of the form CPn-XXX-nn")
            continue
        if item.id in by_id:
            errors.append(f"duplicate check id {item.id} in {item.module} and {by_id[item.id].module}")
        if int(match["cp"]) != int(item.checkpoint):
            errors.append(f"{item.id}: declared checkpoint {int(item.checkpoint)} does not match its id")
        if match["dom"] not in DOMAIN_CODES or DOMAIN_CODES[match["dom"]] != item.domain.value:
            errors.append(f"{item.id}: id code {match['dom']} does not match domain {item.domain.value}")
        stem = item.module.rsplit(".", 1)[-1]
        if not stem.startswith(item.id.lower().replace("-", "_") + "_"):
            errors.append(
                f"{item.id}: module {stem!r} should start with {item.id.lower().replace('-', '_')}_"
            )
        by_id[item.id] = item
    if errors:
        raise CatalogueError("\n".join(errors))
    return Catalogue(checks=MappingProxyType(by_id))


@cache
def default_catalogue() -> Catalogue:
    """The shipped catalogue, built once per process (it is immutable)."""
    return build_catalogue(collect_checks("checks"))


def checks_dir() -> Path:
    return Path(importlib.import_module("checks").__path__[0])
