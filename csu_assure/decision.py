"""The decision model: domain RAG from check results, then the checkpoint outcome (BRIEF.md, "decision model")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from csu_assure.domain import Checkpoint, Domain, Outcome, Rag
from csu_assure.results import CheckResult

_ORDER = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}
_DOMAINS = tuple(Domain)  # listing order; once, not per assessment (hot path)


def domain_rag(results: Iterable[CheckResult]) -> dict[Domain, Rag]:
    """Any critical failure → RED; else any major failure → AMBER; else GREEN. Minor failures are advisory."""
    rag: dict[Domain, Rag] = {}
    for result in results:
        domain, colour = result.domain, result.rag
        current = rag.get(domain)
        if current is None or _ORDER[colour] > _ORDER[current]:
            rag[domain] = colour
    return {d: rag[d] for d in _DOMAINS if d in rag}


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    escalation: bool = False


def decide(
    checkpoint: Checkpoint, domains: Mapping[Domain, Rag], development_plan_agreed: bool = True
) -> Decision:
    reds = sum(1 for r in domains.values() if r is Rag.RED)
    ambers = sum(1 for r in domains.values() if r is Rag.AMBER)
    if checkpoint is Checkpoint.OUTLINE_PLAN:
        return Decision(Outcome.PROCEED_CONSOLIDATE if reds else Outcome.PROCEED)
    if checkpoint is Checkpoint.VIABILITY:
        if reds >= 2 or not development_plan_agreed:
            return Decision(Outcome.C)
        if reds == 1:
            return Decision(Outcome.B, escalation=True)
        return Decision(Outcome.B if ambers else Outcome.A)
    if reds:
        return Decision(Outcome.NOT_RECOMMENDED)
    return Decision(Outcome.RECOMMEND_WITH_CONDITIONS if ambers else Outcome.RECOMMEND)
