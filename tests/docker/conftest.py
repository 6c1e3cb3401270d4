"""The docker tier: a Docker engine, base images, and the compose stack built from this repository.

Needs a Docker engine. When none is reachable and this is root with dockerd installed (`make test`
installs docker.io on Debian), a private engine is started with its own data root and socket, and
stopped at the end. Without either, the tier is skipped with the reason (and CI fails on skips).
"""

import os
import secrets
import signal
import subprocess
import time
from collections.abc import Iterator

import docker
import pytest
import yaml

from native.processes import stop_process
from tests.support.docker import (
    BASE_IMAGES_BUILD,
    OFFICIAL_IMAGES,
    SLOW_APP_SETTINGS,
    ComposeProject,
    Engine,
    build_slow_app_image,
    connect,
    start_private_engine,
    wait_until_healthy,
)
from tests.support.paths import REPO
from tests.support.ports import free_port


@pytest.fixture(scope="session")
def docker_engine() -> Iterator[Engine]:
    """A reachable engine, or a private one started (and stopped) here.

    At the end, every container and volume the tier created must be gone: a leftover fails the run. Only what
    the tests created counts (Engine.ours), so other users of the same engine do not fail it.
    """
    base_url = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    client = connect(base_url)
    dockerd = None
    if client is None:
        root = REPO / ".run" / "docker"
        dockerd = start_private_engine(root)
        base_url = f"unix://{root / 'docker.sock'}"
        deadline = time.monotonic() + 60
        while (client := connect(base_url)) is None:
            if dockerd.poll() is not None or time.monotonic() > deadline:
                stop_process(dockerd, signal.SIGTERM, timeout=60)
                pytest.fail(f"dockerd did not start; see {root / 'dockerd.log'}")
            time.sleep(0.5)
    engine = Engine(client, {**os.environ, "DOCKER_HOST": base_url})
    before = engine.ours()
    try:
        yield engine
        leftovers = sorted(engine.ours() - before)
        assert not leftovers, f"the docker tier left these behind: {', '.join(leftovers)}"
    finally:
        if dockerd is not None:
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
        ["bash", str(BASE_IMAGES_BUILD)], env={**docker_engine.env, "ENV_FILE": str(env_file)}, check=True, timeout=900
    )
    values = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    return {name: values[name] for name in ("PYTHON_IMAGE", "NGINX_IMAGE", "POSTGRES_IMAGE", "EXTRA_CA_CERTS")}


def compose_environment(docker_engine: Engine, base_images: dict[str, str]) -> dict[str, str]:
    """What a user's .env gives compose, fresh for a test project: the base images, a free port, a key and a
    database password (as `make .env` writes them). The secrets are recorded: no image may hold them."""
    given = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "POSTGRES_PASSWORD": secrets.token_urlsafe(24)}
    docker_engine.compose_secrets.extend(given.items())
    return {
        **docker_engine.env,
        **base_images,
        **given,
        "PORT": str(free_port()),
        "DOCKER_BUILDKIT": "0",
        "COMPOSE_DOCKER_CLI_BUILD": "0",
    }


@pytest.fixture(scope="session")
def compose_project(docker_engine: Engine, base_images: dict[str, str]) -> Iterator[ComposeProject]:
    """`docker compose up --build` of this repository, as a user runs it, on a free port."""
    project = ComposeProject(
        engine=docker_engine,
        name=f"myapptest{os.getpid()}",
        env=compose_environment(docker_engine, base_images),
        command=docker_engine.compose_command(),
    )
    docker_engine.compose_projects.add(project.name)
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


@pytest.fixture(scope="module")
def compose_postgres_project(docker_engine: Engine, base_images: dict[str, str]) -> Iterator[ComposeProject]:
    """`docker compose -f docker-compose.yml -f docker-compose.postgres.yml up --build`: the stack on PostgreSQL,
    with POSTGRES_PASSWORD as `make .env` writes it. Not migrated: that is the user's one-off. Removed with its
    volumes at the end."""
    project = ComposeProject(
        engine=docker_engine,
        name=f"myapppostgres{os.getpid()}",
        env=compose_environment(docker_engine, base_images),
        command=docker_engine.compose_command(),
        files=("docker-compose.yml", "docker-compose.postgres.yml"),
    )
    docker_engine.compose_projects.add(project.name)
    try:
        project.compose("up", "--detach", "--build")
        wait_until_healthy(project, ("db", "app", "nginx"))
        yield project
    finally:
        project.compose("down", "--volumes", "--remove-orphans", "--timeout", "30", check=False)


@pytest.fixture(scope="session")
def slow_app_image(compose_project: ComposeProject) -> Iterator[str]:
    """The app image as compose built it, plus the test-only /slow view; removed at the end."""
    tag = f"myapp-app-slow:test{os.getpid()}"
    build_slow_app_image(compose_project.engine, compose_project.container("app").image.id, tag)
    try:
        yield tag
    finally:
        compose_project.engine.client.images.remove(tag, force=True)


@pytest.fixture(scope="module")
def compose_slow_project(
    docker_engine: Engine, base_images: dict[str, str], slow_app_image: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ComposeProject]:
    """The compose stack with the app on the slow image and its settings, by a second `-f` file as a user adds
    one; the images compose built, no build. Removed with its volumes at the end."""
    override = tmp_path_factory.mktemp("compose-slow") / "docker-compose.slow.yml"
    app = {"image": slow_app_image, "environment": {"DJANGO_SETTINGS_MODULE": SLOW_APP_SETTINGS}}
    override.write_text(yaml.safe_dump({"services": {"app": app}}))
    project = ComposeProject(
        engine=docker_engine,
        name=f"myappslow{os.getpid()}",
        env=compose_environment(docker_engine, base_images),
        command=docker_engine.compose_command(),
        files=("docker-compose.yml", str(override)),
    )
    docker_engine.compose_projects.add(project.name)
    try:
        project.compose("up", "--detach", "--no-build")
        wait_until_healthy(project, ("app", "nginx"))
        yield project
    finally:
        project.compose("down", "--volumes", "--remove-orphans", "--timeout", "30", check=False)
