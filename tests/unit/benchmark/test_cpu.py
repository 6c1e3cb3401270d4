"""benchmark/cpu.py: /proc's CPU times are read per worker, and divided into CPU time per request."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from benchmark.cpu import (
    CLOCK_TICKS,
    CpuMeter,
    ProcessTree,
    child_pids,
    cpu_seconds_between,
    parse_stat,
    per_request_microseconds,
)

# A recorded /proc/<pid>/stat of an nginx worker, whose command name holds a space and parentheses.
STAT = (
    "4242 (nginx: (worker) x) S 4241 4241 4241 0 -1 4194624 1226 0 0 0 731 268 0 0 20 0 1 0 8812961 "
    "11132928 1433 18446744073709551615 1 1 0 0 0 0 0 4096 1098993159 0 0 0 17 1 0 0 0 0 0"
)


def test_stat_gives_the_parent_and_user_and_system_ticks() -> None:
    """Fields 14 and 15 (utime, stime) are found even when the command name holds spaces and parentheses."""
    times = parse_stat(STAT)
    assert (times.pid, times.name, times.parent) == (4242, "nginx: (worker) x", 4241)
    assert (times.user_ticks, times.system_ticks, times.ticks) == (731, 268, 999)


def fake_proc(root: Path, pid: int, children_by_task: dict[int, str]) -> None:
    for task, children in children_by_task.items():
        (root / str(pid) / "task" / str(task)).mkdir(parents=True)
        (root / str(pid) / "task" / str(task) / "children").write_text(children)


def test_children_are_gathered_from_every_thread_of_the_master(tmp_path: Path) -> None:
    """A child forked by any thread of the master counts, from /proc/<pid>/task/<tid>/children."""
    fake_proc(tmp_path, 10, {10: "12 11 ", 13: "14 "})
    (tmp_path / "20" / "task" / "20").mkdir(parents=True)
    (tmp_path / "20" / "task" / "20" / "children").write_text("")
    assert child_pids(10, tmp_path) == [11, 12, 14]
    assert child_pids(20, tmp_path) == []


def test_a_process_tree_reads_each_workers_seconds(tmp_path: Path) -> None:
    """The reading is each worker's user + system time in seconds, by pid; the master's own time is left out."""
    fake_proc(tmp_path, 4241, {4241: "4242"})
    (tmp_path / "4242").mkdir()
    (tmp_path / "4242" / "stat").write_text(STAT)
    assert ProcessTree("nginx", 4241).cpu_reading(tmp_path) == {4242: 999 / CLOCK_TICKS}


def test_the_cpu_time_between_two_readings_is_divided_per_request() -> None:
    """Worker deltas are added up, then divided by the request count, in microseconds."""
    seconds = cpu_seconds_between({1: 2.0, 2: 3.5}, {1: 2.5, 2: 4.25})
    assert seconds == pytest.approx(1.25)
    assert per_request_microseconds(seconds, 5000) == pytest.approx(250.0)


def test_a_worker_that_changed_during_the_run_is_refused() -> None:
    """A worker that exited (and took its CPU time with it) makes the measurement fail rather than lie."""
    with pytest.raises(RuntimeError, match=r"the workers changed during a measurement: \[1, 2\] -> \[1, 3\]"):
        cpu_seconds_between({1: 1.0, 2: 1.0}, {1: 1.5, 3: 0.1})


def test_no_requests_gives_no_figure() -> None:
    """Dividing by zero requests is an error that says so."""
    with pytest.raises(ValueError, match=r"no requests were completed \(0\)"):
        per_request_microseconds(1.0, 0)


# A master that forks one worker; the worker burns BURN seconds of CPU when told to, then says so and waits.
MASTER = textwrap.dedent(
    """
    import os, sys, time
    if os.fork() == 0:
        sys.stdin.readline()
        end = time.process_time() + float(sys.argv[1])
        while time.process_time() < end:
            pass
        os.write(1, b"burnt\\n")
        time.sleep(60)
        os._exit(0)
    time.sleep(60)
    """
)
BURN = 0.5


def test_a_real_worker_burning_cpu_is_measured_per_request() -> None:
    """A real master and worker: the worker's half second of CPU, over 4 "requests", reads as about 125 ms each."""
    master = subprocess.Popen(
        [sys.executable, "-c", MASTER, str(BURN)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, process_group=0
    )
    try:
        deadline = time.monotonic() + 10
        while not child_pids(master.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        meter = CpuMeter({"master": ProcessTree("master", master.pid)})
        meter.start()
        assert master.stdin is not None
        assert master.stdout is not None
        master.stdin.write(b"go\n")
        master.stdin.flush()
        assert master.stdout.readline() == b"burnt\n"
        per_request = meter.per_request(4)["master"]
    finally:
        os.killpg(master.pid, signal.SIGKILL)  # the master and its worker: their own process group
        master.communicate()
    # The kernel counts in ticks (10 ms), and the worker's start-up before the first reading is excluded.
    assert BURN / 4 * 1e6 - 10_000 <= per_request <= BURN / 4 * 1e6 + 10_000
