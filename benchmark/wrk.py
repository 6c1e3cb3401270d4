"""wrk (Debian's `wrk`): throughput over a fixed time, and a fixed number of requests for the CPU accounting.

wrk is closed-loop: each connection sends its next request when the answer arrives, so it measures capacity
(requests per second at saturation), not latency.
"""

import re
import shutil
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

THREADS = 2
CONNECTIONS = 32
# For a fixed number of requests: each thread stops once it has counted its share of the answers.
STOP_AFTER_SCRIPT = """\
local limit = {per_thread}
local answered = 0
function response(status, headers, body)
    answered = answered + 1
    if answered >= limit then wrk.thread:stop() end
end
"""
SUMMARY = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m),", re.MULTILINE)
RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
NON_2XX_3XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
UNIT_SECONDS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


class ToolError(RuntimeError):
    """A load tool failed, or its output was not what the benchmark expects."""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    requests_per_second: float
    # What wrk counted as failed: socket errors by kind, and answers other than 2xx or 3xx.
    errors: dict[str, int]

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def parse_wrk(output: str) -> WrkResult:
    """wrk's summary: `N requests in T`, `Requests/sec`, and the error lines it prints only when there are errors."""
    summary, rate = SUMMARY.search(output), RATE.search(output)
    if summary is None or rate is None:
        raise ToolError(f"wrk printed no summary:\n{output}")
    errors: dict[str, int] = {}
    if socket_errors := SOCKET_ERRORS.search(output):
        kinds = ("connect", "read", "write", "timeout")
        errors |= {kind: int(count) for kind, count in zip(kinds, socket_errors.groups(), strict=True)}
    if non_2xx := NON_2XX_3XX.search(output):
        errors["non-2xx/3xx"] = int(non_2xx.group(1))
    seconds = float(summary.group(2)) * UNIT_SECONDS[summary.group(3)]
    return WrkResult(int(summary.group(1)), seconds, float(rate.group(1)), errors)


def wrk_path() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise ToolError("wrk is not installed: apt-get install wrk (make benchmark does it as root)")
    return wrk


def wrk_version() -> str:
    """`wrk 4.1.0 [epoll] ...`: wrk -v prints its version and exits 1."""
    result = subprocess.run([wrk_path(), "-v"], capture_output=True, text=True, check=False)  # noqa: S603
    return (result.stdout + result.stderr).splitlines()[0].split(" [")[0]


def run_wrk(url: str, seconds: float, runner: Sequence[str] = ()) -> WrkResult:
    """wrk -t2 -c32 against `url` for `seconds`; through `runner` (`docker exec <container>`) when given."""
    command = [*runner, "wrk"] if runner else [wrk_path()]
    command += [f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--timeout", "5s", url]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)  # noqa: S603
    if result.returncode != 0:
        raise ToolError(f"{' '.join(command)} exited with {result.returncode}:\n{result.stderr}")
    return parse_wrk(result.stdout)


def run_wrk_count(url: str, requests: int, script_dir: Path, limit_seconds: float = 120) -> WrkResult:
    """wrk -t2 -c32 against `url` until `requests` answers came back (each thread stops at its half).

    wrk's main thread sleeps for the whole -d even when the threads stopped early, so once only the main thread
    is left, SIGINT wakes it to print its summary. The answers in flight when a thread stops are abandoned: the
    servers did the work, so their CPU time counts up to CONNECTIONS requests more than the summary says.
    """
    script = script_dir / f"stop-after-{requests}.lua"
    script.write_text(STOP_AFTER_SCRIPT.format(per_thread=-(-requests // THREADS)))
    command = [wrk_path(), f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{limit_seconds:g}s", "--timeout", "5s"]
    command += ["--script", str(script), url]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:  # noqa: S603
        deadline, started = time.monotonic() + limit_seconds + 30, False
        while process.poll() is None and time.monotonic() < deadline:
            threads = threads_of(process.pid)
            started = started or threads > 1  # wrk starts single-threaded, before its handler for SIGINT
            if started and threads == 1:  # both load threads stopped at their limit
                process.send_signal(signal.SIGINT)
                break
            time.sleep(0.01)
        stdout, stderr = process.communicate(timeout=30)
    if process.returncode != 0:
        raise ToolError(f"{' '.join(command)} exited with {process.returncode}:\n{stderr}")
    return parse_wrk(stdout)


def threads_of(pid: int) -> int:
    """How many threads the process has now (0 once it is gone)."""
    try:
        return sum(1 for _ in Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return 0
