"""Task definitions for the `check` tests: the committed references, and small edits that break one field."""

import copy
import json
from collections.abc import Callable
from typing import Any

from ecs.check import check_task_definition
from tests.support.paths import REPO

REFERENCES = {
    "bridge": (REPO / "ecs" / "task-definition.bridge.json", "prod", "bridge", "ec2"),
    "awsvpc": (REPO / "ecs" / "task-definition.awsvpc.json", "prod", "awsvpc", "fargate"),
}


BRIDGE = json.loads((REPO / "ecs" / "task-definition.bridge.json").read_text())


AWSVPC = json.loads((REPO / "ecs" / "task-definition.awsvpc.json").read_text())  # Fargate


Task = dict[str, Any]


def app(task: Task) -> dict[str, Any]:
    return dict(task["containerDefinitions"][0])


def nginx(task: Task) -> dict[str, Any]:
    return dict(task["containerDefinitions"][1])


def set_env(container: dict[str, Any], name: str, value: str) -> None:
    container["environment"] = [item for item in container["environment"] if item["name"] != name]
    container["environment"].append({"name": name, "value": value})


def problems(base: Task, mutate: Callable[[Task], None]) -> list[str]:
    task = copy.deepcopy(base)
    mutate(task)
    return [problem.format("td.json") for problem in check_task_definition(task)]


def edit(path: str, value: Any) -> Callable[[Task], None]:
    """A mutation setting a dotted path: 'containerDefinitions.1.user' (None deletes)."""

    def mutate(task: Task) -> None:
        *parents, last = path.split(".")
        node: Any = task
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        key: Any = int(last) if last.isdigit() else last
        if value is None:
            del node[key]
        else:
            node[key] = value

    return mutate


def both(*mutations: Callable[[Task], None]) -> Callable[[Task], None]:
    def mutate(task: Task) -> None:
        for mutation in mutations:
            mutation(task)

    return mutate


def env_edit(index: int, name: str, value: str) -> Callable[[Task], None]:
    return lambda task: set_env(task["containerDefinitions"][index], name, value)


P = "td.json: "


def bridge_by_metadata() -> Task:
    """prod in bridge mode, nginx finding the app through the task metadata endpoint instead of a link."""
    from ecs.environments import load_environment
    from ecs.render import render_task_definition

    return render_task_definition(load_environment("prod"), "bridge", "ec2", "metadata")
