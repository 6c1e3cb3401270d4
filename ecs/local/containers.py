"""What each container of a task gets locally: pure functions of the task definition, tested on their own."""

import errno
import socket
from collections.abc import Mapping
from datetime import datetime
from typing import Any

NANOSECONDS = 1_000_000_000
# ECS's default restartAttemptPeriod, in seconds.
DEFAULT_RESTART_ATTEMPT_PERIOD = 300


class RunLocalError(RuntimeError):
    """The task could not start; the message says which container and why."""


def free_port() -> int:
    """A free port on 127.0.0.1, as the ECS agent picks one on the instance for a dynamic hostPort (0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require_free_port(port: int) -> None:
    """Refuses a local port that another process holds, before Docker fails with a long API error."""
    other = port + 1 if port < 65535 else port - 1
    try:
        socket.create_server(("127.0.0.1", port)).close()
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        raise RunLocalError(
            f"127.0.0.1:{port} is already in use by another process: stop it, or publish the task on another "
            f'port with --port, for example --port {other} (make run-local ARGS="--port {other}").'
        ) from None


def start_order(task: dict[str, Any]) -> list[dict[str, Any]]:
    """Containers ordered so that every container starts after the ones it depends on."""
    remaining = {container["name"]: container for container in task["containerDefinitions"]}
    ordered: list[dict[str, Any]] = []
    while remaining:
        ready = [
            c for c in remaining.values() if all(d["containerName"] not in remaining for d in c.get("dependsOn", []))
        ]
        if not ready:
            raise RunLocalError(f"dependsOn has a cycle among {', '.join(remaining)}")
        for container in ready:
            ordered.append(remaining.pop(container["name"]))
    return ordered


def docker_healthcheck(health: dict[str, Any]) -> dict[str, Any]:
    """An ECS healthCheck as Docker's, with ECS's defaults."""
    return {
        "test": health["command"],
        "interval": health.get("interval", 30) * NANOSECONDS,
        "timeout": health.get("timeout", 5) * NANOSECONDS,
        "retries": health.get("retries", 3),
        "start_period": health.get("startPeriod", 0) * NANOSECONDS,
    }


def docker_capabilities(definition: dict[str, Any]) -> dict[str, list[str]]:
    """linuxParameters.capabilities as Docker's cap_add and cap_drop. ECS names capabilities as Docker does
    (`ALL`, `SYS_PTRACE`), so they pass unchanged; a list the definition leaves out is not sent."""
    capabilities = definition.get("linuxParameters", {}).get("capabilities", {})
    return {
        docker_name: list(capabilities[ecs_name])
        for ecs_name, docker_name in (("add", "cap_add"), ("drop", "cap_drop"))
        if capabilities.get(ecs_name)
    }


def docker_ulimits(definition: dict[str, Any]) -> list[dict[str, str | int]]:
    """The container's `ulimits` as the Docker SDK takes them (name, soft, hard)."""
    return [
        {"name": limit["name"], "soft": limit["softLimit"], "hard": limit["hardLimit"]}
        for limit in definition.get("ulimits", [])
    ]


def container_environment(definition: dict[str, Any], secret_values: Mapping[str, str], origin: str) -> dict[str, str]:
    """The container's environment: its `environment`, each secret from the variable of the same name, and
    the published origin among Django's trusted CSRF origins. A variable that is set but empty is passed on
    as it is (an empty DATABASE_URL selects the embedded SQLite); only an unset one is refused."""
    environment = {item["name"]: item.get("value", "") for item in definition.get("environment", [])}
    for secret in definition.get("secrets", []):
        value = secret_values.get(secret["name"])
        if value is None:
            raise RunLocalError(
                f"container {definition['name']!r} needs the secret {secret['name']} "
                f"({secret['valueFrom']}); run-local cannot read AWS: set {secret['name']} in the "
                "environment (an empty value counts), or in .env and use `make run-local`, which loads it "
                "(`make .env` writes one)."
            )
        environment[secret["name"]] = value
    if "DJANGO_ALLOWED_HOSTS" in environment:
        # The published local origin, so that a browser's form POST passes Django's CSRF origin check.
        trusted = [o for o in environment.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
        environment["DJANGO_CSRF_TRUSTED_ORIGINS"] = ",".join([*trusted, origin])
    return environment


def host_ports(task: dict[str, Any], port: int | None) -> dict[int, int]:
    """containerPort -> local port: `port` when given, else the fixed hostPort, else a free port (hostPort 0)."""
    return {
        mapping["containerPort"]: port or mapping.get("hostPort") or free_port()
        for definition in task["containerDefinitions"]
        for mapping in definition.get("portMappings", [])
    }


def restart_refusal(policy: dict[str, Any] | None, exit_code: int, ran_seconds: float) -> str | None:
    """Why the ECS agent would not restart an exited container in place, or None when it would.

    restartPolicy: enabled; no restart on an exit code in ignoredExitCodes; a restart only after the
    container ran restartAttemptPeriod seconds (300 by default), so that a crash loop stops the task.
    """
    if not policy or not policy.get("enabled"):
        return "it has no restartPolicy"
    if exit_code in policy.get("ignoredExitCodes", []):
        return f"its restartPolicy ignores exit code {exit_code}"
    period = policy.get("restartAttemptPeriod", DEFAULT_RESTART_ATTEMPT_PERIOD)
    if ran_seconds < period:
        return f"it ran {ran_seconds:.0f} s, less than its restartAttemptPeriod of {period} s"
    return None


def seconds_between(started: str, finished: str) -> float:
    """The seconds between two of Docker's RFC 3339 timestamps (nanoseconds, Z)."""
    return (docker_time(finished) - docker_time(started)).total_seconds()


def docker_time(stamp: str) -> datetime:
    whole, _, fraction = stamp.rstrip("Z").partition(".")
    return datetime.fromisoformat(f"{whole}.{(fraction or '0')[:6].ljust(6, '0')}+00:00")


def needed_for(one_off: str, name: str, task: dict[str, Any]) -> bool:
    """Whether container `name` is the one-off container or one that it (transitively) depends on."""
    by_name = {definition["name"]: definition for definition in task["containerDefinitions"]}
    needed, pending = set(), [one_off]
    while pending:
        current = pending.pop()
        if current not in needed:
            needed.add(current)
            pending.extend(dependency["containerName"] for dependency in by_name[current].get("dependsOn", []))
    return name in needed
