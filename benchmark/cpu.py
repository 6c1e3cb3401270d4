"""CPU time per request, per component: user + system time of a component's workers, from /proc.

The figure barely depends on what else the machine does (a busy machine delays a request, it does not make it
cost more CPU), so it is the most stable measure here, and it shows what each hop costs.

A component is a master process and its children, the workers: nginx's workers, gunicorn's workers. Each
worker's /proc/<pid>/stat counts all of its threads, live and exited (gunicorn's gthread pool). The kernel
reports these times in clock ticks (1/100 s): a run must give each component at least a second of work for
the figure to be within 1-2 %.

The Docker rows read two more kinds of component: a container's cgroup, which counts every process in it (exec'd
healthchecks too) in nanoseconds, and the Docker engine's processes, found by name.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Protocol

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")
# Where mountinfo's mount points are: the root, except in the unit tests.
ROOT = Path("/")
# A cgroup's reading is one counter: this is its key, the same in every reading.
CGROUP = 0
# The Docker engine's processes: dockerd, containerd, one shim per container (the kernel truncates
# `containerd-shim-runc-v2` to 15 characters), and the userland proxy behind each published port.
ENGINE_PROCESSES = ("dockerd", "containerd", "containerd-shim*", "docker-proxy")


@dataclass(frozen=True)
class ProcessTimes:
    """The fields of /proc/<pid>/stat the benchmark reads."""

    pid: int
    name: str
    parent: int
    user_ticks: int
    system_ticks: int

    @property
    def ticks(self) -> int:
        return self.user_ticks + self.system_ticks


def parse_stat(text: str) -> ProcessTimes:
    """/proc/<pid>/stat (proc(5)): `pid (comm) state ppid ...`; utime and stime are fields 14 and 15.

    The command name may hold spaces and parentheses, so the fields after it start at the last `)`.
    """
    head, _, tail = text.rpartition(")")
    pid, _, name = head.partition(" (")
    fields = tail.split()  # fields[0] is field 3 (state)
    return ProcessTimes(int(pid), name, int(fields[1]), int(fields[11]), int(fields[12]))


def read_times(pid: int, proc: Path = PROC) -> ProcessTimes:
    return parse_stat((proc / str(pid) / "stat").read_text())


def child_pids(pid: int, proc: Path = PROC) -> list[int]:
    """The children of `pid`, from /proc/<pid>/task/<tid>/children (any thread can be a child's parent)."""
    children: list[int] = []
    for task in sorted((proc / str(pid) / "task").iterdir()):
        children.extend(int(child) for child in (task / "children").read_text().split())
    return sorted(children)


@dataclass(frozen=True)
class ProcessTree:
    """A component: the master process `pid`, whose children (the workers) serve the requests."""

    name: str
    pid: int

    def cpu_reading(self, proc: Path = PROC) -> dict[int, float]:
        """Each worker's user + system CPU seconds so far, by pid."""
        return {child: read_times(child, proc).ticks / CLOCK_TICKS for child in child_pids(self.pid, proc)}


@dataclass(frozen=True)
class ProcessesNamed:
    """A component made of every process whose command name matches one of `patterns` (the Docker engine)."""

    name: str
    patterns: tuple[str, ...]
    # Another container starting or stopping on the machine adds or removes a shim: no reason to fail a run.
    processes_may_change = True

    def cpu_reading(self, proc: Path = PROC) -> dict[int, float]:
        """Each matching process's user + system CPU seconds so far (all its threads), by pid."""
        reading: dict[int, float] = {}
        for entry in proc.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                times = read_times(int(entry.name), proc)
            except (FileNotFoundError, ProcessLookupError):  # it exited since the listing
                continue
            if any(fnmatchcase(times.name, pattern) for pattern in self.patterns):
                reading[times.pid] = times.ticks / CLOCK_TICKS
        if not reading:
            patterns = ", ".join(self.patterns)
            raise RuntimeError(f"{self.name}: no process in {proc} is named {patterns}; is the engine on this machine?")
        return reading


@dataclass(frozen=True)
class CgroupMount:
    """A cgroup hierarchy's mount, from mountinfo: v1 hierarchies carry their controllers, v2 has none."""

    version: int
    controllers: frozenset[str]
    mount_point: str


def parse_mountinfo(text: str) -> list[CgroupMount]:
    """The cgroup mounts in /proc/<pid>/mountinfo (proc(5)): the 5th field is the mount point; after ` - ` come
    the file system type and source, then the super options, which name a v1 hierarchy's controllers."""
    mounts = []
    for line in text.splitlines():
        fields, tail = line.split(), line.partition(" - ")[2].split()
        if len(fields) < 5 or len(tail) < 3:
            continue
        if tail[0] == "cgroup2":
            mounts.append(CgroupMount(2, frozenset(), fields[4]))
        elif tail[0] == "cgroup":
            mounts.append(CgroupMount(1, frozenset(tail[2].split(",")), fields[4]))
    return mounts


def cgroup_directory(cgroups: str, mounts: list[CgroupMount], controller: str) -> tuple[Path, int] | None:
    """A process's cgroup directory, from its /proc/<pid>/cgroup lines (`hierarchy:controllers:path`), and the
    hierarchy's version: the cgroup v1 hierarchy that has `controller` when one is mounted (a hybrid machine has
    a `0::` line too, but its v2 hierarchy has no CPU controller), else v2's. None: neither."""
    lines = [line.split(":", 2) for line in cgroups.splitlines() if line.count(":") >= 2]
    v1 = next((mount for mount in mounts if mount.version == 1 and controller in mount.controllers), None)
    v2 = next((mount for mount in mounts if mount.version == 2), None)
    for _, controllers, path in lines:
        if v1 is not None and controller in controllers.split(","):
            return Path(v1.mount_point, path.lstrip("/")), 1
    for hierarchy, controllers, path in lines:
        if v2 is not None and (hierarchy, controllers) == ("0", ""):
            return Path(v2.mount_point, path.lstrip("/")), 2
    return None


def cpu_usage_path(cgroups: str, mounts: list[CgroupMount]) -> Path | None:
    """The file that counts a process's cgroup CPU time: v1's cpuacct.usage, else v2's cpu.stat. None: neither."""
    found = cgroup_directory(cgroups, mounts, "cpuacct")
    if found is None:
        return None
    directory, version = found
    return directory / ("cpuacct.usage" if version == 1 else "cpu.stat")


def read_cgroup_seconds(usage: Path) -> float:
    """CPU seconds from cpuacct.usage (v1, nanoseconds) or cpu.stat's `usage_usec` line (v2, microseconds)."""
    text = usage.read_text()
    if usage.name == "cpuacct.usage":
        return int(text) / 1e9
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if key == "usage_usec":
            return int(value) / 1e6
    raise RuntimeError(f"{usage} has no usage_usec line")


@dataclass(frozen=True)
class ContainerCpu:
    """A component made of a whole container: the CPU time of its cgroup, found through its main process `pid`
    (the host's pid, `docker inspect -f {{.State.Pid}}`), so that no Docker layout of cgroups is assumed."""

    name: str
    pid: int

    def usage_file(self, proc: Path = PROC, root: Path = ROOT) -> Path:
        """The cgroup's CPU counter, under `root`; an error naming the file when it cannot be found."""
        cgroup, mountinfo = proc / str(self.pid) / "cgroup", proc / "self" / "mountinfo"
        try:
            cgroups = cgroup.read_text()
        except (FileNotFoundError, ProcessLookupError):
            raise RuntimeError(f"{self.name}: {cgroup} is missing: has the container stopped?") from None
        usage = cpu_usage_path(cgroups, parse_mountinfo(mountinfo.read_text()))
        if usage is None:
            raise RuntimeError(
                f"{self.name}: {cgroup} names no cgroup mounted in {mountinfo}: "
                "neither a v1 hierarchy with cpuacct nor the v2 one (`0::`)"
            )
        usage = root / usage.relative_to("/")
        if not usage.is_file():
            raise RuntimeError(f"{self.name}: {usage} is missing, though {cgroup} names that cgroup")
        return usage

    def cpu_reading(self, proc: Path = PROC, root: Path = ROOT) -> dict[int, float]:
        """The container's CPU seconds so far, under one key: its processes may come and go (healthchecks)."""
        return {CGROUP: read_cgroup_seconds(self.usage_file(proc, root))}


class Component(Protocol):
    """Anything whose CPU time can be read: a process tree, processes found by name, a container's cgroup."""

    @property
    def name(self) -> str: ...

    def cpu_reading(self) -> Mapping[int, float]:
        """CPU seconds so far, by process (or by any key that stays the same during a run)."""
        ...


def cpu_seconds_between(
    before: Mapping[int, float], after: Mapping[int, float], processes_may_change: bool = False
) -> float:
    """The CPU seconds spent between two `cpu_reading`s.

    A worker that exited or appeared in between would take its time with it, so the set must not change, unless
    `processes_may_change` (the Docker engine, whose processes come and go with any container on the machine):
    then a process that appeared counts whole (it started in between), and one that exited is left out.
    """
    if processes_may_change:
        return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())
    if set(before) != set(after):
        raise RuntimeError(f"the workers changed during a measurement: {sorted(before)} -> {sorted(after)}")
    return sum(after[pid] - before[pid] for pid in before)


def per_request_microseconds(cpu_seconds: float, requests: int) -> float:
    """The CPU time one request cost, in microseconds."""
    if requests <= 0:
        raise ValueError(f"no requests were completed ({requests}); CPU per request is undefined")
    return cpu_seconds / requests * 1e6


class CpuMeter:
    """Reads every component before and after a run: `start()`, the load, then `per_request(requests)`."""

    def __init__(self, components: Mapping[str, Component]) -> None:
        self.components = components
        self.before: dict[str, Mapping[int, float]] = {}

    def start(self) -> None:
        self.before = {name: component.cpu_reading() for name, component in self.components.items()}

    def per_request(self, requests: int) -> dict[str, float]:
        """Microseconds of CPU per request for each component, since `start()`."""
        figures = {}
        for name, component in self.components.items():
            may_change = getattr(component, "processes_may_change", False)
            seconds = cpu_seconds_between(self.before[name], component.cpu_reading(), may_change)
            figures[name] = per_request_microseconds(seconds, requests)
        return figures
