"""The `csu-assure` command line. Each command lives in its own module; they are added here explicitly."""

from __future__ import annotations

import typer

from cli import (
    assess_cmd,
    audit_cmd,
    crash_detection_cmd,
    demo_cmd,
    deploy_cmd,
    diff_cmd,
    export_cmd,
    generate_cmd,
    moderate_cmd,
    register_cmd,
    reports_cmd,
    rules_cmd,
    runner_cmd,
    schema_cmd,
    serve_cmd,
    template_cmd,
    validate_cmd,
    whatif_cmd,
)

app = typer.Typer(
    name="csu-assure",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Assurance of commissioning support units (CSUs) at the BDU checkpoints 1-3.",
)


@app.callback()
def _root() -> None:
    """Keeps typer in multi-command mode even while only one command is registered."""


app.command("validate")(validate_cmd.validate)
app.command("template")(template_cmd.template)
app.command("schema")(schema_cmd.schema)
app.command("generate")(generate_cmd.generate)
app.add_typer(rules_cmd.rules_app, name="rules")
app.command("assess")(assess_cmd.assess)
app.command("cohort")(assess_cmd.cohort)
app.command("progress")(assess_cmd.progress)
app.command("whatif")(whatif_cmd.whatif)
app.command("sweep")(whatif_cmd.sweep)
app.command("demo")(demo_cmd.demo)
app.command("history")(register_cmd.history)
app.command("report")(register_cmd.report)
app.command("diff")(diff_cmd.diff)
app.command("moderate")(moderate_cmd.moderate)
app.command("serve")(serve_cmd.serve)
app.command("deploy")(deploy_cmd.deploy)
app.add_typer(deploy_cmd.deployments_app, name="deployments")
app.add_typer(reports_cmd.reports_app, name="reports")
app.command("crash-detection")(crash_detection_cmd.crash_detection)
app.command("export")(export_cmd.export)
app.add_typer(audit_cmd.audit_app, name="audit")
app.add_typer(runner_cmd.runner_app, name="runner")


def main() -> None:
    app()
