"""Side-by-side throughput of the paths a request can take, measured in one run (`make benchmark`).

Starts gunicorn and two nginx instances on loopback (as `make run` does), then runs wrk against each path
for a few seconds. Machines are noisy, so the figures that matter are the ratios within this one run,
which the targets below are stated in. Prints a table; exits 1 when a target is missed.
"""

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
from dataclasses import dataclass

import requests

from native.errors import StackError
from native.nginx_config import REPO
from native.processes import free_port, stop_process
from native.site import prepare_site
from native.stack import NativeStack, start_gunicorn, start_nginx

DURATION = os.environ.get("BENCHMARK_DURATION", "3s")
# The paths are measured in turn, ROUNDS times, and each figure is the median: noise hits all paths alike.
ROUNDS = 3
CONNECTIONS = "32"
THREADS = "2"
WARM_UP = "1s"
WRK = shutil.which("wrk")
HASHED_CSS = re.compile(r'href="(/static/guestbook/site\.[0-9a-f]{12}\.css)"')


# The rows of the table, in order; docs/performance.md lists the same labels (a test checks).
ROWS = (
    "static: nginx",
    "static: gunicorn + WhiteNoise",
    "page: gunicorn direct",
    "page: nginx",
    # The cheapest Django answer, where the cost of the hop itself shows.
    "healthz: gunicorn direct",
    "healthz: nginx, keep-alive",
    "healthz: nginx, runtime DNS (no keep-alive)",
)


@dataclass(frozen=True)
class Target:
    """`path` must reach at least `ratio` times the throughput of `baseline`."""

    path: str
    baseline: str
    ratio: float
    why: str


TARGETS = (
    Target("static: nginx", "static: gunicorn + WhiteNoise", 3.0, "nginx serves /static/ far faster than Django"),
    Target("page: nginx", "page: gunicorn direct", 0.8, "the proxy hop costs little next to rendering a page"),
    Target(
        "healthz: nginx, keep-alive",
        "healthz: nginx, runtime DNS (no keep-alive)",
        1.0,
        "upstream keep-alive beats a new connection per request (compose's runtime resolution)",
    ),
)


def hashed_css_path(html: str) -> str:
    """The site's hashed stylesheet, as the home page links it."""
    match = HASHED_CSS.search(html)
    if match is None:
        raise SystemExit("benchmark: the home page links no hashed stylesheet; is collectstatic broken?")
    return match.group(1)


def wrk(url: str, duration: str = DURATION) -> float:
    """Requests per second that wrk measured for `url`."""
    result = subprocess.run(  # noqa: S603 - a fixed command line
        [str(WRK), f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}", "--timeout", "5s", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} error responses; the benchmark would be meaningless")
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    assert match, result.stdout
    return float(match.group(1))


def main() -> int:
    if WRK is None:
        print("benchmark: wrk is not installed: apt-get install wrk (make benchmark does it as root)", file=sys.stderr)
        return 1
    root = REPO / ".run" / f"benchmark-{os.getpid()}"
    root.mkdir(parents=True)
    root.chmod(0o755)
    processes: list[tuple[subprocess.Popen[bytes], int]] = []
    try:
        env = {**prepare_site(root / "db.sqlite3", root / "static"), "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "4"}
        app_env = {
            key: env[key] for key in ("DJANGO_SECRET_KEY", "DJANGO_SQLITE_PATH", "WEB_CONCURRENCY", "GUNICORN_THREADS")
        }
        log = (root / "processes.log").open("wb")
        stack = NativeStack(
            static_root=root / "static",
            max_request_body_mb=10,
            port=free_port(),
            app_port=free_port(),
            runtime_dir=root / "keepalive",
            app_env=app_env,
        )
        processes.append((start_gunicorn(stack, output=log), signal.SIGTERM))
        processes.append((start_nginx(stack, output=log), signal.SIGQUIT))
        # The compose topology's proxying: proxy_pass through a variable, so no upstream keep-alive.
        runtime = NativeStack(
            static_root=root / "static",
            max_request_body_mb=10,
            port=free_port(),
            app_port=stack.app_port,
            runtime_dir=root / "runtime",
            upstream_resolve="runtime",
        )
        processes.append((start_nginx(runtime, output=log), signal.SIGQUIT))
        log.close()  # the processes write through their own copies

        css = hashed_css_path(requests.get(stack.url + "/", timeout=10).text)
        urls = (
            stack.url + css,
            stack.app_url + css,
            stack.app_url + "/",
            stack.url + "/",
            stack.app_url + "/healthz",
            stack.url + "/healthz",
            runtime.url + "/healthz",
        )
        paths = dict(zip(ROWS, urls, strict=True))
        for url in paths.values():
            wrk(url, WARM_UP)
        samples: dict[str, list[float]] = {name: [] for name in paths}
        for _ in range(ROUNDS):
            for name, url in paths.items():
                samples[name].append(wrk(url))
        rates = {name: statistics.median(values) for name, values in samples.items()}
    finally:
        for process, stop_signal in reversed(processes):
            stop_process(process, stop_signal)
        shutil.rmtree(root, ignore_errors=True)

    print(
        f"wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION}, {ROUNDS} rounds (median), loopback, {os.cpu_count()} cores, "
        "WEB_CONCURRENCY=2 x 4 threads (gthread)\n"
    )
    print(f"{'path':45} {'median req/s':>12}   runs")
    for name, rate in rates.items():
        runs = ", ".join(f"{value:.0f}" for value in samples[name])
        print(f"{name:45} {rate:12.0f}   {runs}")
    print()
    missed = 0
    for target in TARGETS:
        ratio = rates[target.path] / rates[target.baseline]
        verdict = "ok" if ratio >= target.ratio else "MISSED"
        missed += verdict == "MISSED"
        print(f"{verdict:6} {target.path} / {target.baseline} = {ratio:.2f} (target >= {target.ratio}): {target.why}")
    return 1 if missed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except StackError as error:
        sys.exit(f"benchmark: {error}")
