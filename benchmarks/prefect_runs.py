"""End to end through Prefect, with Word reports: one CSU, and cohorts of 26, 260, 2,600 and 10,000 CSUs at
checkpoint 1 (10,000 in the `no-prefect` and `ephemeral` settings only: the goal is that the ephemeral server
drops no event at that size).

    python -m benchmarks.prefect_runs [--sizes 1 26 260 2600 10000] [--modes no-prefect ephemeral server]

Three settings, each size in a fresh process (`python -m benchmarks.prefect_runs measure ...`, so peak RSS
belongs to that size alone): `no-prefect` (the steps run directly, as `csu-assure cohort --no-prefect`), `ephemeral`
(flows with no PREFECT_API_URL: Prefect starts its temporary local server) and `server` (flows against a
`prefect server start` on loopback that this benchmark starts and stops). One CSU is the `assess-csu` flow
(a task per step); a cohort is the `assess-cohort` flow. Every run writes its reports into a fresh folder with a
fresh register, so no run reuses an earlier one's records or reports (there is no option to skip reports).

Each measuring process first runs one CSU as a warm-up (imports, the ephemeral server's start, flow
registration), then times `runs` runs. After each cohort run it checks that every CSU has an outcome, every
assessed CSU a report, and that the API holds every task run of the flow run in a final state: task-run
states reach the server as events, so a missing or unfinished task run is a dropped event.
Results are kept in out/bench/prefect_runs.json so sizes can be measured in separate sittings.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, peak_rss_mib, write_section

CHECKPOINT = 1
SIZES = (1, 26, 260, 2_600, 10_000)
MODES = ("no-prefect", "ephemeral", "server")
# The largest size runs without the standalone server: about 10 minutes a setting on this machine.
LARGEST_SIZE_MODES = ("no-prefect", "ephemeral")
SMALL_RUNS = 5  # one CSU and 26 CSUs
BIG_RUNS = 1  # 260 and 2,600: once, at the end, on a shared machine
SAVED = ROOT / "out" / "bench" / "prefect_runs.json"
SEED = 7
# Peak memory a cohort run without Prefect may add per 1,000 CSUs (issue 12).
MEMORY_GOAL_MIB_PER_1000 = 10


def _runs_for(size: int) -> int:
    return SMALL_RUNS if size <= 26 else BIG_RUNS


# -- one measuring process ------------------------------------------------------------------------------------


def _vm_hwm_mib(pid: int) -> float:
    """Peak resident memory of another process (the ephemeral or standalone Prefect server)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children() -> list[int]:
    pids: list[int] = []
    for task in Path("/proc/self/task").iterdir():
        try:
            pids += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return pids


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _wait_until_idle(pids: list[int], timeout: float = 60) -> float:
    """Wait until the Prefect server has finished with the previous run (it writes that run's events to its
    database for seconds after the run returns): under 2% of a core over a second. A run that starts while
    the server still works through the last one's backlog measures the backlog, not the run: back to back,
    26-CSU cohort runs took 3 to 6.5 s; each after a quiet server, 3.1 s. Returns the seconds waited."""
    started = time.monotonic()
    while pids and time.monotonic() - started < timeout:
        before = sum(_cpu_seconds(p) for p in pids)
        time.sleep(1)
        if sum(_cpu_seconds(p) for p in pids) - before < 0.02:
            break
    return time.monotonic() - started


def _task_runs_final(flow_run_id: Any, expected: int, timeout: float = 60) -> tuple[int, int]:
    """(task runs the API holds for the flow run, how many are in a final state), waiting for late events."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    found = final = 0
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])), limit=200
            )
            found, final = len(runs), sum(1 for r in runs if r.state is not None and r.state.is_final())
            if found >= expected and final == found:
                break
            time.sleep(1)
    return found, final


def measure(mode: str, size: int, runs: int, cohort: Path, server_pid: int | None) -> dict[str, Any]:
    """Time `runs` runs of `size` CSUs in `mode` in this process (after a one-CSU warm-up)."""
    from checks import catalogue
    from csu_assure import service
    from csu_assure.domain import Checkpoint
    from csu_assure.loading import csu_folders
    from csu_assure.service import Options

    folders = csu_folders(cohort)
    scratch = Path(tempfile.mkdtemp(prefix="bench-prefect-"))
    checks: list[str] = []
    tally = {"n": 0}

    def fresh_out() -> Path:
        tally["n"] += 1
        return scratch / f"run-{tally['n']}"

    if mode == "no-prefect":

        def run(n: int) -> None:
            options = Options(out_dir=fresh_out(), assessor="bench")
            config = service.configure(options.settings(), catalogue())
            if n == 1:
                service.assess_csu(folders[0], Checkpoint(CHECKPOINT), config, options)
            else:
                service.assess_cohort(cohort, Checkpoint(CHECKPOINT), config, options)
            config.register.close()

    else:
        from flows.assess import assess_flow
        from flows.cohort import cohort_flow

        def run(n: int) -> None:
            options = Options(out_dir=fresh_out(), assessor="bench")
            if n == 1:
                assess_flow(str(folders[0]), CHECKPOINT, options)
                return
            state = cohort_flow(str(cohort), CHECKPOINT, options, return_state=True)
            summary = state.result()
            reports = sum(1 for r in summary.rows if r.summary and Path(str(r.summary.report_path)).exists())
            assessed = sum(1 for r in summary.rows if r.summary is not None)
            if len(summary.rows) != n or reports != assessed or summary.errors:
                checks.append(f"{len(summary.rows)} outcomes, {assessed} assessed, {reports} reports")
            expected = 3 + len(service.batches(folders))  # configure, the batches, summary, publish
            found, final = _task_runs_final(state.state_details.flow_run_id, expected)
            if found != expected or final != found:
                checks.append(f"task runs in the API: {found} of {expected}, {final} final")

    waited: list[float] = []
    try:
        started = time.perf_counter()
        run(1)  # warm-up: imports done, ephemeral server started, flows registered
        warm_up = time.perf_counter() - started
        server_pids = [server_pid] if server_pid else (_children() if mode == "ephemeral" else [])
        times = []
        for _ in range(runs):
            waited.append(_wait_until_idle(server_pids))
            started = time.perf_counter()
            run(size)
            times.append(time.perf_counter() - started)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {
        "mode": mode,
        "size": size,
        "runs": times,
        "median_s": statistics.median(times),
        "warm_up_s": warm_up,
        "peak_rss_mib": peak_rss_mib(),
        "server_peak_rss_mib": max((_vm_hwm_mib(p) for p in server_pids), default=0.0),
        "problems": checks,
        "idle_wait_s": waited,  # before each timed run, for the server to finish with the previous one
        # The last minute's load average as the timed runs end: other work on the machine.
        "load_average": os.getloadavg()[0],
    }


# -- the driver ----------------------------------------------------------------------------------------------


def _prefect_env(home: Path, api_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CSU_ASSURE_"))}
    home.mkdir(parents=True, exist_ok=True)
    env |= {
        "PREFECT_HOME": str(home),
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        # The default 20 s is too short for the temporary server to start on a busy 2-core machine.
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "NO_PROXY": "127.0.0.1",
        "no_proxy": "127.0.0.1",
    }
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


class Server:
    """`prefect server start` on a free loopback port (SQLite in its own home), for the `server` setting."""

    def __init__(self, home: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.api_url = f"http://127.0.0.1:{port}/api"
        env = _prefect_env(home, self.api_url) | {"PREFECT_SERVER_UI_ENABLED": "false"}
        self.log = (home / "server.log").open("wb")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("prefect")), "server", "start", "--host", "127.0.0.1",
             "--port", str(port)],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        import httpx

        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.api_url}/health", timeout=2, trust_env=False).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(1)
        self.stop()
        raise RuntimeError(f"the Prefect server did not become healthy; see {home / 'server.log'}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def _measure_in_fresh_process(mode: str, size: int, cohort: Path, home: Path, server: Server | None) -> dict:  # type: ignore[type-arg]
    env = _prefect_env(home / f"{mode}-{size}", server.api_url if server else None)
    argv = [sys.executable, "-m", "benchmarks.prefect_runs", "measure", mode, str(size), str(_runs_for(size))]
    argv += [str(cohort), str(server.process.pid if server else 0)]
    proc = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} {size} failed:\n{proc.stderr[-4000:]}")
    result = dict(json.loads(proc.stdout.strip().splitlines()[-1]))
    # Prefect's own warnings (a full event queue, dropped events) are part of the result.
    result["prefect_warnings"] = [
        line for line in proc.stderr.splitlines() if "WARNING" in line or "drop" in line.lower()
    ][:10]
    return result


def _load_saved() -> dict[str, dict]:  # type: ignore[type-arg]
    return json.loads(SAVED.read_text()) if SAVED.exists() else {}


def main(sizes: tuple[int, ...] = SIZES, modes: tuple[str, ...] = MODES) -> None:
    saved = _load_saved()
    work = Path(tempfile.mkdtemp(prefix="bench-prefect-runs-"))
    server = None
    try:
        cohort = work / "cohort"
        subprocess.run(
            [str(Path(sys.executable).with_name("csu-assure")), "generate", str(cohort), "--csus",
             str(max(sizes)), "--seed", str(SEED)],
            check=True, capture_output=True,
        )  # fmt: skip
        cohorts = {}
        for size in sizes:  # the first `size` CSUs of one generated cohort, as a cohort folder of their own
            if size == max(sizes):
                cohorts[size] = cohort  # all of it: no copy of the largest (1.3 GB at 10,000 CSUs)
                continue
            cohorts[size] = work / f"cohort-{size}"
            cohorts[size].mkdir()
            for csu in sorted(p for p in cohort.iterdir() if p.is_dir())[:size]:
                shutil.copytree(csu, cohorts[size] / csu.name)
        if "server" in modes:
            server = Server(work / "server-home")
        for size in sizes:
            for mode in modes:
                if size == max(SIZES) and mode not in LARGEST_SIZE_MODES:
                    continue
                print(f"prefect_runs: {mode} × {size} CSUs …", file=sys.stderr, flush=True)
                result = _measure_in_fresh_process(
                    mode, size, cohorts[size], work, server if mode == "server" else None
                )
                result["measured"] = time.strftime("%Y-%m-%d %H:%M")
                saved[f"{mode}:{size}"] = result
                SAVED.parent.mkdir(parents=True, exist_ok=True)
                SAVED.write_text(json.dumps(saved, indent=1))
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    body = render(saved)
    write_section("prefect_runs", body)
    print(body)


def _message(log_line: str) -> str:
    """A Prefect log line without its time, level and logger (their `|` would break a Markdown table)."""
    return log_line.rsplit(" - ", 1)[-1].replace("|", "/")


def render(saved: dict[str, dict]) -> str:  # type: ignore[type-arg]
    from flows.steps import LOCAL_BATCHES_AT_ONCE

    def get(mode: str, size: int) -> dict | None:  # type: ignore[type-arg]
        return saved.get(f"{mode}:{size}")

    lines = [
        "## End to end through Prefect (with Word reports)",
        "",
        f"Checkpoint {CHECKPOINT}, generated CSUs (`csu-assure generate --seed {SEED}`), reports written every run "
        "into a fresh folder and register (no run reuses records or reports). One CSU is the `assess-csu` flow "
        "(a task per step); a cohort is the `assess-cohort` flow (CSUs in up to 32 batch tasks). `ephemeral`: no "
        "`PREFECT_API_URL`, Prefect's temporary local server; `server`: a `prefect server start` (SQLite) on "
        "loopback; `no-prefect`: the steps run directly (`--no-prefect`). Time excludes process start and a one-CSU "
        f"warm-up; medians of {SMALL_RUNS} runs for 1 and 26 CSUs, a single run for the larger cohorts. A cohort "
        f"run assesses {LOCAL_BATCHES_AT_ONCE} batch at a time and publishes each batch's artifacts while the next "
        "runs. Each timed run starts once the Prefect server is idle again (it records a run's events for seconds "
        "after the run returns; back to back, a run would time the last one's backlog). Prefect ends a flow run "
        "on its heartbeat thread's next one-second tick, so a flow's time is its work rounded up to about the "
        "next whole second. Peak RSS is the measuring process; the Prefect server's own peak is beside it; "
        "*load* is the machine's one-minute load average as the runs ended (2 cores: above about 1, other "
        "work shared them).",
        "",
        "| setting | CSUs | runs | median | per CSU | × no-prefect | peak RSS | server peak RSS | load | checks |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for size in sorted({r["size"] for r in saved.values()}):
        base = get("no-prefect", size)
        for mode in MODES:
            r = get(mode, size)
            if r is None:
                continue
            ratio = f"{r['median_s'] / base['median_s']:.2f}×" if base and mode != "no-prefect" else "—"
            server_rss = f"{r['server_peak_rss_mib']:.0f} MiB" if r["server_peak_rss_mib"] else "—"
            problems = r["problems"] + [_message(w) for w in r.get("prefect_warnings", [])]
            verdict = "ok" if not problems else "; ".join(problems)[:200]
            lines.append(
                f"| {mode} | {size:,} | {len(r['runs'])} | {r['median_s']:.2f} s | "
                f"{r['median_s'] / size * 1000:.0f} ms | {ratio} | {r['peak_rss_mib']:.0f} MiB | {server_rss} | "
                f"{r.get('load_average', float('nan')):.1f} | {verdict} |"
            )
    if any(
        r["mode"] != "no-prefect"
        and (base := get("no-prefect", r["size"]))
        and r["median_s"] < base["median_s"]
        for r in saved.values()
    ):
        lines += [
            "",
            "A Prefect run faster than `no-prefect` on the same cohort is noise: single runs, shared CPU.",
        ]
    lines += ["", "**Goals.**", ""]
    for mode in ("ephemeral", "server"):
        one, cohort = get(mode, 1), get(mode, 26)
        if one and cohort:
            ratio = cohort["median_s"] / one["median_s"]
            verdict = "met" if ratio <= 2.5 else "NOT met"
            lines.append(
                f"- 26-CSU cohort ≤ 2.5× one CSU's run ({mode}): {cohort['median_s']:.2f} s vs "
                f"{one['median_s']:.2f} s = {ratio:.2f}× — {verdict}."
            )
    engine, one = get("no-prefect", 26), get("ephemeral", 1)
    if engine and one:
        lines.append(
            f"  The steps run directly (no Prefect) take {engine['median_s']:.2f} s for those 26 CSUs "
            f"({engine['median_s'] / one['median_s']:.1f}× one CSU's ephemeral Prefect run): the checks, the "
            "register and 26 Word reports. Prefect adds a flow run (about 1 s, which the single run pays too: "
            "its work is a tenth of a second), a task run per batch (one per CSU up to 32) and an artifact per "
            "CSU (up to 100)."
        )
    largest = max(SIZES)
    big = get("ephemeral", largest)
    if big:
        problems = big["problems"] + [_message(w) for w in big.get("prefect_warnings", [])]
        outcome = (
            "completed: every CSU has an outcome and a report, every task run of the flow run is in the API in a "
            "final state (task-run states travel as events, so a missing one would be a dropped event), and "
            "Prefect logged no warning"
            if not problems
            else "had problems: " + "; ".join(problems)[:300]
        )
        verdict = "met" if not problems else "NOT met"
        lines.append(
            f"- {largest:,} CSUs without the ephemeral server dropping events: {verdict}. The run took "
            f"{big['median_s'] / 60:.1f} min ({big['median_s'] / largest * 1000:.0f} ms per CSU) and {outcome}. "
            "A cohort run makes at most 35 task runs whatever its size (32 batches), publishes no per-CSU "
            "artifact above 100 CSUs and caps its table and summary artifacts at 1,000 rows, so the event load "
            "does not grow with the cohort."
        )
    else:
        lines.append(f"- {largest:,} CSUs through the ephemeral server: not measured in this sitting.")
    for mode in ("no-prefect", "ephemeral"):
        sized = [r for r in (get(mode, n) for n in SIZES if n >= 260) if r]
        if len(sized) >= 2:
            per = [r["median_s"] / r["size"] * 1000 for r in sized]
            rss = [r["peak_rss_mib"] for r in sized]
            slope = (rss[-1] - rss[0]) / (sized[-1]["size"] - sized[0]["size"]) * 1000
            lines.append(
                f"- Cost against cohort size ({mode}, single runs): time per CSU "
                + ", ".join(f"{p:.0f} ms at {r['size']:,}" for p, r in zip(per, sized, strict=True))
                + f", within {max(per) / min(per) - 1:.0%} of each other and not growing in step with the size; "
                "peak memory "
                + ", ".join(f"{m:.0f} MiB" for m in rss)
                + f", about {slope:.1f} MiB more per 1,000 CSUs"
                + (
                    f" (goal ≤ {MEMORY_GOAL_MIB_PER_1000} MiB: "
                    f"{'met' if slope <= MEMORY_GOAL_MIB_PER_1000 else 'missed'})"
                    if mode == "no-prefect"
                    else ""
                )
                + ". A cohort keeps one summary row per CSU (`CsuRow`: decision, domain colours, key figures), "
                "not its full record, which is let go as the CSU finishes."
            )
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "measure":
        mode, size, runs, cohort, server_pid = sys.argv[2:7]
        print(json.dumps(measure(mode, int(size), int(runs), Path(cohort), int(server_pid) or None)))
    else:
        parser = argparse.ArgumentParser(description="End-to-end Prefect benchmarks")
        parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
        parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
        args = parser.parse_args()
        main(tuple(args.sizes), tuple(args.modes))
