"""The assessment pipeline without orchestration: the steps a flow sequences, each one plain function.

One CSU at one checkpoint: `locate` → `load` → `assess_*` (the engine runs the checks and decides) →
`record` (register) → `write_report` → (`moderate`). `run_one` chains them, `run_batch` runs several CSUs each
isolated from the others, `summarise_cohort` ends a cohort run. The CLI's `--no-prefect` path calls these
directly; `flows/` wraps each in a Prefect task.

Order: the register is written before the report, so the report shows the id the register gave the assessment
and a re-run of identical inputs (which returns the recorded assessment) does not re-render an existing report.

Invalid submissions: a submission that cannot be loaded is recorded on the not-submitted path: outcome
NOT_SUBMITTED (no usable submission reached the BDU by the deadline), register status "invalid_submission",
the SHA-256 of the files that were sent as its inputs (fixing them gives a new assessment, not the old one),
and every located problem as evidence on the evidence-domain checks. Scoring it NOT_EVIDENCED across the board
would mislabel a broken file as a weak CSU.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import traceback
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from csu_assure.calendar import Calendar, load_calendar
from csu_assure.catalogue import Catalogue, default_catalogue
from csu_assure.domain import Checkpoint, Domain, Rag, Status
from csu_assure.engine import assess, assess_not_submitted
from csu_assure.loading import SubmissionInvalid, csu_folders, discover, load_submission
from csu_assure.loading.folder import MAX_PLAN_BYTES, PLAN_FILE, decode_text, parse_yaml, read_bytes
from csu_assure.loading.problems import Problem, visible
from csu_assure.register import RecordStatus, Register, file_sha256
from csu_assure.report import write_assessment_report, write_cohort_report
from csu_assure.report.pdf import PdfUnavailable, convert_to_pdf
from csu_assure.results import Adjustment, Assessment, CheckResult, Moderation, PlanItem
from csu_assure.ruleset import RuleSet, load_ruleset
from csu_assure.settings import Settings
from csu_assure.submission import CsuId, InputFile, Submission

CsuStatus = Literal["assessed", "not_submitted", "invalid_submission", "stopped", "pending", "error"]
# Errors a retry may cure (a locked or unreachable register, a busy file system): let them reach the caller,
# which may retry; anything else is isolated to the CSU it happened to.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OSError, TimeoutError)


@dataclass(frozen=True)
class Config:
    """Everything a run needs besides the submissions; built once at the entry point."""

    catalogue: Catalogue
    ruleset: RuleSet
    calendar: Calendar
    register: Register
    out_dir: Path
    assessor: str


def configure(settings: Settings) -> Config:
    """Load the catalogue, rule set and calendar and open the register (RuleSetInvalid on a bad file)."""
    catalogue = default_catalogue()
    return Config(
        catalogue=catalogue,
        ruleset=load_ruleset(catalogue, settings.rules),
        calendar=load_calendar(settings.calendar),
        register=Register(settings.resolved_register_url),
        out_dir=settings.out_dir,
        assessor=settings.assessor,
    )


def default_as_of(calendar: Calendar, checkpoint: Checkpoint) -> dt.date:
    """The day after the checkpoint's deadline: a fixed date, so re-running reproduces the same assessment."""
    return calendar.deadline(checkpoint) + dt.timedelta(days=1)


@dataclass(frozen=True)
class Invalid:
    """A submission that could not be loaded: where, every located problem, and the files that were sent."""

    path: Path
    problems: tuple[Problem, ...]
    inputs: tuple[InputFile, ...]


@dataclass(frozen=True)
class CsuOutcome:
    """What happened to one CSU at one checkpoint in a run; `assessment` is what the register holds."""

    csu_id: str
    csu_name: str
    checkpoint: Checkpoint
    status: CsuStatus
    assessment: Assessment | None = None
    path: Path | None = None
    problems: tuple[str, ...] = ()
    message: str = ""
    pdf: str | None = None  # a PDF copy of the report, when one was asked for and made
    pdf_error: str = ""  # why a PDF copy that was asked for is missing

    @property
    def proceeds(self) -> bool:
        """Assessed at this checkpoint with an outcome that lets the CSU go on to the next."""
        a = self.assessment
        return (
            self.status == "assessed"
            and a is not None
            and a.checkpoint == self.checkpoint
            and a.outcome.proceeds
        )

    @property
    def awaiting_moderation(self) -> bool:
        return self.assessment is not None and self.assessment.moderation.status == "draft"

    @property
    def failed(self) -> bool:
        """The CSU could not be assessed properly: its submission was invalid or its assessment raised."""
        return self.status in ("error", "invalid_submission")


class Override(BaseModel):
    """An assessor's override of one check's result, as given at moderation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    check_id: str = Field(pattern=r"^CP[123]-[A-Z]{3}-\d{2}$")
    status: Literal[Status.PASS, Status.FAIL]
    reason: str = Field(min_length=1, max_length=2000)


class ModerationRejected(ValueError):
    """A moderation that cannot be applied as given (e.g. an override of a check this checkpoint lacks)."""


# -- locating and loading ------------------------------------------------------------------------------------


def locate(csu_dir: Path, checkpoint: Checkpoint) -> Path | None:
    """The CSU's submission for `checkpoint` (folder `cpN/` or workbook `cpN.xlsx`), if there is one."""
    found = [f for f in discover(Path(csu_dir), checkpoint) if f.checkpoint == checkpoint]
    return found[0].path if found else None


def identify(csu_dir: Path) -> tuple[str, str]:
    """(csu_id, csu_name) from any readable business plan of the CSU; the folder name when none is readable.

    The id names report folders and files, and the plan may be the very thing that is invalid, so it is used
    only when it is a valid CSU id (`csu_id: ../../x` is not); a folder name used instead is made safe too.
    """
    csu_dir = Path(csu_dir)
    for plan in sorted(csu_dir.glob(f"cp[123]/{PLAN_FILE}")):
        data, _ = read_bytes(plan, csu_dir, MAX_PLAN_BYTES, str(plan))
        text, _ = decode_text(data, str(plan)) if data is not None else (None, None)
        raw, problem = parse_yaml(text, str(plan)) if text is not None else (None, None)
        if problem is None and isinstance(raw, dict) and _is_csu_id(raw.get("csu_id")):
            name = raw.get("csu_name")
            shown = _display_name(name) if isinstance(name, str) and name.strip() else raw["csu_id"]
            return raw["csu_id"], shown
    folder_name = csu_dir.resolve().name
    return path_safe_id(folder_name), _display_name(folder_name)


_CSU_ID = TypeAdapter(CsuId)


def _is_csu_id(value: object) -> bool:
    try:
        _CSU_ID.validate_python(value, strict=True)
    except ValidationError:
        return False
    return True


def path_safe_id(name: str) -> str:
    """`name` as a valid CSU id (a slug that is safe as a folder and file name): "North CSU (v2)" → "north-csu-v2"."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:63].strip("-")
    return (
        slug
        if _is_csu_id(slug)
        else f"csu-{hashlib.sha256(name.encode('utf-8', 'replace')).hexdigest()[:12]}"
    )


def _display_name(name: str) -> str:
    """A name to show, never a path: one line, control characters visible, at most 200 characters."""
    shown = visible(" ".join(name.split()))[:200]
    return shown or "(unnamed CSU)"


def hash_inputs(path: Path) -> tuple[InputFile, ...]:
    """SHA-256 of every regular file of a submission folder (or of a workbook), labelled like the loader does.

    Links are left out, as the loader refuses them: hashing one would read whatever it points at.
    """
    path = Path(path)
    if path.is_symlink():
        return ()
    files = (
        [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file() and not p.is_symlink())
    )
    base = path.parent.parent if path.is_dir() else path.parent
    return tuple(
        InputFile(path=str(p.relative_to(base)) if p.is_relative_to(base) else str(p), sha256=file_sha256(p))
        for p in files
    )


def load(path: Path) -> Submission | Invalid:
    """Load a submission, or return every located problem with it."""
    try:
        return load_submission(Path(path))
    except SubmissionInvalid as error:
        return Invalid(Path(path), error.problems, hash_inputs(path) if Path(path).exists() else ())


# -- assessing -----------------------------------------------------------------------------------------------


def _moderation(moderated: bool) -> Moderation:
    return Moderation(status="draft") if moderated else Moderation(status="not_moderated")


def prior_plan_for(csu_id: str, checkpoint: Checkpoint, register: Register) -> tuple[PlanItem, ...]:
    """The development plan agreed at the previous checkpoint, from the register (empty if none)."""
    if checkpoint == Checkpoint.OUTLINE_PLAN:
        return ()
    previous = register.latest(csu_id, checkpoint - 1)
    return previous.development_plan if previous else ()


def assess_submission(
    sub: Submission,
    config: Config,
    *,
    as_of: dt.date,
    prior_plan: Sequence[PlanItem] = (),
    moderated: bool = False,
    flow_run_id: str | None = None,
) -> Assessment:
    """Run the checkpoint's checks and decide (the engine); a draft if it will be moderated."""
    return assess(
        sub,
        catalogue=config.catalogue,
        ruleset=config.ruleset,
        calendar=config.calendar,
        as_of=as_of,
        assessor=config.assessor,
        prior_plan=prior_plan,
        moderation=_moderation(moderated),
        flow_run_id=flow_run_id,
    )


def assess_missing(
    csu_id: str,
    csu_name: str,
    checkpoint: Checkpoint,
    config: Config,
    *,
    as_of: dt.date,
    moderated: bool = False,
    flow_run_id: str | None = None,
) -> Assessment:
    """No submission by the deadline: recorded as FAIL — not submitted."""
    return assess_not_submitted(
        csu_id,
        csu_name,
        checkpoint,
        catalogue=config.catalogue,
        ruleset=config.ruleset,
        calendar=config.calendar,
        as_of=as_of,
        assessor=config.assessor,
        flow_run_id=flow_run_id,
        moderation=_moderation(moderated),
    )


def _problem_row(problem: Problem) -> dict[str, str]:
    return {
        "file": problem.file,
        "where": problem.where,
        "problem": problem.message,
        "value": problem.value or "",
    }


def assess_invalid(
    invalid: Invalid,
    csu_id: str,
    csu_name: str,
    checkpoint: Checkpoint,
    config: Config,
    *,
    as_of: dt.date,
    moderated: bool = False,
    flow_run_id: str | None = None,
) -> Assessment:
    """A submission that could not be read: the not-submitted path, with its problems and file hashes."""
    missing = assess_missing(
        csu_id, csu_name, checkpoint, config, as_of=as_of, moderated=moderated, flow_run_id=flow_run_id
    )
    count = len(invalid.problems)
    evidence = tuple(_problem_row(p) for p in invalid.problems)
    has_evidence_check = any(r.domain is Domain.EVIDENCE for r in missing.results)

    def explain(result: CheckResult) -> CheckResult:
        if result.domain is Domain.EVIDENCE or not has_evidence_check:
            return result.model_copy(
                update={
                    "finding": f"A submission was received but could not be read: {count} problem(s) "
                    "in its files; no valid submission reached the BDU by the deadline.",
                    "actual": "invalid submission",
                    "evidence": evidence,
                }
            )
        return result.model_copy(
            update={
                "finding": "Insufficient evidence: the submission could not be read.",
                "actual": "invalid",
            }
        )

    return missing.model_copy(
        update={
            "results": tuple(explain(r) for r in missing.results),
            "provenance": missing.provenance.model_copy(update={"inputs": invalid.inputs}),
        }
    )


def moderate(
    draft: Assessment,
    path: Path | None,
    config: Config,
    *,
    assessor: str,
    overrides: Sequence[Override] = (),
    note: str | None = None,
    on: dt.date,
) -> Assessment:
    """Re-assess with the assessor's overrides and mark the result moderated (ModerationRejected if invalid)."""
    if not assessor.strip():
        raise ModerationRejected("moderation needs a named assessor")
    known = {r.check_id for r in draft.results}
    unknown = sorted({o.check_id for o in overrides} - known)
    if unknown:
        raise ModerationRejected(
            f"{', '.join(unknown)}: no such check in this checkpoint {int(draft.checkpoint)} assessment "
            f"(checks: {', '.join(sorted(known))})"
        )
    moderation = Moderation(status="moderated", assessor=assessor, note=note, moderated_on=on)
    loaded = load(path) if path is not None else None
    if not isinstance(loaded, Submission):
        if overrides:
            raise ModerationRejected(
                "there is no valid submission to override checks on; it can only be accepted"
            )
        return draft.model_copy(update={"moderation": moderation})
    if loaded.inputs != draft.provenance.inputs:
        raise ModerationRejected(f"the files in {path} changed since the draft; assess it again first")
    adjustments = [
        Adjustment(
            kind="override",
            check_id=o.check_id,
            assessor=assessor,
            reason=o.reason,
            status=o.status,
            recorded_on=on,
        )
        for o in overrides
    ]
    return assess(
        loaded,
        catalogue=config.catalogue,
        ruleset=config.ruleset,
        calendar=config.calendar,
        as_of=draft.provenance.as_of,
        assessor=draft.provenance.assessor,
        prior_plan=prior_plan_for(draft.csu_id, draft.checkpoint, config.register),
        adjustments=adjustments,
        moderation=moderation,
        flow_run_id=draft.provenance.flow_run_id,
    )


# -- recording and reporting ---------------------------------------------------------------------------------


def report_path(out_dir: Path, assessment: Assessment) -> Path:
    """`out/<csu>/cpN/<csu>-cpN-report.docx`; ValueError if the CSU id would lead anywhere but there."""
    cp = int(assessment.checkpoint)
    csu = assessment.csu_id
    path = Path(out_dir) / csu / f"cp{cp}" / f"{csu}-cp{cp}-report.docx"
    # Defence in depth: `identify` only hands out valid ids, but an assessment may come from elsewhere.
    if not _is_csu_id(csu) or not path.resolve().is_relative_to(Path(out_dir).resolve()):
        raise ValueError(
            f"refusing to write a report for CSU id {csu!r}: not a safe folder name under {out_dir}"
        )
    return path


def record(
    assessment: Assessment, config: Config, *, force: bool = False, status: RecordStatus | None = None
) -> Assessment:
    """Record in the register; returns the assessment already there for identical inputs unless `force`."""
    return config.register.record(assessment, force=force, status=status)


def write_report(assessment: Assessment, config: Config, *, rewrite: bool = False) -> Assessment:
    """Write the Word report (unless it already exists for this record) and note its path in the register."""
    if assessment.report_path and Path(assessment.report_path).exists() and not rewrite:
        return assessment
    path = write_assessment_report(assessment, report_path(config.out_dir, assessment)).resolve()
    config.register.set_report_path(assessment.assessment_id, str(path))
    return assessment.model_copy(update={"report_path": str(path)})


def finish_moderation(draft: Assessment, moderated: Assessment, config: Config) -> Assessment:
    """Supersede the draft with the moderated record and write its report."""
    recorded = config.register.apply_moderation(draft.assessment_id, moderated)
    return write_report(recorded, config, rewrite=True)


# -- one CSU, a batch, a cohort ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One CSU at one checkpoint, ready to assess: who, as of when, its submission, the plan it carries."""

    csu_id: str
    csu_name: str
    checkpoint: Checkpoint
    as_of: dt.date
    path: Path | None
    prior_plan: tuple[PlanItem, ...] = ()


def prepare(
    csu_dir: Path,
    checkpoint: Checkpoint,
    config: Config,
    *,
    as_of: dt.date | None = None,
    prior_plan: Sequence[PlanItem] | None = None,
) -> Job | CsuOutcome:
    """Gate and locate: a CSU stopped at the previous checkpoint is not assessed again ("stopped"), one with
    no submission before the deadline has passed is "pending"; otherwise the job to run. `prior_plan`
    defaults to the development plan the register holds from the previous checkpoint."""
    checkpoint = Checkpoint(checkpoint)
    as_of = as_of or default_as_of(config.calendar, checkpoint)
    csu_id, csu_name = identify(csu_dir)
    if checkpoint > Checkpoint.OUTLINE_PLAN:
        previous = config.register.latest(csu_id, checkpoint - 1)
        if previous is not None and not previous.outcome.proceeds:
            return CsuOutcome(
                csu_id,
                csu_name,
                checkpoint,
                "stopped",
                previous,
                message=f"stopped at checkpoint {int(previous.checkpoint)}: {previous.outcome.label}",
            )
    path = locate(csu_dir, checkpoint)
    if path is None and as_of <= config.calendar.deadline(checkpoint):
        return CsuOutcome(csu_id, csu_name, checkpoint, "pending", message="deadline not yet passed")
    if prior_plan is None:
        prior_plan = prior_plan_for(csu_id, checkpoint, config.register)
    return Job(csu_id, csu_name, checkpoint, as_of, path, tuple(prior_plan))


def load_job(job: Job) -> Submission | Invalid | None:
    """The job's submission, its located problems, or None when nothing was submitted."""
    return load(job.path) if job.path is not None else None


def evaluate(
    job: Job,
    loaded: Submission | Invalid | None,
    config: Config,
    *,
    moderated: bool = False,
    flow_run_id: str | None = None,
) -> CsuOutcome:
    """Run the checks and decide (or take the not-submitted path): the draft outcome, not yet recorded."""
    common: dict[str, Any] = {"as_of": job.as_of, "moderated": moderated, "flow_run_id": flow_run_id}
    if loaded is None:
        draft = assess_missing(job.csu_id, job.csu_name, job.checkpoint, config, **common)
        return CsuOutcome(job.csu_id, job.csu_name, job.checkpoint, "not_submitted", draft)
    if isinstance(loaded, Invalid):
        draft = assess_invalid(loaded, job.csu_id, job.csu_name, job.checkpoint, config, **common)
        problems = tuple(str(p) for p in loaded.problems)
        return CsuOutcome(
            job.csu_id, job.csu_name, job.checkpoint, "invalid_submission", draft, job.path, problems
        )
    if loaded.checkpoint != job.checkpoint:
        raise ValueError(
            f"{job.path} holds a checkpoint {int(loaded.checkpoint)} submission, "
            f"not checkpoint {int(job.checkpoint)}"
        )
    draft = assess_submission(loaded, config, prior_plan=job.prior_plan, **common)
    return CsuOutcome(loaded.csu_id, loaded.plan.csu_name, job.checkpoint, "assessed", draft, job.path)


def record_outcome(outcome: CsuOutcome, config: Config, *, force: bool = False) -> CsuOutcome:
    """Record the outcome's assessment; it then holds what the register holds (maybe an earlier record)."""
    if outcome.assessment is None or outcome.status in ("stopped", "pending"):
        return outcome
    status: RecordStatus | None = "invalid_submission" if outcome.status == "invalid_submission" else None
    return replace(outcome, assessment=record(outcome.assessment, config, force=force, status=status))


def report_outcome(outcome: CsuOutcome, config: Config) -> CsuOutcome:
    """Write the recorded assessment's Word report (skipped if that record's report exists)."""
    if outcome.assessment is None or outcome.status in ("stopped", "pending"):
        return outcome
    return replace(outcome, assessment=write_report(outcome.assessment, config))


def run_one(
    csu_dir: Path,
    checkpoint: Checkpoint,
    config: Config,
    *,
    as_of: dt.date | None = None,
    prior_plan: Sequence[PlanItem] | None = None,
    force: bool = False,
    moderated: bool = False,
    flow_run_id: str | None = None,
) -> CsuOutcome:
    """One CSU at one checkpoint, start to finish (moderation, which needs a person, comes after)."""
    job = prepare(csu_dir, checkpoint, config, as_of=as_of, prior_plan=prior_plan)
    if isinstance(job, CsuOutcome):
        return job
    draft = evaluate(job, load_job(job), config, moderated=moderated, flow_run_id=flow_run_id)
    return report_outcome(record_outcome(draft, config, force=force), config)


def replace_assessment(outcome: CsuOutcome, assessment: Assessment) -> CsuOutcome:
    """The same outcome holding a later version of its assessment (e.g. after moderation)."""
    return replace(outcome, assessment=assessment)


def run_batch(
    csu_dirs: Sequence[Path], checkpoint: Checkpoint, config: Config, *, pdf: bool = False, **options: Any
) -> list[CsuOutcome]:
    """Several CSUs, each isolated: one that raises is reported as an error and the rest go on. With `pdf`,
    the batch's reports are then copied to PDF in one LibreOffice start.

    Transient errors (TRANSIENT_ERRORS) propagate so an orchestrator can retry the batch; the register makes
    that safe, since re-recording identical inputs returns what is already recorded.
    """
    outcomes = []
    for csu_dir in csu_dirs:
        try:
            outcomes.append(run_one(csu_dir, checkpoint, config, **options))
        except TRANSIENT_ERRORS:
            raise
        except Exception as error:
            outcomes.append(crashed(csu_dir, checkpoint, error))
    return pdf_copies(outcomes) if pdf else outcomes


def pdf_copies(outcomes: Sequence[CsuOutcome]) -> list[CsuOutcome]:
    """Each outcome with a PDF copy of its report (or the reason there is none). A missing PDF never undoes an
    assessment: the register and the .docx stand, and the outcome says why its PDF is missing."""
    reports = {
        i: Path(o.assessment.report_path)
        for i, o in enumerate(outcomes)
        if o.assessment is not None and o.assessment.report_path and o.assessment.checkpoint == o.checkpoint
    }
    try:
        made = dict(zip(reports, convert_to_pdf(list(reports.values())), strict=True))
    except PdfUnavailable as error:
        return [replace(o, pdf_error=str(error)) if i in reports else o for i, o in enumerate(outcomes)]
    return [
        replace(o, pdf=str(made[i].pdf) if made[i].pdf else None, pdf_error=made[i].error) if i in made else o
        for i, o in enumerate(outcomes)
    ]


def crashed(csu_dir: Path, checkpoint: Checkpoint, error: BaseException) -> CsuOutcome:
    """The record of a CSU whose assessment raised: its error, located, instead of an assessment."""
    csu_id, csu_name = identify(csu_dir)
    frames = traceback.extract_tb(error.__traceback__)
    where = f" (at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno})" if frames else ""
    return CsuOutcome(
        csu_id, csu_name, Checkpoint(checkpoint), "error", message=f"{type(error).__name__}: {error}{where}"
    )


def batches(items: Sequence[Path], max_batches: int = 32) -> list[list[Path]]:
    """Split a cohort into at most `max_batches` batches of consecutive CSUs (one per CSU when small)."""
    size = max(1, math.ceil(len(items) / max_batches))
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


@dataclass(frozen=True)
class CohortSummary:
    cohort: str
    checkpoint: Checkpoint
    outcomes: tuple[CsuOutcome, ...]
    report_path: Path | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> list[CsuOutcome]:
        return [o for o in self.outcomes if o.failed]

    @property
    def errors(self) -> list[CsuOutcome]:
        return [o for o in self.outcomes if o.status == "error"]


def outcome_counts(outcomes: Sequence[CsuOutcome]) -> dict[str, int]:
    """Counts by decision label; CSUs without a decision this time by what happened instead."""
    counted: Counter[str] = Counter()
    for o in outcomes:
        if o.status in ("assessed", "not_submitted", "invalid_submission") and o.assessment is not None:
            label = o.assessment.outcome.label
            counted[f"{label} (invalid submission)" if o.status == "invalid_submission" else label] += 1
        else:
            counted[
                {"stopped": "stopped earlier", "pending": "awaiting submission", "error": "error"}.get(
                    o.status, o.status
                )
            ] += 1
    return dict(sorted(counted.items()))


def cohort_report_path(out_dir: Path, cohort: str, checkpoint: Checkpoint) -> Path:
    return Path(out_dir) / f"{cohort}-cp{int(checkpoint)}-cohort-report.docx"


def summarise_cohort(
    outcomes: Sequence[CsuOutcome], checkpoint: Checkpoint, config: Config, cohort: str
) -> CohortSummary:
    """Count the outcomes and write the cohort report over the CSUs assessed at this checkpoint."""
    checkpoint = Checkpoint(checkpoint)
    assessed = [
        o.assessment for o in outcomes if o.assessment is not None and o.assessment.checkpoint == checkpoint
    ]
    path = None
    if assessed:
        title = f"{cohort}: {checkpoint.title}"
        path = write_cohort_report(assessed, cohort_report_path(config.out_dir, cohort, checkpoint), title)
    return CohortSummary(
        cohort, checkpoint, tuple(outcomes), path.resolve() if path else None, outcome_counts(outcomes)
    )


def run_cohort(cohort_dir: Path, checkpoint: Checkpoint, config: Config, **options: Any) -> CohortSummary:
    """A whole cohort at one checkpoint, without orchestration (the CLI's --no-prefect path)."""
    outcomes = run_batch(csu_folders(cohort_dir), checkpoint, config, **options)
    return summarise_cohort(outcomes, checkpoint, config, Path(cohort_dir).resolve().name)


def run_progress(csu_dir: Path, config: Config, *, pdf: bool = False, **options: Any) -> list[CsuOutcome]:
    """One CSU through checkpoints 1 → 2 → 3, stopping at the first that it does not pass."""
    outcomes: list[CsuOutcome] = []
    plan: tuple[PlanItem, ...] = ()
    for checkpoint in Checkpoint:
        outcome = run_one(csu_dir, checkpoint, config, prior_plan=plan, **options)
        outcomes.append(outcome)
        if not outcome.proceeds:
            break
        plan = outcome.assessment.development_plan if outcome.assessment else ()
    return pdf_copies(outcomes) if pdf else outcomes


# -- renderers for publishing (Prefect artifacts, CLI JSON) ---------------------------------------------------

_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_{}[]<>()#+!|"})
RAG_MARK = {Rag.GREEN: "🟢 GREEN", Rag.AMBER: "🟠 AMBER", Rag.RED: "🔴 RED"}


def md(text: object) -> str:
    """Text from a submission made inert in Markdown (no links, HTML or table breaks)."""
    return " ".join(str(text).split()).translate(_MD_SPECIAL)


def assessment_markdown(a: Assessment) -> str:
    """Decision, RAG by domain and conditions, for a Prefect markdown artifact."""
    lines = [
        f"# {md(a.csu_name)} ({md(a.csu_id)}) — {a.checkpoint.title}",
        "",
        f"**Decision: {md(a.outcome.label)}**"
        + (" — escalation: leadership intervention or merger" if a.escalation else ""),
        "",
        f"Moderation: {a.moderation.status}"
        + (f" by {md(a.moderation.assessor)}" if a.moderation.assessor else ""),
        "",
        "| Domain | RAG |",
        "|---|---|",
        *(f"| {d.value} | {RAG_MARK[r]} |" for d, r in a.domains.items()),
        "",
    ]
    if a.conditions:
        lines += ["## Conditions and reasons", ""]
        lines += [
            f"- **{c.check_id}** ({c.severity.value}, {c.status.value}): {md(c.finding)}"
            for c in a.conditions
        ]
    else:
        lines.append("No conditions.")
    lines += [
        "",
        f"Assessment {a.assessment_id}, as of {a.provenance.as_of.isoformat()}, rule set "
        f"{md(a.provenance.ruleset_name)} {md(a.provenance.ruleset_version)}.",
    ]
    if a.report_path:
        lines += ["", f"Word report: {md(a.report_path)}"]
    return "\n".join(lines)


def results_table(a: Assessment) -> list[dict[str, str]]:
    """One row per check result, for a Prefect table artifact."""
    return [
        {
            "check": r.check_id,
            "domain": r.domain.value,
            "severity": r.severity.value,
            "status": r.status.value,
            "computed": r.computed_status.value,
            "rag": r.rag.value,
            "actual": r.actual or "",
            "expected": r.expected,
            "finding": r.finding,
            "override": f"{r.adjustment.assessor}: {r.adjustment.reason}" if r.adjustment else "",
        }
        for r in a.results
    ]


def cohort_markdown(summary: CohortSummary, rows_up_to: int | None = None) -> str:
    """Counts by outcome, then a row per CSU (the first `rows_up_to` of them, if given) and every error."""
    lines = [
        f"# Cohort {md(summary.cohort)} — {summary.checkpoint.title}",
        "",
        "| Outcome | CSUs |",
        "|---|---|",
        *(f"| {md(label)} | {n} |" for label, n in summary.counts.items()),
        "",
        "| CSU | Status | Decision | " + " | ".join(d.value for d in _domains(summary)) + " |",
        "|---|---|---|" + "---|" * len(_domains(summary)),
    ]
    shown = summary.outcomes if rows_up_to is None else summary.outcomes[:rows_up_to]
    for o in shown:
        a = o.assessment if o.assessment and o.assessment.checkpoint == summary.checkpoint else None
        rags = [RAG_MARK[a.domains[d]] if a and d in a.domains else "" for d in _domains(summary)]
        decision = md(a.outcome.label) if a else md(o.message)
        lines.append(f"| {md(o.csu_name)} | {o.status} | {decision} | " + " | ".join(rags) + " |")
    if len(shown) < len(summary.outcomes):
        lines += [
            "",
            f"… and {len(summary.outcomes) - len(shown):,} more CSUs: every one is in the cohort report and the "
            "register (`csu-assure export`).",
        ]
    if summary.errors:
        lines += ["", "## Errors", ""] + [f"- {md(o.csu_id)}: {md(o.message)}" for o in summary.errors]
    return "\n".join(lines)


def _domains(summary: CohortSummary) -> list[Domain]:
    seen = {d for o in summary.outcomes if o.assessment for d in o.assessment.domains}
    return [d for d in Domain if d in seen]


def outcome_json(o: CsuOutcome) -> dict[str, Any]:
    """The JSON export of one CSU's outcome (the CLI's --format json)."""
    a = o.assessment if o.assessment is not None and o.assessment.checkpoint == o.checkpoint else None
    return {
        "csu_id": o.csu_id,
        "csu_name": o.csu_name,
        "checkpoint": int(o.checkpoint),
        "status": o.status,
        "outcome": a.outcome.value if a else None,
        "outcome_label": a.outcome.label if a else None,
        "escalation": a.escalation if a else False,
        "domains": {d.value: r.value for d, r in a.domains.items()} if a else {},
        "conditions": [c.check_id for c in a.conditions] if a else [],
        "moderation": a.moderation.status if a else None,
        "report": a.report_path if a else None,
        "assessment_id": a.assessment_id if a else None,
        "problems": list(o.problems),
        "message": o.message,
        "pdf": o.pdf,
        "pdf_error": o.pdf_error or None,
    }


__all__ = [
    "CohortSummary",
    "Config",
    "CsuOutcome",
    "Invalid",
    "ModerationRejected",
    "Override",
    "assess_invalid",
    "assess_missing",
    "assess_submission",
    "configure",
    "finish_moderation",
    "load",
    "locate",
    "moderate",
    "pdf_copies",
    "record",
    "run_batch",
    "run_cohort",
    "run_one",
    "run_progress",
    "summarise_cohort",
    "write_report",
]
