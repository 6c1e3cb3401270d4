"""benchmark/cgroup.py: the child CPU cgroup is made where this process's CPU hierarchy is, and removed after."""

import os
import subprocess
from pathlib import Path

import pytest

from benchmark.cgroup import CpuCgroup, cpu_cgroup_parent, make_cpu_cgroup
from benchmark.cpu import parse_mountinfo
from tests.support.cgroups import COMOUNTED_MOUNTINFO, HYBRID_MOUNTINFO, V2_MOUNTINFO

ROOT_CGROUPS = "4:memory:/\n2:cpuacct:/\n1:cpu:/\n0::/\n"


def test_v1_takes_the_hierarchy_with_the_cpu_controller() -> None:
    """On a hybrid machine the v1 `cpu` hierarchy counts, not cpuacct's or the unified one."""
    mounts = parse_mountinfo(HYBRID_MOUNTINFO)
    assert cpu_cgroup_parent(ROOT_CGROUPS, mounts) == (Path("/sys/fs/cgroup/cpu"), 1)
    assert cpu_cgroup_parent("3:cpu,cpuacct:/user.slice\n", parse_mountinfo(COMOUNTED_MOUNTINFO)) == (
        Path("/sys/fs/cgroup/cpu,cpuacct/user.slice"),
        1,
    )


def test_v2_takes_the_unified_hierarchy_and_its_own_cgroup() -> None:
    assert cpu_cgroup_parent("0::/benchmark.scope\n", parse_mountinfo(V2_MOUNTINFO)) == (
        Path("/sys/fs/cgroup/benchmark.scope"),
        2,
    )


def test_no_cpu_hierarchy_gives_none() -> None:
    assert cpu_cgroup_parent("4:memory:/\n", parse_mountinfo(COMOUNTED_MOUNTINFO)) is None


def fake_machine(root: Path, cgroups: str, mountinfo: str) -> Path:
    proc = root / "proc"
    (proc / "self").mkdir(parents=True)
    (proc / "self" / "cgroup").write_text(cgroups)
    (proc / "self" / "mountinfo").write_text(mountinfo)
    return proc


def test_v2_enables_the_cpu_controller_for_the_child(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """v2: `+cpu` goes to the parent's cgroup.subtree_control before the child is made."""
    monkeypatch.setattr(os, "getuid", lambda: 0)
    proc = fake_machine(tmp_path, "0::/\n", V2_MOUNTINFO)
    unified = tmp_path / "sys" / "fs" / "cgroup"
    unified.mkdir(parents=True)
    (unified / "cgroup.subtree_control").write_text("memory pids\n")
    made, note = make_cpu_cgroup("benchmark-1", proc, tmp_path)
    assert made == CpuCgroup(unified / "benchmark-1", enabled_cpu_in=unified / "cgroup.subtree_control")
    assert (unified / "benchmark-1").is_dir()
    assert (unified / "cgroup.subtree_control").read_text() == "+cpu"
    assert note == f"cgroup v2, {unified / 'benchmark-1'}"


def test_a_cgroup_that_cannot_be_made_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CPU hierarchy's directory is missing: None, and the reason names the parent."""
    monkeypatch.setattr(os, "getuid", lambda: 0)
    proc = fake_machine(tmp_path, ROOT_CGROUPS, HYBRID_MOUNTINFO)
    made, note = make_cpu_cgroup("benchmark-1", proc, tmp_path)
    assert made is None
    assert note.startswith(f"cannot make a CPU cgroup under {tmp_path / 'sys/fs/cgroup/cpu'}: ")


def test_not_root_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "getuid", lambda: 1000)
    assert make_cpu_cgroup("benchmark-1", tmp_path, tmp_path) == (None, "making a cgroup needs root")


def test_a_real_cgroup_takes_a_process_and_gives_it_back(tmp_path: Path) -> None:
    """On this machine (as root, with a CPU controller): a process moved in shows the cgroup in
    /proc/<pid>/cgroup; `remove` moves it back to the parent and deletes the directory."""
    made, note = make_cpu_cgroup(f"benchmark-test-{os.getpid()}")
    if made is None:
        pytest.skip(f"no CPU cgroup can be made here: {note}")
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        made.add(sleeper.pid)
        assert f"/{made.path.name}\n" in Path(f"/proc/{sleeper.pid}/cgroup").read_text()
        made.remove()
        assert not made.path.exists()
        assert f"/{made.path.name}" not in Path(f"/proc/{sleeper.pid}/cgroup").read_text()
        assert sleeper.poll() is None, "control: the process lived through both moves"
    finally:
        sleeper.kill()
        sleeper.wait(timeout=10)
        made.remove()
