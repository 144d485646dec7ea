"""Scale-out rehearsal: PostgreSQL + a Prefect server + two process workers, a cohort fanned out to them.

    .venv/bin/python -m tests.support.scaleout [--csus 60] [--batches 6] [--checkpoint 1] [--keep] [--timeout 540]
                                               [--pdf/--no-pdf] [--moderated 4] [--lose-worker/--no-lose-worker]

(from the repository root: `tests` is not installed, `-m` finds it in the current folder).

Starts a throwaway PostgreSQL (one database for the Prefect server, one for the assessment register), a
`prefect server start` on loopback backed by it, a `process` work pool and two workers (stand-ins for two
machines sharing one server), deploys `assess-cohort` and `assess-batch` from prefect.yaml, generates a cohort
and runs it as one `assess-cohort` flow run that fans its batches out to the `assess-batch` deployment. Then it
checks that the register on PostgreSQL holds one current assessment per CSU with an unbroken hash chain, that
every Word report opens (and, with --pdf, has the PDF copy its batch made), prints which worker ran which flow
run. Then a second, moderated cohort (--moderated CSUs) fans out the same way: its batches record drafts, the
cohort run pauses for each, and the rehearsal moderates each pause with `csu-assure moderate` as an assessor would
(one override, the rest accepted) and checks that every draft was superseded by its moderated record, the
override reached the register and the report, and (with --pdf) each PDF was made after moderation. Last
(--lose-worker), a third cohort loses a worker: once a batch runs on the worker not running the cohort run, that
worker and everything it started are killed, as losing its machine would; crash detection (`csu-assure
crash-detection`, heartbeats every 30 s) must mark the lost batch run Crashed, the cohort run must run that batch
again on the surviving worker, and every CSU must end with one current assessment and a report that opens. It
prints a JSON summary as its last line.
Everything it started is stopped on the way out, on failure, Ctrl-C or SIGTERM too. Exit 0 only if every check
held. See docs/scale-out.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from tests.support.processes import (
    BIN,
    NOT_LISTENING_YET,
    ROOT,
    Budget,
    Started,
    kill_tree,
    prefect_env,
    tail,
    wait_until,
)
from tests.support.servers import PREFECT, postgres_server, prefect_server, prefect_worker

POOL = "csu-assure"
COHORT_DEPLOYMENT = "assess-cohort/assess-cohort"
BATCH_DEPLOYMENT = "assess-batch/assess-batch"
WORKERS = ("worker-a", "worker-b")
# Heartbeats every 30 s (Prefect's floor; 180 s by default) and crash detection after 75 s without one, so a lost
# worker's runs are marked Crashed within about a minute and a half instead of ten.
HEARTBEAT_SECONDS = 30
CRASH_AFTER_SECONDS = 75
LOST_WORKER_CSUS = (
    18  # in --batches batches (6): enough that the worker not running the cohort run is sure to get one
)
# Every process of the rehearsal (server, clients, workers and their flow runs) beats at the same frequency.
HEARTBEAT = {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS)}


class ScaleOutFailed(Exception):
    """A step of the rehearsal did not do what it should; the message says which and shows the log."""


def say(message: str) -> None:
    print(f"[scaleout {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def generate(folder: Path, csus: int, seed: int, env: Mapping[str, str]) -> None:
    run_cli(
        [str(BIN / "csu-assure"), "generate", str(folder), "--csus", str(csus), "--seed", str(seed)],
        env,
        f"csu-assure generate {folder.name}",
    )


def run_cli(argv: list[str], env: Mapping[str, str], what: str, timeout: float = 180) -> str:
    done = subprocess.run(
        argv, env=dict(env), cwd=ROOT, capture_output=True, text=True, check=False, timeout=timeout
    )
    if done.returncode != 0:
        raise ScaleOutFailed(
            f"{what} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return done.stdout


class Api:
    """The few Prefect REST calls the rehearsal needs (the rehearsal itself never imports prefect)."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=f"{url}/api", timeout=30, trust_env=False)

    def get(self, path: str) -> Any:
        response = self.http.get(path)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = self.http.post(path, json=body)
        response.raise_for_status()
        return response.json()

    def deployment_id(self, name: str) -> str:
        return str(self.get(f"/deployments/name/{name}")["id"])

    def workers(self) -> dict[str, str]:
        return {w["name"]: w["status"] for w in self.post(f"/work_pools/{POOL}/workers/filter", {})}

    def flow_runs(self, deployment_id: str) -> list[dict[str, Any]]:
        body = {"flow_runs": {"deployment_id": {"any_": [deployment_id]}}, "limit": 200}
        return list(self.post("/flow_runs/filter", body))

    def worker_of_each_run(self) -> dict[str, str]:
        """flow run id → name of the worker that submitted it, from the workers' own events."""
        body = {"filter": {"event": {"name": ["prefect.worker.submitted-flow-run"]}}, "limit": 50}
        page = self.post("/events/filter", body)
        events = list(page["events"])
        while page.get("next_page"):
            response = self.http.get(page["next_page"])
            response.raise_for_status()
            page = response.json()
            events += page["events"]
        found: dict[str, str] = {}
        for event in events:
            for related in event.get("related", []):
                if related.get("prefect.resource.role") == "flow-run":
                    run_id = related["prefect.resource.id"].removeprefix("prefect.flow-run.")
                    found[run_id] = event["resource"]["prefect.resource.name"]
        return found


# -- the rehearsal -------------------------------------------------------------------------------------------

FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def rehearse(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    budget = Budget(args.timeout, "the rehearsal")
    began = time.monotonic()
    shared = work / "shared"  # the folder every 'machine' mounts: cohort, reports, Prefect results
    cohort, out, results = shared / "cohort", shared / "out", shared / "results"
    results.mkdir(parents=True)
    say(f"work folder {work}")
    # Stopped in reverse: the workers (with the flow runs they started), the server, then PostgreSQL.
    with contextlib.ExitStack() as stack:
        pg = stack.enter_context(postgres_server(("prefect", "register")))
        say(f"PostgreSQL on {pg.host}:{pg.port} (databases prefect, register)")
        register_url = pg.url("register")
        server = stack.enter_context(
            prefect_server(
                work,
                startup_timeout=budget.allow(180),
                extra_env={
                    **HEARTBEAT,
                    "PREFECT_SERVER_DATABASE_CONNECTION_URL": pg.url("prefect", driver="asyncpg"),
                    "PREFECT_SERVER_UI_ENABLED": "false",
                },
            )
        )
        api = Api(server.url)
        say(f"Prefect server at {server.url}, database on PostgreSQL")

        client_env = server.client_env(**HEARTBEAT)
        run_cli([str(PREFECT), "work-pool", "create", POOL, "--type", "process"], client_env, "work pool")
        run_cli(
            [str(PREFECT), "--no-prompt", "deploy", "--name", "assess-cohort", "--name", "assess-batch"],
            client_env,
            "prefect deploy",
            timeout=budget.allow(300),
        )
        say("deployed assess-cohort and assess-batch from prefect.yaml")
        run_cli(
            [str(BIN / "csu-assure"), "crash-detection", "--within", str(CRASH_AFTER_SECONDS)],
            client_env,
            "csu-assure crash-detection",
        )
        say(f"crash detection: a flow run with no heartbeat for {CRASH_AFTER_SECONDS}s is marked Crashed")

        workers: dict[str, Started] = {}
        for name in WORKERS:
            worker_env = prefect_env(
                work / f"{name}-home",
                server.api_url,
                **HEARTBEAT,
                CSU_ASSURE_REGISTER_URL=register_url,
                CSU_ASSURE_OUT_DIR=str(out),
                CSU_ASSURE_ASSESSOR="Scale-out rehearsal",  # ignored: deployment runs are recorded unattended
                # Where a cohort run's batches go is the machines' setting, not a parameter of the run.
                CSU_ASSURE_FAN_OUT_DEPLOYMENT=BATCH_DEPLOYMENT,
                CSU_ASSURE_MAX_BATCHES=str(args.batches),
                # Batch results are read back by the cohort run, wherever it runs: shared storage.
                PREFECT_RESULTS_LOCAL_STORAGE_PATH=str(results),
                PREFECT_WORKER_QUERY_SECONDS="2",
            )
            workers[name] = stack.enter_context(
                prefect_worker(name, pool=POOL, env=worker_env, log=work / f"{name}.log", limit=args.limit)
            )
        stack.callback(say, "stopping the workers, the Prefect server and PostgreSQL")

        def both_online() -> bool | None:
            for w in workers.values():
                if w.process.poll() is not None:
                    raise ScaleOutFailed(f"{w.name} exited\n{tail(w.log, 30, titled=True)}")
            online = {n for n, s in api.workers().items() if s == "ONLINE"}
            return True if online >= set(WORKERS) else None

        wait_until(
            both_online,
            timeout=budget.allow(120),
            what="both workers online",
            interval=1,
            retry_on=NOT_LISTENING_YET,
        )
        say(f"workers {', '.join(WORKERS)} online in pool {POOL} (limit {args.limit} flow runs each)")

        generate(cohort, args.csus, 7, client_env)
        say(f"generated {args.csus} CSUs in {cohort}")

        cohort_dep = api.deployment_id(COHORT_DEPLOYMENT)
        batch_dep = api.deployment_id(BATCH_DEPLOYMENT)
        parameters = {
            "cohort_dir": str(cohort),
            "checkpoint": args.checkpoint,
            # The register (CSU_ASSURE_REGISTER_URL) and the fan-out (CSU_ASSURE_FAN_OUT_DEPLOYMENT) are the
            # workers' settings: a secret and the operator's choices stay out of the parameters.
            "options": {"out_dir": str(out), "pdf": args.pdf},
        }
        parent = api.post(f"/deployments/{cohort_dep}/create_flow_run", {"parameters": parameters})
        say(f"cohort flow run {parent['id']} created; waiting for it and its batches")
        run_started = time.monotonic()

        def finished() -> dict[str, Any] | None:
            run = api.get(f"/flow_runs/{parent['id']}")
            return run if run["state_type"] in FINAL else None

        parent = wait_until(
            finished,
            timeout=budget.allow(600),
            what="the cohort flow run to finish",
            interval=2,
            retry_on=NOT_LISTENING_YET,
        )
        run_seconds = time.monotonic() - run_started
        say(f"cohort flow run {parent['state_type']} in {run_seconds:.0f}s")

        batches = api.flow_runs(batch_dep)
        ran_by = wait_until(
            lambda: (
                found
                if {r["id"] for r in batches} | {parent["id"]} <= set(found := api.worker_of_each_run())
                else None
            ),
            timeout=budget.allow(60),
            what="the workers' submitted-flow-run events",
            interval=1,
            retry_on=NOT_LISTENING_YET,
        )
        summary = check(args, cohort, out, register_url, parent, batches, ran_by)
        if args.moderated:
            moderated = shared / "cohort-moderated"
            generate(moderated, args.moderated, 11, client_env)
            run = moderate_cohort(
                api,
                client_env,
                cohort_dep,
                {
                    **parameters,
                    "cohort_dir": str(moderated),
                    "options": {**parameters["options"], "moderation": True},
                },
                register_url,
                budget,
            )
            earlier = {r["id"] for r in batches}
            moderated_batches = [r for r in api.flow_runs(batch_dep) if r["id"] not in earlier]
            add_part(
                summary, "moderation", check_moderation(args, moderated, register_url, run, moderated_batches)
            )
        if args.lose_worker:
            lost_cohort = shared / "cohort-lost-worker"
            generate(lost_cohort, LOST_WORKER_CSUS, 13, client_env)
            known = {r["id"] for r in api.flow_runs(batch_dep)}
            lost = lose_a_worker(
                api,
                cohort_dep,
                {**parameters, "cohort_dir": str(lost_cohort)},
                known,
                workers,
                budget,
            )
            lost_batches = [r for r in api.flow_runs(batch_dep) if r["id"] not in known]
            add_part(
                summary, "lost_worker", check_lost_worker(args, lost_cohort, register_url, lost, lost_batches)
            )
        summary["ports"] = {"postgres": pg.port, "prefect": server.port}  # closed once all is stopped
        summary["seconds"] = {"total": round(time.monotonic() - began), "cohort_run": round(run_seconds)}
        return summary


def check(
    args: argparse.Namespace,
    cohort: Path,
    out: Path,
    register_url: str,
    parent: dict[str, Any],
    batches: list[dict[str, Any]],
    ran_by: dict[str, str],
) -> dict[str, Any]:
    """Every CSU has one current assessment, made by a batch run, with a report that opens; the chain holds."""
    import docx

    from csu_assure.loading import csu_folders
    from csu_assure.loading.identity import identify
    from csu_assure.register import Register

    problems: list[str] = []
    if parent["state_type"] != "COMPLETED":
        problems.append(f"cohort flow run ended {parent['state_type']}: {parent['state_name']}")
    print("which worker ran what:", file=sys.stderr)
    print(f"  {ran_by.get(parent['id'], '?'):<10} {parent['name']} (the cohort run)", file=sys.stderr)
    for run in sorted(batches, key=lambda r: r["name"]):
        print(f"  {ran_by.get(run['id'], '?'):<10} {run['name']} {run['state_type']}", file=sys.stderr)
        if run["state_type"] != "COMPLETED":
            problems.append(f"batch run {run['name']} ended {run['state_type']}")
    runs_by_worker: dict[str, int] = {}
    for run in batches:
        worker = ran_by.get(run["id"], "unknown")
        runs_by_worker[worker] = runs_by_worker.get(worker, 0) + 1
    batch_ids = {r["id"] for r in batches}

    register = Register(register_url)
    assessed = reports_ok = pdfs_ok = 0
    try:
        csus = [identify(d)[0] for d in csu_folders(cohort)]
        for csu_id in csus:
            entries = [e for e in register.history(csu_id) if int(e.assessment.checkpoint) == args.checkpoint]
            current = [e for e in entries if not e.superseded]
            if len(entries) != 1 or len(current) != 1:
                problems.append(f"{csu_id}: {len(entries)} assessments in the register, expected exactly 1")
                continue
            a = current[0].assessment
            if a.provenance.flow_run_id not in batch_ids:
                problems.append(f"{csu_id}: assessed by flow run {a.provenance.flow_run_id}, not a batch run")
            assessed += 1
            try:
                text = "\n".join(p.text for p in docx.Document(str(a.report_path)).paragraphs)
            except Exception as error:  # a missing or corrupt report is what this check is for
                problems.append(f"{csu_id}: report {a.report_path} does not open: {error}")
                continue
            if a.csu_name not in text:
                problems.append(f"{csu_id}: report {a.report_path} does not name {a.csu_name}")
                continue
            reports_ok += 1
            if args.pdf:  # made by whichever worker ran the batch, with a LibreOffice profile of its own
                copy = Path(str(a.report_path)).with_suffix(".pdf")
                if not copy.is_file() or not copy.read_bytes().startswith(b"%PDF-"):
                    problems.append(f"{csu_id}: no PDF copy at {copy}")
                    continue
                pdfs_ok += 1
        broken = register.verify_chain()
        problems += [f"register chain: {b}" for b in broken]
    finally:
        register.close()
    cohort_reports = sorted(out.glob(f"*-cp{args.checkpoint}-cohort-report.docx"))
    if not cohort_reports:
        problems.append(f"no cohort report in {out}")
    return {
        "ok": not problems,
        "csus": len(csus),
        "assessments": assessed,
        "reports_ok": reports_ok,
        "pdfs_ok": pdfs_ok if args.pdf else None,
        "chain_ok": not broken,
        "cohort_run": parent["state_type"],
        "batch_runs": len(batches),
        "workers_used": sorted(w for w in runs_by_worker if w != "unknown"),
        "runs_by_worker": runs_by_worker,
        "cohort_report": cohort_reports[0].name if cohort_reports else None,
        "problems": problems[:20],
    }


def add_part(summary: dict[str, Any], name: str, part: dict[str, Any]) -> None:
    """A later phase's checks go under `name`; its problems fail the whole rehearsal."""
    summary[name] = part
    summary["ok"] = summary["ok"] and part["ok"]
    summary["problems"] += part["problems"]


def lose_a_worker(
    api: Api,
    cohort_dep: str,
    parameters: dict[str, Any],
    known: set[str],
    workers: Mapping[str, Started],
    budget: Budget,
) -> dict[str, Any]:
    """Run a cohort and, once a batch run is running on the worker that is not running the cohort run, kill
    that worker with everything it started. Crash detection must mark the lost batch run Crashed and the cohort
    run must run that batch again on the other worker. Returns the cohort run (final) and the lost batch run."""
    run = api.post(f"/deployments/{cohort_dep}/create_flow_run", {"parameters": parameters})
    say(f"lost-worker cohort flow run {run['id']} created")

    def batch_running_on_the_other_worker() -> tuple[str, dict[str, Any]] | None:
        now = api.get(f"/flow_runs/{run['id']}")
        if now["state_type"] in FINAL:
            raise ScaleOutFailed("the lost-worker cohort finished before a batch ran on the other worker")
        by = api.worker_of_each_run()
        host = by.get(run["id"])
        if host is None:
            return None
        for batch in api.flow_runs(api.deployment_id(BATCH_DEPLOYMENT)):
            worker = by.get(batch["id"])
            if batch["id"] not in known and batch["state_type"] == "RUNNING" and worker not in (None, host):
                return worker, batch
        return None

    name, batch = wait_until(
        batch_running_on_the_other_worker,
        timeout=budget.allow(180),
        what="a batch run on the other worker",
        retry_on=NOT_LISTENING_YET,
    )
    victim = workers[name]
    killed = kill_tree(victim.process.pid)
    victim.process.wait(timeout=10)
    say(f"lost {name}: killed {len(killed)} processes while it ran {batch['name']}")

    def final() -> dict[str, Any] | None:
        now = api.get(f"/flow_runs/{run['id']}")
        return now if now["state_type"] in FINAL else None

    cohort = wait_until(
        final,
        timeout=budget.allow(CRASH_AFTER_SECONDS + 240),
        what="the lost-worker cohort run",
        interval=2,
        retry_on=NOT_LISTENING_YET,
    )
    return {"cohort": cohort, "lost_batch": api.get(f"/flow_runs/{batch['id']}"), "lost_worker": name}


def check_lost_worker(
    args: argparse.Namespace,
    cohort: Path,
    register_url: str,
    lost: dict[str, Any],
    batches: list[dict[str, Any]],
) -> dict[str, Any]:
    """The lost batch run was marked Crashed by crash detection, its batch ran again and completed, the cohort
    run completed, and every CSU has exactly one current assessment with a report that opens."""
    import docx

    from csu_assure.loading import csu_folders
    from csu_assure.loading.identity import identify
    from csu_assure.register import Register

    problems: list[str] = []
    cohort_run, lost_batch = lost["cohort"], lost["lost_batch"]
    if cohort_run["state_type"] != "COMPLETED":
        problems.append(
            f"lost-worker cohort run ended {cohort_run['state_type']}: {cohort_run['state_name']}"
        )
    message = str((lost_batch.get("state") or {}).get("message") or "")
    if lost_batch["state_type"] != "CRASHED" or "no heartbeat" not in message:
        problems.append(f"lost batch run {lost_batch['name']} ended {lost_batch['state_type']}: {message!r}")
    lost_dirs = lost_batch["parameters"]["csu_dirs"]
    reruns = [
        r
        for r in batches
        if r["id"] != lost_batch["id"]
        and r["parameters"]["csu_dirs"] == lost_dirs
        and r["state_type"] == "COMPLETED"
    ]
    if len(reruns) != 1:
        problems.append(f"the lost batch was re-run to completion {len(reruns)} times, expected once")
    register = Register(register_url)
    assessed = 0
    try:
        csus = [identify(d)[0] for d in csu_folders(cohort)]
        for csu_id in csus:
            current = [
                e.assessment
                for e in register.history(csu_id)
                if int(e.assessment.checkpoint) == args.checkpoint and not e.superseded
            ]
            if len(current) != 1:
                problems.append(f"{csu_id}: {len(current)} current assessments, expected 1")
                continue
            try:
                docx.Document(str(current[0].report_path))
            except Exception as error:  # a report half-written by the killed run is what this looks for
                problems.append(f"{csu_id}: report {current[0].report_path} does not open: {error}")
                continue
            assessed += 1
        problems += [f"register chain: {b}" for b in register.verify_chain()]
    finally:
        register.close()
    return {
        "ok": not problems,
        "csus": len(csus),
        "assessed": assessed,
        "lost_worker": lost["lost_worker"],
        "lost_batch_state": lost_batch["state_type"],
        "lost_batch_reruns": len(reruns),
        "cohort_run": cohort_run["state_type"],
        "problems": problems[:20],
    }


MODERATOR = "Rehearsal Moderator"
OVERRIDE_REASON = "Rehearsal override: evidence withdrawn after the draft"


def moderate_cohort(
    api: Api,
    env: Mapping[str, str],
    cohort_dep: str,
    parameters: dict[str, Any],
    register_url: str,
    budget: Budget,
) -> dict[str, Any]:
    """Run a moderated cohort and moderate each pause through the CLI: override one passing check of the first
    draft that has one, accept every other draft. Returns the cohort flow run once it is final."""
    from csu_assure.register import Register

    run = api.post(f"/deployments/{cohort_dep}/create_flow_run", {"parameters": parameters})
    say(f"moderated cohort flow run {run['id']} created")
    register = Register(register_url)
    overridden = False
    handled: set[str] = set()  # ids of the Paused states already resumed
    try:
        while True:

            def paused_or_final() -> dict[str, Any] | None:
                now = api.get(f"/flow_runs/{run['id']}")
                waiting = now["state_type"] == "PAUSED" and now["state"]["id"] not in handled
                return now if waiting or now["state_type"] in FINAL else None

            now = wait_until(
                paused_or_final,
                timeout=budget.allow(300),
                what="the moderated cohort run to pause",
                interval=1,
                retry_on=NOT_LISTENING_YET,
            )
            if now["state_type"] in FINAL:
                return now
            handled.add(now["state"]["id"])
            key = str(now["state"]["state_details"].get("pause_key") or "")  # moderate-<csu>-cp<N>-<attempt>
            csu_id = key.removeprefix("moderate-").rsplit("-cp", 1)[0]
            draft = register.latest(csu_id, int(parameters["checkpoint"]))
            argv = [str(BIN / "csu-assure"), "moderate", str(run["id"]), "--assessor", MODERATOR]
            passing = [r.check_id for r in draft.results if r.status.value == "PASS"] if draft else []
            if not overridden and passing:
                argv += ["--override", f"{passing[0]}=FAIL:{OVERRIDE_REASON}"]
                overridden = True
                say(f"moderating {csu_id}: overriding {passing[0]} to FAIL")
            else:
                argv += ["--accept"]
                say(f"moderating {csu_id}: accepting the draft")
            run_cli(argv, env, f"csu-assure moderate ({csu_id})")
    finally:
        register.close()


def check_moderation(
    args: argparse.Namespace,
    cohort: Path,
    register_url: str,
    run: dict[str, Any],
    batches: list[dict[str, Any]],
) -> dict[str, Any]:
    """Each CSU: a draft recorded by a batch run, superseded by one moderated record naming the moderator; the one
    override in the register and the report; with --pdf, a PDF made after the moderated report."""
    import docx

    from csu_assure.loading import csu_folders
    from csu_assure.loading.identity import identify
    from csu_assure.register import Register

    problems: list[str] = []
    if run["state_type"] != "COMPLETED":
        problems.append(f"moderated cohort run ended {run['state_type']}: {run['state_name']}")
    problems += [
        f"batch run {r['name']} ended {r['state_type']}" for r in batches if r["state_type"] != "COMPLETED"
    ]
    batch_ids = {r["id"] for r in batches}
    register = Register(register_url)
    moderated = overrides = pdfs_after = 0
    try:
        csus = [identify(d)[0] for d in csu_folders(cohort)]
        for csu_id in csus:
            history = [e for e in register.history(csu_id) if int(e.assessment.checkpoint) == args.checkpoint]
            states = [(e.assessment.moderation.status, e.superseded) for e in history]
            if states != [("draft", True), ("moderated", False)]:
                problems.append(
                    f"{csu_id}: register holds {states}, expected a superseded draft and its moderation"
                )
                continue
            draft, final = history[0].assessment, history[1].assessment
            if draft.provenance.flow_run_id not in batch_ids:
                problems.append(
                    f"{csu_id}: draft made by flow run {draft.provenance.flow_run_id}, not a batch run"
                )
            if final.moderation.assessor != MODERATOR:
                problems.append(
                    f"{csu_id}: moderated by {final.moderation.assessor!r}, expected {MODERATOR!r}"
                )
                continue
            moderated += 1
            rows = register.adjustments_for(final.assessment_id)
            if rows:
                overrides += 1
                changed = final.result(rows[0]["check_id"])
                doc = docx.Document(str(final.report_path))
                text = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
                if (changed.status.value, changed.computed_status.value) != ("FAIL", "PASS"):
                    problems.append(f"{csu_id}: override of {changed.check_id} not applied")
                elif OVERRIDE_REASON not in text:
                    problems.append(f"{csu_id}: the override's reason is not in {final.report_path}")
            if args.pdf:  # made by the cohort run once moderation was over, not the batch's draft copy
                report = Path(str(final.report_path))
                copy = report.with_suffix(".pdf")
                if copy.is_file() and copy.stat().st_mtime >= report.stat().st_mtime:
                    pdfs_after += 1
                else:
                    problems.append(f"{csu_id}: no PDF copy made after moderation at {copy}")
        broken = register.verify_chain()
        problems += [f"register chain: {b}" for b in broken]
    finally:
        register.close()
    if overrides != 1:
        problems.append(f"{overrides} moderated records carry an override, expected exactly 1")
    return {
        "ok": not problems,
        "csus": len(csus),
        "moderated": moderated,
        "overrides": overrides,
        "pdfs_after_moderation": pdfs_after if args.pdf else None,
        "cohort_run": run["state_type"],
        "batch_runs": len(batches),
        "problems": problems[:20],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csus", type=int, default=60, help="CSUs in the generated cohort (default 60)")
    parser.add_argument("--batches", type=int, default=6, help="batches to fan out (default 6)")
    parser.add_argument("--checkpoint", type=int, choices=(1, 2, 3), default=1)
    parser.add_argument("--limit", type=int, default=2, help="concurrent flow runs per worker (default 2)")
    parser.add_argument("--timeout", type=float, default=540, help="give up after this many seconds")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, reports)")
    parser.add_argument(
        "--pdf",
        action=argparse.BooleanOptionalAction,
        default=shutil.which("soffice") is not None,
        help="batches also make PDF copies, in parallel on both workers (default: when LibreOffice is installed)",
    )
    parser.add_argument(
        "--moderated",
        type=int,
        default=4,
        help="CSUs in a second, moderated cohort moderated through `csu-assure moderate` (default 4; 0 skips it)",
    )
    parser.add_argument(
        "--lose-worker",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="last, kill one worker with its runs mid-cohort and check the cohort recovers (default: on)",
    )
    args = parser.parse_args()

    def interrupted(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    # A SIGTERM tears down like Ctrl-C: every server and worker is stopped by the `with` that started it.
    signal.signal(signal.SIGTERM, interrupted)
    work = Path(tempfile.mkdtemp(prefix="csu-assure-scaleout-"))
    summary: dict[str, Any]
    try:
        summary = rehearse(args, work)
    except (Exception, KeyboardInterrupt) as error:  # any failure still ends in teardown and a JSON summary
        logs = "\n".join(tail(log, 20, titled=True) for log in sorted(work.glob("*.log")))
        say(f"FAILED: {error}\n{logs}")
        summary = {"ok": False, "problems": [f"{type(error).__name__}: {str(error)[:500]}"]}
    keep = args.keep or not summary["ok"]
    if keep:
        say(f"work folder kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(summary))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
