"""docs/benchmarks.md: the machine, the versions, the targets and the tables of one run; also printed."""

import datetime
import os
import platform
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from benchmark.measure import (
    LATENCY_SECONDS,
    LOAD_SHARE,
    THROUGHPUT_SECONDS,
    Plan,
    Samples,
    Spread,
)
from benchmark.paths import ROLES, RequestPath
from benchmark.servers import GUNICORN_THREADS, WEB_CONCURRENCY
from benchmark.targets import Verdict
from benchmark.wrk import CONNECTIONS, THREADS, wrk_version
from native.nginx_config import nginx_command

VERDICT = {True: "met", False: "**MISSED**", None: "reported"}


@dataclass(frozen=True)
class Run:
    """Everything the report shows about one invocation."""

    paths: Sequence[RequestPath]
    plan: Plan
    samples: Mapping[str, Samples]
    verdicts: Sequence[Verdict]
    rounds: int
    seconds: float
    chart: str | None
    # The Docker part's start-up and image-size tables (benchmark/docker_figures.py), or why it was skipped.
    docker: Sequence[str] = ()
    # Where the CPU cgroup row ran (benchmark/cgroup.py), or why it was skipped.
    cgroup_note: str = ""
    # Why the missed targets were missed, from the run's own figures (benchmark/targets.py).
    reading: Sequence[str] = ()


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    match = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
    return match.group(1).strip() if match else platform.processor() or "unknown"


def nginx_version() -> str:
    """`nginx -v` prints `nginx version: nginx/1.22.1` on stderr."""
    command = [*nginx_command(Path("/dev/null"), "-v")[:1], "-v"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    return (result.stderr or result.stdout).strip().removeprefix("nginx version: ").replace("/", " ")


def machine() -> list[tuple[str, str]]:
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return [
        ("CPU", cpu_model()),
        ("cores", str(os.cpu_count())),
        ("kernel", f"{platform.system()} {platform.release()}"),
        ("load average at the end (1, 5, 15 min)", load),
    ]


def versions() -> list[tuple[str, str]]:
    return [
        ("nginx", nginx_version()),
        ("gunicorn", f"{version('gunicorn')} (gthread, {WEB_CONCURRENCY} workers x {GUNICORN_THREADS} threads)"),
        ("Django", version("django")),
        ("Python", platform.python_version()),
        ("throughput and CPU", wrk_version()),
        ("latency", "benchmark/open_loop.py (open loop, keep-alive; see docs/performance.md)"),
    ]


def spread(values: Sequence[float], digits: int = 0) -> str:
    """`median (min-max)`, or a dash when the row has no such figure."""
    if not values:
        return "-"
    figures = Spread.of(values)
    return f"{figures.median:,.{digits}f} ({figures.low:,.{digits}f}-{figures.high:,.{digits}f})"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def throughput_rows(run: Run) -> list[list[str]]:
    return [[f"`{path.label}`", spread(run.samples[path.label].throughput)] for path in run.paths]


def requests_per_cpu_run(run: Run, path: RequestPath) -> str:
    """The fixed count, or for a path read over its throughput run, that run's requests (rate x length)."""
    if path.cpu_during_throughput:
        requests = Spread.of(run.samples[path.label].throughput).median * THROUGHPUT_SECONDS
        return f"{requests:,.0f} in {THROUGHPUT_SECONDS:g} s"
    return f"{run.plan.cpu_requests[path.label]:,}"


def cpu_rows(run: Run) -> list[list[str]]:
    rows = []
    for path in run.paths:
        cpu = run.samples[path.label].cpu_us
        cells = [spread(cpu.get(role, [])) for role in ROLES]
        total = spread(run.samples[path.label].cpu_total_per_round())
        rows.append([f"`{path.label}`", requests_per_cpu_run(run, path), *cells, total])
    return rows


def latency_rows(run: Run) -> list[list[str]]:
    rows = []
    for path in (path for path in run.paths if path.latency):
        sample = run.samples[path.label]
        rate = run.plan.rate[path.group]
        cells = [spread(sample.p50_ms, 2), spread(sample.p99_ms, 2), spread(sample.start_lag_ms, 2)]
        rows.append([f"`{path.label}`", f"{rate:,.0f}/s", *cells])
    return rows


def markdown(run: Run) -> str:
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        "Written by `make benchmark` (`benchmark/`): do not edit by hand, run it again. How it measures, what each",
        "row is and why the targets are what they are: [performance.md](performance.md).",
        "",
        f"Run on {when}: {run.rounds} rounds in {run.seconds / 60:.1f} minutes. Each figure is the median of the",
        "rounds, with the lowest and highest in brackets; a ratio target takes the median of the rounds' ratios.",
        "",
        "## Targets",
        "",
        *table(["Target", "Measured", ""], [[v.target, v.figure, VERDICT[v.met]] for v in run.verdicts]),
        *(part for line in run.reading for part in ("", line)),
        "",
        "## Throughput",
        "",
        f"Requests per second at saturation: `wrk -t{THREADS} -c{CONNECTIONS} -d{THROUGHPUT_SECONDS:g}s`, all on",
        "loopback, so wrk shares the cores with the servers. Ratios between rows hold better than the figures.",
        "The Docker rows are measured `inside` (wrk in a container in nginx's network namespace,",
        "on 127.0.0.1) and through the `published port` (wrk here, through Docker's port publishing).",
        "",
        *table(["Path", "req/s"], throughput_rows(run)),
        "",
        "## CPU per request",
        "",
        "User + system CPU time of each component's worker processes (`/proc/<pid>/stat`) over a fixed number of",
        f"requests (`wrk -t{THREADS} -c{CONNECTIONS}`, stopped at that count), divided by it. Microseconds.",
        "The Docker rows are read over their timed throughput run instead, divided by the requests wrk counted:",
        "nginx and gunicorn are the CPU time of their containers' cgroups (every process in each, healthchecks",
        "too), and the Docker engine is the CPU time of dockerd, containerd, the containerd-shims and docker-proxy,",
        f"found by name (one engine for the three stacks). Up to {CONNECTIONS} requests in flight when wrk stops",
        "are served but not counted: the figure is high by at most that many over the run's requests.",
        "",
        *table(["Path", "requests per run", *(f"{role} (us)" for role in ROLES), "total (us)"], cpu_rows(run)),
        "",
        "## Latency at a fixed offered load",
        "",
        f"Open loop: requests start at a fixed rate whatever the answers do, {LATENCY_SECONDS:g} s per run, over",
        f"kept-alive connections. The rate is {LOAD_SHARE:.0%} of the lowest capacity in the path's group, so that",
        "the rows of a group compare. Milliseconds. The last column is the generator's own lateness in starting",
        "requests (p99): where it is large, the machine starved the generator too, and the p99 says less.",
        "",
        *table(["Path", "offered load", "p50 (ms)", "p99 (ms)", "generator lateness (ms)"], latency_rows(run)),
        "",
    ]
    lines += list(run.docker)
    if run.chart:
        lines += [f"![Throughput and latency of each path]({run.chart})", ""]
    lines += [
        "## Machine",
        "",
        *table(["", ""], machine() + ([("CPU cgroup row", run.cgroup_note)] if run.cgroup_note else [])),
        "",
        "## Versions",
        "",
        *table(["", ""], versions()),
        "",
    ]
    return "\n".join(lines)


def console(run: Run) -> str:
    """The tables and the verdicts, for the terminal."""
    lines = [f"{'path':42} {'req/s':>24} {'CPU us/req':>26} {'p50 ms':>22} {'p99 ms':>24}"]
    for path in run.paths:
        sample = run.samples[path.label]
        total = sample.cpu_total_per_round()
        lines.append(
            f"{path.label:42} {spread(sample.throughput):>24} {spread(total):>26} "
            f"{spread(sample.p50_ms, 2):>22} {spread(sample.p99_ms, 2):>24}"
        )
    lines.append("")
    lines += [f"{VERDICT[v.met].strip('*'):9} {v.target.replace('`', '')}: {v.figure}" for v in run.verdicts]
    lines += ["", *(line.replace("`", "") for line in run.reading)] if run.reading else []
    return "\n".join(lines)
