"""What a run paused for moderation publishes: its draft (summary, failing checks, how to moderate it), a table
of every check and a link to the draft report, under keys of their own (`draft-<csu>-cp<N>`), so the
moderated assessment's artifacts (`flows/artifacts.py`) never overwrite them."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from csu_assure.render.markdown import results_table
from csu_assure.render.moderation import draft_markdown
from csu_assure.results import Assessment
from flows.artifacts import key


def draft_key(draft: Assessment) -> str:
    return key("draft", draft.csu_id, f"cp{int(draft.checkpoint)}")


@task(name="publish draft", cache_policy=NO_CACHE, persist_result=False)
def publish_draft(draft: Assessment, flow_run_id: str) -> None:
    found = draft_key(draft)
    create_markdown_artifact(
        draft_markdown(draft, flow_run_id),
        key=found,
        description="Draft awaiting moderation: decision, failing checks and how to moderate it",
    )
    create_table_artifact(
        results_table(draft),
        key=f"{found}-checks",
        description="Every check of the draft (any may be overridden)",
    )
    if draft.report_path:
        create_link_artifact(
            Path(draft.report_path).resolve().as_uri(),
            link_text=Path(draft.report_path).name,
            key=f"{found}-report",
            description="Draft Word report (rewritten once the assessment is moderated)",
        )
