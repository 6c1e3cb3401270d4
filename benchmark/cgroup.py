"""A child CPU cgroup for one native nginx: what a container's cgroup alone costs a process, with no container.

Docker (and ECS) puts every container in a cgroup of its own, with the CPU controller. The benchmark runs a
second copy of `make run`'s nginx, moved into a fresh child cgroup of the benchmark's own, and compares its CPU
per request with the first copy's: the same binary, configuration, namespaces and load, so the difference is
the cgroup's. Needs root and a CPU controller it may use; otherwise the row is skipped with the reason printed.
"""

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from benchmark.cpu import PROC, ROOT, CgroupMount, cgroup_directory, parse_mountinfo


@dataclass(frozen=True)
class CpuCgroup:
    """A cgroup directory the benchmark made, with the CPU controller: `add` moves processes in, `remove` moves
    whatever is left back to the parent and deletes it."""

    path: Path
    # The parent's cgroup.subtree_control when the benchmark wrote `+cpu` there (v2), to write `-cpu` after.
    enabled_cpu_in: Path | None = None

    def add(self, pid: int) -> None:
        (self.path / "cgroup.procs").write_text(str(pid))

    def remove(self) -> None:
        if not self.path.exists():
            return
        for pid in (self.path / "cgroup.procs").read_text().split():
            with contextlib.suppress(ProcessLookupError):  # it exited meanwhile
                (self.path.parent / "cgroup.procs").write_text(pid)
        self.path.rmdir()
        if self.enabled_cpu_in is not None:
            with contextlib.suppress(OSError):  # another child may use it by now: then it stays
                self.enabled_cpu_in.write_text("-cpu")


def cpu_cgroup_parent(cgroups: str, mounts: list[CgroupMount]) -> tuple[Path, int] | None:
    """This process's own cgroup in the hierarchy with the CPU controller: cgroup v1's `cpu` (often mounted
    with cpuacct), else v2's; and that hierarchy's version. None: neither."""
    return cgroup_directory(cgroups, mounts, "cpu")


def make_cpu_cgroup(name: str, proc: Path = PROC, root: Path = ROOT) -> tuple[CpuCgroup | None, str]:
    """A new child cgroup `name` with the CPU controller, or None and why not."""
    if os.getuid() != 0:
        return None, "making a cgroup needs root"
    found = cpu_cgroup_parent(
        (proc / "self" / "cgroup").read_text(), parse_mountinfo((proc / "self" / "mountinfo").read_text())
    )
    if found is None:
        return None, f"{proc / 'self' / 'cgroup'} names no hierarchy with the CPU controller"
    parent, version = found
    parent = root / parent.relative_to("/")
    try:
        enabled = None
        if version == 2:
            # v2 gives a child the CPU controller only when its parent lists it in cgroup.subtree_control.
            subtree = parent / "cgroup.subtree_control"
            if "cpu" not in subtree.read_text().split():
                subtree.write_text("+cpu")
                enabled = subtree
        path = parent / name
        path.mkdir()
    except OSError as error:
        return None, f"cannot make a CPU cgroup under {parent}: {error}"
    return CpuCgroup(path, enabled), f"cgroup v{version}, {path}"
