"""The one place the CLI chooses how to run the service's sequences: directly in this process, or as Prefect
flows (an embedded temporary server, or the one PREFECT_API_URL names). Both run `csu_assure.service`."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import typer
from rich.markup import escape

from cli.common import EXIT_INVALID, err, print_problems, usage_error

if TYPE_CHECKING:
    from cli.warm_client import LocalRunner
    from csu_assure.results import Assessment, CohortSummary, CsuRow
    from csu_assure.service import Config, CsuRun, Options, Steps


def configure_or_exit(options: Options) -> Config:
    """The run's configuration. A bad rule-set or calendar file is located problems and exit 1; an output folder
    or register that cannot be used is one sentence and exit 2, before anything is assessed."""
    import checks
    from csu_assure.register import RegisterUnavailable
    from csu_assure.register.signing import RegisterKeyInvalid
    from csu_assure.render.atomic import FolderUnusable
    from csu_assure.ruleset import RuleSetInvalid
    from csu_assure.service import configure

    try:
        return configure(options.settings(), checks.catalogue())
    except RuleSetInvalid as error:
        print_problems(error.source, error.problems)
        raise typer.Exit(EXIT_INVALID) from None
    except (FolderUnusable, RegisterUnavailable, RegisterKeyInvalid) as error:
        raise usage_error(str(error)) from None


def quiet_prefect() -> None:
    """Settings for a CLI-started Prefect run, unless the user set them (they must be set before Prefect is
    imported, which reads them once):
    - telemetry off: offline, the embedded server's analytics print a red error, and its telemetry write races
      its own start-up ("database is locked" traceback); `DO_NOT_TRACK` turns off the client's too;
    - Prefect's console log lines at WARNING: the CLI tells the run's story itself (a progress bar, the table,
      totals) and a line per task would scroll it away; the run's logs still go to the Prefect API at INFO, so
      the UI has them all (`PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL=INFO` brings them back to the terminal)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")


def start_prefect_or_exit() -> str:
    """Make sure a Prefect API is there before the first flow (the server PREFECT_API_URL names, or an embedded
    one started now, one process per PREFECT_HOME at a time); if none can be had, one sentence and exit 2."""
    from flows.embedded_server import PrefectUnavailable, ensure_prefect_api

    try:
        with err.status("Starting Prefect (an embedded API server for this run)…", spinner="dots"):
            return ensure_prefect_api()
    except PrefectUnavailable as error:
        raise usage_error(str(error)) from None


class _PauseAnnouncer(logging.Handler):
    """Says, in this terminal, which run paused for moderation and the exact commands that moderate it."""

    def emit(self, record: logging.LogRecord) -> None:
        notice = getattr(record, "pause", None)
        if notice is None:
            return
        from rich.markup import escape

        failing = ", ".join(notice.failing) or "none"
        lines = [
            f"[bold yellow]⏸ Paused for moderation:[/] {escape(notice.csu_name)} ({escape(notice.csu_id)}), "
            f"checkpoint {notice.checkpoint}: draft decision [bold]{escape(notice.draft_decision)}[/]; "
            f"failing checks: {escape(failing)}",
            f"  flow run id: [bold]{notice.flow_run_id}[/]",
            "  This command waits. Moderate the run from another terminal"
            + (f" or with its Resume form at {escape(notice.ui_url)}" if notice.ui_url else "")
            + ":",
            *(f"    {escape(command)}" for command in notice.commands),
        ]
        err.print("\n".join(lines))


def announce_pauses() -> None:
    """Print each pause for moderation of the flows this process runs (once, however many runners)."""
    from flows.moderation import PAUSES

    if not any(isinstance(h, _PauseAnnouncer) for h in PAUSES.handlers):
        PAUSES.addHandler(_PauseAnnouncer())
        PAUSES.setLevel(logging.INFO)


class Runner:
    """Runs one CSU, a progression or a cohort with the given options, directly or through Prefect."""

    def __init__(self, options: Options, *, prefect: bool, steps: Steps | None = None) -> None:
        if options.moderation and not prefect:
            raise usage_error("--moderation needs Prefect (it pauses a flow run); drop --no-prefect")
        self.options = options
        self.prefect = prefect
        self.config = configure_or_exit(options)  # fails fast on a bad rule set, before any flow starts
        self.steps = steps  # the direct runner's hooks (progress display); Prefect runs use their own
        self.local: LocalRunner | None = None  # the warm path: flows run in the local runner, not here
        if prefect:
            quiet_prefect()
            from cli.warm_client import LocalRunner, RunnerFailed, warm_path_applies

            if warm_path_applies(options):  # never with --moderation: a paused run is waited for here
                self.local = LocalRunner()
                try:
                    self.local.ensure()
                except RunnerFailed as error:
                    raise usage_error(str(error)) from None
            else:
                start_prefect_or_exit()
                if options.moderation:
                    announce_pauses()

    def record_of(self, row: CsuRow) -> Assessment | None:
        """The register's record of the assessment in `row` (what `--format json` shows in full)."""
        if row.summary is None:
            return None
        entry = self.config.register.get(row.summary.assessment_id)
        return entry.assessment if entry is not None else None

    def _in_local_runner(self, op: str, path: Path, checkpoint: int | None) -> Any:
        from cli.warm_client import RunnerFailed

        assert self.local is not None
        try:
            return self.local.run(op, path, checkpoint, self.options)
        except RunnerFailed as error:
            err.print(f"[bold red]error:[/] {escape(str(error))}")
            raise typer.Exit(EXIT_INVALID) from None

    def csu(self, csu_dir: Path, checkpoint: int) -> CsuRun:
        if self.local is not None:
            return cast("CsuRun", self._in_local_runner("assess", csu_dir, checkpoint))
        if self.prefect:
            from flows.assess import assess_flow

            return assess_flow(str(csu_dir), checkpoint, options=self.options)
        from csu_assure import service
        from csu_assure.domain import Checkpoint

        return service.assess_csu(
            csu_dir, Checkpoint(checkpoint), self.config, self.options, self.steps or service.DIRECT
        )

    def progress(self, csu_dir: Path) -> list[CsuRun]:
        if self.local is not None:
            return cast("list[CsuRun]", self._in_local_runner("progress", csu_dir, None))
        if self.prefect:
            from flows.progress import progress_flow

            return progress_flow(str(csu_dir), options=self.options)
        from csu_assure import service

        return service.progress_csu(csu_dir, self.config, self.options, self.steps or service.DIRECT)

    def cohort(self, cohort_dir: Path, checkpoint: int) -> CohortSummary:
        if self.local is not None:
            return cast("CohortSummary", self._in_local_runner("cohort", cohort_dir, checkpoint))
        if self.prefect:
            from flows.cohort import cohort_flow

            return cohort_flow(str(cohort_dir), checkpoint, options=self.options)
        from csu_assure import service
        from csu_assure.domain import Checkpoint

        return service.assess_cohort(
            cohort_dir, Checkpoint(checkpoint), self.config, self.options, self.steps or service.DIRECT
        )


def require_pdf_or_exit(pdf: bool) -> None:
    """With --pdf, LibreOffice must be there before anything runs: say so rather than assess without PDFs."""
    if pdf:
        from csu_assure.render.word.pdf import PdfUnavailable, require_soffice

        try:
            require_soffice()
        except PdfUnavailable as error:
            from cli.common import err

            err.print(f"[bold red]✗[/] {error}", markup=False)
            raise typer.Exit(EXIT_INVALID) from None
