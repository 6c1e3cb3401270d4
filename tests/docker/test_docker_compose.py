"""`docker compose up --build` on a real engine: what a developer sees, and how the containers are run."""

import json
import re
import socket
import tarfile
import time
from datetime import datetime, timedelta
from http import HTTPStatus
from io import BytesIO
from pathlib import Path

import pytest
from docker.models.containers import Container

from tests.support.docker import TEST_LABEL, UNPRIVILEGED, ComposeProject, privileges, wait_until_healthy
from tests.support.gixy import gixy_findings
from tests.support.logs import wait_for_logged
from tests.support.paths import REPO
from tests.support.site import HASHED_ADMIN_CSS, HASHED_CSS, immutable_asset, sign_guestbook

pytestmark = pytest.mark.docker


# How long every answer must have been 200 before nginx counts as recovered after the app moved. A reload
# starts new workers and lets the old ones finish, so one 200 does not mean that every worker moved on.
STABLE_SECONDS = 5
# The open files each nginx worker asks for (`worker_rlimit_nofile`).
WORKER_RLIMIT_NOFILE = int(
    re.findall(r"^worker_rlimit_nofile (\d+);", (REPO / "nginx/templates/nginx.conf.template").read_text(), re.M)[0]
)
# What nginx logs when the container's limit is below that: the worker cannot raise its own, or it would run short.
OPEN_FILES_ALERT = re.compile(r"setrlimit\(RLIMIT_NOFILE|worker_connections exceed open file resource limit")


def read_file(container: Container, path: str) -> bytes:
    """A file from a container, through the engine's archive API (no shell needed in the image)."""
    stream, _ = container.get_archive(path)
    with tarfile.open(fileobj=BytesIO(b"".join(stream))) as archive:
        member = archive.extractfile(Path(path).name)
        assert member is not None
        return member.read()


def network_ip(container: Container) -> str:
    networks = container.attrs["NetworkSettings"]["Networks"]
    assert len(networks) == 1
    return str(next(iter(networks.values()))["IPAddress"])


def test_home_page_and_css_come_through_nginx(compose_project: ComposeProject) -> None:
    """The page comes from the app through nginx; the CSS from nginx alone, with immutable caching."""
    page = compose_project.get("/")
    assert page.status_code == HTTPStatus.OK
    css = immutable_asset(compose_project.url, page.text, HASHED_CSS)
    time.sleep(0.5)
    app_log = compose_project.logs("app")
    assert page.headers["X-Request-ID"] in app_log, "positive control: the page request reached the app"
    assert css.headers["X-Request-ID"] not in app_log
    nginx_log = wait_for_logged(lambda: compose_project.logs("nginx"), css.headers["X-Request-ID"])
    nginx_line = next(json.loads(line) for line in nginx_log.splitlines() if css.headers["X-Request-ID"] in line)
    assert nginx_line["upstream"] == ""


def test_fresh_volume_is_ready_without_a_migrate_step(compose_project: ComposeProject) -> None:
    """The app seeded its empty data volume from the image's migrated database: /readyz is ready."""
    ready = compose_project.get("/readyz", headers={"Host": "10.0.0.5"})
    assert ready.status_code == HTTPStatus.OK
    assert ready.json() == {"status": "ready"}
    assert "from the migrated seed database" in compose_project.logs("app")


def test_form_post_through_the_proxy(compose_project: ComposeProject) -> None:
    """A browser-like POST passes CSRF through nginx and the entry is stored in the app's volume."""
    sign_guestbook(compose_project.url, origin=f"http://127.0.0.1:{compose_project.env['PORT']}", name="compose")


def test_admin_static_assets_load(compose_project: ComposeProject) -> None:
    """The admin login page and its CSS load through nginx."""
    login = compose_project.get("/admin/login/")
    assert login.status_code == HTTPStatus.OK
    immutable_asset(compose_project.url, login.text, HASHED_ADMIN_CSS)


def docker_time(stamp: str) -> datetime:
    """A Docker timestamp (RFC 3339, nanoseconds, Z or an offset) as an aware datetime."""
    match = re.fullmatch(r"([\d-]+T[\d:]+)(?:\.(\d+))?(Z|[+-][\d:]+)", stamp)
    assert match, stamp
    fraction = (match.group(2) or "0")[:6].ljust(6, "0")
    zone = "+00:00" if match.group(3) == "Z" else match.group(3)
    return datetime.fromisoformat(f"{match.group(1)}.{fraction}{zone}")


def test_nginx_started_only_after_the_app_was_healthy(compose_project: ComposeProject) -> None:
    """depends_on service_healthy: nginx started after the app's first passing health check (seen at `up`)."""
    passed = [docker_time(entry["End"]) for entry in compose_project.startup["app_health"] if entry["ExitCode"] == 0]
    assert passed, "the app had no passing health check when `up` returned"
    nginx_started = docker_time(compose_project.startup["nginx_started"])
    assert min(passed) < nginx_started
    # Control: without the gate, nginx would have started before the app's first check could run.
    assert nginx_started - docker_time(compose_project.startup["app_started"]) >= timedelta(seconds=2)


@pytest.mark.parametrize(("service", "uid"), [("app", "10001"), ("nginx", "101")])
def test_containers_run_as_non_root_on_a_read_only_root(
    compose_project: ComposeProject, service: str, uid: str
) -> None:
    """Both run as their unprivileged uid, and their root filesystem refuses writes."""
    container = compose_project.container(service)
    assert container.attrs["HostConfig"]["ReadonlyRootfs"] is True
    assert container.exec_run(["id", "-u"]).output.decode().strip() == uid
    write = container.exec_run(["sh", "-c", "echo x > /etc/probe"])
    assert write.exit_code != 0
    assert "Read-only file system" in write.output.decode()


@pytest.mark.parametrize("service", ["app", "nginx"])
def test_containers_hold_no_capability_and_cannot_gain_one(compose_project: ComposeProject, service: str) -> None:
    """cap_drop ALL, no cap_add and no-new-privileges, as Docker records them and as PID 1 holds them."""
    assert privileges(compose_project.container(service)) == UNPRIVILEGED


def open_files_limit(container: Container) -> list[str]:
    """The soft and hard `Max open files` of the container's PID 1 (nginx's master)."""
    limits = container.exec_run(["cat", "/proc/1/limits"]).output.decode()
    return next(line.split()[3:5] for line in limits.splitlines() if line.startswith("Max open files"))


def test_nginx_may_open_the_files_its_workers_ask_for(compose_project: ComposeProject) -> None:
    """compose's nofile ulimit reaches nginx, soft and hard, at worker_rlimit_nofile; its workers started without
    an open-files alert."""
    nginx = compose_project.container("nginx")
    wanted = WORKER_RLIMIT_NOFILE
    assert nginx.attrs["HostConfig"]["Ulimits"] == [{"Name": "nofile", "Soft": wanted, "Hard": wanted}]
    assert open_files_limit(nginx) == [str(wanted), str(wanted)]
    log = compose_project.logs("nginx")
    assert "start worker process" in log
    assert not OPEN_FILES_ALERT.findall(log)


def test_the_open_files_alert_shows_under_a_lower_limit(compose_project: ComposeProject) -> None:
    """Control for the test above: under a hard limit of 1024, nginx's workers log the alert it looks for."""
    nginx = compose_project.engine.client.containers.run(
        compose_project.container("nginx").image.id,
        detach=True,
        read_only=True,
        tmpfs={"/tmp": ""},
        cap_drop=["ALL"],
        ulimits=[{"name": "nofile", "soft": 1024, "hard": 1024}],
        environment={"NGINX_UPSTREAM_RESOLVE": "runtime", "NGINX_UPSTREAM_HOST": "app"},
        labels={TEST_LABEL: "1"},
    )
    try:
        deadline = time.monotonic() + 30
        while not OPEN_FILES_ALERT.findall(log := nginx.logs().decode()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert f"setrlimit(RLIMIT_NOFILE, {WORKER_RLIMIT_NOFILE}) failed" in log
    finally:
        nginx.remove(force=True, v=True)


def test_the_slow_view_is_not_in_the_product(compose_project: ComposeProject) -> None:
    """The graceful-stop tests' /slow (tests/support/slow_app/) is not routable in the product image: 404."""
    assert compose_project.get("/slow").status_code == HTTPStatus.NOT_FOUND


def test_whoami_shows_the_compose_network_path(compose_project: ComposeProject) -> None:
    """The request arrives from nginx's address on the compose network, at the app's own address."""
    details = compose_project.get("/whoami?format=json").json()
    assert details["network_mode"] == "compose"
    assert details["proxy_address"] == network_ip(compose_project.container("nginx"))
    assert details["app_address"] == f"{network_ip(compose_project.container('app'))}:8000"


def test_both_images_hold_the_same_static_files(compose_project: ComposeProject) -> None:
    """Both images hold the files of the one `static` stage (one manifest)."""
    manifest = "/srv/static/staticfiles.json"
    app_manifest = read_file(compose_project.container("app"), manifest)
    assert json.loads(app_manifest)["paths"]
    assert read_file(compose_project.container("nginx"), manifest) == app_manifest


def test_config_rendered_in_the_image_passes_gixy(compose_project: ComposeProject, tmp_path: Path) -> None:
    """The config the nginx image rendered at start (real names, real resolvers) is clean for gixy-ng."""
    nginx = compose_project.container("nginx")

    def run(*command: str) -> str:  # /tmp is a tmpfs, which the archive API cannot read
        result = nginx.exec_run(list(command))
        assert result.exit_code == 0, result.output
        return str(result.output.decode())

    def rendered(path: str) -> str:
        """A rendered file, its /tmp paths moved to where gixy reads the copies."""
        return run("cat", path).replace("/tmp/", f"{tmp_path}/")

    (tmp_path / "conf.d").mkdir()
    (tmp_path / "nginx.conf").write_text(rendered("/tmp/nginx.conf"))
    for name in run("ls", "/tmp/conf.d").split():
        (tmp_path / "conf.d" / name).write_text(rendered(f"/tmp/conf.d/{name}"))
    assert f"include {tmp_path}/conf.d/upstream-watch.inc;" in rendered("/tmp/conf.d/app.conf")
    assert f"include {tmp_path}/conf.d/upstream-start.inc;" in (tmp_path / "conf.d" / "upstream-watch.inc").read_text()
    servers = (tmp_path / "conf.d" / "upstream-servers.inc").read_text()
    assert servers == f"server {network_ip(compose_project.container('app'))}:8000;\n"
    assert (
        f"include {tmp_path}/conf.d/upstream-servers.inc;" in (tmp_path / "conf.d" / "upstream-start.inc").read_text()
    )
    assert gixy_findings(tmp_path / "nginx.conf") == []


def seconds_until_only_ok(project: ComposeProject, path: str, timeout: float = 60) -> float:
    """Seconds from now until `path` stopped failing: the time of the last non-200 answer, once every answer has
    been 200 for STABLE_SECONDS."""
    started = time.monotonic()
    last_failure = started
    while time.monotonic() - started < timeout:
        if project.get(path).status_code != HTTPStatus.OK:
            last_failure = time.monotonic()
        elif time.monotonic() - last_failure > STABLE_SECONDS:
            return last_failure - started
        time.sleep(0.1)
    raise AssertionError(f"{path} still failed {timeout:.0f}s after the app was recreated")


def test_recreated_app_with_a_new_ip_is_found_again(compose_project: ComposeProject) -> None:
    """`up --force-recreate app` with the old IP taken by another container: nginx follows within seconds."""
    old_app_ip = network_ip(compose_project.container("app"))
    network = next(iter(compose_project.container("app").attrs["NetworkSettings"]["Networks"]))
    compose_project.compose("stop", "app")
    # Hold the old address, so the new container must get another one.
    squatter = compose_project.engine.client.containers.run(
        compose_project.env["PYTHON_IMAGE"],
        ["sleep", "300"],
        detach=True,
        network=network,
        labels={TEST_LABEL: "squatter"},
    )
    try:
        compose_project.compose("up", "--detach", "--force-recreate", "--no-deps", "app")
        recovery = seconds_until_only_ok(compose_project, "/")
        new_app_ip = network_ip(compose_project.container("app"))
        assert new_app_ip != old_app_ip
        assert compose_project.get("/whoami?format=json").json()["app_address"] == f"{new_app_ip}:8000"
        assert recovery < 15, f"nginx answered 502 for {recovery:.1f}s after the app was recreated"
        print(f"recreate-app recovery: {recovery:.1f}s")
        assert f"app moved from [ {old_app_ip} ] to [ {new_app_ip} ]: reloading nginx" in compose_project.logs("nginx")
    finally:
        squatter.remove(force=True, v=True)
        wait_until_healthy(compose_project, ("app", "nginx"))


def established_from(container: Container, peer: str, port: int) -> int:
    """How many TCP connections from `peer` to `port` are established in `container`'s network namespace."""
    table = container.exec_run(["cat", "/proc/net/tcp"]).output.decode().splitlines()[1:]
    local_suffix, peer_hex = f":{port:04X}", socket.inet_aton(peer)[::-1].hex().upper()
    established = "01"
    return sum(
        1
        for fields in (line.split() for line in table)
        if fields[1].endswith(local_suffix) and fields[2].startswith(peer_hex) and fields[3] == established
    )


def test_nginx_keeps_its_connections_to_the_app_alive(compose_project: ComposeProject) -> None:
    """`watch`: after the answers came back, nginx's connections to gunicorn stay open for the next requests.

    Without an upstream keep-alive pool (`runtime`), nginx closes each connection to gunicorn after its answer."""
    app, nginx = compose_project.container("app"), compose_project.container("nginx")
    for _ in range(8):
        assert compose_project.get("/healthz").status_code == HTTPStatus.OK
    assert established_from(app, network_ip(nginx), 8000) >= 1


def test_graceful_stop(compose_project: ComposeProject) -> None:
    """`compose stop`: gunicorn drains on SIGTERM and nginx quits on SIGQUIT, both with exit code 0.

    Runs last in this module: it stops the stack.
    """
    compose_project.compose("stop", "--timeout", "30")
    app, nginx = compose_project.container("app"), compose_project.container("nginx")
    assert app.attrs["State"]["ExitCode"] == 0
    assert nginx.attrs["State"]["ExitCode"] == 0
    assert "Shutting down: Master" in compose_project.logs("app")
    assert "gracefully shutting down" in compose_project.logs("nginx")
