"""Rule group 2: what the ECS API enforces at registration and botocore does not check."""

from collections.abc import Iterator
from typing import Any

from ecs.check.model import Problem, containers, is_fargate, task_size

VALID_NETWORK_MODES = ("bridge", "host", "awsvpc", "none")


DEPENDS_ON_CONDITIONS = ("START", "COMPLETE", "SUCCESS", "HEALTHY")


HEALTH_CHECK_RANGES = {"interval": (5, 300), "timeout": (2, 60), "retries": (1, 10), "startPeriod": (0, 300)}


FARGATE_STOP_TIMEOUT = (2, 120)


# Fargate's task sizes: cpu units -> allowed memory in MiB.
FARGATE_SIZES = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}


FARGATE_FORBIDDEN = ("links", "privileged", "dockerSecurityOptions", "extraHosts", "dnsServers")


FARGATE_FORBIDDEN_LINUX = ("tmpfs", "devices", "sharedMemorySize")


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
    if is_fargate(task):
        yield from check_fargate(task, mode)


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


def check_fargate(task: dict[str, Any], mode: str) -> Iterator[Problem]:
    if mode != "awsvpc":
        yield Problem("networkMode", f"Fargate supports awsvpc only, not {mode}", "fargate")
    cpu, memory = task.get("cpu"), task.get("memory")
    if cpu is None or memory is None:
        yield Problem("cpu", "Fargate needs task-level cpu and memory", "fargate")
    else:
        cpu_units, memory_mib = task_size(cpu), task_size(memory)
        if cpu_units is None or memory_mib is None:
            yield Problem(
                "cpu",
                f'cpu={cpu!r} and memory={memory!r} must be units and MiB ("1024") or "1 vCPU" and "2 GB"',
                "fargate",
            )
            return
        allowed = FARGATE_SIZES.get(cpu_units)
        if allowed is None:
            yield Problem(
                "cpu",
                f"cpu={cpu_units} is not a Fargate size: use one of {', '.join(map(str, FARGATE_SIZES))}",
                "fargate",
            )
        elif memory_mib not in allowed:
            yield Problem(
                "memory",
                f"cpu={cpu_units} with memory={memory_mib} is not a valid Fargate pair "
                f"({cpu_units} allows {describe_sizes(allowed)})",
                "fargate",
            )
    for prefix, container in containers(task):
        for key in FARGATE_FORBIDDEN:
            if container.get(key):
                yield Problem(f"{prefix}.{key}", "is not supported on Fargate", "fargate")
        for key in FARGATE_FORBIDDEN_LINUX:
            if container.get("linuxParameters", {}).get(key):
                yield Problem(
                    f"{prefix}.linuxParameters.{key}",
                    "is not supported on Fargate: use a task volume for writable paths",
                    "fargate",
                )


def describe_sizes(sizes: tuple[int, ...]) -> str:
    """512, 1024, 2048 or 2048-8192 in steps of 1024."""
    if len(sizes) <= 3:
        return ", ".join(map(str, sizes))
    return f"{sizes[0]}-{sizes[-1]} in steps of {sizes[1] - sizes[0]}"
