"""What-if: a cohort re-assessed under another rule set from the same inputs, and the CSUs whose decision changes.

A cohort is read once (`load_cohort`: the layout, each CSU's gate and its submission, as `assess_cohort` reads
them), then assessed under each rule set in memory with the service's own `evaluate` step: the same engine paths
(assessed, not submitted, invalid), the same prior plans, nothing recorded and no report written. `compare`
lists what changes for one CSU: its outcome, its domains' statuses, its development-plan items, and each check
whose result flips, with its figure against the lines of both rule sets.

`whatif_cohort` keeps only the changes, the counts and each borderline CSU's hinges, so a 10,000-CSU cohort never
holds 20,000 records. With `workers` above 1 the cohort is split into chunks read and assessed in worker
processes (`concurrent.futures`), each building its catalogue from `catalogue_factory` (checks are functions,
found by name) and its configuration from the picklable parts of this one.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from csu_assure.calendar import Calendar, load_calendar
from csu_assure.catalogue import Catalogue
from csu_assure.domain import Checkpoint, Disposition, Domain, DomainStatus, Outcome, Severity, Status
from csu_assure.register import Register, RegisterMissing
from csu_assure.results import Assessment, Firmness, Measure, count_label
from csu_assure.ruleset import RuleSet, load_ruleset
from csu_assure.service import (
    Config,
    CsuRun,
    Job,
    Loaded,
    crashed,
    default_as_of,
    dry_run_config,
    evaluate,
    load_job,
    prepare,
    read_cohort_layout,
)
from csu_assure.settings import NOT_NAMED, Settings
from csu_assure.variants import RuleSetDiff, RuleSetIdentity, diff_rulesets

# -- a cohort read once ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One CSU folder of a cohort, read once: its job and submission, or what the gate decided instead (stopped
    at an earlier checkpoint); assessed under any rule set by `assess_entry`."""

    folder: Path
    job: Job | None
    loaded: Loaded = None
    settled: CsuRun | None = (
        None  # the gate's run when there is no job (stopped earlier, awaiting submission)
    )


@dataclass(frozen=True)
class LoadedCohort:
    name: str
    checkpoint: Checkpoint
    as_of: dt.date
    entries: tuple[Entry, ...]
    refused: tuple[str, ...] = ()  # cohort entries the layout does not read, each with why
    prior_plans: str = "none"  # where the plans carried from the previous checkpoint came from


def read_entry(folder: Path, checkpoint: Checkpoint, config: Config, as_of: dt.date) -> Entry:
    try:
        job = prepare(folder, checkpoint, config, as_of=as_of)
        if isinstance(job, CsuRun):
            return Entry(folder, None, settled=job)
        return Entry(folder, job, load_job(job))
    except Exception as error:  # isolated as a cohort run isolates it: the CSU is reported, the rest go on
        return Entry(folder, None, settled=crashed(folder, checkpoint, error))


def _cohort_folders(cohort_dir: Path, skip: Sequence[Path] = ()) -> tuple[list[Path], tuple[str, ...]]:
    """The CSU folders of a cohort and the entries it does not read, as text (as `assess_cohort` names them)."""
    layout, refused = read_cohort_layout(cohort_dir, skip)
    return list(layout.csus), tuple(str(p) for p in refused)


def load_cohort(
    cohort_dir: Path,
    checkpoint: Checkpoint,
    config: Config,
    *,
    as_of: dt.date | None = None,
    skip: Sequence[Path] = (),
    prior_plans: str = "none",
) -> LoadedCohort:
    """Read a cohort once: each CSU gated against `config`'s register (stopped earlier?) with the plan it holds
    from the previous checkpoint, and its submission loaded."""
    checkpoint = Checkpoint(checkpoint)
    at = as_of or default_as_of(config.calendar, checkpoint)
    folders, refused = _cohort_folders(cohort_dir, skip)
    entries = tuple(read_entry(folder, checkpoint, config, at) for folder in folders)
    return LoadedCohort(Path(cohort_dir).resolve().name, checkpoint, at, entries, refused, prior_plans)


def assess_entry(entry: Entry, config: Config) -> CsuRun:
    """The entry's run under `config`'s rule set: the service's `evaluate` step, nothing recorded or written."""
    if entry.job is None:
        assert entry.settled is not None
        return entry.settled
    try:
        return evaluate(entry.job, entry.loaded, config)
    except Exception as error:
        return crashed(entry.folder, entry.job.checkpoint, error)


def under(config: Config, ruleset: RuleSet) -> Config:
    """`config` with another rule set (same catalogue, calendar, register and assessor)."""
    return replace(config, ruleset=ruleset)


# -- what changes ----------------------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CheckFlip(_Model):
    """A check whose result differs between the rule sets: its figure against the lines of both."""

    check_id: str
    name: str
    domain: Domain
    base_status: Status
    alt_status: Status
    base_severity: Severity = Field(
        description="What a failure weighs (the rule set's severity, when passing)."
    )
    alt_severity: Severity
    actual: str | None = Field(description="The figure as the check states it (under the base rule set).")
    base_expected: str
    alt_expected: str
    base_measures: tuple[Measure, ...] = ()
    alt_measures: tuple[Measure, ...] = ()

    @property
    def base_result(self) -> str:
        return _result(self.base_status, self.base_severity)

    @property
    def alt_result(self) -> str:
        return _result(self.alt_status, self.alt_severity)


def _result(status: Status, severity: Severity) -> str:
    return f"{status.value} ({severity.value})" if status.counts_as_failure else status.value


class PlanChange(_Model):
    """A development-plan item that one rule set's plan has and the other's lacks, or weighs differently."""

    item_id: str
    change: str  # "added", "removed" or "changed"
    base: str | None = None  # e.g. "medium, binding"
    alt: str | None = None


class CsuChange(_Model):
    """One CSU whose decision, domains or plan differ between the rule sets."""

    csu_id: str
    csu_name: str
    base_outcome: Outcome
    alt_outcome: Outcome
    base_escalation: Domain | None = None
    alt_escalation: Domain | None = None
    domains: dict[Domain, tuple[DomainStatus, DomainStatus]] = Field(
        default_factory=dict, description="The domains whose status differs: (base, alternative)."
    )
    flips: tuple[CheckFlip, ...] = ()
    plan: tuple[PlanChange, ...] = ()

    @property
    def outcome_changed(self) -> bool:
        return self.base_outcome is not self.alt_outcome or self.base_escalation is not self.alt_escalation


def _flipped(base: Assessment, alt: Assessment) -> Iterator[CheckFlip]:
    others = {r.check_id: r for r in alt.results}
    for b in base.results:
        a = others.get(b.check_id)
        if a is None:
            continue
        if b.status is a.status and (not b.failed or b.severity is a.severity):
            continue
        yield CheckFlip(
            check_id=b.check_id,
            name=b.name,
            domain=b.domain,
            base_status=b.status,
            alt_status=a.status,
            base_severity=b.severity,
            alt_severity=a.severity,
            actual=b.actual,
            base_expected=b.expected,
            alt_expected=a.expected,
            base_measures=b.measures,
            alt_measures=a.measures,
        )


def _plan_changes(base: Assessment, alt: Assessment) -> Iterator[PlanChange]:
    def weight(item: Any) -> str:
        return f"{item.severity.value}, {'binding' if item.binding else 'advice'}"

    theirs = {i.item_id: i for i in alt.development_plan}
    ours = {i.item_id: i for i in base.development_plan}
    for item_id, item in ours.items():
        other = theirs.get(item_id)
        if other is None:
            yield PlanChange(item_id=item_id, change="removed", base=weight(item))
        elif weight(item) != weight(other):
            yield PlanChange(item_id=item_id, change="changed", base=weight(item), alt=weight(other))
    for item_id, other in theirs.items():
        if item_id not in ours:
            yield PlanChange(item_id=item_id, change="added", alt=weight(other))


def compare(base: Assessment, alt: Assessment) -> CsuChange | None:
    """What differs between two assessments of the same submission under two rule sets: None when the outcome,
    the domains and the plan are the same (a check may still differ without changing any of them: it is listed
    only with a CSU that changes)."""
    domains = {
        d: (s, alt.domains[d])
        for d, s in base.domains.items()
        if d in alt.domains and alt.domains[d] is not s
    }
    plan = tuple(_plan_changes(base, alt))
    if base.outcome is alt.outcome and base.escalation is alt.escalation and not domains and not plan:
        return None
    return CsuChange(
        csu_id=base.csu_id,
        csu_name=base.csu_name,
        base_outcome=base.outcome,
        alt_outcome=alt.outcome,
        base_escalation=base.escalation,
        alt_escalation=alt.escalation,
        domains=domains,
        flips=tuple(_flipped(base, alt)),
        plan=plan,
    )


class Borderline(_Model):
    """A CSU whose decision hangs on a line within the tolerance."""

    csu_id: str
    csu_name: str
    firmness: Firmness


class WhatIf(_Model):
    """A cohort under two rule sets: every CSU whose outcome, domains or plan change, both rule sets' names,
    versions and hashes, and what differs between them."""

    format: str = "csu-assure/whatif/1"
    cohort: str
    checkpoint: Checkpoint
    as_of: dt.date
    base: RuleSetIdentity
    alt: RuleSetIdentity
    rule_set_differences: RuleSetDiff
    prior_plans: str = Field(description="Where the plans carried from the previous checkpoint came from.")
    csus: int = Field(description="CSU folders read.")
    assessed: int = Field(description="CSUs decided under both rule sets (not stopped earlier, no error).")
    changes: tuple[CsuChange, ...]
    base_counts: dict[str, int]
    alt_counts: dict[str, int]
    borderline: tuple[Borderline, ...] = Field(
        (), description="CSUs whose decision under the base rule set hangs on a line within its tolerance."
    )
    errors: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()

    @property
    def outcome_changes(self) -> tuple[CsuChange, ...]:
        return tuple(c for c in self.changes if c.outcome_changed)


@dataclass
class _Tally:
    """What a chunk of CSUs contributes to a what-if: folded as they are assessed, so records are let go."""

    changes: list[CsuChange]
    base_counts: Counter[str]
    alt_counts: Counter[str]
    borderline: list[Borderline]
    errors: list[str]
    assessed: int = 0

    @classmethod
    def empty(cls) -> _Tally:
        return cls([], Counter(), Counter(), [], [])

    def add(self, base: CsuRun, alt: CsuRun) -> None:
        self.base_counts[count_label(base.row())] += 1
        self.alt_counts[count_label(alt.row())] += 1
        for run in (base, alt):
            if run.disposition is Disposition.ERROR:
                self.errors.append(f"{run.csu_id}: {run.message}")
        a, b = base.current, alt.current
        if a is None or b is None:
            return
        self.assessed += 1
        change = compare(a, b)
        if change is not None:
            self.changes.append(change)
        if a.firmness is not None and a.firmness.borderline:
            self.borderline.append(Borderline(csu_id=a.csu_id, csu_name=a.csu_name, firmness=a.firmness))

    def merge(self, other: _Tally) -> None:
        self.changes += other.changes
        self.base_counts += other.base_counts
        self.alt_counts += other.alt_counts
        self.borderline += other.borderline
        self.errors += other.errors
        self.assessed += other.assessed


def _compare_entries(entries: Iterable[Entry], base: Config, alt: Config) -> _Tally:
    tally = _Tally.empty()
    for entry in entries:
        tally.add(assess_entry(entry, base), assess_entry(entry, alt))
    return tally


# -- in worker processes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """What a worker process needs to build the configuration: all picklable (a rule set pickles as plain data;
    the catalogue is rebuilt by `catalogue_factory`, a module-level function such as `checks.catalogue`)."""

    catalogue_factory: Callable[[], Catalogue]
    calendar: Calendar
    assessor: str
    register_url: str | None  # the register prior plans and gates are read from (None: none, in memory)

    def config(self, ruleset: RuleSet) -> Config:
        config = dry_run_config(self.catalogue_factory(), ruleset, self.calendar, self.assessor)
        if self.register_url is not None:
            config = replace(config, register=Register(self.register_url))
        return config


def _chunk(
    setup: Setup,
    folders: Sequence[Path],
    checkpoint: Checkpoint,
    as_of: dt.date,
    base: RuleSet,
    alt: RuleSet,
) -> _Tally:
    config = setup.config(base)
    entries = [read_entry(folder, checkpoint, config, as_of) for folder in folders]
    return _compare_entries(entries, config, under(config, alt))


def chunks(items: Sequence[Any], count: int) -> list[Sequence[Any]]:
    """`items` in `count` runs of consecutive items, as even as can be (fewer when there are fewer items)."""
    size = max(1, math.ceil(len(items) / max(1, count)))
    return [items[i : i + size] for i in range(0, len(items), size)]


# -- the what-if -------------------------------------------------------------------------------------------------


def whatif_cohort(
    cohort_dir: Path,
    checkpoint: Checkpoint,
    config: Config,
    alt: RuleSet,
    *,
    as_of: dt.date | None = None,
    skip: Sequence[Path] = (),
    prior_plans: str = "none",
    workers: int = 1,
    setup: Setup | None = None,
) -> WhatIf:
    """The cohort under `config.ruleset` (the base) and `alt`: each CSU read once, assessed under both. With
    `workers` > 1 (and a `setup` for the worker processes) chunks of the cohort are read and assessed in
    parallel; the result is the same, in cohort order."""
    checkpoint = Checkpoint(checkpoint)
    at = as_of or default_as_of(config.calendar, checkpoint)
    folders, refused = _cohort_folders(cohort_dir, skip)
    tally = _Tally.empty()
    if workers > 1 and setup is not None and len(folders) > 1:
        parts = chunks(folders, workers * 4)  # several chunks a worker: one slow chunk does not hold the rest
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [
                pool.submit(_chunk, setup, part, checkpoint, at, config.ruleset, alt) for part in parts
            ]
            for future in futures:
                tally.merge(future.result())
    else:
        entries = (read_entry(folder, checkpoint, config, at) for folder in folders)
        tally = _compare_entries(entries, config, under(config, alt))
    return WhatIf(
        cohort=Path(cohort_dir).resolve().name,
        checkpoint=checkpoint,
        as_of=at,
        base=RuleSetIdentity.of(config.ruleset),
        alt=RuleSetIdentity.of(alt),
        rule_set_differences=diff_rulesets(config.ruleset, alt, config.catalogue),
        prior_plans=prior_plans,
        csus=len(folders),
        assessed=tally.assessed,
        changes=tuple(tally.changes),
        base_counts=dict(sorted(tally.base_counts.items())),
        alt_counts=dict(sorted(tally.alt_counts.items())),
        borderline=tuple(tally.borderline),
        errors=tuple(tally.errors),
        refused=refused,
    )


def whatif_loaded(cohort: LoadedCohort, config: Config, alt: RuleSet) -> WhatIf:
    """`whatif_cohort` for a cohort already read (`load_cohort`), in this process."""
    tally = _compare_entries(cohort.entries, config, under(config, alt))
    return WhatIf(
        cohort=cohort.name,
        checkpoint=cohort.checkpoint,
        as_of=cohort.as_of,
        base=RuleSetIdentity.of(config.ruleset),
        alt=RuleSetIdentity.of(alt),
        rule_set_differences=diff_rulesets(config.ruleset, alt, config.catalogue),
        prior_plans=cohort.prior_plans,
        csus=len(cohort.entries),
        assessed=tally.assessed,
        changes=tuple(tally.changes),
        base_counts=dict(sorted(tally.base_counts.items())),
        alt_counts=dict(sorted(tally.alt_counts.items())),
        borderline=tuple(tally.borderline),
        errors=tuple(tally.errors),
        refused=cohort.refused,
    )


# -- entry points: what the CLI and the flow call ---------------------------------------------------------------


def analysis_config(
    settings: Settings, catalogue: Catalogue, *, base_rules: Path | None = None, prior_plans: bool = True
) -> tuple[Config, str]:
    """The configuration an analysis runs under, and where its prior plans come from: the base rule set
    (`base_rules`, else the settings' or the shipped one) and calendar, no output folder, and the register only
    when `prior_plans` and it exists, read to gate CSUs stopped earlier and to carry the previous checkpoint's
    plans as a cohort run does. Nothing is ever written to it. RuleSetInvalid for a bad rule-set or calendar
    file; RegisterUnavailable for a register that exists but cannot be read."""
    ruleset = load_ruleset(catalogue, base_rules or settings.rules)
    config = dry_run_config(
        catalogue, ruleset, load_calendar(settings.calendar), settings.assessor or NOT_NAMED
    )
    if not prior_plans:
        return config, "none (--no-prior-plans)"
    try:
        register = Register.open_existing(settings.resolved_register_url)
    except RegisterMissing:
        return config, "none (no register)"
    return replace(config, register=register), f"register {register.display_url}"


def run_whatif(
    cohort_dir: Path,
    checkpoint: Checkpoint,
    alt_rules: Path,
    settings: Settings,
    catalogue_factory: Callable[[], Catalogue],
    *,
    base_rules: Path | None = None,
    as_of: dt.date | None = None,
    prior_plans: bool = True,
    workers: int = 1,
) -> WhatIf:
    """The whole what-if, as `csu-assure whatif` and the `whatif-cohort` flow run it: both rule sets loaded
    (RuleSetInvalid), the cohort read once and assessed under each."""
    catalogue = catalogue_factory()
    config, source = analysis_config(settings, catalogue, base_rules=base_rules, prior_plans=prior_plans)
    alt = load_ruleset(catalogue, alt_rules)
    register_url = settings.resolved_register_url if source.startswith("register") else None
    return whatif_cohort(
        cohort_dir,
        checkpoint,
        config,
        alt,
        as_of=as_of,
        skip=(settings.out_dir,),
        prior_plans=source,
        workers=workers,
        setup=Setup(catalogue_factory, config.calendar, config.assessor, register_url),
    )


__all__ = [
    "Borderline",
    "CheckFlip",
    "CsuChange",
    "Entry",
    "LoadedCohort",
    "PlanChange",
    "Setup",
    "WhatIf",
    "analysis_config",
    "assess_entry",
    "compare",
    "load_cohort",
    "run_whatif",
    "whatif_cohort",
    "whatif_loaded",
]
