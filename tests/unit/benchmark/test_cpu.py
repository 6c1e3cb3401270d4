"""benchmark/cpu.py: /proc's CPU times are read per worker, by process name or by container cgroup, and divided
into CPU time per request."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from benchmark.cpu import (
    CGROUP,
    CLOCK_TICKS,
    ENGINE_PROCESSES,
    CgroupMount,
    ContainerCpu,
    CpuMeter,
    ProcessesNamed,
    ProcessTree,
    child_pids,
    cpu_seconds_between,
    parse_mountinfo,
    parse_stat,
    per_request_microseconds,
)
from tests.support.cgroups import COMOUNTED_MOUNTINFO, HYBRID_MOUNTINFO, V2_MOUNTINFO

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


def fake_stat(proc: Path, pid: int, name: str, user: int, system: int) -> None:
    (proc / str(pid)).mkdir(parents=True)
    (proc / str(pid) / "stat").write_text(f"{pid} ({name}) S 1 1 1 0 -1 0 0 0 0 0 {user} {system} 0 0 20 0 1 0 1")


def test_the_engine_is_every_process_with_a_matching_name(tmp_path: Path) -> None:
    """dockerd, containerd, each shim (its name cut to 15 characters by the kernel) and docker-proxy; no other."""
    for pid, name in enumerate(["dockerd", "containerd", "containerd-shim", "docker-proxy", "nginx", "docker"], 100):
        fake_stat(tmp_path, pid, name, user=pid, system=1)
    (tmp_path / "self").mkdir()
    reading = ProcessesNamed("Docker engine", ENGINE_PROCESSES).cpu_reading(tmp_path)
    assert reading == {100: 101 / CLOCK_TICKS, 101: 102 / CLOCK_TICKS, 102: 103 / CLOCK_TICKS, 103: 104 / CLOCK_TICKS}


def test_no_engine_process_is_an_error_that_says_where_it_looked(tmp_path: Path) -> None:
    """An engine in a VM (Docker Desktop) has no processes here: the Docker part fails at once, saying so."""
    fake_stat(tmp_path, 7, "nginx", user=1, system=1)
    with pytest.raises(RuntimeError) as error:
        ProcessesNamed("Docker engine", ("dockerd", "containerd-shim*")).cpu_reading(tmp_path)
    assert str(error.value) == (
        f"Docker engine: no process in {tmp_path} is named dockerd, containerd-shim*; is the engine on this machine?"
    )


CONTAINER = "dc5bc8daeb72b61148be562bea38b5e825d6ca89b20851e589163996081876cd"
# A container's /proc/<pid>/cgroup on this machine.
HYBRID_CGROUP = f"4:memory:/docker/{CONTAINER}\n2:cpuacct:/docker/{CONTAINER}\n1:cpu:/docker/{CONTAINER}\n"
HYBRID_CGROUP += f"0::/docker/{CONTAINER}\n"
V2_CPU_STAT = "usage_usec 3348820\nuser_usec 1054358\nsystem_usec 2294461\n"


def fake_container(root: Path, cgroup: str, mountinfo: str, usage: str = "", text: str = "") -> Path:
    """/proc/4242/cgroup, /proc/self/mountinfo and (if `usage` is given) the cgroup's counter, under `root`."""
    proc = root / "proc"
    (proc / "4242").mkdir(parents=True)
    (proc / "self").mkdir()
    (proc / "4242" / "cgroup").write_text(cgroup)
    (proc / "self" / "mountinfo").write_text(mountinfo)
    if usage:
        (root / usage).parent.mkdir(parents=True)
        (root / usage).write_text(text)
    return proc


def test_mountinfo_gives_each_cgroup_hierarchy_and_its_controllers() -> None:
    """v1 hierarchies by their controllers (the super options), the v2 one without; other mounts left out."""
    assert parse_mountinfo(HYBRID_MOUNTINFO + COMOUNTED_MOUNTINFO) == [
        CgroupMount(1, frozenset({"rw", "cpu"}), "/sys/fs/cgroup/cpu"),
        CgroupMount(1, frozenset({"rw", "cpuacct"}), "/sys/fs/cgroup/cpuacct"),
        CgroupMount(1, frozenset({"rw", "memory"}), "/sys/fs/cgroup/memory"),
        CgroupMount(2, frozenset(), "/sys/fs/cgroup/unified"),
        CgroupMount(1, frozenset({"rw", "cpu", "cpuacct"}), "/sys/fs/cgroup/cpu,cpuacct"),
    ]


def test_a_v1_container_is_read_from_cpuacct_usage_in_nanoseconds(tmp_path: Path) -> None:
    """On a hybrid machine, cpuacct (v1) counts the CPU, not the unified hierarchy the `0::` line names."""
    usage = f"sys/fs/cgroup/cpuacct/docker/{CONTAINER}/cpuacct.usage"
    proc = fake_container(tmp_path, HYBRID_CGROUP, HYBRID_MOUNTINFO, usage, "3348886733\n")
    assert ContainerCpu("nginx", 4242).cpu_reading(proc, tmp_path) == {CGROUP: 3.348886733}


def test_a_v1_container_is_found_where_cpu_and_cpuacct_are_mounted_together(tmp_path: Path) -> None:
    """The mount point comes from mountinfo, so `cpu,cpuacct` needs no guess."""
    usage = "sys/fs/cgroup/cpu,cpuacct/docker/abc/cpuacct.usage"
    proc = fake_container(tmp_path, "3:cpu,cpuacct:/docker/abc\n", COMOUNTED_MOUNTINFO, usage, "1500000000\n")
    assert ContainerCpu("nginx", 4242).cpu_reading(proc, tmp_path) == {CGROUP: 1.5}


def test_a_v2_container_is_read_from_cpu_stat_in_microseconds(tmp_path: Path) -> None:
    """cgroup v2 alone: the `0::` line's path under the cgroup2 mount, and cpu.stat's usage_usec."""
    usage = "sys/fs/cgroup/system.slice/docker-abc.scope/cpu.stat"
    proc = fake_container(tmp_path, "0::/system.slice/docker-abc.scope\n", V2_MOUNTINFO, usage, V2_CPU_STAT)
    assert ContainerCpu("app", 4242).cpu_reading(proc, tmp_path) == {CGROUP: 3.34882}


def test_a_stopped_container_is_an_error_naming_the_file(tmp_path: Path) -> None:
    """The container's main process is gone: its /proc/<pid>/cgroup is named."""
    proc = fake_container(tmp_path, HYBRID_CGROUP, HYBRID_MOUNTINFO)
    with pytest.raises(RuntimeError) as error:
        ContainerCpu("nginx (compose)", 999).cpu_reading(proc, tmp_path)
    assert str(error.value) == f"nginx (compose): {proc}/999/cgroup is missing: has the container stopped?"


def test_a_cgroup_without_a_cpu_counter_is_an_error_naming_the_files(tmp_path: Path) -> None:
    """A cgroup file with neither a cpuacct nor a `0::` line mounted here is named, with the mountinfo read."""
    proc = fake_container(tmp_path, "4:memory:/docker/abc\n", HYBRID_MOUNTINFO)
    with pytest.raises(RuntimeError) as error:
        ContainerCpu("app", 4242).cpu_reading(proc, tmp_path)
    assert str(error.value) == (
        f"app: {proc}/4242/cgroup names no cgroup mounted in {proc}/self/mountinfo: "
        "neither a v1 hierarchy with cpuacct nor the v2 one (`0::`)"
    )


def test_a_missing_cgroup_directory_is_an_error_naming_the_counter(tmp_path: Path) -> None:
    """The cgroup file names a cgroup whose counter is not there: the counter's path is in the message."""
    proc = fake_container(tmp_path, HYBRID_CGROUP, HYBRID_MOUNTINFO)
    usage = tmp_path / f"sys/fs/cgroup/cpuacct/docker/{CONTAINER}/cpuacct.usage"
    with pytest.raises(RuntimeError) as error:
        ContainerCpu("app", 4242).cpu_reading(proc, tmp_path)
    assert str(error.value) == f"app: {usage} is missing, though {proc}/4242/cgroup names that cgroup"


def test_a_cpu_stat_without_usage_is_an_error_naming_it(tmp_path: Path) -> None:
    """A cpu.stat that lacks usage_usec is refused, not read as zero."""
    usage = "sys/fs/cgroup/x/cpu.stat"
    proc = fake_container(tmp_path, "0::/x\n", V2_MOUNTINFO, usage, "nr_periods 0\n")
    with pytest.raises(RuntimeError, match=r"/sys/fs/cgroup/x/cpu.stat has no usage_usec line$"):
        ContainerCpu("app", 4242).cpu_reading(proc, tmp_path)
