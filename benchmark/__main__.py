"""`make benchmark`: every request path against its limit, interleaved in one run; writes docs/benchmarks.md.

Starts gunicorn, our nginx (with and without upstream keep-alive) and a minimal nginx on loopback, measures
throughput, CPU per request and latency at a fixed load for each path over several rounds, prints the table and
writes the report and its chart. Exits 1 when a target is missed or any request failed.
"""

import os
import shutil
import sys
import time
from pathlib import Path

import requests

from benchmark.cpu import Component
from benchmark.docker_part import DockerPart, start_docker_part
from benchmark.measure import ROUNDS, Samples, run_rounds
from benchmark.paths import native_paths
from benchmark.report import Run, console, markdown
from benchmark.servers import hashed_css_path, start_servers
from benchmark.targets import evaluate, reading_of_misses
from benchmark.wrk import ToolError, wrk_path
from native.errors import StackError
from native.nginx_config import REPO

DOCS = REPO / "docs"
REPORT = DOCS / "benchmarks.md"
CHART = DOCS / "benchmarks.png"


def write_chart(labels: list[str], run_samples: dict[str, Samples], output: Path) -> str | None:
    """The chart's name relative to docs/, or None (and a note) when matplotlib is missing."""
    try:
        from benchmark.chart import draw_chart

        draw_chart(labels, run_samples, output)
    except ImportError:
        print(
            "benchmark: matplotlib is missing, so no chart: .venv/bin/pip install -r benchmark/requirements.txt",
            file=sys.stderr,
        )
        return None
    return output.name


def main() -> int:
    wrk_path()  # before anything starts: a missing tool fails at once
    started = time.monotonic()
    root = REPO / ".run" / f"benchmark-{os.getpid()}"
    root.mkdir(parents=True)
    root.chmod(0o755)  # nginx's workers run as another user when the master is root
    docker = DockerPart()
    try:
        docker = start_docker_part(root)
        servers = start_servers(root)
        cgroup_note = ("in " if servers.cgroup else "skipped: ") + servers.cgroup_note
        print(f"benchmark: the CPU cgroup row: {cgroup_note}", flush=True)
        try:
            stylesheet = hashed_css_path(requests.get(servers.nginx_url + "/", timeout=10).text)
            paths = native_paths(servers, stylesheet) + docker.paths
            components: dict[str, Component] = {**servers.components, **docker.components}
            plan, samples = run_rounds(paths, components, root, ROUNDS)
        finally:
            servers.stop()
    finally:
        docker.stop()
        shutil.rmtree(root, ignore_errors=True)
    labels = [path.label for path in paths]
    chart = write_chart(labels, samples, CHART)
    verdicts = evaluate(samples) + docker.verdicts()
    seconds = time.monotonic() - started
    reading = reading_of_misses(samples, verdicts)
    run = Run(paths, plan, samples, verdicts, ROUNDS, seconds, chart, docker.markdown(), cgroup_note, reading)
    REPORT.write_text(markdown(run))
    print(console(run))
    print(f"\nWrote {REPORT.relative_to(REPO)}" + (f" and {CHART.relative_to(REPO)}" if chart else ""))
    return 0 if all(verdict.met is not False for verdict in run.verdicts) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (StackError, ToolError) as error:
        sys.exit(f"benchmark: {error}")
