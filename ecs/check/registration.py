"""Rule group 2: what the ECS API enforces at registration and botocore does not check."""

from collections.abc import Iterator
from typing import Any

from ecs.check.model import Problem, containers, is_fargate, task_size

VALID_NETWORK_MODES = ("bridge", "host", "awsvpc", "none")
DEPENDS_ON_CONDITIONS = ("START", "COMPLETE", "SUCCESS", "HEALTHY")
HEALTH_CHECK_RANGES = {"interval": (5, 300), "timeout": (2, 60), "retries": (1, 10), "startPeriod": (0, 300)}
FARGATE_STOP_TIMEOUT = (2, 120)
# restartPolicy (ECS agent 1.86.0+): a container restarts in place, without replacing the task.
RESTART_ATTEMPT_PERIOD = (60, 1800)
MAX_IGNORED_EXIT_CODES = 50
# versionConsistency: whether ECS resolves the image tag to a digest at deployment (enabled by default).
VERSION_CONSISTENCY = ("enabled", "disabled")


def check_cross_field(task: dict[str, Any]) -> Iterator[Problem]:
    """The rules the ECS API enforces at registration that botocore does not know."""
    mode = task.get("networkMode", "bridge")
    if mode not in VALID_NETWORK_MODES:
        yield Problem("networkMode", f"{mode!r} is not one of {', '.join(VALID_NETWORK_MODES)}", "network-mode")
    names = [container.get("name") for _, container in containers(task)]
    for name in sorted({name for name in names if names.count(name) > 1}, key=str):
        yield Problem(
            "containerDefinitions", f"the name {name!r} is used more than once: names must be unique", "duplicate-name"
        )
    by_name = {container.get("name"): container for _, container in containers(task)}
    for prefix, container in containers(task):
        for index, mapping in enumerate(container.get("portMappings", [])):
            host, port = mapping.get("hostPort"), mapping.get("containerPort")
            if mode in ("awsvpc", "host") and host not in (None, port):
                yield Problem(
                    f"{prefix}.portMappings[{index}].hostPort",
                    f"{host} must equal containerPort {port} in {mode} mode (or be omitted)",
                    "host-port",
                )
        if container.get("links"):
            if mode != "bridge":
                hint = ": in awsvpc the containers reach each other at 127.0.0.1" if mode == "awsvpc" else ""
                yield Problem(f"{prefix}.links", f"links work only in bridge mode, not {mode}{hint}", "links")
            elif is_fargate(task):
                yield Problem(f"{prefix}.links", "Fargate does not support links", "links")
        for key, (low, high) in HEALTH_CHECK_RANGES.items():
            value = container.get("healthCheck", {}).get(key)
            if value is not None and not low <= value <= high:
                yield Problem(f"{prefix}.healthCheck.{key}", f"{value} is outside {low}-{high}", "health-check")
        stop_timeout, (low, high) = container.get("stopTimeout"), FARGATE_STOP_TIMEOUT
        if is_fargate(task) and stop_timeout is not None and not low <= stop_timeout <= high:
            yield Problem(
                f"{prefix}.stopTimeout", f"{stop_timeout} is outside {low}-{high} seconds on Fargate", "stop-timeout"
            )
        for index, dependency in enumerate(container.get("dependsOn", [])):
            yield from check_dependency(f"{prefix}.dependsOn[{index}]", dependency, by_name)
        yield from check_restart_policy(prefix, container)
        version_consistency = container.get("versionConsistency")
        if version_consistency is not None and version_consistency not in VERSION_CONSISTENCY:
            yield Problem(
                f"{prefix}.versionConsistency",
                f"{version_consistency!r} is not one of {', '.join(VERSION_CONSISTENCY)}",
                "version-consistency",
            )
    # ECS counts the soft limit (memoryReservation) when a container has one, else the hard limit.
    limits = sum(container.get("memoryReservation", container.get("memory", 0)) for _, container in containers(task))
    task_memory = task_size(task.get("memory"))
    if task_memory is not None and limits > task_memory:
        yield Problem(
            "memory",
            f"the containers' memory limits add up to {limits} MiB, more than the task's "
            f"{task_memory} MiB: lower them or raise the task's memory",
            "container-memory",
        )
    if not any(container.get("essential", True) for _, container in containers(task)):
        yield Problem(
            "containerDefinitions",
            "no container is essential: a task needs at least one whose exit stops it (essential: true)",
            "essential",
        )


def check_dependency(field: str, dependency: dict[str, Any], by_name: dict[Any, dict[str, Any]]) -> Iterator[Problem]:
    target_name, condition = dependency.get("containerName"), dependency.get("condition")
    if condition not in DEPENDS_ON_CONDITIONS:
        yield Problem(
            f"{field}.condition", f"{condition!r} is not one of {', '.join(DEPENDS_ON_CONDITIONS)}", "depends-on"
        )
    target = by_name.get(target_name)
    if target is None:
        yield Problem(f"{field}.containerName", f"{target_name!r} names no container of this task", "depends-on")
    elif condition == "HEALTHY" and "healthCheck" not in target:
        yield Problem(
            f"{field}.condition", f"HEALTHY needs a healthCheck on {target_name!r}, which has none", "depends-on"
        )
    elif condition in ("COMPLETE", "SUCCESS") and target.get("essential", True):
        yield Problem(
            f"{field}.condition",
            f"{condition} waits for {target_name!r} to exit, but it is essential "
            "(its exit stops the task): mark it essential: false",
            "depends-on",
        )


def check_restart_policy(prefix: str, container: dict[str, Any]) -> Iterator[Problem]:
    """restartPolicy's limits: an attempt period of 60-1800 s, at most 50 ignored exit codes."""
    policy = container.get("restartPolicy", {})
    period, (low, high) = policy.get("restartAttemptPeriod"), RESTART_ATTEMPT_PERIOD
    if period is not None and not low <= period <= high:
        yield Problem(
            f"{prefix}.restartPolicy.restartAttemptPeriod",
            f"{period} is outside {low}-{high} seconds",
            "restart-policy",
        )
    ignored = policy.get("ignoredExitCodes", [])
    if len(ignored) > MAX_IGNORED_EXIT_CODES:
        yield Problem(
            f"{prefix}.restartPolicy.ignoredExitCodes",
            f"{len(ignored)} exit codes, more than the {MAX_IGNORED_EXIT_CODES} ECS accepts",
            "restart-policy",
        )
