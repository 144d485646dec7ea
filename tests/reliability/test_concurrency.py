"""Runs that overlap: two processes assessing one CSU at once, forced re-assessments of one CSU racing each other,
writers racing on one report, and the register written from many threads and from two processes at the same
moment.

Overlap is made, not hoped for: processes are lined up on a barrier file after their imports (and, under
Prefect, after their temporary server has started), threads on a `threading.Barrier`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import docx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from checks import catalogue as shipped_catalogue
from cli import app
from csu_assure import service
from csu_assure.calendar import load_calendar
from csu_assure.domain import Checkpoint, Outcome
from csu_assure.generate import CsuSpec, Rules, random_specs, write_cohort
from csu_assure.register import Register, file_sha256
from csu_assure.register.schema import assessments, plan_items
from csu_assure.render.atomic import (
    lock_exclusively,
    lock_file,
    remove_abandoned,
    temp_prefix,
    write_atomically,
)
from csu_assure.render.word import write_assessment_report
from csu_assure.results import Assessment
from csu_assure.ruleset import load_ruleset
from tests.reliability.cli_runs import CHECKPOINT, lined_up, prepared_prefect_home, temp_files
from tests.support.processes import ROOT, clean_env, tail, wait_until

RACE_CSU = CsuSpec(
    csu_id="csu-race", csu_name="Race CSU", profiles=("interview_gaps", "workforce_copy"), seed=7
)


@pytest.fixture(scope="module")
def csu_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    (folder,) = write_cohort(
        [RACE_CSU], tmp_path_factory.mktemp("race") / "cohort", Rules.shipped(shipped_catalogue())
    )
    return folder


@pytest.fixture(scope="module")
def draft(csu_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Assessment:
    """The race CSU's assessment, made in this process (with development-plan items, to chain them too)."""
    config = _config(tmp_path_factory.mktemp("draft"))
    job = service.prepare(csu_dir, Checkpoint(CHECKPOINT), config)
    assert isinstance(job, service.Job)
    outcome = service.evaluate(job, service.load_job(job), config)
    config.register.close()
    assert outcome.assessment is not None and outcome.assessment.development_plan
    return outcome.assessment


def _config(out: Path) -> service.Config:
    catalogue = shipped_catalogue()
    return service.Config(
        catalogue=catalogue,
        ruleset=load_ruleset(catalogue),
        calendar=load_calendar(),
        register=Register(f"sqlite:///{out / 'register.sqlite'}"),
        out_dir=out,
        assessor="Test Assessor",
    )


@pytest.fixture(scope="module")
def prefect_home() -> Path:
    return prepared_prefect_home()


def _decision_text(report: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(report)).paragraphs)


def _cover_text(report: Path) -> str:
    """The text of the report's tables (the cover table names the assessment)."""
    document = docx.Document(str(report))
    return "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)


def _assert_one_current_assessment(out: Path, csu_id: str) -> Assessment:
    """Exactly one record of the CSU at the checkpoint, a whole chain, and a report that opens."""
    register = Register(f"sqlite:///{out / 'register.sqlite'}")
    try:
        history = register.history(csu_id)
        assert len(history) == 1, [(e.assessment.assessment_id, e.created_at) for e in history]
        assert not history[0].superseded
        assert register.verify_chain() == []
        latest = register.latest(csu_id, CHECKPOINT)
        assert latest is not None and latest.report_path is not None
    finally:
        register.close()
    report = Path(latest.report_path)
    assert report == service.report_path(out, latest).resolve()
    assert f"Decision: {latest.outcome.label}" in _decision_text(report)
    assert temp_files(out) == []
    return latest


# -- two processes, one CSU -------------------------------------------------------------------------------------


def _race(argv_tail: list[str], workdir: Path, env: dict[str, str], copies: int = 2) -> list[list[str]]:
    """Run `copies` CLI processes released together; each must exit 0. Returns the assessment ids each
    reported (the commands are run with `--format json`)."""
    with lined_up([[*argv_tail, "--format", "json"]] * copies, env=env, workdir=workdir) as processes:
        for i, process in enumerate(processes):
            code = process.wait(timeout=600)
            assert code == 0, tail(workdir / f"run-{i}.log")
    return [
        [a["assessment_id"] for a in json.loads((workdir / f"run-{i}.out").read_text())["assessments"]]
        for i in range(copies)
    ]


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(3))
def test_two_processes_assessing_one_csu_without_prefect_leave_one_assessment(
    csu_dir: Path, tmp_path: Path, round_: int
) -> None:
    out = tmp_path / "out"
    reported = _race(
        ["assess", str(csu_dir), "--checkpoint", str(CHECKPOINT), "--out", str(out), "--no-prefect"],
        tmp_path,
        clean_env(),
    )
    recorded = _assert_one_current_assessment(out, RACE_CSU.csu_id)
    assert reported == [[recorded.assessment_id]] * 2, "each process must report the one recorded assessment"


@pytest.mark.slow
def test_two_processes_assessing_one_csu_under_prefect_leave_one_assessment(
    csu_dir: Path, tmp_path: Path, prefect_home: Path
) -> None:
    out = tmp_path / "out"
    reported = _race(
        ["assess", str(csu_dir), "--checkpoint", str(CHECKPOINT), "--out", str(out)],
        tmp_path,
        clean_env(prefect_home),
    )
    recorded = _assert_one_current_assessment(out, RACE_CSU.csu_id)
    assert reported == [[recorded.assessment_id]] * 2, "each process must report the one recorded assessment"


@pytest.mark.slow
def test_two_cohort_runs_at_once_record_each_csu_once(tmp_path: Path) -> None:
    """Two whole runs over the same small cohort, racing CSU by CSU."""
    cohort = tmp_path / "cohort"
    folders = write_cohort(random_specs(5, 11), cohort, Rules.shipped(shipped_catalogue()))
    out = tmp_path / "out"
    reported = _race(
        ["cohort", str(cohort), "--checkpoint", str(CHECKPOINT), "--out", str(out), "--no-prefect"],
        tmp_path,
        clean_env(),
    )
    recorded = [_assert_one_current_assessment(out, folder.name).assessment_id for folder in folders]
    assert [sorted(ids) for ids in reported] == [sorted(recorded)] * 2


# -- forced re-assessments racing -------------------------------------------------------------------------------
# Issue 14, item 5: `assess --force` run by two at once. Each run records (superseding the run before), then
# writes its report and notes it in the register. Without one lock around the report write and its event, a run
# that recorded first could write last (the report on disk a superseded record's), and a run could note its report
# after another's had replaced it (`audit verify`: "report has changed").
#
# Overlap is made, not hoped for: every round releases both runs together, and the delays below make each run
# render its report and note it at uneven speeds. `SLOW_WRITES` is run in the test process (for threads) and at
# the start of each child process.
JITTER_SECONDS = 0.05
SLOW_WRITES = textwrap.dedent(
    f"""
    import random, time
    import csu_assure.render.word as word
    import csu_assure.register.store as store

    def _slow(call, before, after):
        def slowly(*args, **kwargs):
            time.sleep(random.uniform(0, before))
            done = call(*args, **kwargs)
            time.sleep(random.uniform(0, after))
            return done
        return slowly

    # A renderer that starts late: a run that recorded first may write its report last.
    word.write_assessment_report = _slow(word.write_assessment_report, {JITTER_SECONDS}, 0)
    # A report hashed, then noted late: another run's report may replace it in between.
    store.file_sha256 = _slow(store.file_sha256, 0, {JITTER_SECONDS})
    """
)


@pytest.fixture
def slow_writes() -> Iterator[None]:
    import csu_assure.register.store as store
    import csu_assure.render.word as word

    saved = word.write_assessment_report, store.file_sha256
    exec(SLOW_WRITES, {})  # the test's own delay hooks, shared with the child processes
    yield
    word.write_assessment_report, store.file_sha256 = saved


def _assert_the_report_is_the_current_records(out: Path, csu_id: str, recorded: int, round_: int) -> None:
    """`audit verify` passes, and the report on disk is the current record's: the latest report event for its
    path is that record's, with the file's SHA-256, and the file names that record."""
    verified = CliRunner().invoke(app, ["audit", "verify", "--out-dir", str(out)])
    assert verified.exit_code == 0, f"round {round_}: {verified.output}"
    register = Register(f"sqlite:///{out / 'register.sqlite'}")
    try:
        history = register.history(csu_id)
        assert len(history) == recorded and [e.superseded for e in history].count(False) == 1
        latest = register.latest(csu_id, CHECKPOINT)
        assert latest is not None
        report = service.report_path(out, latest).resolve()
        (event,) = [r for r in register.recorded_reports() if r.path == str(report)]
    finally:
        register.close()
    assert event.assessment_id == latest.assessment_id, (
        f"round {round_}: the last report written is the superseded {event.assessment_id}'s, "
        f"not the current {latest.assessment_id}'s"
    )
    assert event.sha256 == file_sha256(report)
    assert f"Assessment id\n{latest.assessment_id}" in _cover_text(report), (
        f"round {round_}: the file on disk is another record's report"
    )
    assert temp_files(out) == []


def _reassess_together(configs: list[service.Config], csu_dir: Path) -> None:
    """Each config's thread re-assesses the CSU with `force`, all released at the same moment."""
    start = threading.Barrier(len(configs))
    errors: list[BaseException] = []

    def reassess(config: service.Config) -> None:
        try:
            start.wait(timeout=60)
            service.assess_csu(csu_dir, Checkpoint(CHECKPOINT), config, service.Options(force=True))
        except BaseException as error:  # collected: an exception in a thread would otherwise pass silently
            errors.append(error)

    threads = [threading.Thread(target=reassess, args=(c,)) for c in configs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []


@pytest.mark.usefixtures("slow_writes")
def test_threads_re_assessing_one_csu_with_force_leave_the_current_records_report(
    csu_dir: Path, tmp_path: Path
) -> None:
    """Two threads, each with its own register connection (as two processes would be), re-assess one CSU with
    `force` at the same moment, round after round, through the service; after each round the register verifies
    and the report on disk is the current record's."""
    out = tmp_path / "out"
    configs = [_config(out) for _ in range(2)]
    try:
        for round_ in range(1, 21):
            _reassess_together(configs, csu_dir)
            _assert_the_report_is_the_current_records(out, RACE_CSU.csu_id, 2 * round_, round_)
    finally:
        for config in configs:
            config.register.close()


FORCER = SLOW_WRITES + textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from cli import app

    csu_dir, checkpoint, out, rounds, name, signals = sys.argv[1:7]
    argv = ["assess", csu_dir, "--checkpoint", checkpoint, "--out", out, "--no-prefect", "--force", "--format", "json"]
    signals = Path(signals)
    (signals / f"{name}-ready").touch()
    for round_ in range(1, int(rounds) + 1):
        while not (signals / f"go-{round_}").exists():
            time.sleep(0.001)
        code = app(argv, standalone_mode=False)
        if code:
            raise SystemExit(f"csu-assure assess exited {code} in round {round_}")
        (signals / f"{name}-done-{round_}").touch()
    """
)


@pytest.mark.slow
def test_two_processes_re_assessing_one_csu_with_force_leave_the_current_records_report(
    csu_dir: Path, tmp_path: Path
) -> None:
    """`csu-assure assess --force` run by two processes at the same moment, round after round; after each round
    `csu-assure audit verify` passes and the report on disk is the current record's."""
    out, rounds, names = tmp_path / "out", 16, ("left", "right")
    signals = tmp_path / "signals"
    signals.mkdir()
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                FORCER,
                str(csu_dir),
                str(CHECKPOINT),
                str(out),
                str(rounds),
                name,
                str(signals),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=clean_env(),
            cwd=ROOT,
        )
        for name in names
    ]
    try:

        def all_there(what: str) -> bool | None:
            for process in processes:
                if process.poll() not in (None, 0):
                    raise AssertionError(process.communicate()[1].decode())
            return True if all((signals / f"{name}-{what}").exists() for name in names) else None

        wait_until(lambda: all_there("ready"), timeout=120, what="both processes to be ready", interval=0.1)
        for round_ in range(1, rounds + 1):
            (signals / f"go-{round_}").touch()
            done = f"done-{round_}"
            wait_until(lambda done=done: all_there(done), timeout=120, what=f"round {round_}", interval=0.02)
            _assert_the_report_is_the_current_records(out, RACE_CSU.csu_id, 2 * round_, round_)
    finally:
        for process in processes:
            process.kill()
            process.wait(timeout=60)


# -- the report writer -----------------------------------------------------------------------------------------


def _open_temp_path(handle: BinaryIO) -> Path:
    """The file a writer is writing, as the kernel names it (Linux)."""
    return Path(os.readlink(f"/proc/self/fd/{handle.fileno()}"))


@pytest.mark.skipif(
    not Path("/proc/self/fd").exists(), reason="reads /proc to see the writers' temporary files"
)
def test_writers_racing_on_one_file_never_share_a_temp_file_and_the_last_complete_one_wins(
    tmp_path: Path,
) -> None:
    target = tmp_path / "report.docx"
    writers = 8
    all_writing = threading.Barrier(writers)
    temps: dict[int, Path] = {}
    bodies = {i: bytes([i]) * (256 * 1024 + i) for i in range(writers)}

    def write(i: int) -> None:
        def body(handle: BinaryIO) -> None:
            temps[i] = _open_temp_path(handle)
            all_writing.wait(timeout=60)  # every writer holds its own temporary file at this moment
            handle.write(bodies[i])

        write_atomically(target, body)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(temps) == writers
    assert len(set(temps.values())) == writers, "two writers shared a temporary file"
    assert all(t.parent == tmp_path and t.name.startswith(temp_prefix(target)) for t in temps.values())
    assert target.read_bytes() in bodies.values()
    assert sorted(tmp_path.iterdir()) == [target]


def test_reports_written_at_once_leave_one_report_that_opens(draft: Assessment, tmp_path: Path) -> None:
    """Real reports of two different decisions raced onto one path: one of them, whole."""
    other = draft.model_copy(update={"outcome": Outcome.C if draft.outcome is not Outcome.C else Outcome.B})
    target = tmp_path / "race-report.docx"
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def write(a: Assessment) -> None:
        try:
            start.wait(timeout=60)
            write_assessment_report(a, target)
        except BaseException as error:  # collected: an exception in a thread would otherwise pass silently
            errors.append(error)

    threads = [threading.Thread(target=write, args=(a,)) for a in (draft, other, draft, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    text = _decision_text(target)
    assert (f"Decision: {draft.outcome.label}" in text) != (f"Decision: {other.outcome.label}" in text)
    assert sorted(tmp_path.iterdir()) == [target]


WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from csu_assure.render.atomic import write_atomically

    target, started, release = map(Path, sys.argv[1:4])

    def body(handle):
        handle.write(b"half of a report")
        handle.flush()
        started.touch()
        while not release.exists():
            time.sleep(0.01)
        handle.write(b" and the rest")

    write_atomically(target, body)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="without file locks abandoned files are left alone")
def test_a_dead_writers_temp_file_is_cleared_and_a_live_writers_is_not(tmp_path: Path) -> None:
    target = tmp_path / "report.docx"

    def start_writer(name: str) -> tuple[subprocess.Popen[bytes], Path]:
        started, release = tmp_path / f"{name}.started", tmp_path / f"{name}.release"
        process = subprocess.Popen([sys.executable, "-c", WRITER, str(target), str(started), str(release)])
        wait_until(
            lambda: True if started.exists() or process.poll() is not None else None,
            timeout=120,
            what=f"writer {name} to start writing",
        )
        assert process.poll() is None, "the writer exited early"
        return process, release

    dead, _ = start_writer("dead")
    dead.send_signal(signal.SIGKILL)
    dead.wait(timeout=60)
    assert len(temp_files(tmp_path)) == 1, "the killed writer left no temporary file to clear"

    live, release = start_writer("live")  # its own write clears the dead writer's file first
    (in_progress,) = temp_files(tmp_path)

    assert remove_abandoned(target) == []
    write_atomically(target, lambda handle: handle.write(b"complete report"))
    assert target.read_bytes() == b"complete report"
    assert temp_files(tmp_path) == [in_progress], "a live writer's file was taken"

    release.touch()
    assert live.wait(timeout=60) == 0
    assert target.read_bytes() == b"half of a report and the rest"  # the last complete file wins
    assert temp_files(tmp_path) == []


# -- one report path, one writer at a time --------------------------------------------------------------------


def test_the_report_lock_lets_one_holder_in_at_a_time_and_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "report.docx"
    inside, most, holders = [0], [0], 6
    start = threading.Barrier(holders)
    guard = threading.Lock()

    def hold() -> None:
        start.wait(timeout=60)
        for _ in range(20):
            with lock_exclusively(target):
                with guard:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                time.sleep(0.001)
                with guard:
                    inside[0] -= 1

    threads = [threading.Thread(target=hold) for _ in range(holders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert most == [1]
    assert not lock_file(target).exists() and list(tmp_path.iterdir()) == []


HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from csu_assure.render.atomic import lock_exclusively

    target, held, release = map(Path, sys.argv[1:4])
    with lock_exclusively(target):
        held.touch()
        while not release.exists():
            time.sleep(0.01)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_the_report_lock_holds_across_processes_and_outlives_a_killed_holder(tmp_path: Path) -> None:
    target = tmp_path / "report.docx"

    def holder(name: str) -> subprocess.Popen[bytes]:
        held = tmp_path / f"{name}.held"
        process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(target), str(held), str(tmp_path / f"{name}.release")]
        )
        wait_until(
            lambda: True if held.exists() or process.poll() is not None else None,
            timeout=120,
            what=f"{name} to hold the lock",
        )
        assert process.poll() is None
        return process

    killed = holder("killed")
    waited: list[float] = []

    def take() -> None:
        with lock_exclusively(target):
            waited.append(time.monotonic())

    taker = threading.Thread(target=take)
    taker.start()
    taker.join(timeout=1)
    assert taker.is_alive() and waited == [], "the lock was taken while another process held it"
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=60)
    taker.join(timeout=60)
    assert len(waited) == 1, "a killed holder's lock was not released"
    assert not lock_file(target).exists()

    live = holder("live")  # and a live holder in another process keeps this one out until it lets go
    taker = threading.Thread(target=take)
    taker.start()
    taker.join(timeout=1)
    assert taker.is_alive() and len(waited) == 1
    (tmp_path / "live.release").touch()
    assert live.wait(timeout=60) == 0
    taker.join(timeout=60)
    assert len(waited) == 2 and not lock_file(target).exists()


def test_only_the_current_assessment_writes_its_report(csu_dir: Path, tmp_path: Path) -> None:
    """A run whose assessment was superseded (or followed by a newer record of the CSU at the checkpoint) before
    it reached its report writes nothing: the report on disk stays the current record's."""
    out = tmp_path / "out"
    config = _config(out)
    job = service.prepare(csu_dir, Checkpoint(CHECKPOINT), config)
    assert isinstance(job, service.Job)
    draft = service.evaluate(job, service.load_job(job), config).assessment
    assert draft is not None
    older = config.register.record(draft)
    newer = config.register.record(draft, force=True)
    written = service.write_report(newer, config)
    report = Path(str(written.report_path))
    before = report.read_bytes()
    assert service.write_report(older, config) == older  # superseded: returned as it is
    assert service.write_report(older, config, rewrite=True) == older
    assert report.read_bytes() == before
    assert [r.assessment_id for r in config.register.recorded_reports()] == [newer.assessment_id]

    later = config.register.record(  # a newer record of the CSU at the checkpoint, under another date
        draft.model_copy(
            update={"provenance": draft.provenance.model_copy(update={"as_of": dt.date(2012, 6, 1)})}
        )
    )
    assert service.write_report(newer, config, rewrite=True) == newer  # no longer the newest: nothing written
    assert report.read_bytes() == before
    assert service.write_report(later, config).report_path == written.report_path
    assert [r.assessment_id for r in config.register.recorded_reports()] == [later.assessment_id]
    assert f"Assessment id\n{later.assessment_id}" in _cover_text(report)
    assert CliRunner().invoke(app, ["audit", "verify", "--out-dir", str(out)]).exit_code == 0
    config.register.close()


# -- the register ----------------------------------------------------------------------------------------------


def _record_together(registers: list[Register], a: Assessment) -> list[str]:
    threads_n = len(registers)
    start = threading.Barrier(threads_n)
    got: list[str] = []
    errors: list[BaseException] = []

    def record(register: Register) -> None:
        try:
            start.wait(timeout=60)
            got.append(register.record(a).assessment_id)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=record, args=(r,)) for r in registers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    return got


def test_eight_threads_recording_one_assessment_through_one_register_make_one_row(
    draft: Assessment, tmp_path: Path
) -> None:
    register = Register(f"sqlite:///{tmp_path / 'register.sqlite'}")
    got = _record_together([register] * 8, draft)
    assert got == [draft.assessment_id] * 8
    assert len(register.history(draft.csu_id)) == 1
    assert register.verify_chain() == []
    register.close()


def test_eight_threads_each_with_its_own_register_on_one_file_make_one_row(
    draft: Assessment, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    registers = [Register(url) for _ in range(8)]
    got = _record_together(registers, draft)
    assert got == [draft.assessment_id] * 8
    assert len(registers[0].history(draft.csu_id)) == 1
    assert registers[0].verify_chain() == []
    for r in registers:
        r.close()


RECORDER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from csu_assure.register import Register
    from csu_assure.results import Assessment

    url, draft_json, prefix, own, shared, ready, barrier = sys.argv[1:8]
    draft = Assessment.model_validate_json(Path(draft_json).read_text())
    csu_ids = [f"{prefix}-{i:03d}" for i in range(int(own))] + [f"shared-{i:03d}" for i in range(int(shared))]
    copies = [draft.model_copy(update={"csu_id": c, "assessment_id": f"{c}-{draft.assessment_id}"}) for c in csu_ids]
    register = Register(url)
    Path(ready).touch()
    while not Path(barrier).exists():
        time.sleep(0.001)
    print(json.dumps([register.record(a).assessment_id for a in copies]))
    """
)


@pytest.mark.slow
def test_two_processes_writing_one_register_keep_every_row_and_one_chain(
    draft: Assessment, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    draft_json = tmp_path / "draft.json"
    draft_json.write_text(draft.model_dump_json())
    own, shared = 40, 20
    barrier = tmp_path / "go"
    processes = []
    for prefix in ("left", "right"):
        argv = [sys.executable, "-c", RECORDER, url, str(draft_json), prefix, str(own), str(shared)]
        processes.append(
            subprocess.Popen(
                [*argv, str(tmp_path / f"{prefix}.ready"), str(barrier)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        )
    wait_until(
        lambda: True if all((tmp_path / f"{p}.ready").exists() for p in ("left", "right")) else None,
        timeout=120,
        what="both recorders to be ready",
        interval=0.1,
        explain=lambda: "\n".join(str(p.poll()) for p in processes),
    )
    barrier.touch()
    results = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr.decode()
        results.append(json.loads(stdout))
    left, right = results
    assert left[own:] == right[own:], "the two processes were given different records for the same key"

    register = Register(url)
    try:
        assert register.verify_chain() == []
        with register.engine.connect() as conn:
            ids = list(conn.execute(select(assessments.c.assessment_id)).scalars())
            items = conn.execute(select(plan_items.c.assessment_id)).scalars().all()
        assert len(ids) == len(set(ids)) == 2 * own + shared
        assert set(ids) == set(left) | set(right)
        assert len(items) == len(ids) * len(draft.development_plan)
    finally:
        register.close()
