"""The docker tier: a Docker engine, base images, and the compose stack built from this repository.

Needs a Docker engine. When none is reachable and this is root with dockerd installed (`make test`
installs docker.io on Debian), a private engine is started with its own data root and socket, and
stopped at the end. Without either, the tier is skipped with the reason (and CI fails on skips).
"""

import os
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker
import pytest
import requests
from docker.models.containers import Container

from ecs.run_local import free_port
from myapp.runstack import REPO, stop_process

STANDIN_BUILD = REPO / "tests" / "docker" / "standin" / "build.sh"
OFFICIAL_IMAGES = {
    "PYTHON_IMAGE": "python:3.12-slim-bookworm",
    "NGINX_IMAGE": "nginxinc/nginx-unprivileged:1.30.4-trixie",
}


@dataclass
class Engine:
    client: docker.DockerClient
    env: dict[str, str]  # for the docker and compose command lines

    def compose_command(self) -> list[str]:
        """`docker compose` (v2) when the plugin exists, else docker-compose (v1, Debian's package)."""
        probe = subprocess.run(["docker", "compose", "version"], env=self.env, capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
        if shutil.which("docker-compose"):
            return ["docker-compose"]
        pytest.skip("the docker tier needs Docker Compose: apt-get install docker-compose (or the compose plugin)")


def connect(base_url: str) -> docker.DockerClient | None:
    try:
        client = docker.DockerClient(base_url=base_url, timeout=300)
        client.ping()
    except docker.errors.DockerException:
        return None
    return client


def start_private_engine(root: Path) -> subprocess.Popen[bytes]:
    dockerd = shutil.which("dockerd") or ("/usr/sbin/dockerd" if Path("/usr/sbin/dockerd").exists() else None)
    if dockerd is None or os.getuid() != 0:
        pytest.skip(
            "the docker tier needs a Docker engine: none is reachable, and starting one needs root and "
            "dockerd (apt-get install docker.io docker-compose; `make test` does it as root on Debian)"
        )
    root.mkdir(parents=True, exist_ok=True)
    log = (root / "dockerd.log").open("wb")
    return subprocess.Popen(
        [
            dockerd,
            "--data-root",
            str(root / "data"),
            "--exec-root",
            str(root / "exec"),
            "--pidfile",
            str(root / "dockerd.pid"),
            "--host",
            f"unix://{root / 'docker.sock'}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        process_group=0,
    )


@pytest.fixture(scope="session")
def docker_engine() -> Iterator[Engine]:
    """A reachable engine, or a private one started (and stopped) here."""
    base_url = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    client = connect(base_url)
    if client is not None:
        yield Engine(client, {**os.environ, "DOCKER_HOST": base_url})
        return
    root = REPO / ".run" / "docker"
    dockerd = start_private_engine(root)
    base_url = f"unix://{root / 'docker.sock'}"
    try:
        deadline = time.monotonic() + 60
        while (client := connect(base_url)) is None:
            if dockerd.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dockerd did not start; see {root / 'dockerd.log'}")
            time.sleep(0.5)
        yield Engine(client, {**os.environ, "DOCKER_HOST": base_url})
    finally:
        stop_process(dockerd, signal.SIGTERM, timeout=60)


@pytest.fixture(scope="session")
def base_images(docker_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The official base images when the engine has them, else stand-ins built from Debian packages."""
    try:
        for image in OFFICIAL_IMAGES.values():
            docker_engine.client.images.get(image)
        return {**OFFICIAL_IMAGES, "EXTRA_CA_CERTS": ""}
    except docker.errors.ImageNotFound:
        pass
    env_file = tmp_path_factory.mktemp("base-images") / "env"
    subprocess.run(
        ["bash", str(STANDIN_BUILD)], env={**docker_engine.env, "ENV_FILE": str(env_file)}, check=True, timeout=900
    )
    values = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    return {name: values[name] for name in ("PYTHON_IMAGE", "NGINX_IMAGE", "EXTRA_CA_CERTS")}


@dataclass
class ComposeProject:
    engine: Engine
    name: str
    env: dict[str, str]
    command: list[str] = field(default_factory=list)
    # Container states captured right after `up`, before Docker rotates the health-check log (5 entries).
    startup: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.env['PORT']}"

    def compose(self, *args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.command, "--project-name", self.name, *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=check,
        )

    def container(self, service: str) -> Container:
        found = self.engine.client.containers.list(
            all=True,
            filters={"label": [f"com.docker.compose.project={self.name}", f"com.docker.compose.service={service}"]},
        )
        assert len(found) == 1, f"expected one {service} container, found {len(found)}"
        container: Container = found[0]
        container.reload()
        return container

    def logs(self, service: str) -> str:
        return str(self.container(service).logs().decode(errors="replace"))

    def get(self, path: str, **kwargs: object) -> requests.Response:
        return requests.get(self.url + path, timeout=10, allow_redirects=False, **kwargs)  # type: ignore[arg-type]


def wait_until_healthy(project: ComposeProject, services: tuple[str, ...], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = {service: project.container(service).attrs["State"] for service in services}
        if all(state.get("Health", {}).get("Status") == "healthy" for state in states.values()):
            return
        if any(state["Status"] == "exited" for state in states.values()):
            break
        time.sleep(0.5)
    logs = "\n".join(project.logs(service)[-3000:] for service in services)
    pytest.fail(f"services {services} did not become healthy:\n{logs}")


@pytest.fixture(scope="session")
def compose_project(docker_engine: Engine, base_images: dict[str, str]) -> Iterator[ComposeProject]:
    """`docker compose up --build` of this repository, as a user runs it, on a free port."""
    project = ComposeProject(
        engine=docker_engine,
        name=f"myapptest{os.getpid()}",
        env={
            **docker_engine.env,
            **base_images,
            "PORT": str(free_port()),
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DOCKER_BUILDKIT": "0",
            "COMPOSE_DOCKER_CLI_BUILD": "0",
        },
        command=docker_engine.compose_command(),
    )
    try:
        started = time.monotonic()
        project.compose("up", "--detach", "--build")
        app_state = project.container("app").attrs["State"]
        project.startup = {
            "app_started": app_state["StartedAt"],
            "app_health": app_state["Health"]["Log"],
            "nginx_started": project.container("nginx").attrs["State"]["StartedAt"],
        }
        wait_until_healthy(project, ("app", "nginx"))
        project.env["UP_SECONDS"] = f"{time.monotonic() - started:.1f}"
        yield project
    finally:
        project.compose("down", "--volumes", "--remove-orphans", "--rmi", "local", "--timeout", "30", check=False)
