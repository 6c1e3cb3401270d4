"""Checks a task definition (a RegisterTaskDefinition request) before anyone touches AWS.

1. botocore's ECS model: unknown keys, types, required members.
2. The cross-field rules botocore does not check (REFERENCE.md, "ECS task definitions").
3. The AWS Security Hub controls that read a task definition, and Control Tower's stricter ones.
4. This project's rule: nginx's upstream host must be reachable in the task's network mode.
Every problem names the field, what is wrong and how to fix it.
"""

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.session
from botocore.model import Shape
from botocore.validate import ParamValidator

NETWORK_MODES = ("bridge", "host", "awsvpc", "none")
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
# The API also takes "1 vCPU" and "2 GB" for the task size.
TASK_SIZE = re.compile(r"(\d*\.?\d+)\s*(vcpu|gb)?", re.IGNORECASE)
FARGATE_FORBIDDEN = ("links", "privileged", "dockerSecurityOptions", "extraHosts", "dnsServers")
FARGATE_FORBIDDEN_LINUX = ("tmpfs", "devices", "sharedMemorySize")
AWS_CREDENTIAL_NAMES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ECS_ENGINE_AUTH_DATA")
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE_KEY|API_KEY|ACCESS_KEY")
SECRET_VALUE = re.compile(r"://[^/\s:@]+:[^/\s@]+@|AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----")
ROOT_USERS = ("root", "0")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
MOVE_TO_SECRETS = "move it to `secrets` with an SSM parameter or Secrets Manager ARN (valueFrom)"


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    rule: str

    def format(self, source: str) -> str:
        return f"{source}: {self.field}: {self.message} [{self.rule}]"


@cache
def register_task_definition_shape() -> Shape:
    model = botocore.session.get_session().get_service_model("ecs")
    return model.operation_model("RegisterTaskDefinition").input_shape


def containers(task: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(field prefix, container) pairs, the prefix naming the container: containerDefinitions[nginx]."""
    for index, container in enumerate(task.get("containerDefinitions", [])):
        yield f"containerDefinitions[{container.get('name', index)}]", container


def environment_of(container: dict[str, Any]) -> dict[str, str]:
    return {item.get("name", ""): item.get("value", "") for item in container.get("environment", [])}


def check_shape(task: dict[str, Any]) -> list[Problem]:
    """botocore's own validation of the request shape."""
    report = ParamValidator().validate(task, register_task_definition_shape())
    if not report.has_errors():
        return []
    lines = report.generate_report().splitlines()
    return [Problem("request", line.strip(), "botocore") for line in lines if line.strip()]


def check_placeholders(node: Any, where: str = "$") -> Iterator[Problem]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from check_placeholders(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from check_placeholders(item, f"{where}[{index}]")
    elif isinstance(node, str) and "${" in node:
        yield Problem(
            where,
            f"leftover template placeholder in {node!r}: render the template with `python -m ecs render`",
            "placeholder",
        )


def is_fargate(task: dict[str, Any]) -> bool:
    return "FARGATE" in task.get("requiresCompatibilities", [])


def check_cross_field(task: dict[str, Any]) -> Iterator[Problem]:
    """The rules the ECS API enforces at registration that botocore does not know."""
    mode = task.get("networkMode", "bridge")
    if mode not in NETWORK_MODES:
        yield Problem("networkMode", f"{mode!r} is not one of {', '.join(NETWORK_MODES)}", "network-mode")
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


def task_size(value: Any) -> int | None:
    """A task-level cpu (units) or memory (MiB) value: "1024", or "1 vCPU" / "2 GB"; None when malformed."""
    match = TASK_SIZE.fullmatch(str(value).strip()) if value is not None else None
    if match is None:
        return None
    number = float(match.group(1))
    return int(number * 1024) if match.group(2) else int(number)


def describe_sizes(sizes: tuple[int, ...]) -> str:
    """512, 1024, 2048 or 2048-8192 in steps of 1024."""
    if len(sizes) <= 3:
        return ", ".join(map(str, sizes))
    return f"{sizes[0]}-{sizes[-1]} in steps of {sizes[1] - sizes[0]}"


def check_security_hub(task: dict[str, Any]) -> Iterator[Problem]:
    """AWS Security Hub ECS.3, .4, .5, .8, .9, .17, .20 and Control Tower CT.ECS.PR.7 and .12."""
    if task.get("pidMode") == "host":
        yield Problem("pidMode", "must not be host: containers would see every process of the instance", "ECS.3")
    if task.get("networkMode") == "host":
        yield Problem("networkMode", "must not be host: use awsvpc (or bridge)", "ECS.17")
    for prefix, container in containers(task):
        if container.get("privileged"):
            yield Problem(f"{prefix}.privileged", "must not be true", "ECS.4")
        if container.get("readonlyRootFilesystem") is not True:
            yield Problem(
                f"{prefix}.readonlyRootFilesystem",
                "must be true; give writable paths a task volume and a mountPoint",
                "ECS.5",
            )
        if "logConfiguration" not in container:
            yield Problem(f"{prefix}.logConfiguration", "is missing: set the awslogs driver", "ECS.9")
        user = str(container.get("user", ""))
        if not user or user.split(":")[0] in ROOT_USERS:
            yield Problem(
                f"{prefix}.user", f"{user or 'unset'}: set a non-root user (uid:gid) such as 10001:10001", "ECS.20"
            )
        if "memory" not in container and "memoryReservation" not in container:
            yield Problem(f"{prefix}.memory", "is missing: set a memory limit (MiB)", "CT.ECS.PR.7")
        for name, value in environment_of(container).items():
            if name in AWS_CREDENTIAL_NAMES:
                yield Problem(
                    f"{prefix}.environment.{name}",
                    "AWS credentials in environment: use the task role (taskRoleArn) instead",
                    "ECS.8",
                )
            elif SECRET_NAME.search(name) or SECRET_VALUE.search(value):
                yield Problem(f"{prefix}.environment.{name}", f"looks like a secret: {MOVE_TO_SECRETS}", "CT.ECS.PR.12")


def check_upstream(task: dict[str, Any]) -> Iterator[Problem]:
    """nginx's upstream host must be reachable in this network mode (the story's bridge-mode mistake)."""
    mode = task.get("networkMode", "bridge")
    for prefix, container in containers(task):
        upstream = environment_of(container).get("NGINX_UPSTREAM_HOST")
        if upstream is None:
            continue
        field = f"{prefix}.environment.NGINX_UPSTREAM_HOST"
        aliases = {link.split(":")[-1] for link in container.get("links", [])}
        try:
            address = ipaddress.ip_address(upstream)
        except ValueError:
            address = None
        if mode == "awsvpc" and upstream != "127.0.0.1":
            yield Problem(
                field,
                f"{upstream!r}: in awsvpc mode the task's containers share one network "
                "namespace and have no links; use 127.0.0.1, where gunicorn listens",
                "upstream-host",
            )
        elif mode == "bridge" and (upstream in LOOPBACK_NAMES or (address and address.is_loopback)):
            yield Problem(
                field,
                f"{upstream!r}: in bridge mode each container has its own loopback, so nginx "
                'would dial itself; use a link alias (links: ["app"]) or awsvpc mode',
                "upstream-host",
            )
        elif mode == "bridge" and address is None and upstream not in aliases:
            yield Problem(
                field,
                f"{upstream!r} is a name, but bridge mode has no DNS between containers and "
                f"{container.get('name')!r} has no link with that alias: nginx will refuse to start "
                f'with "host not found in upstream". Add "links": ["{upstream}"] to it (or use '
                "awsvpc mode with 127.0.0.1)",
                "upstream-host",
            )
        elif mode == "bridge" and environment_of(container).get("NGINX_UPSTREAM_RESOLVE") == "runtime":
            yield Problem(
                f"{prefix}.environment.NGINX_UPSTREAM_RESOLVE",
                "runtime looks the name up through DNS, which cannot see the /etc/hosts entry a link writes: "
                "every request would get 502. Use start in bridge mode",
                "upstream-resolve",
            )
        yield from check_upstream_port(task, field, environment_of(container).get("NGINX_UPSTREAM_PORT"), mode)


def check_upstream_port(task: dict[str, Any], field: str, port: str | None, mode: str) -> Iterator[Problem]:
    for prefix, container in containers(task):
        bind = environment_of(container).get("GUNICORN_BIND")
        if bind is None:
            continue
        host, _, bind_port = bind.rpartition(":")
        if port is not None and bind_port != port:
            yield Problem(
                field.replace("HOST", "PORT"),
                f"{port} but {prefix} listens on {bind}: use the same port",
                "upstream-port",
            )
        if mode == "bridge" and host in LOOPBACK_NAMES:
            yield Problem(
                f"{prefix}.environment.GUNICORN_BIND",
                f"{bind}: in bridge mode nginx connects over docker0, so gunicorn must listen on 0.0.0.0",
                "upstream-port",
            )


def check_task_definition(task: dict[str, Any]) -> list[Problem]:
    """Every problem of a task definition; empty when it is ready to register."""
    if not isinstance(task, dict):
        return [Problem("$", "a task definition is a JSON object", "botocore")]
    shape = check_shape(task)
    if shape:
        return shape  # the other rules assume the documented types
    return [
        *check_placeholders(task),
        *check_cross_field(task),
        *check_security_hub(task),
        *check_upstream(task),
    ]
