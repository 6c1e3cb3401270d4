"""The `ecs-task` command as the docs spell it, and as a deploy pipeline installs it (pyproject.toml)."""

import os
import re
import shlex
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

from ecs.environments import environment_names
from ecs.render import renderings
from tests.support.paths import REPO

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
DOCUMENTED = re.compile(r"^\s*(\.venv/bin/ecs-task [^#\n]*?)\s*(?:#.*)?$", re.MULTILINE)
# ecs-task capacity answers with its exit code: 0 fits, 1 does not fit. 2 is an unknown type, which a
# documented example must never be.
CAPACITY_ANSWERS = (0, 1)


def documented_commands() -> list[str]:
    """Every `.venv/bin/ecs-task ...` line in the README and docs/, comments stripped, but run-local, which
    starts containers: the docker tier runs it (tests/docker/ecs/local/)."""
    found = {match for path in DOCS for match in DOCUMENTED.findall(path.read_text())}
    return sorted(command for command in found if command.split()[1] != "run-local")


def clean_environment(home: Path) -> dict[str, str]:
    """Only what a fresh shell has: no venv on PATH, no variables of ours."""
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}


def test_the_docs_show_render_check_and_capacity() -> None:
    """Control: the docs spell out each verb a user runs first, so the test below has something to run."""
    verbs = {command.split()[1] for command in documented_commands()}
    assert {"render", "check", "capacity"} <= verbs, documented_commands()


@pytest.mark.parametrize("command", documented_commands())
def test_documented_command_runs_as_written(command: str, tmp_path: Path) -> None:
    """Run from the repository in a clean environment after `make test`'s set-up, each command does its job."""
    args = [str(tmp_path / "td.json") if arg == "td.json" else arg for arg in shlex.split(command)]
    if "check" in args and "td.json" in command:
        rendered = subprocess.run(
            [".venv/bin/ecs-task", "render", "--env", "prod", "--mode", "awsvpc", "--out", args[-1]],
            cwd=REPO,
            env=clean_environment(tmp_path),
            check=True,
            timeout=120,
        )
        assert rendered.returncode == 0
    result = subprocess.run(
        args, cwd=REPO, env=clean_environment(tmp_path), capture_output=True, text=True, check=False, timeout=120
    )
    assert "Traceback" not in result.stderr, result.stderr
    if args[1] == "capacity":
        assert result.returncode in CAPACITY_ANSWERS
        assert result.stdout.strip()
    else:
        assert result.returncode == 0, result.stderr
    if "--out" in args:
        assert '"family": "myapp-' in Path(args[args.index("--out") + 1]).read_text()


# What pip needs to reach the package index from behind a proxy or an intercepting CA, as `make venv` has it.
INDEX_ACCESS = (
    "PIP_",
    "SSL_",
    "REQUESTS_CA_BUNDLE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
)


@pytest.mark.pypi
def test_a_pipeline_installs_only_what_render_and_check_need(tmp_path: Path) -> None:
    """docs/ecs.md's pipeline: `pip install .` into an empty venv gives an `ecs-task` that renders and checks,
    with botocore and neither Django nor Docker."""
    # What the ECS tool is made of, copied: setuptools builds inside the source tree, which must stay clean.
    source = tmp_path / "source"
    shutil.copytree(REPO / "ecs", source / "ecs", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "topologies.py"):
        shutil.copy(REPO / name, source / name)
    venv.create(tmp_path / "ecs-venv", with_pip=True)
    bin_dir = tmp_path / "ecs-venv" / "bin"
    install = subprocess.run(
        [str(bin_dir / "pip"), "install", "--quiet", "--disable-pip-version-check", str(source)],
        env={**clean_environment(tmp_path), **{k: v for k, v in os.environ.items() if k.startswith(INDEX_ACCESS)}},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    installed = subprocess.run(
        [str(bin_dir / "pip"), "list", "--format", "freeze"], capture_output=True, text=True, check=True
    ).stdout.lower()
    assert "botocore==" in installed
    assert "django==" not in installed
    assert "docker==" not in installed
    td = tmp_path / "td.json"
    for command in (
        ["render", "--env", "prod", "--mode", "awsvpc", "--launch-type", "fargate", "--out", str(td)],
        ["check", str(td)],
        ["check"],
    ):
        result = subprocess.run(
            [str(bin_dir / "ecs-task"), *command],
            cwd=tmp_path,
            env=clean_environment(tmp_path),
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
    assert result.stdout.count("ok ") == len(environment_names()) * len(renderings())
