"""A cohort run killed with SIGKILL at several points, then re-run, ends as if it had never been interrupted.

The real `csu-assure cohort` command runs in its own process group (under Prefect: with Prefect's temporary API
server, which the kill takes down too). Each kill point is a state of the run seen from outside, by polling the
register and the output folder, so no fault-injection hook is needed in the product: after N records, between
an assessment being recorded and its report being noted, and while a report is half written. After each kill
the register must be intact; after the final re-run every CSU is recorded exactly once with the decision an
uninterrupted run gives, every report opens, and nothing half-written is left behind.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import docx
import pytest
from sqlalchemy import func, select

from checks import catalogue as shipped_catalogue
from csu_assure import service
from csu_assure.calendar import load_calendar
from csu_assure.domain import Checkpoint
from csu_assure.generate import Rules, random_specs, write_cohort
from csu_assure.loading import csu_folders
from csu_assure.register import Register
from csu_assure.register.schema import assessments
from csu_assure.ruleset import load_ruleset
from tests.reliability.cli_runs import CHECKPOINT, cohort_argv, prepared_prefect_home, temp_files
from tests.support.processes import Killed, clean_env, run_to_end, run_until_killed, tail

pytestmark = pytest.mark.slow

CSUS = 30
SEED = 5


@dataclass(frozen=True)
class Expected:
    """What an uninterrupted run records for one CSU."""

    assessment_id: str
    outcome: str
    failed: bool


@pytest.fixture(scope="module")
def cohort() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="csu-crash-cohort-") as tmp:
        folder = Path(tmp) / "cohort"
        write_cohort(random_specs(CSUS, SEED), folder, Rules.shipped(shipped_catalogue()))
        yield folder


@pytest.fixture(scope="module")
def expected(cohort: Path) -> dict[str, Expected]:
    """Each CSU's assessment as the engine gives it in this process: nothing written, nothing killed."""
    catalogue = shipped_catalogue()
    with tempfile.TemporaryDirectory() as tmp:
        config = service.Config(
            catalogue=catalogue,
            ruleset=load_ruleset(catalogue),
            calendar=load_calendar(),
            register=Register("sqlite://"),
            out_dir=Path(tmp),
            assessor="reference",
        )
        found = {}
        for folder in csu_folders(cohort):
            job = service.prepare(folder, Checkpoint(CHECKPOINT), config)
            assert isinstance(job, service.Job), job
            draft = service.evaluate(job, service.load_job(job), config)
            assert draft.assessment is not None
            found[draft.csu_id] = Expected(
                draft.assessment.assessment_id, draft.assessment.outcome.value, draft.failed
            )
        config.register.close()
    assert len(found) == CSUS
    return found


@pytest.fixture(scope="module")
def prefect_home() -> Path:
    return prepared_prefect_home()


# -- watching a run from outside -------------------------------------------------------------------------------


@dataclass
class Watch:
    """The output folder of a run, read the way a bystander would: the register and the files."""

    out: Path
    _register: Register | None = None

    @property
    def database(self) -> Path:
        return self.out / "register.sqlite"

    def register(self) -> Register | None:
        if self._register is None and self.database.exists():
            self._register = Register(f"sqlite:///{self.database}")
        return self._register

    def close(self) -> None:
        if self._register is not None:
            self._register.close()
            self._register = None

    def snapshot(self) -> Snapshot:
        """The assessments recorded, those whose report is not yet noted, and the half-written files."""
        register = self.register()
        rows: list[tuple[str, str | None]] = []
        if register is not None:
            with register.engine.connect() as conn:
                rows = [
                    (i, p)
                    for i, p in conn.execute(select(assessments.c.assessment_id, assessments.c.report_path))
                ]
        return Snapshot(
            frozenset(i for i, _ in rows),
            frozenset(i for i, p in rows if p is None),
            frozenset(temp_files(self.out)),
        )


@dataclass(frozen=True)
class Snapshot:
    recorded: frozenset[str]
    unreported: frozenset[str]
    partial: frozenset[Path]


# A kill point: given the state when the run started and the state now, a description once it is reached.
# Only what this run did counts, so a state left by an earlier kill never triggers the next one at once.
KillPoint = tuple[str, Callable[[Snapshot, Snapshot], str | None]]


def after_records(n: int) -> KillPoint:
    def reached(start: Snapshot, now: Snapshot) -> str | None:
        if len(now.recorded) >= n and now.recorded - start.recorded:
            return f"{len(now.recorded)} recorded"
        return None

    return f"after {n} record(s)", reached


def after_reports(n: int) -> KillPoint:
    """Under Prefect every CSU of a batch-per-CSU cohort is assessed at once, so records come in a burst and
    reports trickle after them: progress is better counted in reports."""

    def reached(start: Snapshot, now: Snapshot) -> str | None:
        reported = now.recorded - now.unreported
        if len(reported) >= n and reported - (start.recorded - start.unreported):
            return f"{len(now.recorded)} recorded, {len(reported)} reported"
        return None

    return f"after {n} report(s)", reached


def recorded_not_reported(start: Snapshot, now: Snapshot) -> str | None:
    fresh = now.unreported - start.recorded
    return f"{len(now.recorded)} recorded, {', '.join(sorted(fresh))} without its report" if fresh else None


def report_half_written(start: Snapshot, now: Snapshot) -> str | None:
    fresh = now.partial - start.partial
    return f"{len(now.recorded)} recorded, writing {', '.join(p.name for p in fresh)}" if fresh else None


BETWEEN_RECORD_AND_REPORT: KillPoint = ("between record and report", recorded_not_reported)
MID_REPORT_WRITE: KillPoint = ("mid report write", report_half_written)


@dataclass
class Campaign:
    """The kills of one output folder, and what each left behind."""

    out: Path
    kills: list[tuple[str, Killed]] = field(default_factory=list)
    seen_ids: frozenset[str] = frozenset()


def kill_at(
    campaign: Campaign, point: KillPoint, argv: list[str], env: dict[str, str], expected: dict[str, Expected]
) -> Killed:
    name, reached = point
    watch = Watch(campaign.out)
    try:
        start = watch.snapshot()
        killed = run_until_killed(
            argv,
            env=env,
            log=campaign.out.parent / "runs.log",
            kill_when=lambda: reached(start, watch.snapshot()),
        )
        assert killed.returncode == -9, killed
        campaign.kills.append((name, killed))
        assert_register_consistent(watch, expected)
        ids = watch.snapshot().recorded
    finally:
        watch.close()
    lost = campaign.seen_ids - ids
    assert not lost, f"records lost after the kill {name}: {sorted(lost)}"
    campaign.seen_ids |= ids
    return killed


# -- what must hold ------------------------------------------------------------------------------------------


def assert_register_consistent(watch: Watch, expected: dict[str, Expected]) -> None:
    """After any kill: the chain is whole, no key is recorded twice, every record is the expected one."""
    register = watch.register()
    assert register is not None, "the run was killed before it created its register"
    assert register.verify_chain() == []
    key = (
        assessments.c.csu_id,
        assessments.c.checkpoint,
        assessments.c.input_digest,
        assessments.c.ruleset_sha256,
        assessments.c.as_of,
    )
    with register.engine.connect() as conn:
        duplicated = conn.execute(
            select(*key, func.count())
            .where(assessments.c.superseded.is_(False))
            .group_by(*key)
            .having(func.count() > 1)
        ).all()
    assert duplicated == []
    for a in register.all_latest():
        assert (a.assessment_id, a.outcome.value) == (
            expected[a.csu_id].assessment_id,
            expected[a.csu_id].outcome,
        ), a.csu_id


def assert_complete(out: Path, expected: dict[str, Expected], returncode: int, log: Path) -> None:
    """After the final re-run: as if the run had never been interrupted."""
    assert returncode == (1 if any(e.failed for e in expected.values()) else 0), tail(log)
    leftovers = temp_files(out)
    assert leftovers == [], f"left behind: {leftovers}"
    watch = Watch(out)
    try:
        register = watch.register()
        assert register is not None
        assert_register_consistent(watch, expected)
        latest = register.all_latest()
        assert sorted(a.csu_id for a in latest) == sorted(expected)
        reports = set()
        for a in latest:
            history = register.history(a.csu_id)
            assert [e.assessment.assessment_id for e in history] == [a.assessment_id], "a duplicate record"
            assert a.report_path is not None, f"{a.csu_id}: no report noted"
            report = Path(a.report_path)
            assert report == service.report_path(out, a).resolve()
            text = "\n".join(p.text for p in docx.Document(str(report)).paragraphs)
            assert f"Decision: {a.outcome.label}" in text, a.csu_id
            assert a.csu_name in text
            reports.add(report)
    finally:
        watch.close()
    cohort_report = service.cohort_report_path(out, "cohort", Checkpoint(CHECKPOINT)).resolve()
    assert docx.Document(str(cohort_report)).paragraphs
    database = {out / f"register.sqlite{suffix}" for suffix in ("", "-wal", "-shm")}
    unexpected = (
        {p.resolve() for p in out.rglob("*") if p.is_file()}
        - reports
        - {cohort_report}
        - {d.resolve() for d in database}
    )
    assert unexpected == set()


def report_kills(title: str, campaign: Campaign) -> None:
    """Printed for the README's reliability figures (pytest -s shows it)."""
    print(f"\n{title}: {len(campaign.kills)} kill(s)")
    for name, killed in campaign.kills:
        kinds = sorted({"uvicorn" if "uvicorn" in m.command else "csu-assure" for m in killed.members})
        print(f"  killed {name}: {killed.seen} (process group: {len(killed.members)}, {', '.join(kinds)})")


# -- the tests -----------------------------------------------------------------------------------------------


def test_no_prefect_cohort_killed_repeatedly_then_rerun_is_complete(
    cohort: Path, expected: dict[str, Expected], tmp_path: Path
) -> None:
    campaign = Campaign(tmp_path / "out")
    argv = cohort_argv(cohort, campaign.out, prefect=False)
    env = clean_env()
    points = [
        after_records(1),
        after_records(5),
        BETWEEN_RECORD_AND_REPORT,
        MID_REPORT_WRITE,
        after_records(15),
        after_records(25),
    ]
    for point in points:
        kill_at(campaign, point, argv, env, expected)
    log = tmp_path / "rerun.log"
    assert_complete(campaign.out, expected, run_to_end(argv, env=env, log=log), log)
    report_kills("--no-prefect", campaign)


def test_prefect_cohort_killed_with_its_temporary_server_then_rerun_is_complete(
    cohort: Path, expected: dict[str, Expected], prefect_home: Path, tmp_path: Path
) -> None:
    campaign = Campaign(tmp_path / "out")
    argv = cohort_argv(cohort, campaign.out, prefect=True)
    env = clean_env(prefect_home)
    for point in (after_records(3), MID_REPORT_WRITE, after_reports(20)):
        killed = kill_at(campaign, point, argv, env, expected)
        servers = [m for m in killed.members if "uvicorn" in m.command]
        assert servers, f"Prefect's temporary server was not in the killed group: {killed.members}"
    log = tmp_path / "rerun.log"
    assert_complete(campaign.out, expected, run_to_end(argv, env=env, log=log), log)
    report_kills("Prefect", campaign)
