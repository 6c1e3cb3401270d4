"""The Dockerfile's two images on their own: bad configuration stops them with a clear message; both builders work."""

import contextlib
import shutil
import subprocess
import time
from pathlib import Path

import docker
import pytest

from tests.support.docker import TEST_LABEL, ComposeProject, Engine
from tests.support.paths import REPO

pytestmark = pytest.mark.docker


def image_of(project: ComposeProject, service: str) -> str:
    return str(project.container(service).image.id)


NGINX_RUN = {"read_only": True, "tmpfs": {"/tmp": ""}, "extra_hosts": {"app": "127.0.0.1"}}


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"NGINX_UPSTREAM_RESOLVE": "sometimes"}, "NGINX_UPSTREAM_RESOLVE='sometimes' must be 'start'"),
        ({"NGINX_TRUSTED_PROXIES": "10.0.0.0/8 alb"}, "NGINX_TRUSTED_PROXIES entry 'alb' is not an IP"),
        ({"NGINX_STATIC_ROOT": ""}, "unset or empty; set them in the environment: ${NGINX_STATIC_ROOT}"),
    ],
)
def test_nginx_image_refuses_bad_configuration(
    compose_project: ComposeProject, environment: dict[str, str], message: str
) -> None:
    """The entrypoint checks stop the container (exit 1) and name the variable."""
    code, logs = compose_project.engine.run_to_exit(
        image_of(compose_project, "nginx"), environment=environment, **NGINX_RUN
    )
    assert code == 1
    assert message in logs


def test_nginx_image_without_writable_tmp_says_what_to_mount(compose_project: ComposeProject) -> None:
    """A read-only /tmp (no writable mount under a read-only root) is fatal, with the fix in the message."""
    code, logs = compose_project.engine.run_to_exit(
        image_of(compose_project, "nginx"), read_only=True, tmpfs={"/tmp": "ro"}
    )
    assert code == 1
    assert "/tmp must be writable: mount a tmpfs" in logs


def test_nginx_image_refuses_an_unknown_upstream_name(compose_project: ComposeProject) -> None:
    """Bridge mode without a link: nginx cannot resolve `app` and does not start (the classic failure)."""
    code, logs = compose_project.engine.run_to_exit(
        image_of(compose_project, "nginx"),
        read_only=True,
        tmpfs={"/tmp": ""},
        network_mode="bridge",
    )
    assert code == 1
    assert 'host not found in upstream "app:8000"' in logs


def test_nginx_watch_mode_waits_for_the_name_then_names_it(compose_project: ComposeProject) -> None:
    """`watch` (compose): nginx waits for the app's name to resolve, and stops with the variable named when it
    never does."""
    network = next(iter(compose_project.container("nginx").attrs["NetworkSettings"]["Networks"]))
    code, logs = compose_project.engine.run_to_exit(
        image_of(compose_project, "nginx"),
        read_only=True,
        tmpfs={"/tmp": ""},
        network=network,
        environment={
            "NGINX_UPSTREAM_RESOLVE": "watch",
            "NGINX_UPSTREAM_HOST": "never-started",
            "NGINX_UPSTREAM_WAIT_SECONDS": "2",
        },
    )
    assert code == 1
    assert "waiting for NGINX_UPSTREAM_HOST='never-started' to resolve" in logs
    assert "NGINX_UPSTREAM_HOST='never-started' did not resolve within 2s" in logs


def test_nginx_runtime_mode_starts_before_the_app_exists(compose_project: ComposeProject) -> None:
    """runtime resolution (compose): nginx starts while the app's name does not resolve, and answers 502."""
    network = next(iter(compose_project.container("nginx").attrs["NetworkSettings"]["Networks"]))
    nginx = compose_project.engine.client.containers.run(
        image_of(compose_project, "nginx"),
        detach=True,
        network=network,
        read_only=True,
        tmpfs={"/tmp": ""},
        environment={"NGINX_UPSTREAM_RESOLVE": "runtime", "NGINX_UPSTREAM_HOST": "not-started-yet"},
        labels={TEST_LABEL: "1"},
    )
    try:
        deadline = time.monotonic() + 30
        while nginx.exec_run(["curl", "-fsS", "http://127.0.0.1:8080/nginx-health"]).exit_code != 0:
            nginx.reload()
            assert nginx.status == "running", nginx.logs().decode()
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.5)
        page = nginx.exec_run(["curl", "-s", "-w", "%{http_code}", "http://127.0.0.1:8080/"]).output.decode()
        assert page.endswith("502")
        assert "Back in a moment" in page
    finally:
        nginx.remove(force=True, v=True)


def test_app_image_refuses_prod_without_secret_key(compose_project: ComposeProject) -> None:
    """gunicorn's master loads the settings first: a missing key stops it once, naming the variable."""
    code, logs = compose_project.engine.run_to_exit(
        image_of(compose_project, "app"),
        read_only=True,
        environment={"DJANGO_ENV": "prod", "DJANGO_ALLOWED_HOSTS": "example.com"},
    )
    assert code != 0
    assert "gunicorn: DJANGO_SECRET_KEY is not set, and the 'prod' environment needs it" in logs
    assert "Booting worker" not in logs
    assert "Traceback" not in logs


def buildkit_client(engine: Engine) -> list[str] | None:
    """A docker command that builds with BuildKit here: buildx if installed, else a 20.10 client's built-in."""
    if (
        subprocess.run(["docker", "buildx", "version"], env=engine.env, capture_output=True, check=False).returncode
        == 0
    ):
        return ["docker", "buildx", "build", "--load"]
    for client in (shutil.which("docker"), "/usr/bin/docker"):
        if client and Path(client).exists():
            version = subprocess.run(
                [client, "version", "--format", "{{.Client.Version}}"],
                env=engine.env,
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
            if version.startswith(("19.", "20.")):
                return [client, "build"]
    return None


@pytest.mark.parametrize("target", ["app", "nginx"])
def test_both_targets_build_with_buildkit(docker_engine: Engine, base_images: dict[str, str], target: str) -> None:
    """The Dockerfile needs nothing the classic builder lacks, and nothing BuildKit refuses."""
    command = buildkit_client(docker_engine)
    if command is None:
        pytest.skip("no BuildKit client here: install docker buildx, or Debian's docker.io (20.10)")
    args = [arg for name, value in base_images.items() for arg in ("--build-arg", f"{name}={value}")]
    tag = f"myapp-buildkit-test:{target}"
    result = subprocess.run(
        [*command, "--target", target, "--tag", tag, *args, "."],
        cwd=REPO,
        env={**docker_engine.env, "DOCKER_BUILDKIT": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    try:
        docker_engine.client.images.get(tag)
    finally:
        with contextlib.suppress(docker.errors.APIError):
            docker_engine.client.images.remove(tag)


def test_a_run_of_the_app_image_leaves_no_volume(compose_project: ComposeProject) -> None:
    """The app image declares VOLUMEs (/data, /tmp): a run the tests start and remove takes them along."""
    engine = compose_project.engine
    before = set(engine.anonymous_volumes)
    code, _ = engine.run_to_exit(image_of(compose_project, "app"), command=["python", "-c", "print('ok')"])
    assert code == 0
    created = engine.anonymous_volumes - before
    assert len(created) == 2, "control: the run got an anonymous volume for /data and one for /tmp"
    assert created.isdisjoint(volume.name for volume in engine.client.volumes.list())


def test_app_image_holds_the_django_project_and_nothing_else(compose_project: ComposeProject) -> None:
    """/app is manage.py, the tracked files of myapp/ (gunicorn config and health probe included) and the seed."""
    code, listing = compose_project.engine.run_to_exit(
        image_of(compose_project, "app"),
        command=["find", "/app", "-type", "f", "-not", "-path", "*/__pycache__/*"],
        read_only=True,
        tmpfs={"/tmp": "", "/data": ""},
    )
    assert code == 0, listing
    held = {line.removeprefix("/app/") for line in listing.split()}
    tracked = subprocess.run(
        ["git", "ls-files", "myapp"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    assert held == {"manage.py", "seed/db.sqlite3", *tracked}
    assert {"myapp/gunicorn.conf.py", "myapp/probe.py"} <= held


def test_app_venv_holds_the_requirements_and_nothing_else(compose_project: ComposeProject) -> None:
    """/opt/venv holds exactly the pinned runtime requirements: pip and setuptools were uninstalled after them."""
    code, listing = compose_project.engine.run_to_exit(
        image_of(compose_project, "app"),
        command=["python", "-c", "import importlib.metadata as m; print(*sorted(d.name for d in m.distributions()))"],
        read_only=True,
        tmpfs={"/tmp": "", "/data": ""},
    )
    assert code == 0, listing
    pinned = [line.split("==")[0] for line in (REPO / "requirements.txt").read_text().splitlines()]
    wanted = {name.lower().replace("_", "-") for name in pinned if name and not name.startswith("#")}
    installed = {name.lower().replace("_", "-") for name in listing.split()}
    assert installed == wanted, f"extra: {installed - wanted}, missing: {wanted - installed}"
