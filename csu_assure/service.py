"""Running assessments: typed options, and the ONE sequence for one CSU, a batch, a progression and a cohort.

One CSU at one checkpoint: `prepare` (gate and locate) → `load` → `evaluate` (the engine runs the checks and
decides) → `record` (register) → `report` (Word) → moderation, when asked for → a PDF copy, when asked for.
`assess_csu` chains them, `assess_batch` runs several CSUs each isolated from the others, `progress_csu` takes
one CSU through checkpoints 1 → 2 → 3 and `assess_cohort` runs a cohort in batches and folds each CSU into the
cohort summary as it finishes.

The sequences are written once, here, against `Steps`: this module's `Steps` runs each step directly (the CLI's
`--no-prefect` path, notebooks, tests); `flows.steps.PrefectSteps` runs each one as a Prefect task, pauses for
an assessor's moderation and publishes artifacts. Neither re-writes the order, the gating or the moderation.

Order: the register is written before the report, so the report shows the id the register gave the assessment
and a re-run of identical inputs (which returns the recorded assessment) does not re-render an existing report.
"""

from __future__ import annotations

import datetime as dt
import errno
import math
import traceback
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from csu_assure import engine, progress
from csu_assure.calendar import Calendar, load_calendar
from csu_assure.catalogue import Catalogue
from csu_assure.compare import MovementBrief, compare
from csu_assure.domain import Checkpoint, Disposition, ModerationStatus
from csu_assure.loading import SubmissionInvalid, load_submission
from csu_assure.loading.cohort_file import read_cohort_settings
from csu_assure.loading.identity import identify, is_csu_id
from csu_assure.loading.layout import CohortLayout, find_submission, read_cohort, stray_entries
from csu_assure.loading.problems import Problem
from csu_assure.register import Register, RegisterError, RegisterUnavailable, file_sha256
from csu_assure.register.signing import RegisterKey
from csu_assure.render.atomic import ensure_writable_folder, lock_exclusively
from csu_assure.results import (
    Assessment,
    AssessmentSummary,
    CohortSummary,
    CsuRow,
    Moderation,
    PlanItem,
    count_label,
)
from csu_assure.ruleset import RuleSet, load_ruleset
from csu_assure.settings import DEFAULT_MARKING, MAX_BATCHES, NOT_NAMED, Settings, secret_block_name
from csu_assure.submission import InputFile, Submission
from csu_assure.waivers import lapsed_waivers

if TYPE_CHECKING:  # the report's modules are imported when a report is written
    from csu_assure.render.word.view import ReportContext

# Errors a retry may cure (a locked or unreachable register, a busy file system): let them reach the caller,
# which may retry; anything else is isolated to the CSU it happened to.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OSError, TimeoutError)
# A report path blocked for one CSU (a folder or a file where the report or its folder should be, no permission,
# a name too long, a read-only place): recorded as that CSU's failure and the run goes on. Other OS errors (a
# full disk, an I/O error) would hit every CSU after it: they stop the run and a re-run resumes.
BLOCKED_PATH_ERRORS = frozenset(
    {
        errno.EISDIR,
        errno.ENOTDIR,
        errno.EEXIST,
        errno.EACCES,
        errno.EPERM,
        errno.ENAMETOOLONG,
        errno.EROFS,
        errno.ELOOP,
    }
)
# CSUs assessed together when steps run directly: enough for one LibreOffice start to serve several PDF copies,
# few enough that their full records are never a large share of memory.
DIRECT_CHUNK = 16


class Options(BaseModel):
    """How to run an assessment, besides which submissions: the one typed parameter of every flow and of the
    local runner. A setting left out comes from the CSU_ASSURE_* environment of whoever runs it (`Settings`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    as_of: dt.date | None = Field(
        None,
        description="Assessment date; default the day after the checkpoint's deadline, so re-runs reproduce.",
    )
    force: bool = Field(
        False, description="Re-assess even when the register holds these inputs; supersede it."
    )
    moderation: bool = Field(False, description="Pause each assessment for an assessor before it is final.")
    pdf: bool = Field(
        False, description="Also write a PDF copy of each report beside it (needs LibreOffice)."
    )
    out_dir: Path | None = Field(
        None, description="Where reports and the default register go (default out/)."
    )
    rules: Path | None = Field(None, description="An alternative rule-set file.")
    calendar: Path | None = Field(None, description="An alternative checkpoint calendar file.")
    assessor: str | None = Field(
        None, max_length=200, description="The named assessor recorded on assessments (default: not named)."
    )

    def settings(self) -> Settings:
        """These options over the environment's CSU_ASSURE_* settings."""
        given: dict[str, Any] = {
            "out_dir": self.out_dir,
            "rules": self.rules,
            "calendar": self.calendar,
            "assessor": self.assessor,
        }
        return Settings(**{k: v for k, v in given.items() if v is not None})


@dataclass(frozen=True)
class Config:
    """Everything a run needs besides the submissions and its options; built once at the entry point."""

    catalogue: Catalogue
    ruleset: RuleSet
    calendar: Calendar
    register: Register
    out_dir: Path
    assessor: str
    reports_url: str | None = None  # where the reports folder is served (run artifacts link there)
    fan_out_deployment: str | None = None  # the deployment a cohort's batches run as (flows only)
    max_batches: int = MAX_BATCHES
    marking: str = DEFAULT_MARKING  # the protective marking of the reports


def configure(settings: Settings, catalogue: Catalogue) -> Config:
    """Load the rule set and calendar for `catalogue`, make sure the output folder can be written and open the
    register. Each failure says what to fix before anything is assessed: RuleSetInvalid (a bad rule-set or
    calendar file), FolderUnusable (an output folder that is a file or cannot be written), RegisterUnavailable
    (a register path or URL that cannot be opened, a database server that does not answer, or a register URL
    still naming the Prefect Secret block that holds it: only a flow run resolves one)."""
    ruleset = load_ruleset(catalogue, settings.rules)
    calendar = load_calendar(settings.calendar)
    out_dir = ensure_writable_folder(settings.out_dir)
    if (block := secret_block_name(settings.register_url)) is not None:
        raise RegisterUnavailable(
            f"CSU_ASSURE_REGISTER_URL names the Prefect Secret block {block!r}, which only a flow run resolves: "
            "set CSU_ASSURE_REGISTER_URL to the register's URL here"
        )
    return Config(
        catalogue=catalogue,
        ruleset=ruleset,
        calendar=calendar,
        register=Register(settings.resolved_register_url, RegisterKey.from_setting(settings.register_key)),
        out_dir=out_dir,
        assessor=settings.assessor or NOT_NAMED,
        reports_url=settings.reports_url,
        fan_out_deployment=settings.fan_out_deployment,
        max_batches=settings.max_batches,
        marking=settings.marking,
    )


def default_as_of(calendar: Calendar, checkpoint: Checkpoint) -> dt.date:
    """The day after the checkpoint's deadline: a fixed date, so re-running reproduces the same assessment."""
    return calendar.deadline(checkpoint) + dt.timedelta(days=1)


# -- what a step hands on -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One CSU at one checkpoint, ready to assess: who, as of when, its submission, the plan it carries."""

    csu_id: str
    csu_name: str
    checkpoint: Checkpoint
    as_of: dt.date
    path: Path | None
    prior_plan: tuple[PlanItem, ...] = ()
    problems: tuple[Problem, ...] = ()  # why the CSU folder's submission for this checkpoint cannot be read


@dataclass(frozen=True)
class Invalid:
    """A submission that could not be loaded: every located problem, and the files as they were read."""

    problems: tuple[Problem, ...]
    inputs: tuple[InputFile, ...]


Loaded = Submission | Invalid | None  # None: nothing was submitted


@dataclass(frozen=True)
class CsuRun:
    """What became of one CSU at one checkpoint in a run; `assessment` is what the register holds (for a CSU
    stopped earlier, the assessment that stopped it)."""

    csu_id: str
    csu_name: str
    checkpoint: Checkpoint
    disposition: Disposition
    assessment: Assessment | None = None
    path: Path | None = None
    problems: tuple[str, ...] = ()
    message: str = ""
    pdf: str | None = None  # a PDF copy of the report, when one was asked for and made
    pdf_error: str = ""  # why a PDF copy that was asked for is missing
    report_error: str = ""  # why the Word report could not be written (the assessment stands in the register)

    @property
    def current(self) -> Assessment | None:
        """The assessment made at this checkpoint (not the earlier one a stopped CSU carries)."""
        a = self.assessment
        return a if a is not None and a.checkpoint == self.checkpoint else None

    @property
    def proceeds(self) -> bool:
        """Assessed at this checkpoint with an outcome that lets the CSU go on to the next."""
        a = self.current
        return self.disposition is Disposition.ASSESSED and a is not None and a.outcome.proceeds

    @property
    def awaiting_moderation(self) -> bool:
        return self.assessment is not None and self.assessment.moderation.status is ModerationStatus.DRAFT

    @property
    def failed(self) -> bool:
        """The CSU could not be assessed properly: its submission was invalid or its assessment raised."""
        return self.disposition in (Disposition.ERROR, Disposition.INVALID_SUBMISSION)

    def row(self) -> CsuRow:
        a = self.current
        return CsuRow(
            csu_id=self.csu_id,
            csu_name=self.csu_name,
            checkpoint=self.checkpoint,
            disposition=self.disposition,
            summary=AssessmentSummary.of(a) if a is not None else None,
            problems=self.problems,
            message=self.message,
            pdf=self.pdf,
            pdf_error=self.pdf_error,
            report_error=self.report_error,
        )


# -- the steps ------------------------------------------------------------------------------------------------


def prepare(
    csu_dir: Path,
    checkpoint: Checkpoint,
    config: Config,
    *,
    as_of: dt.date | None = None,
    prior_plan: Sequence[PlanItem] | None = None,
) -> Job | CsuRun:
    """Gate and locate: a CSU stopped at the previous checkpoint is not assessed again ("stopped"), one with
    no submission before the deadline has passed is "pending"; otherwise the job to run. `prior_plan`
    defaults to the development plan the register holds from the previous checkpoint."""
    checkpoint = Checkpoint(checkpoint)
    as_of = as_of or default_as_of(config.calendar, checkpoint)
    csu_id, csu_name = identify(csu_dir)
    stopped = stopped_earlier(csu_id, csu_name, checkpoint, config.register)
    if stopped is not None:
        return stopped
    found = find_submission(csu_dir, checkpoint)
    if found.path is None and not found.problems and as_of <= config.calendar.deadline(checkpoint):
        return CsuRun(csu_id, csu_name, checkpoint, Disposition.PENDING, message="deadline not yet passed")
    if prior_plan is None:
        prior_plan = prior_plan_for(csu_id, checkpoint, config.register)
    return Job(csu_id, csu_name, checkpoint, as_of, found.path, tuple(prior_plan), found.problems)


def stopped_earlier(csu_id: str, csu_name: str, checkpoint: Checkpoint, register: Register) -> CsuRun | None:
    """The CSU's run at `checkpoint` when the register shows it stopped at the previous one, else None."""
    if checkpoint == Checkpoint.OUTLINE_PLAN:
        return None
    previous = register.latest(csu_id, checkpoint - 1)
    if previous is None or previous.outcome.proceeds:
        return None
    message = f"stopped at checkpoint {int(previous.checkpoint)}: {previous.outcome.label}"
    return CsuRun(csu_id, csu_name, checkpoint, Disposition.STOPPED, previous, message=message)


def prior_plan_for(csu_id: str, checkpoint: Checkpoint, register: Register) -> tuple[PlanItem, ...]:
    """The development plan agreed at the previous checkpoint, from the register (empty if none)."""
    if checkpoint == Checkpoint.OUTLINE_PLAN:
        return ()
    previous = register.latest(csu_id, checkpoint - 1)
    return previous.development_plan if previous else ()


def load(path: Path) -> Submission | Invalid:
    """Load a submission, or every located problem with the files as they were read."""
    try:
        return load_submission(Path(path))
    except SubmissionInvalid as error:
        return Invalid(error.problems, error.inputs)


def load_job(job: Job) -> Loaded:
    """The job's submission, its located problems, or None when nothing was submitted."""
    if job.problems:  # the folder's form was refused (a link, both forms, an .xlsm...): nothing was read
        return Invalid(job.problems, ())
    return load(job.path) if job.path is not None else None


def _moderation(moderated: bool) -> Moderation:
    return Moderation(status=ModerationStatus.DRAFT if moderated else ModerationStatus.NOT_MODERATED)


def evaluate(
    job: Job, loaded: Loaded, config: Config, *, moderated: bool = False, flow_run_id: str | None = None
) -> CsuRun:
    """Run the checks and decide (or take the not-submitted path): the draft, not yet recorded."""
    c = config
    moderation = _moderation(moderated)
    if loaded is None:
        draft = engine.assess_not_submitted(
            job.csu_id,
            job.csu_name,
            job.checkpoint,
            catalogue=c.catalogue,
            ruleset=c.ruleset,
            calendar=c.calendar,
            as_of=job.as_of,
            assessor=c.assessor,
            flow_run_id=flow_run_id,
            moderation=moderation,
        )
        return CsuRun(job.csu_id, job.csu_name, job.checkpoint, Disposition.NOT_SUBMITTED, draft)
    if isinstance(loaded, Invalid):
        draft = engine.assess_invalid(
            job.csu_id,
            job.csu_name,
            job.checkpoint,
            loaded.problems,
            loaded.inputs,
            catalogue=c.catalogue,
            ruleset=c.ruleset,
            calendar=c.calendar,
            as_of=job.as_of,
            assessor=c.assessor,
            flow_run_id=flow_run_id,
            moderation=moderation,
        )
        problems = tuple(str(p) for p in loaded.problems)
        return CsuRun(
            job.csu_id,
            job.csu_name,
            job.checkpoint,
            Disposition.INVALID_SUBMISSION,
            draft,
            job.path,
            problems,
        )
    if loaded.checkpoint != job.checkpoint:
        raise ValueError(
            f"{job.path} holds a checkpoint {int(loaded.checkpoint)} submission, "
            f"not checkpoint {int(job.checkpoint)}"
        )
    draft = engine.assess(
        loaded,
        catalogue=c.catalogue,
        ruleset=c.ruleset,
        calendar=c.calendar,
        as_of=job.as_of,
        assessor=c.assessor,
        prior_plan=job.prior_plan,
        moderation=moderation,
        flow_run_id=flow_run_id,
    )
    return CsuRun(loaded.csu_id, loaded.plan.csu_name, job.checkpoint, Disposition.ASSESSED, draft, job.path)


def record(run: CsuRun, config: Config, *, force: bool = False) -> CsuRun:
    """Record the run's assessment; it then holds what the register holds (maybe an earlier record)."""
    if run.assessment is None or not run.disposition.recorded:
        return run
    return replace(run, assessment=config.register.record(run.assessment, force=force))


def report_path(out_dir: Path, assessment: Assessment) -> Path:
    """`out/<csu>/cpN/<csu>-cpN-report.docx`; ValueError if the CSU id would lead anywhere but there."""
    cp = int(assessment.checkpoint)
    csu = assessment.csu_id
    path = Path(out_dir) / csu / f"cp{cp}" / f"{csu}-cp{cp}-report.docx"
    # Defence in depth: `identify` only hands out valid ids, but an assessment may come from elsewhere.
    if not is_csu_id(csu) or not path.resolve().is_relative_to(Path(out_dir).resolve()):
        raise ValueError(
            f"refusing to write a report for CSU id {csu!r}: not a safe folder name under {out_dir}"
        )
    return path


def write_report(assessment: Assessment, config: Config, *, rewrite: bool = False) -> Assessment:
    """Write the Word report of the CSU's current assessment at the checkpoint (unless it already exists for this
    record) and note its path and SHA-256 in the register.

    Writing the file and appending its report event are one critical section per report path, across threads and
    processes (`lock_exclusively`, beside the report), so the report events are in the order the files were
    replaced: `audit verify` compares the file with the event of the run that wrote it. Inside it, an assessment
    that is no longer its CSU's current one at the checkpoint (superseded, e.g. by a concurrent `--force` run, or
    followed by a newer record) writes nothing and is returned as it is: a slower run never puts an older
    record's report over the newer one's. The register's own write lock is taken inside this one, never around it.
    """
    if assessment.report_path and Path(assessment.report_path).exists() and not rewrite:
        return assessment
    from csu_assure.render.word import write_assessment_report  # python-docx is paid for only when writing

    target = report_path(config.out_dir, assessment)
    with lock_exclusively(target):
        state = config.register.report_state(assessment.assessment_id)
        if not state.current:
            return assessment
        if state.report_path and Path(state.report_path).exists() and not rewrite:  # another run wrote it
            return assessment.model_copy(update={"report_path": state.report_path})
        path = write_assessment_report(
            assessment, target, marking=config.marking, context=report_context(assessment, config)
        ).resolve()
        config.register.set_report_path(assessment.assessment_id, str(path), file_sha256(path))
    return assessment.model_copy(update={"report_path": str(path)})


def report_context(assessment: Assessment, config: Config) -> ReportContext:
    """What a report needs from the register around its record: the CSU's assessment at the previous checkpoint
    (for "Since the last checkpoint"), the record's version among the CSU's records at its checkpoint (a
    moderated record supersedes its draft: version 2), and the next checkpoint's deadline."""
    from csu_assure.render.word.view import ReportContext

    cp = assessment.checkpoint
    previous = config.register.latest(assessment.csu_id, cp - 1) if cp > Checkpoint.OUTLINE_PLAN else None
    ids = [
        e.assessment.assessment_id
        for e in config.register.history(assessment.csu_id)
        if e.assessment.checkpoint == cp
    ]
    version = ids.index(assessment.assessment_id) + 1 if assessment.assessment_id in ids else len(ids) + 1
    following = Checkpoint(cp + 1) if cp < Checkpoint.FULL_BUSINESS_PLAN else None
    return ReportContext(
        previous=previous,
        version=version,
        marking=config.marking,
        next_deadline=config.calendar.deadline(following) if following else None,
    )


def report(run: CsuRun, config: Config) -> CsuRun:
    """Write the recorded assessment's Word report (skipped if that record's report exists). A report whose path
    is blocked is that CSU's failure, noted on its run; the assessment stands and a re-run writes the report."""
    if run.assessment is None or not run.disposition.recorded:
        return run
    try:
        return replace(run, assessment=write_report(run.assessment, config))
    except OSError as error:
        if error.errno not in BLOCKED_PATH_ERRORS:
            raise  # a full disk or a failing device: every CSU after this one would fail too
        target = report_path(config.out_dir, run.assessment)
        reason = (error.strerror or type(error).__name__).lower()
        # Name the path in the way (a folder on the report's own path, a file where a folder should be), not
        # the atomic writer's temporary file (a hidden name).
        culprit = str(error.filename or "")
        if culprit and culprit != str(target) and not Path(culprit).name.startswith("."):
            reason = f"{culprit}: {reason}"
        return replace(run, report_error=f"{target} could not be written ({reason})")


def moderate(
    run: CsuRun,
    config: Config,
    *,
    assessor: str,
    overrides: Sequence[engine.Override] = (),
    waivers: Sequence[engine.Waiver] = (),
    note: str | None = None,
    on: dt.date,
) -> Assessment:
    """The run's draft as an assessor moderated it (engine.ModerationRejected if it cannot be applied)."""
    draft = run.assessment
    if draft is None:
        raise engine.ModerationRejected(f"{run.csu_id} has no assessment to moderate")
    loaded = load(run.path) if run.path is not None else None
    return engine.moderate(
        draft,
        loaded if isinstance(loaded, Submission) else None,
        assessor=assessor,
        overrides=overrides,
        waivers=waivers,
        note=note,
        on=on,
        catalogue=config.catalogue,
        ruleset=config.ruleset,
        calendar=config.calendar,
        prior_plan=prior_plan_for(draft.csu_id, draft.checkpoint, config.register),
    )


def finish_moderation(draft: Assessment, moderated: Assessment, config: Config) -> Assessment:
    """Supersede the draft with the moderated record and write its report."""
    recorded = config.register.apply_moderation(draft.assessment_id, moderated)
    return write_report(recorded, config, rewrite=True)


def lapsed_records(config: Config, on: dt.date) -> list[Assessment]:
    """The register's current assessments that still apply a waiver whose last day is before `on`."""
    return [a for a in config.register.with_waivers_ending_before(on) if lapsed_waivers(a, on)]


def amend_record(
    record: Assessment, cohort_dir: Path, config: Config, *, on: dt.date, flow_run_id: str | None = None
) -> CsuRun:
    """Re-assess `record`'s CSU from its folder in `cohort_dir` because waivers in it expired before `on`:
    record the amended assessment in its place (superseding it) and write the amended report. A CSU that cannot
    be re-assessed as it was (no folder, its files changed or unreadable, another rule set) is an error run
    saying why; the record stands."""
    csu_dir = Path(cohort_dir) / record.csu_id

    def refused(why: str) -> CsuRun:
        return CsuRun(
            record.csu_id, record.csu_name, record.checkpoint, Disposition.ERROR, record, message=why
        )

    if not is_csu_id(record.csu_id) or not csu_dir.is_dir():
        return refused(f"expired waiver not acted on: no folder {csu_dir} to re-assess {record.csu_id} from")
    found = find_submission(csu_dir, record.checkpoint)
    loaded = load(found.path) if found.path is not None and not found.problems else None
    if not isinstance(loaded, Submission):
        return refused(
            f"expired waiver not acted on: the checkpoint {int(record.checkpoint)} submission in {csu_dir} "
            "can no longer be read; assess it again"
        )
    try:
        amended = engine.amend(
            record,
            loaded,
            on=on,
            catalogue=config.catalogue,
            ruleset=config.ruleset,
            calendar=config.calendar,
            prior_plan=prior_plan_for(record.csu_id, record.checkpoint, config.register),
            flow_run_id=flow_run_id,
        )
        recorded = config.register.apply_amendment(record.assessment_id, amended)
    except (engine.AmendmentRefused, RegisterError) as error:
        return refused(f"expired waiver not acted on: {error}")
    reason = recorded.amendment.reason if recorded.amendment else ""
    return report(
        CsuRun(
            record.csu_id,
            record.csu_name,
            record.checkpoint,
            Disposition.ASSESSED,
            recorded,
            found.path,
            message=reason,
        ),
        config,
    )


def pdf_copies(runs: Sequence[CsuRun]) -> list[CsuRun]:
    """Each run with a PDF copy of its report (or the reason there is none), made in one LibreOffice start. A
    missing PDF never undoes an assessment: the register and the .docx stand, and the run says why."""
    from csu_assure.render.word.pdf import PdfUnavailable, convert_to_pdf

    reports = {
        i: Path(a.report_path) for i, r in enumerate(runs) if (a := r.current) is not None and a.report_path
    }
    try:
        made = dict(zip(reports, convert_to_pdf(list(reports.values())), strict=True))
    except PdfUnavailable as error:
        return [replace(r, pdf_error=str(error)) if i in reports else r for i, r in enumerate(runs)]
    return [
        replace(r, pdf=str(made[i].pdf) if made[i].pdf else None, pdf_error=made[i].error) if i in made else r
        for i, r in enumerate(runs)
    ]


def crashed(csu_dir: Path, checkpoint: Checkpoint, error: BaseException) -> CsuRun:
    """The run of a CSU whose assessment raised: its error, located, instead of an assessment."""
    csu_id, csu_name = identify(csu_dir)
    frames = traceback.extract_tb(error.__traceback__)
    where = f" (at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno})" if frames else ""
    return CsuRun(
        csu_id,
        csu_name,
        Checkpoint(checkpoint),
        Disposition.ERROR,
        message=f"{type(error).__name__}: {error}{where}",
    )


def batches(items: Sequence[Path], max_batches: int = MAX_BATCHES) -> list[list[Path]]:
    """Split a cohort into at most `max_batches` batches of consecutive CSUs (one per CSU when small)."""
    size = max(1, math.ceil(len(items) / max_batches))
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


# -- the cohort summary, built as CSUs finish ------------------------------------------------------------------


class CohortTally:
    """A cohort's summary, kept as its CSUs finish: each `CsuRun` is folded into a `CsuRow` and the full record
    is let go, so a 10,000-CSU cohort holds 10,000 rows, not 10,000 assessments."""

    def __init__(
        self,
        cohort: str,
        checkpoint: Checkpoint,
        refused: Sequence[Problem] = (),
        skipped: Sequence[Path] = (),
        title: str | None = None,
    ) -> None:
        self.cohort = cohort
        self.title = title  # the cohort's name from its cohort.yaml, when it has one
        self.checkpoint = Checkpoint(checkpoint)
        self.refused = tuple(str(p) for p in refused)
        self.skipped = tuple(str(s) for s in skipped)
        self._rows: dict[int, CsuRow] = {}
        self._counts: Counter[str] = Counter()

    def add(self, position: int, run: CsuRun) -> CsuRow:
        """Fold in the run of the CSU at `position` in the cohort (rows are listed in cohort order)."""
        row = run.row()
        self._rows[position] = row
        self._counts[count_label(row)] += 1
        return row

    def summary(self, report_path: Path | None = None) -> CohortSummary:
        return CohortSummary(
            self.cohort,
            self.checkpoint,
            tuple(self._rows[i] for i in sorted(self._rows)),
            dict(sorted(self._counts.items())),
            report_path,
            refused=self.refused,
            skipped=self.skipped,
        )


def cohort_report_path(out_dir: Path, cohort: str, checkpoint: Checkpoint) -> Path:
    return Path(out_dir) / f"{cohort}-cp{int(checkpoint)}-cohort-report.docx"


def summarise_cohort(tally: CohortTally, config: Config) -> CohortSummary:
    """The summary, with the cohort report written over the CSUs assessed at its checkpoint (if any)."""
    summary = tally.summary()
    assessed = [r.summary for r in summary.rows if r.summary is not None]
    if not assessed:
        return summary
    from csu_assure.render.word import write_cohort_report  # python-docx is paid for only when writing

    path = write_cohort_report(
        assessed,
        cohort_report_path(config.out_dir, tally.cohort, tally.checkpoint),
        tally.title or tally.cohort,
        marking=config.marking,
        others=[r for r in summary.rows if r.summary is None],
        movement=cohort_movement(assessed, config),
    )
    return replace(summary, report_path=path.resolve())


def cohort_movement(assessed: Sequence[AssessmentSummary], config: Config) -> dict[str, MovementBrief]:
    """Each CSU's movement since its previous checkpoint, by CSU id, read from the register one CSU at a time
    (two records held at once, whatever the cohort's size)."""
    found: dict[str, MovementBrief] = {}
    for a in assessed:
        if a.checkpoint <= Checkpoint.OUTLINE_PLAN:
            continue
        before = config.register.latest(a.csu_id, a.checkpoint - 1)
        after = config.register.get(a.assessment_id) if before is not None else None
        if before is not None and after is not None:
            found[a.csu_id] = compare(before, after.assessment).brief()
    return found


# -- how the steps run -----------------------------------------------------------------------------------------

BatchResult = list[CsuRun] | BaseException  # a batch's runs, or why the whole batch failed


class Steps:
    """How each step of the sequences runs: this class runs them directly, in this process. `flows/` subclasses
    it to run each step as a Prefect task, pause for moderation and publish artifacts; the hooks (`assessed`,
    `batch_done`, `cohort_done`) are where a runner reports progress or publishes."""

    flow_run_id: str | None = None

    def prepare(
        self,
        csu_dir: Path,
        checkpoint: Checkpoint,
        config: Config,
        as_of: dt.date | None,
        prior_plan: Sequence[PlanItem] | None,
    ) -> Job | CsuRun:
        return prepare(csu_dir, checkpoint, config, as_of=as_of, prior_plan=prior_plan)

    def load(self, job: Job) -> Loaded:
        return load_job(job)

    def evaluate(self, job: Job, loaded: Loaded, config: Config, moderated: bool) -> CsuRun:
        return evaluate(job, loaded, config, moderated=moderated, flow_run_id=self.flow_run_id)

    def record(self, run: CsuRun, config: Config, force: bool) -> CsuRun:
        return record(run, config, force=force)

    def report(self, run: CsuRun, config: Config) -> CsuRun:
        return report(run, config)

    def pdf(self, runs: list[CsuRun]) -> list[CsuRun]:
        return pdf_copies(runs)

    def moderate(self, run: CsuRun, config: Config) -> CsuRun:
        """Have an assessor moderate the draft; a direct run has no one to ask."""
        raise ModerationNeedsAnAssessor(
            "moderation pauses a flow run for an assessor: run it through Prefect"
        )

    def run_batches(
        self, batches: Sequence[list[Path]], checkpoint: Checkpoint, config: Config, options: Options
    ) -> Iterator[tuple[list[Path], BatchResult]]:
        """Each batch with its runs, in order, a few CSUs at a time: a batch of a large cohort holds hundreds of
        CSUs, and their full records would be held together until the cohort summary had folded them in.
        Transient errors propagate, as in `assess_batch`."""
        for batch in batches:
            for start in range(0, len(batch), DIRECT_CHUNK):
                chunk = batch[start : start + DIRECT_CHUNK]
                yield chunk, assess_batch(chunk, checkpoint, config, options, flow_run_id=self.flow_run_id)

    def summarise(self, tally: CohortTally, config: Config) -> CohortSummary:
        return summarise_cohort(tally, config)

    def find_lapsed(self, config: Config, on: dt.date) -> list[Assessment]:
        return lapsed_records(config, on)

    def amend(self, record: Assessment, cohort_dir: Path, config: Config, on: dt.date) -> CsuRun:
        return amend_record(record, cohort_dir, config, on=on, flow_run_id=self.flow_run_id)

    def assessed(self, run: CsuRun) -> None:
        """One CSU's assessment is final (moderated and copied to PDF, when asked for)."""

    def batch_done(self, runs: Sequence[CsuRun], cohort_size: int) -> None:
        """These CSUs of a cohort are final: a batch's (less any drafts awaiting moderation), or the moderated."""

    def cohort_done(self, summary: CohortSummary) -> None:
        """A cohort's summary is written."""


class ModerationNeedsAnAssessor(RuntimeError):
    """Moderation was asked of a runner that cannot pause for a person."""


DIRECT = Steps()


class DryRun(Steps):
    """The steps without writing any file: no Word reports (the register is whatever the config names; give it
    an in-memory one, `dry_run_config`, and nothing is written at all). For documentation, what-if analyses and
    tests that need the decisions, not the documents."""

    def report(self, run: CsuRun, config: Config) -> CsuRun:
        return run

    def pdf(self, runs: list[CsuRun]) -> list[CsuRun]:
        return runs


def dry_run_config(
    catalogue: Catalogue, ruleset: RuleSet, calendar: Calendar, assessor: str = "dry run"
) -> Config:
    """A configuration whose register lives in memory and whose output folder is never written to."""
    return Config(catalogue, ruleset, calendar, Register("sqlite://"), Path("."), assessor)


# -- the sequences ---------------------------------------------------------------------------------------------


def draft_csu(
    csu_dir: Path,
    checkpoint: Checkpoint,
    config: Config,
    options: Options,
    steps: Steps = DIRECT,
    *,
    prior_plan: Sequence[PlanItem] | None = None,
) -> CsuRun:
    """One CSU at one checkpoint up to its recorded draft and report: gate, load, check, decide, record, report."""
    job = steps.prepare(csu_dir, Checkpoint(checkpoint), config, options.as_of, prior_plan)
    if isinstance(job, CsuRun):  # stopped earlier, or awaiting its submission
        return job
    draft = steps.evaluate(job, steps.load(job), config, options.moderation)
    return steps.report(steps.record(draft, config, options.force), config)


def assess_csu(
    csu_dir: Path,
    checkpoint: Checkpoint,
    config: Config,
    options: Options,
    steps: Steps = DIRECT,
    *,
    prior_plan: Sequence[PlanItem] | None = None,
) -> CsuRun:
    """One CSU at one checkpoint, start to finish: the draft, then moderation and a PDF copy when asked for."""
    run = draft_csu(csu_dir, checkpoint, config, options, steps, prior_plan=prior_plan)
    if options.moderation and run.awaiting_moderation:
        run = steps.moderate(run, config)
    if options.pdf:  # after moderation, which rewrites the report
        (run,) = steps.pdf([run])
    steps.assessed(run)
    return run


def assess_batch(
    csu_dirs: Sequence[Path],
    checkpoint: Checkpoint,
    config: Config,
    options: Options,
    *,
    flow_run_id: str | None = None,
) -> list[CsuRun]:
    """Several CSUs, each isolated: one that raises is reported as an error and the rest go on. Drafts awaiting
    moderation are recorded and returned as drafts (whoever ran the batch pauses for them); without moderation
    and with `pdf`, the batch's reports are then copied to PDF in one LibreOffice start.

    Transient errors (TRANSIENT_ERRORS) propagate so an orchestrator can retry the batch; the register makes
    that safe, since re-recording identical inputs returns what is already recorded.
    """
    steps = Steps()
    steps.flow_run_id = flow_run_id
    runs = []
    for csu_dir in csu_dirs:
        try:
            runs.append(draft_csu(csu_dir, checkpoint, config, options, steps))
        except TRANSIENT_ERRORS:
            raise
        except Exception as error:
            runs.append(crashed(csu_dir, checkpoint, error))
    return pdf_copies(runs) if options.pdf and not options.moderation else runs


def progress_csu(
    csu_dir: Path,
    config: Config,
    options: Options,
    steps: Steps = DIRECT,
    *,
    as_of: Mapping[int, dt.date] | None = None,
) -> list[CsuRun]:
    """One CSU through checkpoints 1 → 2 → 3, stopping at the first it does not pass; each checkpoint's
    development plan goes to the next. `as_of` maps a checkpoint to its date (default: the day after each
    deadline)."""
    runs: list[CsuRun] = []
    plan: tuple[PlanItem, ...] = ()
    progress.tell("checkpoints", 0, len(Checkpoint))
    for checkpoint in Checkpoint:
        at = options.model_copy(update={"as_of": (as_of or {}).get(int(checkpoint))})
        run = assess_csu(csu_dir, checkpoint, config, at, steps, prior_plan=plan)
        runs.append(run)
        progress.tell("checkpoints", 1, len(Checkpoint))
        if not run.proceeds:
            break
        plan = run.assessment.development_plan if run.assessment else ()
    return runs


def assess_cohort(
    cohort_dir: Path,
    checkpoint: Checkpoint,
    config: Config,
    options: Options,
    steps: Steps = DIRECT,
    *,
    max_batches: int | None = None,
) -> CohortSummary:
    """Every CSU folder of a cohort at one checkpoint, in batches, each CSU isolated from the others; then the
    cohort summary. A CSU with no submission once the deadline has passed is recorded "not submitted"; one
    stopped at an earlier checkpoint is skipped; one whose assessment raised is reported as an error. With
    moderation, every draft is moderated once the batches are done (and then copied to PDF, with `pdf`). At most
    `max_batches` batches (default: the configuration's)."""
    max_batches = max_batches or config.max_batches
    checkpoint = Checkpoint(checkpoint)
    folders, tally = _cohort_tally(Path(cohort_dir), checkpoint, config)
    awaiting: list[tuple[int, CsuRun]] = []
    position = 0
    progress.tell("CSUs", 0, len(folders))
    for batch, result in steps.run_batches(batches(folders, max_batches), checkpoint, config, options):
        runs = result if isinstance(result, list) else [crashed(d, checkpoint, result) for d in batch]
        final = []
        for run in runs:
            if options.moderation and run.awaiting_moderation:
                awaiting.append((position, run))
            else:
                tally.add(position, run)
                final.append(run)
            position += 1
        steps.batch_done(final, len(folders))
        progress.tell("CSUs", len(final), len(folders))
    if awaiting:
        moderated = [steps.moderate(run, config) for _, run in awaiting]
        if options.pdf:
            moderated = steps.pdf(moderated)
        for (at, _), run in zip(awaiting, moderated, strict=True):
            tally.add(at, run)
        steps.batch_done(moderated, len(folders))
        progress.tell("CSUs", len(moderated), len(folders))
    summary = steps.summarise(tally, config)
    steps.cohort_done(summary)
    return summary


def read_cohort_layout(cohort_dir: Path, skip: Sequence[Path] = ()) -> tuple[CohortLayout, list[Problem]]:
    """A cohort's layout and what it does not read, named as `validate` names it: refused cohort entries, then
    the entries of CSU folders that are not checkpoint submissions (an old copy, a stray plan beside cp1/)."""
    layout = read_cohort(Path(cohort_dir), skip=tuple(skip))
    return layout, [*layout.refused, *(problem for csu in layout.csus for problem in stray_entries(csu))]


def _cohort_tally(cohort_dir: Path, checkpoint: Checkpoint, config: Config) -> tuple[list[Path], CohortTally]:
    """The cohort's CSU folders and an empty tally for them, named and titled as its summary is."""
    layout, refused = read_cohort_layout(cohort_dir, skip=(config.out_dir,))
    settings, problem = read_cohort_settings(cohort_dir)
    refused += [problem] if problem is not None else []
    tally = CohortTally(
        cohort_dir.resolve().name,
        checkpoint,
        refused,
        layout.skipped,
        title=settings.name if settings is not None else None,
    )
    return list(layout.csus), tally


def recorded_cohort(cohort_dir: Path, checkpoint: Checkpoint, config: Config) -> CohortTally:
    """The cohort at one checkpoint as the register holds it now, nothing assessed: each CSU's current record
    there, else the record that stopped it earlier, else that it has none yet. What the cohort summary is
    rewritten from when a record changes outside a cohort run (an amendment once a waiver expires)."""
    checkpoint = Checkpoint(checkpoint)
    folders, tally = _cohort_tally(Path(cohort_dir), checkpoint, config)
    for position, folder in enumerate(folders):
        csu_id, csu_name = identify(folder)
        current = config.register.latest(csu_id, checkpoint)
        run = (
            CsuRun(csu_id, current.csu_name, checkpoint, current.disposition, current)
            if current is not None
            else stopped_earlier(csu_id, csu_name, checkpoint, config.register)
            or CsuRun(csu_id, csu_name, checkpoint, Disposition.PENDING, message="no assessment recorded yet")
        )
        tally.add(position, run)
    return tally


def reassess_expired_waivers(
    cohort_dir: Path, config: Config, *, on: dt.date, steps: Steps = DIRECT
) -> list[CsuRun]:
    """Every CSU of `cohort_dir` whose current assessment still applies a waiver that expired before `on`,
    re-assessed from the same submission without it: the amended record supersedes the old one and an amended
    report says which waivers expired; the cohort summary of each checkpoint amended is then rewritten from the
    register. Running it again the same day finds nothing more to do."""
    runs = []
    for record in steps.find_lapsed(config, on):
        run = steps.amend(record, cohort_dir, config, on)
        if not run.failed:
            steps.assessed(run)
        runs.append(run)
    # The national picture follows its records: each checkpoint's cohort summary is rewritten from the register
    # once its amendments are in, so it never shows a decision that has been replaced.
    for checkpoint in sorted({r.checkpoint for r in runs if not r.failed}):
        steps.summarise(recorded_cohort(Path(cohort_dir), checkpoint, config), config)
    return runs


def rows(runs: Iterable[CsuRun]) -> list[CsuRow]:
    return [r.row() for r in runs]


__all__ = [
    "DIRECT",
    "CohortSummary",
    "CohortTally",
    "Config",
    "CsuRow",
    "CsuRun",
    "Invalid",
    "Job",
    "Options",
    "Steps",
    "assess_batch",
    "assess_cohort",
    "assess_csu",
    "configure",
    "finish_moderation",
    "moderate",
    "progress_csu",
    "reassess_expired_waivers",
    "write_report",
]
