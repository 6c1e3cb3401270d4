"""The GitHub workflows as the tests read them: parsed YAML, named steps, GitHub's step shell."""

from typing import Any

import yaml

from tests.support.paths import REPO

WORKFLOWS = REPO / ".github" / "workflows"
# What GitHub runs for a step under `defaults: run: shell: bash`.
STEP_SHELL = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]


def workflow(name: str) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the key `on` as the boolean true.
    loaded["on"] = loaded.pop(True)
    return loaded


def step(job: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [each for each in job["steps"] if each.get("name") == name]
    assert len(found) == 1, f"no single step named {name!r}"
    return found[0]


def position(job: dict[str, Any], name: str) -> int:
    steps: list[dict[str, Any]] = job["steps"]
    return steps.index(step(job, name))
