"""Rule group 2b: what each launch type refuses: Fargate's sizes and forbidden fields, and the network modes
of ECS Managed Instances."""

from collections.abc import Iterator
from typing import Any

from ecs.check.model import Problem, containers, is_fargate, is_managed_instances, task_size

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


# tmpfs has been allowed on Fargate since 2026-01-06; these linuxParameters still are not.
FARGATE_FORBIDDEN_LINUX = ("devices", "sharedMemorySize", "maxSwap", "swappiness")
# Fargate drops any capability but adds SYS_PTRACE only (and only on platform 1.4.0+, which the service names).
FARGATE_ADDABLE_CAPABILITIES = ("SYS_PTRACE",)
# ECS Managed Instances (GA 2025-09-30) run awsvpc and host tasks, and the mode must be named: no bridge.
MANAGED_INSTANCES_NETWORK_MODES = ("awsvpc", "host")


def check_launch_types(task: dict[str, Any]) -> Iterator[Problem]:
    """The rules of each launch type the task definition asks to be validated against."""
    mode = task.get("networkMode", "bridge")
    if is_fargate(task):
        yield from check_fargate(task, mode)
    if is_managed_instances(task):
        named = task.get("networkMode")
        if named not in MANAGED_INSTANCES_NETWORK_MODES:
            yield Problem(
                "networkMode",
                f"{named or 'unset'}: Managed Instances supports the awsvpc and host network modes only, "
                "named explicitly; use awsvpc",
                "managed-instances",
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
            # Set at all counts: maxSwap 0 and swappiness 0 are values that Fargate refuses too.
            if container.get("linuxParameters", {}).get(key) is not None:
                yield Problem(f"{prefix}.linuxParameters.{key}", "is not supported on Fargate", "fargate")
        added = container.get("linuxParameters", {}).get("capabilities", {}).get("add", [])
        refused = [name for name in added if name not in FARGATE_ADDABLE_CAPABILITIES]
        if refused:
            yield Problem(
                f"{prefix}.linuxParameters.capabilities.add",
                f"{', '.join(refused)}: Fargate adds SYS_PTRACE only (platform 1.4.0 or later)",
                "fargate",
            )


def describe_sizes(sizes: tuple[int, ...]) -> str:
    """512, 1024, 2048 or 2048-8192 in steps of 1024."""
    if len(sizes) <= 3:
        return ", ".join(map(str, sizes))
    return f"{sizes[0]}-{sizes[-1]} in steps of {sizes[1] - sizes[0]}"
