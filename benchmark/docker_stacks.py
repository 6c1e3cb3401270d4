"""Paths 3 and 4 of the benchmark: the Docker topologies' rows, and their start-up to the first 200.

Three stacks run side by side while the rounds measure: compose (docker-compose.yml as it ships) and
`ecs-task run-local` in bridge and in awsvpc mode (ecs/environments/local.toml), each on its own free port on
127.0.0.1. Each is measured twice: through its published port, by wrk on this machine, and from inside, by wrk
in a throwaway container (benchmark/wrk.Dockerfile, FROM the stand-in Debian) that joins nginx's network
namespace (`--network container:<nginx>`) and targets 127.0.0.1 there: the path an ALB takes, without the local
userland proxy. All load stays on loopback addresses. Nothing of the product's config changes.

Each row's CPU is read over its timed throughput run: nginx and gunicorn as their containers' cgroups, and the
Docker engine (shared by all three stacks) as its processes by name. awsvpc's pause container only holds the
network namespace (`sleep infinity`), so it is left out.
"""

import secrets
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from benchmark.cpu import ENGINE_PROCESSES, Component, ContainerCpu, ProcessesNamed
from benchmark.docker_engine import Engine
from benchmark.docker_figures import Startup
from benchmark.paths import ENGINE, RequestPath
from native.nginx_config import REPO
from native.processes import free_port

LOAD_IMAGE = "benchmark-wrk:local"
LOAD_DOCKERFILE = Path(__file__).with_name("wrk.Dockerfile")
LABEL = "myapp.benchmark"
# nginx's port inside every topology's network namespace (docker-compose.yml and the task definitions).
NGINX_PORT = 8080
TOPOLOGIES = ("compose", "run-local bridge", "run-local awsvpc")
# The rows, in order, for each topology: `healthz` and `page`, through the published port and from inside.
DOCKER_ROWS = tuple(
    f"{what}: {topology}, {vantage}"
    for topology in TOPOLOGIES
    for what in ("healthz", "page")
    for vantage in ("inside", "published port")
)


def topology_components(topology: str) -> dict[str, str]:
    """Role -> component name on a topology's rows: its two containers, and the engine all stacks share."""
    return {"nginx": f"nginx container ({topology})", "gunicorn": f"app container ({topology})", ENGINE: ENGINE}


def topology_paths(
    topology: str, runner: tuple[str, ...], inside: str, published: str, cpu: bool = True
) -> list[RequestPath]:
    """The four rows of one topology, in DOCKER_ROWS's order: CPU over the throughput run (unless the engine runs
    elsewhere, `cpu` False: then no component, and the CPU columns stay empty), no latency run."""
    paths = []
    for what, path in (("healthz", "/healthz"), ("page", "/")):
        group, components = f"docker {what}", topology_components(topology) if cpu else {}
        for vantage, base, through in (("inside", inside, runner), ("published port", published, ())):
            label = f"{what}: {topology}, {vantage}"
            paths.append(
                RequestPath(label, group, base + path, components, through, cpu_during_throughput=True, latency=False)
            )
    return paths


def first_200(url: str, since: float, timeout: float = 300) -> float:
    """Seconds from `since` (time.monotonic) to the first 200 from `url`, polled every 50 ms."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return time.monotonic() - since
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} gave no 200 within {timeout:g} s")


@dataclass
class DockerStacks:
    """The running stacks, the load containers, what they measured at start-up, and how to remove them all."""

    engine: Engine
    project: str
    port: int
    startups: list[Startup] = field(default_factory=list)
    paths: list[RequestPath] = field(default_factory=list)
    load_containers: list[str] = field(default_factory=list)
    tasks: list[Any] = field(default_factory=list)
    compose_env: dict[str, str] = field(default_factory=dict)
    # Component name -> what the rows' CPU is read from (benchmark/cpu.py).
    components: dict[str, Component] = field(default_factory=dict)
    # Why the rows have no CPU figures (the engine's processes are not on this machine), or empty.
    cpu_note: str = ""

    def compose(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        probe = self.engine.docker("compose", "version", check=False)
        command = ["docker", "compose"] if probe.returncode == 0 else ["docker-compose"]
        command += ["--project-name", self.project, *args]
        result = subprocess.run(  # noqa: S603
            command, cwd=REPO, env=self.compose_env, capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} exited with {result.returncode}:\n{result.stderr[-2000:]}")
        return result

    def compose_up(self, label: str, *build: str) -> None:
        """`build` (if given) then `up --detach`, timed together to the first 200 through nginx."""
        started = time.monotonic()
        if build:
            self.compose(*build)
        self.compose("up", "--detach")
        self.startups.append(Startup(label, first_200(f"http://127.0.0.1:{self.port}/healthz", started)))

    def container_pid(self, container: str) -> int:
        """The host's pid of the container's main process, through which its cgroup is found."""
        return int(self.engine.docker("inspect", "--format", "{{.State.Pid}}", container).stdout)

    def add_rows(self, topology: str, namespace: str, published: str, nginx: str, app: str) -> None:
        """The four rows of one topology and their containers' CPU components; `namespace` is the container
        whose network namespace nginx is in."""
        names = topology_components(topology)
        containers = (("nginx", nginx), ("gunicorn", app)) if self.cpu_note == "" else ()
        for role, container in containers:
            cpu = ContainerCpu(names[role], self.container_pid(container))
            cpu.usage_file()  # a cgroup it cannot read fails now, not after the rounds' first minutes
            self.components[cpu.name] = cpu
        name = f"{self.project}-load-{len(self.load_containers)}"
        self.engine.docker(
            "run",
            "--detach",
            "--rm",
            "--name",
            name,
            "--label",
            f"{LABEL}={self.project}",
            "--network",
            f"container:{namespace}",
            LOAD_IMAGE,
            "sleep",
            "infinity",
        )
        self.load_containers.append(name)
        runner = ("docker", "--host", self.engine.env["DOCKER_HOST"], "exec", name)
        inside = f"http://127.0.0.1:{NGINX_PORT}"
        self.paths += topology_paths(topology, runner, inside, published, cpu=self.cpu_note == "")

    def stop(self) -> None:
        """Removes every load container, task, and the compose project with its network and volumes."""
        for name in self.load_containers:
            self.engine.docker("rm", "--force", name, check=False)
        for task in self.tasks:
            task.stop()
        if self.compose_env:
            try:
                self.compose("down", "--volumes", "--remove-orphans", "--timeout", "30", timeout=300)
            except RuntimeError as error:
                print(f"benchmark: compose down failed: {error}")


def start_task(engine: Engine, mode: str, secret: str) -> tuple[Any, float]:
    """`ecs-task run-local --env local --mode <mode>` as its CLI starts it; the task and its start-up seconds."""
    import docker  # the ecs-local extra, which `make venv` installs

    from ecs.environments import load_environment
    from ecs.local.task import start_task as start
    from ecs.render import render_task_definition

    task = render_task_definition(load_environment("local"), mode, "ec2", "links")
    client = docker.DockerClient(base_url=engine.env["DOCKER_HOST"], timeout=300)
    started = time.monotonic()
    local = start(client, task, {"DJANGO_SECRET_KEY": secret, "DATABASE_URL": ""}, lambda _: None, free_port())
    return local, first_200(local.url + "/healthz", started)


def start_stacks(engine: Engine, progress: Callable[[str], None] = print) -> DockerStacks:
    """Builds the load image, measures the start-ups, and leaves the three stacks running with their rows."""
    stacks = DockerStacks(engine, f"benchmark{secrets.token_hex(3)}", free_port())
    engine_cpu = ProcessesNamed(ENGINE, ENGINE_PROCESSES)
    try:
        engine_cpu.cpu_reading()
        stacks.components[ENGINE] = engine_cpu
    except RuntimeError as error:  # an engine in a VM or on another host: its pids are not this machine's
        stacks.cpu_note = str(error)
        progress(f"docker: the Docker rows get throughput only: {error}")
    secret = secrets.token_urlsafe(50)
    stacks.compose_env = {
        **engine.env,
        **engine.base_images,
        "PORT": str(stacks.port),
        "DJANGO_SECRET_KEY": secret,
        "DOCKER_BUILDKIT": "0",
        "COMPOSE_DOCKER_CLI_BUILD": "0",
    }
    try:
        progress("docker: the load image, then compose cold (build --no-cache, up) and warm (up)")
        engine.docker(
            "build",
            "--quiet",
            "--tag",
            LOAD_IMAGE,
            "--file",
            str(LOAD_DOCKERFILE),
            "--build-arg",
            f"DEBIAN_IMAGE={engine.base_images.get('DEBIAN_IMAGE', 'standin/debian:bookworm')}",
            str(LOAD_DOCKERFILE.parent),
        )
        stacks.compose_up("compose up, cold", "build", "--no-cache")
        stacks.compose("down", "--volumes", "--timeout", "30")
        stacks.compose_up("compose up, warm")
        nginx, app = (stacks.compose("ps", "--quiet", service).stdout.split()[0] for service in ("nginx", "app"))
        stacks.add_rows("compose", nginx, f"http://127.0.0.1:{stacks.port}", nginx, app)
        for mode in ("bridge", "awsvpc"):
            progress(f"docker: run-local {mode}")
            local, seconds = start_task(engine, mode, secret)
            stacks.tasks.append(local)
            stacks.startups.append(Startup(f"run-local {mode}", seconds))
            namespace = local.pause if local.pause is not None else local.containers["nginx"]
            nginx, app = local.containers["nginx"].id, local.containers["app"].id
            stacks.add_rows(f"run-local {mode}", namespace.id, local.url, nginx, app)
    except BaseException:
        stacks.stop()
        raise
    return stacks
