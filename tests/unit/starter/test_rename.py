"""starter/rename.py: a copy of this repository renamed to `shop` still passes its unit tier and `ecs check`."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from starter.rename import RenameError, name_problem, rename
from tests.support.paths import REPO


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def copy_of_the_repository(target: Path) -> Path:
    """The files git tracks, as they are in the working tree, committed into a new repository."""
    for path in git(REPO, "ls-files", "-z").split("\0"):
        if path and (REPO / path).is_file():
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / path, target / path)
    git(target, "init", "--quiet")
    git(target, "add", "--all")
    git(target, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "--quiet", "-m", "copy")
    return target


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Shop", "not a valid name"),
        ("my-shop", "not a valid name"),
        ("my_shop", "not a valid name"),
        ("1shop", "not a valid name"),
        ("s", "not a valid name"),
        ("class", "already a name"),
        ("json", "already a name"),
        ("ecs", "already a name"),
        ("myapp", "already called"),
    ],
)
def test_names_that_cannot_be_a_package_and_a_dns_label_are_refused(name: str, reason: str) -> None:
    problem = name_problem(name)
    assert problem is not None
    assert reason in problem


def test_valid_names_pass() -> None:
    assert name_problem("shop") is None
    assert name_problem("orders2") is None


def test_a_dirty_tree_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    root = copy_of_the_repository(tmp_path)
    (root / "README.md").write_text("work in progress\n")
    with pytest.raises(RenameError, match=r"1 uncommitted change\(s\): commit or stash them first"):
        rename(root, "shop")
    assert (root / "myapp" / "settings.py").is_file()
    assert git(root, "status", "--porcelain").strip() == "M README.md"


def test_a_renamed_copy_passes_its_unit_tier_and_ecs_check(tmp_path: Path) -> None:
    """The whole rename, as `make rename NAME=shop` runs it, then the copy's own checks."""
    root = copy_of_the_repository(tmp_path)
    renamed = subprocess.run(
        [sys.executable, "starter/rename.py", "shop"], cwd=root, capture_output=True, text=True, check=False
    )
    assert renamed.returncode == 0, renamed.stderr
    assert "myapp is now shop" in renamed.stdout
    assert not (root / "myapp").exists()
    assert (root / "shop" / "settings.py").is_file()
    leftovers = subprocess.run(["git", "grep", "-l", "myapp"], cwd=root, capture_output=True, text=True)
    assert leftovers.stdout == ""
    # The copy has no virtual environment: its documented `.venv/bin/ecs-task` runs the copy's own ecs/.
    shim = root / ".venv" / "bin" / "ecs-task"
    shim.parent.mkdir(parents=True)
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m ecs "$@"\n')
    shim.chmod(0o755)
    env = {**os.environ, "DJANGO_SECRET_KEY": "test-only", "DJANGO_SETTINGS_MODULE": "shop.settings"}
    env.pop("PYTHONPATH", None)
    unit = subprocess.run(
        # Not this test again (it would recurse), and not the test that installs from the package index.
        [sys.executable, "-m", "pytest", "tests/unit", "-q", "-p", "no:cacheprovider", "-m", "not pypi",
         "--ignore=tests/unit/starter", "-x"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert unit.returncode == 0, unit.stdout[-3000:] + unit.stderr[-2000:]
    assert " passed" in unit.stdout
    check = subprocess.run(
        [sys.executable, "-m", "ecs", "check"], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "shop-prod" in (root / "ecs" / "task-definition.awsvpc.json").read_text()
