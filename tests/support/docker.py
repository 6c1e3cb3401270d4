"""A Docker engine and the compose project as the docker tier drives them."""

import io
import os
import shutil
import subprocess
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker
import pytest
import requests
from docker.models.containers import Container
from docker.models.volumes import Volume

from benchmark.docker_engine import OFFICIAL_IMAGES as BASE_IMAGES
from benchmark.docker_engine import dockerd_command
from ecs.local.task import LABEL as RUN_LOCAL_LABEL
from tests.support.paths import REPO

# Every container a docker test starts itself carries this label.
TEST_LABEL = "myapp.test"
BASE_IMAGES_BUILD = REPO / "base-images" / "build.sh"
# The settings module that adds the test-only /slow view (tests/support/slow_app/).
SLOW_APP_SETTINGS = "tests.support.slow_app.settings"


# The app's two bases, as the benchmark also uses them, and the server of docker-compose.postgres.yml.
OFFICIAL_IMAGES = {**BASE_IMAGES, "POSTGRES_IMAGE": "postgres:17-bookworm"}


@dataclass
class Engine:
    client: docker.DockerClient
    env: dict[str, str]  # for the docker and compose command lines
    # What the tests create, to find leftovers among whatever else the engine runs.
    compose_projects: set[str] = field(default_factory=set)
    anonymous_volumes: set[str] = field(default_factory=set)
    # Every secret value the tests gave compose (name, value): no image may hold one.
    compose_secrets: list[tuple[str, str]] = field(default_factory=list)

    def compose_command(self) -> list[str]:
        """`docker compose` (v2) when the plugin exists, else docker-compose (v1, Debian's package)."""
        probe = subprocess.run(["docker", "compose", "version"], env=self.env, capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
        if shutil.which("docker-compose"):
            return ["docker-compose"]
        pytest.skip("the docker tier needs Docker Compose: apt-get install docker-compose (or the compose plugin)")

    def ours(self) -> set[str]:
        """The containers and volumes the tests created and have not removed: labelled by a test, by run-local
        or by a test's compose project, and the anonymous volumes of the containers the tests ran."""
        projects = [f"com.docker.compose.project={name}" for name in self.compose_projects]
        containers = {
            f"container {container.name}"
            for label in (TEST_LABEL, RUN_LOCAL_LABEL, *projects)
            for container in self.client.containers.list(all=True, filters={"label": label})
        }
        volumes = {volume.name for label in (RUN_LOCAL_LABEL, *projects) for volume in self.volumes(label)}
        volumes |= self.anonymous_volumes & {volume.name for volume in self.client.volumes.list()}
        return containers | {f"volume {name}" for name in volumes}

    def volumes(self, label: str) -> list[Volume]:
        found: list[Volume] = self.client.volumes.list(filters={"label": label})
        return found

    def run_to_exit(self, image: str, **kwargs: Any) -> tuple[int, str]:
        """Runs a container until it exits (at most 60 s), removes it with its anonymous volumes, and returns
        its exit code and output."""
        container = self.client.containers.run(image, detach=True, labels={TEST_LABEL: "1"}, **kwargs)
        try:
            code = container.wait(timeout=60)["StatusCode"]
            return int(code), container.logs().decode(errors="replace")
        finally:
            container.reload()
            self.anonymous_volumes |= {m["Name"] for m in container.attrs["Mounts"] if m["Type"] == "volume"}
            container.remove(force=True, v=True)


def build_slow_app_image(engine: Engine, app_image: str, tag: str) -> None:
    """`app_image` plus the test-only slow_app package at /app/tests/support/slow_app, tagged `tag`. Only the
    graceful-stop tests run it (with DJANGO_SETTINGS_MODULE=SLOW_APP_SETTINGS): the product image never holds
    the /slow view."""
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as archive:
        dockerfile = f"FROM {app_image}\nCOPY tests /app/tests\n".encode()
        entry = tarfile.TarInfo("Dockerfile")
        entry.size = len(dockerfile)
        archive.addfile(entry, io.BytesIO(dockerfile))
        slow_app = REPO / "tests" / "support" / "slow_app"
        for path in (
            REPO / "tests" / "__init__.py",
            REPO / "tests" / "support" / "__init__.py",
            *sorted(slow_app.glob("*.py")),
        ):
            archive.add(path, arcname=str(path.relative_to(REPO)))
    context.seek(0)
    engine.client.images.build(fileobj=context, custom_context=True, tag=tag, rm=True, forcerm=True)


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
        dockerd_command(dockerd, root),
        stdout=log,
        stderr=subprocess.STDOUT,
        process_group=0,
    )


@dataclass
class ComposeProject:
    engine: Engine
    name: str
    env: dict[str, str]
    command: list[str] = field(default_factory=list)
    # The compose files, as `-f` options; none means docker-compose.yml alone.
    files: tuple[str, ...] = ()
    # Container states captured right after `up`, before Docker rotates the health-check log (5 entries).
    startup: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.env['PORT']}"

    def compose(self, *args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                *self.command,
                *(option for name in self.files for option in ("--file", name)),
                "--project-name",
                self.name,
                *args,
            ],
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


# How a container without privileges runs: every capability dropped, none added, no-new-privileges, and so an
# empty bounding and effective set for its PID 1 (/proc/1/status).
UNPRIVILEGED = {
    "CapDrop": ["ALL"],
    "CapAdd": [],
    "SecurityOpt": ["no-new-privileges:true"],
    "CapBnd": "0000000000000000",
    "CapEff": "0000000000000000",
    "NoNewPrivs": "1",
}


def privileges(container: Container) -> dict[str, Any]:
    """A running container's privileges, as `docker inspect` records them and as its PID 1 holds them."""
    host = container.attrs["HostConfig"]
    status = container.exec_run(["cat", "/proc/1/status"])
    assert status.exit_code == 0, status.output
    fields = dict(line.split(":", 1) for line in status.output.decode().splitlines() if ":" in line)
    return {
        "CapDrop": host.get("CapDrop") or [],
        "CapAdd": host.get("CapAdd") or [],
        "SecurityOpt": host.get("SecurityOpt") or [],
        **{name: fields[name].strip() for name in ("CapBnd", "CapEff", "NoNewPrivs")},
    }


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
