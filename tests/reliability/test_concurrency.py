"""Runs that overlap: two processes assessing one CSU at once, writers racing on one report, and the register
written from many threads and from two processes at the same moment.

Overlap is made, not hoped for: processes are lined up on a barrier file after their imports (and, under
Prefect, after their temporary server has started), threads on a `threading.Barrier`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import BinaryIO

import docx
import pytest
from sqlalchemy import select

from checks import catalogue as shipped_catalogue
from csu_assure import service
from csu_assure.calendar import load_calendar
from csu_assure.domain import Checkpoint, Outcome
from csu_assure.generate import CsuSpec, Rules, random_specs, write_cohort
from csu_assure.register import Register
from csu_assure.register.schema import assessments, plan_items
from csu_assure.render.atomic import remove_abandoned, temp_prefix, write_atomically
from csu_assure.render.word import write_assessment_report
from csu_assure.results import Assessment
from csu_assure.ruleset import load_ruleset
from tests.reliability.cli_runs import CHECKPOINT, lined_up, prepared_prefect_home, temp_files
from tests.support.processes import clean_env, tail, wait_until

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
