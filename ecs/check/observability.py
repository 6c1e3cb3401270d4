"""Rule group 5: what operators need to see a task's state: a health check on every essential container, and
complete awslogs options (KICS "healthcheck missing"; cfn-lint E3046; Fargate also needs the stream prefix)."""

from collections.abc import Iterator
from typing import Any

from ecs.check.model import Problem, containers, is_fargate

AWSLOGS_OPTIONS = ("awslogs-group", "awslogs-region")
# On EC2 the prefix is optional (streams are then named by container id); Fargate requires it.
FARGATE_AWSLOGS_OPTIONS = ("awslogs-stream-prefix",)


def check_observability(task: dict[str, Any]) -> Iterator[Problem]:
    for prefix, container in containers(task):
        if container.get("essential", True) and "healthCheck" not in container:
            yield Problem(
                f"{prefix}.healthCheck",
                "is missing on an essential container: without it ECS sees a hung process as healthy "
                "and never replaces the task; add a command that probes it",
                "health-check",
            )
        logs = container.get("logConfiguration", {})
        if logs.get("logDriver") == "awslogs":
            options = logs.get("options", {})
            for option in AWSLOGS_OPTIONS:
                if not options.get(option):
                    yield Problem(
                        f"{prefix}.logConfiguration.options.{option}",
                        "is missing: the awslogs driver needs the log group and its region",
                        "awslogs",
                    )
            for option in FARGATE_AWSLOGS_OPTIONS if is_fargate(task) else ():
                if not options.get(option):
                    yield Problem(
                        f"{prefix}.logConfiguration.options.{option}",
                        "is missing: on Fargate the awslogs driver needs a stream prefix",
                        "awslogs",
                    )
