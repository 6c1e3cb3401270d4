"""ecs/local/ (`ecs-task run-local`): the local task definitions with each network mode's semantics."""

import copy
import ipaddress
import json
import secrets
import time
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import pytest
import requests
from docker.models.containers import Container

from ecs.check import check_task_definition
from ecs.environments import load_environment
from ecs.local.containers import RunLocalError
from ecs.local.run import finish_one_off
from ecs.local.task import LABEL, RunningTask, start_task, wait_for
from ecs.render import render_task_definition
from tests.support.docker import TEST_LABEL, UNPRIVILEGED, ComposeProject, privileges
from tests.support.ports import free_port
from tests.support.site import HASHED_CSS, immutable_asset, sign_guestbook

pytestmark = pytest.mark.docker

# An empty DATABASE_URL is the embedded SQLite: tests/docker/ecs/local/test_task_postgres.py runs PostgreSQL.
SECRETS = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DATABASE_URL": ""}


def quiet(_message: str) -> None:
    """run-local's progress lines are not needed in test output."""


# Each way the task runs: bridge mode with links, bridge mode by the metadata endpoint, awsvpc mode.
VARIANTS = {"bridge": ("bridge", "links"), "bridge-metadata": ("bridge", "metadata"), "awsvpc": ("awsvpc", "links")}


@pytest.fixture(scope="module", params=list(VARIANTS))
def local_task(request: pytest.FixtureRequest, compose_project: ComposeProject) -> Iterator[RunningTask]:
    """The local task definition of one variant, running on the engine (images built by the compose fixture)."""
    mode, bridge_upstream = VARIANTS[request.param]
    task = render_task_definition(load_environment("local"), mode, "ec2", bridge_upstream)
    running = start_task(compose_project.engine.client, task, SECRETS, progress=quiet, port=free_port())
    try:
        yield running
    finally:
        running.stop()


def leftovers(project: ComposeProject, run_id: str) -> list[str]:
    client = project.engine.client
    label = f"{LABEL}={run_id}"
    return [c.name for c in client.containers.list(all=True, filters={"label": label})] + [
        v.name for v in client.volumes.list(filters={"label": label})
    ]


def labelled(project: ComposeProject) -> set[str]:
    """Every container and volume run-local has created and not yet removed (any task)."""
    client = project.engine.client
    return {c.name for c in client.containers.list(all=True, filters={"label": LABEL})} | {
        v.name for v in client.volumes.list(filters={"label": LABEL})
    }


def test_home_css_and_form_through_nginx(local_task: RunningTask) -> None:
    """The page, the CSS (from nginx, cached for a year) and a browser-like POST all work in this mode."""
    page = requests.get(local_task.url + "/", timeout=10)
    assert page.status_code == HTTPStatus.OK
    immutable_asset(local_task.url, page.text, HASHED_CSS)
    sign_guestbook(local_task.url, origin=local_task.url, name=f"ecs-{local_task.task['networkMode']}")


def test_whoami_shows_the_network_mode_path(local_task: RunningTask) -> None:
    """bridge: nginx dials the app's docker0 IP from its own; awsvpc: both ends are 127.0.0.1."""
    details = requests.get(local_task.url + "/whoami?format=json", timeout=10).json()
    mode = local_task.task["networkMode"]
    assert details["network_mode"] == mode
    if mode == "awsvpc":
        assert details["proxy_address"] == "127.0.0.1"
        assert details["app_address"] == "127.0.0.1:8000"
    else:
        app_ip = local_task.containers["app"].attrs["NetworkSettings"]["Networks"]["bridge"]["IPAddress"]
        nginx_ip = local_task.containers["nginx"].attrs["NetworkSettings"]["Networks"]["bridge"]["IPAddress"]
        assert details["app_address"] == f"{app_ip}:8000"
        assert details["proxy_address"] == nginx_ip
        assert not ipaddress.ip_address(nginx_ip).is_loopback


def test_task_settings_are_honoured(local_task: RunningTask) -> None:
    """user, readonlyRootFilesystem, memory, init, capabilities (drop ALL), nginx's nofile ulimit and the task
    volumes reach the containers."""
    for name, user, memory in (("app", "10001:10001", 768), ("nginx", "101:101", 128)):
        attrs = local_task.containers[name].attrs
        assert attrs["Config"]["User"] == user
        assert attrs["HostConfig"]["ReadonlyRootfs"] is True
        assert attrs["HostConfig"]["Memory"] == memory * 1024 * 1024
        assert attrs["HostConfig"]["Init"] is True
        held = privileges(local_task.containers[name])
        assert {key: held[key] for key in ("CapDrop", "CapAdd", "CapBnd")} == {
            key: UNPRIVILEGED[key] for key in ("CapDrop", "CapAdd", "CapBnd")
        }
    nofile = local_task.definition("nginx")["ulimits"][0]["hardLimit"]
    ulimits = local_task.containers["nginx"].attrs["HostConfig"]["Ulimits"]
    assert ulimits == [{"Name": "nofile", "Soft": nofile, "Hard": nofile}]
    assert "setrlimit(RLIMIT_NOFILE" not in local_task.containers["nginx"].logs().decode()  # nginx got its limit
    app_mounts = {m["Destination"] for m in local_task.containers["app"].attrs["Mounts"]}
    assert {"/data", "/tmp"} <= app_mounts


def test_stop_removes_everything(compose_project: ComposeProject) -> None:
    """Stopping a task stops each container gracefully (exit 0) and leaves no container or volume behind."""
    task = render_task_definition(load_environment("local"), "awsvpc", "ec2")
    running = start_task(compose_project.engine.client, task, SECRETS, progress=quiet, port=free_port())
    assert running.exited_essential() == []
    assert running.stop() == {"nginx": 0, "app": 0}
    assert leftovers(compose_project, running.run_id) == []


def test_bridge_without_link_reproduces_the_failure(compose_project: ComposeProject) -> None:
    """The classic bridge-mode mistake: a service name without a link. check flags it; run-local shows nginx failing."""
    task = copy.deepcopy(render_task_definition(load_environment("local"), "bridge", "ec2"))
    del task["containerDefinitions"][1]["links"]
    assert [problem.rule for problem in check_task_definition(task)] == ["upstream-host"]
    before = labelled(compose_project)
    started = time.monotonic()
    with pytest.raises(RunLocalError) as failure:
        start_task(compose_project.engine.client, task, SECRETS, progress=quiet, port=free_port())
    assert "container 'nginx' exited with code 1 before it was HEALTHY" in str(failure.value)
    assert 'host not found in upstream "app:8000"' in str(failure.value)
    assert time.monotonic() - started < 120
    assert labelled(compose_project) == before, "the failed task left containers or volumes behind"


def test_missing_secret_is_named(compose_project: ComposeProject) -> None:
    """run-local cannot read SSM: a secret missing from the environment (here DATABASE_URL, as in a .env from
    before it) is named with the fix, and nothing is left behind."""
    task = render_task_definition(load_environment("local"), "bridge", "ec2")
    before = labelled(compose_project)
    values = {"DJANGO_SECRET_KEY": SECRETS["DJANGO_SECRET_KEY"]}
    with pytest.raises(
        RunLocalError,
        match=r"needs the secret DATABASE_URL .* set DATABASE_URL in the "
        r"environment \(an empty value counts\), or in .env and use `make run-local`",
    ):
        start_task(compose_project.engine.client, task, values, progress=quiet, port=free_port())
    assert labelled(compose_project) == before


def metadata_seen_by(container: Container, path: str) -> dict[str, Any]:
    """What the task metadata endpoint answers inside `container` at ${ECS_CONTAINER_METADATA_URI_V4}`path`."""
    read = (
        "import os, sys, urllib.request; "
        "url = os.environ['ECS_CONTAINER_METADATA_URI_V4'] + sys.argv[1]; "
        "sys.stdout.write(urllib.request.urlopen(url).read().decode())"
    )
    result = container.exec_run(["python", "-c", read, path])
    assert result.exit_code == 0, result.output
    answer: dict[str, Any] = json.loads(result.output)
    return answer


def test_the_metadata_endpoint_answers_inside_the_containers(local_task: RunningTask) -> None:
    """Each container reads itself at ${ECS_CONTAINER_METADATA_URI_V4} and the task at /task, with Docker's ids
    and the real addresses: the container's bridge IP, or in awsvpc the task's one address."""
    app = local_task.containers["app"]
    app.reload()
    itself = metadata_seen_by(app, "")
    assert (itself["Name"], itself["DockerId"], itself["KnownStatus"]) == ("app", app.id, "RUNNING")
    task = metadata_seen_by(app, "/task")
    assert task["Family"] == local_task.task["family"]
    assert [container["Name"] for container in task["Containers"]] == ["app", "nginx"]
    mode = local_task.task["networkMode"]
    owner = local_task.pause if local_task.pause is not None else app
    owner.reload()
    expected = owner.attrs["NetworkSettings"]["Networks"]["bridge"]["IPAddress"]
    assert task["Containers"][0]["Networks"] == [{"NetworkMode": mode, "IPv4Addresses": [expected]}]
    assert task["Containers"][1]["DockerId"] == local_task.containers["nginx"].id


@pytest.mark.parametrize("local_task", ["bridge-metadata"], indirect=True)
def test_nginx_found_the_app_by_the_metadata_endpoint(local_task: RunningTask) -> None:
    """bridge by metadata: no links at all, and nginx logged the app's address it read from the task metadata."""
    assert "links" not in local_task.definition("nginx")
    local_task.containers["app"].reload()
    app_ip = local_task.containers["app"].attrs["NetworkSettings"]["Networks"]["bridge"]["IPAddress"]
    logs = local_task.containers["nginx"].logs().decode()
    assert f"NGINX_UPSTREAM_HOST={app_ip}, the address of 'app' in the task metadata" in logs


@pytest.mark.parametrize("mode", ["bridge", "awsvpc"])
def test_a_one_off_migrate_exits_0_and_leaves_nothing(
    compose_project: ComposeProject, mode: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`run-local --container app --command "python manage.py migrate --noinput"`: the app's command replaced,
    nginx never started, exit code 0, everything removed (as `aws ecs run-task --overrides`)."""
    task = render_task_definition(load_environment("local"), mode, "ec2")
    command = ["python", "manage.py", "migrate", "--noinput"]
    running = start_task(
        compose_project.engine.client, task, SECRETS, progress=quiet, port=free_port(), one_off=("app", command)
    )
    assert list(running.containers) == ["app"]
    assert finish_one_off(running, "app", []) == 0
    # Each task gets a fresh data volume, so the one-off migrates an empty SQLite database from scratch.
    output = capsys.readouterr().out
    assert "Applying guestbook.0001_initial... OK" in output
    assert output.endswith("run-local: one-off app exited with 0; the task is stopped and removed\n")
    assert leftovers(compose_project, running.run_id) == []


def test_a_failing_one_off_returns_its_exit_code(compose_project: ComposeProject) -> None:
    """A one-off that fails exits with its own code, so a deploy pipeline can stop on it."""
    task = render_task_definition(load_environment("local"), "awsvpc", "ec2")
    running = start_task(
        compose_project.engine.client,
        task,
        SECRETS,
        progress=quiet,
        port=free_port(),
        one_off=("app", ["python", "-c", "raise SystemExit(3)"]),
    )
    assert finish_one_off(running, "app", []) == 3
    assert leftovers(compose_project, running.run_id) == []


def bridge_ip(container: Container) -> str:
    container.reload()
    return str(container.attrs["NetworkSettings"]["Networks"]["bridge"]["IPAddress"])


def status_through(task: RunningTask, timeout: float, wanted: int) -> int:
    """The status of GET / through the task's nginx, polled until it is `wanted` or `timeout` seconds pass."""
    deadline, status = time.monotonic() + timeout, 0
    while time.monotonic() < deadline and status != wanted:
        try:
            status = requests.get(task.url + "/", timeout=5).status_code
        except requests.ConnectionError:
            status = 0
        time.sleep(0.5)
    return status


def test_a_crashed_app_restarts_in_place_only_where_nginx_keeps_finding_it(compose_project: ComposeProject) -> None:
    """The app's restartPolicy, proven both ways. awsvpc: killed after a minute, the app restarts in place and
    nginx serves again at 127.0.0.1. bridge (the same policy added by hand): once another container holds the
    app's old docker0 address, the restarted app gets another one, and nginx, which resolved the link at
    start, still dials the old one: 502. So only awsvpc renders a restartPolicy."""
    client = compose_project.engine.client
    awsvpc_task = render_task_definition(load_environment("local"), "awsvpc", "ec2")
    bridge_task = render_task_definition(load_environment("local"), "bridge", "ec2")
    assert "restartPolicy" not in bridge_task["containerDefinitions"][0]
    bridge_task["containerDefinitions"][0]["restartPolicy"] = awsvpc_task["containerDefinitions"][0]["restartPolicy"]
    period = awsvpc_task["containerDefinitions"][0]["restartPolicy"]["restartAttemptPeriod"]
    tasks = [start_task(client, task, SECRETS, progress=quiet, port=free_port()) for task in (awsvpc_task, bridge_task)]
    squatters: list[Container] = []
    try:
        awsvpc, bridge = tasks
        time.sleep(period + 2)  # the policy restarts only a container that ran restartAttemptPeriod seconds
        old_bridge_ip = bridge_ip(bridge.containers["app"])
        started = {task.run_id: task.containers["app"].attrs["State"]["StartedAt"] for task in tasks}
        for task in tasks:
            task.containers["app"].kill()  # SIGKILL: a crash, exit code 137
            task.containers["app"].wait(timeout=30)
        # Other containers start on docker0 until one holds the app's old address, as other tasks' would.
        while not squatters or bridge_ip(squatters[-1]) != old_bridge_ip:
            assert len(squatters) < 20, "no new container got the app's old address"
            squatters.append(
                client.containers.run(
                    compose_project.env["PYTHON_IMAGE"], ["sleep", "300"], detach=True, labels={TEST_LABEL: "1"}
                )
            )
        assert awsvpc.exited_essential() == [], "the app restarts in place"
        assert bridge.exited_essential() == [], "the app restarts in place"
        for task in tasks:
            # In place: the same container, started again, and healthy before anything is asserted through nginx.
            wait_for(task, {"containerName": "app", "condition": "HEALTHY"}, timeout=90)
            assert task.containers["app"].attrs["State"]["StartedAt"] != started[task.run_id]
        assert status_through(awsvpc, 60, HTTPStatus.OK) == HTTPStatus.OK
        new_bridge_ip = bridge_ip(bridge.containers["app"])
        assert new_bridge_ip not in ("", old_bridge_ip)
        for _ in range(5):  # not a passing moment: nginx keeps dialling the old address
            assert requests.get(bridge.url + "/", timeout=5).status_code == HTTPStatus.BAD_GATEWAY
            time.sleep(0.5)
        assert "Back in a moment" in requests.get(bridge.url + "/", timeout=5).text
        assert f'upstream: "http://{old_bridge_ip}:8000/' in bridge.containers["nginx"].logs().decode()
    finally:
        for squatter in squatters:
            squatter.remove(force=True, v=True)
        for task in tasks:
            task.stop()
