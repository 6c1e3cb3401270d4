"""ecs/local/ (`ecs-task run-local`): the local task definitions with each network mode's semantics."""

import copy
import ipaddress
import secrets
import time
from collections.abc import Iterator
from http import HTTPStatus

import pytest
import requests

from ecs.check import check_task_definition
from ecs.environments import load_environment
from ecs.local.containers import RunLocalError
from ecs.local.task import LABEL, RunningTask, start_task
from ecs.render import render_task_definition
from tests.support.docker import ComposeProject
from tests.support.ports import free_port
from tests.support.site import HASHED_CSS, immutable_asset, sign_guestbook

pytestmark = pytest.mark.docker

SECRETS = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}


def quiet(_message: str) -> None:
    """run-local's progress lines are not needed in test output."""


@pytest.fixture(scope="module", params=["bridge", "awsvpc"])
def local_task(request: pytest.FixtureRequest, compose_project: ComposeProject) -> Iterator[RunningTask]:
    """The local task definition of one mode, running on the engine (images built by the compose fixture)."""
    task = render_task_definition(load_environment("local"), request.param, "ec2")
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
    """user, readonlyRootFilesystem, memory, init and the task volumes reach the containers."""
    for name, user, memory in (("app", "10001:10001", 768), ("nginx", "101:101", 128)):
        attrs = local_task.containers[name].attrs
        assert attrs["Config"]["User"] == user
        assert attrs["HostConfig"]["ReadonlyRootfs"] is True
        assert attrs["HostConfig"]["Memory"] == memory * 1024 * 1024
        assert attrs["HostConfig"]["Init"] is True
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
    """run-local cannot read SSM: a secret missing from the environment is named with the fix."""
    task = render_task_definition(load_environment("local"), "bridge", "ec2")
    before = labelled(compose_project)
    with pytest.raises(
        RunLocalError,
        match=r"needs the secret DJANGO_SECRET_KEY .* set DJANGO_SECRET_KEY in the "
        r"environment, or in .env and use `make run-local`",
    ):
        start_task(compose_project.engine.client, task, {}, progress=quiet, port=free_port())
    assert labelled(compose_project) == before
