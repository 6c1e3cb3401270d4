"""Starts a rendered task definition's containers on the local Docker engine with its network mode's semantics.

- bridge: the containers join Docker's default bridge (no DNS), `links` become Docker links (an /etc/hosts
  entry), and a dynamic host port (hostPort 0) is published on a free local port.
- awsvpc: a pause container owns one network namespace and publishes the task's ports; every task
  container joins it (`--network container:`), so `localhost` works exactly as in the task.
Also honoured: dependsOn (START, HEALTHY, COMPLETE, SUCCESS), healthCheck, user, readonlyRootFilesystem
with the task volumes, environment, memory, stopTimeout, initProcessEnabled, linuxParameters.capabilities,
ulimits and restartPolicy (restarts in place, as the agent does). Every container gets
ECS_CONTAINER_METADATA_URI_V4 (ecs/local/metadata.py), and a one-off replaces one container's command. Local
differences: logs go to Docker (not CloudWatch), roles are ignored, each secret is read from the environment
variable of the same name, and the published origin is added to DJANGO_CSRF_TRUSTED_ORIGINS.
"""

import os
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import docker
from docker.models.containers import Container
from docker.models.volumes import Volume

from ecs.check.model import environment_of
from ecs.local.containers import (
    RunLocalError,
    container_environment,
    docker_capabilities,
    docker_healthcheck,
    docker_ulimits,
    host_ports,
    needed_for,
    require_free_port,
    restart_refusal,
    seconds_between,
    start_order,
)
from ecs.local.metadata import MetadataServer, bridge_address, serve_metadata, task_metadata

LABEL = "myapp.ecs-run-local"
DEFAULT_STOP_TIMEOUT = 30


def last_lines(container: Container, count: int = 15) -> str:
    lines = container.logs(tail=count).decode(errors="replace").rstrip().splitlines()
    return "\n".join(f"    {line}" for line in lines)


@dataclass
class RunningTask:
    """A task started by `start_task`; `stop()` stops and removes everything it created."""

    client: docker.DockerClient
    task: dict[str, Any]
    run_id: str
    host_ports: dict[int, int] = field(default_factory=dict)
    containers: dict[str, Container] = field(default_factory=dict)
    pause: Container | None = None
    volumes: list[Volume] = field(default_factory=list)
    metadata: MetadataServer | None = None
    # The metadata endpoint's thread and this one share the Docker client: one request at a time.
    docker_lock: threading.Lock = field(default_factory=threading.Lock)
    # Polled while waiting on dependencies, so that Ctrl-C during start-up is not ignored.
    stop_requested: Callable[[], bool] = lambda: False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{next(iter(self.host_ports.values()))}"

    def definition(self, name: str) -> dict[str, Any]:
        return next(c for c in self.task["containerDefinitions"] if c["name"] == name)

    def describe(self, name: str | None) -> dict[str, Any]:
        """The v4 metadata of container `name`, or of the task when None, as Docker has them now."""
        attrs: dict[str, dict[str, Any] | None] = {}
        with self.docker_lock:
            for container_name, container in list(self.containers.items()):
                container.reload()
                attrs[container_name] = container.attrs
            task_address = None
            if self.pause is not None:
                self.pause.reload()
                task_address = bridge_address(self.pause.attrs)
        described = task_metadata(self.task, attrs, self.run_id, task_address)
        if name is None:
            return described
        return dict(next(container for container in described["Containers"] if container["Name"] == name))

    def exited_essential(self, progress: Callable[[str], None] = lambda _message: None) -> list[str]:
        """Essential containers that have stopped and stay stopped: ECS would stop the whole task. A stopped
        container that its restartPolicy lets restart is started again in place, as the ECS agent does."""
        exited = []
        for name, container in self.containers.items():
            with self.docker_lock:
                container.reload()
            if container.status != "exited":
                continue
            state = container.attrs["State"]
            ran = seconds_between(state["StartedAt"], state["FinishedAt"])
            refusal = restart_refusal(self.definition(name).get("restartPolicy"), state["ExitCode"], ran)
            if refusal is None:
                container.start()
                progress(f"run-local: {name} exited with {state['ExitCode']}; restarted in place (restartPolicy)")
            elif self.definition(name).get("essential", True):
                progress(f"run-local: {name} exited with {state['ExitCode']} and stays stopped: {refusal}")
                exited.append(name)
        return exited

    def stop(self) -> dict[str, int]:
        """Stops the containers one at a time, each within its stopTimeout, in the reverse of the order they
        started (dependsOn's): nginx first, draining its requests while the app still answers them, then the app,
        as ECS stops a task. Returns their exit codes."""
        if self.metadata is not None:
            self.metadata.stop()  # first: it reads the containers that are about to go
        codes = {}
        for name, container in reversed(self.containers.items()):
            timeout = self.definition(name).get("stopTimeout", DEFAULT_STOP_TIMEOUT)
            try:
                container.stop(timeout=timeout)
                codes[name] = int(container.wait(timeout=timeout + 10)["StatusCode"])
            except docker.errors.APIError:
                codes[name] = -1
        for container in [*self.containers.values(), *([self.pause] if self.pause else [])]:
            container.remove(force=True, v=True)
        for volume in self.volumes:
            volume.remove(force=True)
        return codes


def wait_for(task: RunningTask, dependency: dict[str, Any], timeout: float) -> None:
    """Blocks until a dependsOn condition holds, or raises with the dependency's last log lines."""
    name, condition = dependency["containerName"], dependency["condition"]
    container = task.containers[name]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if task.stop_requested():
            raise RunLocalError(f"interrupted while waiting for {name!r} to be {condition}")
        with task.docker_lock:
            container.reload()
        state = container.attrs["State"]
        if condition == "START" and state["Running"]:
            return
        if condition == "HEALTHY" and state.get("Health", {}).get("Status") == "healthy":
            return
        if state["Status"] == "exited":
            if condition == "COMPLETE" or (condition == "SUCCESS" and state["ExitCode"] == 0):
                return
            raise RunLocalError(
                f"container {name!r} exited with code {state['ExitCode']} before it was "
                f"{condition}:\n{last_lines(container)}"
            )
        time.sleep(0.5)
    raise RunLocalError(f"container {name!r} was not {condition} after {timeout:.0f}s:\n{last_lines(container)}")


def start_task(
    client: docker.DockerClient,
    task: dict[str, Any],
    secret_values: Mapping[str, str] | None = None,
    progress: Callable[[str], None] = print,
    port: int | None = None,
    stop_requested: Callable[[], bool] = lambda: False,
    one_off: tuple[str, list[str]] | None = None,
) -> RunningTask:
    """Starts every container of `task` in dependency order; on any failure, removes what it created.

    The task's port is published on 127.0.0.1: on `port` when given, else on the fixed hostPort, else (a
    dynamic hostPort 0) on a free port. Every container gets ECS_CONTAINER_METADATA_URI_V4.
    `one_off=(name, command)` runs that container with its command replaced, as `aws ecs run-task
    --overrides` does, after the containers it depends on; containers that wait for it never start (as on
    ECS, where they would wait for a health that a one-off command never reports).
    """
    secret_values = os.environ if secret_values is None else secret_values
    for definition in task["containerDefinitions"]:
        try:
            client.images.get(definition["image"])
        except docker.errors.ImageNotFound:
            raise RunLocalError(
                f"image {definition['image']!r} ({definition['name']}) is not on this Docker "
                "engine: build it first (`docker compose build` builds the local ones)."
            ) from None
    mode = task.get("networkMode", "bridge")
    if mode not in ("bridge", "awsvpc"):
        raise RunLocalError(f"run-local supports the bridge and awsvpc network modes, not {mode!r}")
    run = RunningTask(client, task, f"ecslocal-{task['family']}-{mode}-{secrets.token_hex(3)}")
    run.stop_requested = stop_requested
    labels = {LABEL: run.run_id}
    try:
        run.host_ports = host_ports(task, port)
        for local_port in run.host_ports.values():
            require_free_port(local_port)
        origin = f"http://127.0.0.1:{next(iter(run.host_ports.values()), 0)}"
        published = {f"{port}/tcp": ("127.0.0.1", host) for port, host in run.host_ports.items()}
        volume_names = {}
        for volume in task.get("volumes", []):
            created = client.volumes.create(name=f"{run.run_id}-{volume['name']}", labels=labels)
            run.volumes.append(created)
            volume_names[volume["name"]] = created.name
        if mode == "awsvpc":
            # The task's network namespace, as the ECS agent's pause container holds it behind the ENI.
            image = task["containerDefinitions"][0]["image"]
            run.pause = client.containers.create(
                image, ["sleep", "infinity"], name=f"{run.run_id}-pause", init=True, ports=published, labels=labels
            )
            run.pause.start()  # after the assignment, so that stop() removes it even when the start fails
        readers = [
            definition["name"]
            for definition in task["containerDefinitions"]
            if "NGINX_UPSTREAM_DISCOVERY" in environment_of(definition)
        ]
        run.metadata = serve_metadata(client, run.describe, readers)
        if run.metadata is None:
            progress("run-local: no task metadata endpoint here (no local Docker bridge): containers go without it")
        for definition in start_order(task):
            if one_off and not needed_for(one_off[0], definition["name"], task):
                progress(f"run-local: {definition['name']} does not start: it waits for the one-off {one_off[0]}")
                continue
            for dependency in definition.get("dependsOn", []):
                progress(
                    f"run-local: {definition['name']} waits for {dependency['containerName']} to be "
                    f"{dependency['condition']}"
                )
                wait_for(run, dependency, timeout=180)
            command = one_off[1] if one_off and one_off[0] == definition["name"] else None
            container = create_container(run, definition, published, volume_names, command, origin, secret_values)
            run.containers[definition["name"]] = container
            container.start()
            progress(f"run-local: started {definition['name']} ({definition['image']})")
        for name in run.containers:
            if "healthCheck" in run.definition(name) and not (one_off and one_off[0] == name):
                wait_for(run, {"containerName": name, "condition": "HEALTHY"}, timeout=180)
    except BaseException:
        run.stop()
        raise
    return run


def create_container(
    run: RunningTask,
    definition: dict[str, Any],
    published: dict[str, tuple[str, int]],
    volume_names: dict[str, str],
    command: list[str] | None,
    origin: str,
    secret_values: Mapping[str, str],
) -> Container:
    """One container of the task, created (not started) with the definition's settings and the mode's network."""
    networking: dict[str, Any] = (
        {"network_mode": f"container:{run.pause.id}"}
        if run.pause
        else {
            "network": "bridge",
            "links": {
                f"{run.run_id}-{link.split(':')[0]}": link.split(":")[-1] for link in definition.get("links", [])
            },
            "ports": {
                f"{m['containerPort']}/tcp": published[f"{m['containerPort']}/tcp"]
                for m in definition.get("portMappings", [])
            },
        }
    )
    environment = container_environment(definition, secret_values, origin)
    if run.metadata is not None:
        environment["ECS_CONTAINER_METADATA_URI_V4"] = run.metadata.uri_for(definition["name"])
    linux = definition.get("linuxParameters", {})
    container: Container = run.client.containers.create(
        definition["image"],
        command,
        name=f"{run.run_id}-{definition['name']}",
        environment=environment,
        user=definition.get("user"),
        read_only=definition.get("readonlyRootFilesystem", False),
        volumes={
            volume_names[m["sourceVolume"]]: {"bind": m["containerPath"], "mode": "ro" if m.get("readOnly") else "rw"}
            for m in definition.get("mountPoints", [])
        },
        mem_limit=f"{definition['memory']}m" if "memory" in definition else None,
        healthcheck=docker_healthcheck(definition["healthCheck"]) if "healthCheck" in definition else None,
        init=linux.get("initProcessEnabled", False),
        ulimits=docker_ulimits(definition),
        **docker_capabilities(definition),
        labels={LABEL: run.run_id},
        **networking,
    )
    return container
