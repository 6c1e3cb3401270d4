"""CPU time per request, per component: user + system time of a component's workers, from /proc.

The figure barely depends on what else the machine does (a busy machine delays a request, it does not make it
cost more CPU), so it is the most stable measure here, and it shows what each hop costs.

A component is a master process and its children, the workers: nginx's workers, gunicorn's workers. Each
worker's /proc/<pid>/stat counts all of its threads, live and exited (gunicorn's gthread pool). The kernel
reports these times in clock ticks (1/100 s): a run must give each component at least a second of work for
the figure to be within 1-2 %.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


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


class Component(Protocol):
    """Anything whose CPU time can be read: a process tree here; a container's cgroup (cpu.stat) would do too."""

    @property
    def name(self) -> str: ...

    def cpu_reading(self) -> Mapping[int, float]:
        """CPU seconds so far, by process (or by any key that stays the same during a run)."""
        ...


def cpu_seconds_between(before: Mapping[int, float], after: Mapping[int, float]) -> float:
    """The CPU seconds spent between two `cpu_reading`s.

    A worker that exited or appeared in between would take its time with it, so the set must not change.
    """
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
        return {
            name: per_request_microseconds(cpu_seconds_between(self.before[name], component.cpu_reading()), requests)
            for name, component in self.components.items()
        }
