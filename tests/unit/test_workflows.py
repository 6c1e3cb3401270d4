"""Both GitHub workflows: pinned actions, bounded jobs, documented variables; and what ci.yml runs.

deploy.yml's own steps: test_deploy_workflow.py.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import REPO
from tests.support.workflows import STEP_SHELL, WORKFLOWS, position, step, workflow

PINNED = re.compile(r"^\s*(?:- )?uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$")


CI = workflow("ci.yml")
CI_TEST = CI["jobs"]["test"]


def test_every_variable_the_workflows_read_is_documented() -> None:
    """Each `vars.NAME` of the workflows has a row in docs/workflows.md's table of variables, and each row is read."""
    read = {name for path in WORKFLOWS.glob("*.yml") for name in re.findall(r"\bvars\.(\w+)", path.read_text())}
    documented = {
        name
        for line in (REPO / "docs" / "workflows.md").read_text().splitlines()
        if line.startswith("| `")
        for name in re.findall(r"^\| `([A-Z][A-Z0-9_]*)`", line)
    }
    assert read == {"AWS_ROLE_ARN", "ECS_CLUSTER", "ECS_SERVICE"}
    assert documented == read


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda path: path.name)
def test_every_action_is_pinned_to_a_commit(path: Path) -> None:
    """Each `uses:` names a full commit SHA with its release in a comment, and one action has one pin everywhere."""
    lines = [line for line in path.read_text().splitlines() if re.match(r"^\s*(- )?uses:", line)]
    assert lines
    assert [line for line in lines if not PINNED.match(line)] == []
    pins = {
        match.group(1): match.group(2, 3)
        for other in WORKFLOWS.glob("*.yml")
        for line in other.read_text().splitlines()
        if (match := PINNED.match(line))
    }
    for line in lines:
        match = PINNED.match(line)
        assert match
        assert match.group(2, 3) == pins[match.group(1)], line


@pytest.mark.parametrize("name", ["ci.yml", "deploy.yml"])
def test_every_job_is_bounded_in_time_and_scope(name: str) -> None:
    """Every job has a timeout and its token's scopes written out, in the job or for the whole workflow; the
    Python of the workflows is the app image's (the Dockerfile's PYTHON_IMAGE)."""
    loaded = workflow(name)
    python = re.search(r"^ARG PYTHON_IMAGE=python:(\d+\.\d+)-", (REPO / "Dockerfile").read_text(), re.MULTILINE)
    assert python
    for job in loaded["jobs"].values():
        assert 0 < job["timeout-minutes"] <= 60
        assert "permissions" in job or "permissions" in loaded
        for each in job["steps"]:
            if each.get("uses", "").startswith("actions/setup-python@"):
                assert each["with"]["python-version"] == python.group(1)
            if each.get("uses", "").startswith("actions/checkout@"):
                assert each["with"]["persist-credentials"] is False


def test_ci_runs_make_lint_and_make_test_on_each_push_and_pull_request() -> None:
    """Both make targets, on a push to main and on every pull request; a newer push cancels the older run."""
    assert {"push", "pull_request"} <= set(CI["on"])
    assert {"make lint", "make test"} <= {each.get("run") for job in CI["jobs"].values() for each in job["steps"]}
    assert CI["permissions"] == {"contents": "read"}
    assert CI["concurrency"]["cancel-in-progress"] is True


def test_ci_installs_what_make_test_installs_only_as_root() -> None:
    """Each *-packages prerequisite of `make test` runs with sudo first: as the runner's user it would only print
    the apt-get command and stop."""
    makefile = (REPO / "Makefile").read_text()
    prerequisites = re.search(r"^test:([^#\n]*)", makefile, re.MULTILINE)
    assert prerequisites
    packages = [name for name in prerequisites.group(1).split() if name.endswith("-packages")]
    assert packages
    sudo = step(CI_TEST, "System packages make test needs")["run"].split()
    assert (sudo[:2], sorted(sudo[2:])) == (["sudo", "make"], sorted(packages))
    assert position(CI_TEST, "System packages make test needs") < position(CI_TEST, "make test")


def test_ci_pulls_the_official_base_images(tmp_path: Path) -> None:
    """The pull step, run as written with stand-in make and docker (and .venv/bin/python, this interpreter, for a
    copy of the repository without one): it pulls each image the docker tier uses."""
    from tests.support.docker import OFFICIAL_IMAGES

    (tmp_path / "bin").mkdir()
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    for name in ("make", "docker"):
        fake = tmp_path / "bin" / name
        fake.write_text(f'#!/bin/sh\necho "{name} $*" >>"{tmp_path}/calls"\n')
        fake.chmod(0o755)
    python = tmp_path / ".venv" / "bin" / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    script = step(CI_TEST, "Official base images")["run"]
    env = {"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(REPO)}
    subprocess.run([*STEP_SHELL, script], cwd=tmp_path, env=env, check=True, timeout=60)
    calls = (tmp_path / "calls").read_text().splitlines()
    assert calls == ["make venv", *(f"docker pull --quiet {image}" for image in OFFICIAL_IMAGES.values())]


def test_ci_uploads_the_test_artifacts_folder() -> None:
    """pytest's report goes into TEST_ARTIFACTS, and the folder is uploaded whether the tests passed or failed."""
    folder = CI["env"]["TEST_ARTIFACTS"]
    assert folder.startswith(".run/")  # local state, which git ignores
    report = step(CI_TEST, "make test")["env"]["PYTEST_ADDOPTS"]
    assert report == "--junitxml=${{ env.TEST_ARTIFACTS }}/junit.xml"
    upload = step(CI_TEST, "Upload the test artifacts")
    assert upload["if"] == "${{ !cancelled() }}"
    assert upload["with"]["path"] == "${{ env.TEST_ARTIFACTS }}"
    assert upload["with"]["include-hidden-files"] is True  # the folder is under .run/
