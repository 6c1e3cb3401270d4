"""What every rule reads and reports: a problem, and the parts of a task definition the rules walk."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# The API also takes "1 vCPU" and "2 GB" for the task size.
TASK_SIZE = re.compile(r"(\d*\.?\d+)\s*(vcpu|gb)?", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    rule: str

    def format(self, source: str) -> str:
        return f"{source}: {self.field}: {self.message} [{self.rule}]"


def containers(task: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(field prefix, container) pairs, the prefix naming the container: containerDefinitions[nginx]."""
    for index, container in enumerate(task.get("containerDefinitions", [])):
        yield f"containerDefinitions[{container.get('name', index)}]", container


def environment_of(container: dict[str, Any]) -> dict[str, str]:
    return {item.get("name", ""): item.get("value", "") for item in container.get("environment", [])}


def is_fargate(task: dict[str, Any]) -> bool:
    return "FARGATE" in task.get("requiresCompatibilities", [])


def is_managed_instances(task: dict[str, Any]) -> bool:
    return "MANAGED_INSTANCES" in task.get("requiresCompatibilities", [])


def task_size(value: Any) -> int | None:
    """A task-level cpu (units) or memory (MiB) value: "1024", or "1 vCPU" / "2 GB"; None when malformed."""
    match = TASK_SIZE.fullmatch(str(value).strip()) if value is not None else None
    if match is None:
        return None
    number = float(match.group(1))
    return int(number * 1024) if match.group(2) else int(number)
