"""A whole task stop with requests in flight: run-local stops nginx first, which answers every request it had
accepted while the app still serves them, and only then the app, as ECS stops a task (reverse dependsOn).

The app runs the product image plus the test-only /slow view (tests/support/slow_app/), named in a copy of the
local task definition: the product's task definition and image never route /slow.
"""

import secrets
import time
from http import HTTPStatus
from typing import Any

import pytest
import requests

from ecs.environments import load_environment
from ecs.local.task import LABEL, start_task
from ecs.render import render_task_definition
from tests.support.docker import SLOW_APP_SETTINGS, ComposeProject
from tests.support.in_flight import IN_FLIGHT, InFlight
from tests.support.ports import free_port

pytestmark = pytest.mark.docker

SECRETS = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DATABASE_URL": ""}


def quiet(_message: str) -> None:
    """run-local's progress lines are not needed in test output."""


def slow_task(mode: str, slow_app_image: str) -> dict[str, Any]:
    """The local task definition with the app on the slow image and its settings, and health checks every 2 s
    rather than 10 s, so that the task is healthy sooner: the stop is what is under test."""
    task = render_task_definition(load_environment("local"), mode, "ec2")
    for container in task["containerDefinitions"]:
        container["healthCheck"]["interval"] = 2
    app = next(container for container in task["containerDefinitions"] if container["name"] == "app")
    app["image"] = slow_app_image
    app["environment"].append({"name": "DJANGO_SETTINGS_MODULE", "value": SLOW_APP_SETTINGS})
    return task


def stop_steps(events: list[dict[str, Any]], run_id: str) -> list[tuple[str, str, str, float]]:
    """(container, action, signal, seconds since the first step) of each stop signal sent to nginx or the app and
    each of their exits, in the engine's order."""
    names = {f"{run_id}-nginx": "nginx", f"{run_id}-app": "app"}
    steps = sorted(
        (event["timeNano"], names[event["Actor"]["Attributes"]["name"]], event["Action"], event["Actor"]["Attributes"])
        for event in events
        if event["Action"] in ("kill", "die") and event["Actor"]["Attributes"].get("name") in names
    )
    return [
        (name, action, attributes.get("signal", ""), (nano - steps[0][0]) / 1e9)
        for nano, name, action, attributes in steps
    ]


@pytest.mark.parametrize("mode", ["bridge", "awsvpc"])
def test_a_task_stop_finishes_every_request_in_flight_nginx_first(
    compose_project: ComposeProject, slow_app_image: str, mode: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """run-local's stop while 16 requests are in flight: all answer 200. The engine's events show the order: nginx
    got SIGQUIT and exited, and only then did the app get SIGTERM; both exited 0."""
    client = compose_project.engine.client
    running = start_task(client, slow_task(mode, slow_app_image), SECRETS, progress=quiet, port=free_port())
    codes: dict[str, int] = {}
    try:
        assert requests.get(running.url + "/slow", timeout=10).status_code == HTTPStatus.OK
        since = int(time.time()) - 1
        outcomes = InFlight(running.url + "/slow", IN_FLIGHT).stop_during(lambda: codes.update(running.stop()))
    finally:
        if not codes:
            running.stop()
    events = client.events(
        since=since, until=int(time.time()) + 1, filters={"label": f"{LABEL}={running.run_id}"}, decode=True
    )
    steps = stop_steps(list(events), running.run_id)
    with capsys.disabled():
        print(
            f"\n  run-local stop ({mode}): {outcomes.count(HTTPStatus.OK)} of {IN_FLIGHT} in-flight requests "
            "answered 200; "
            + ", ".join(
                f"{name} {f'got signal {signal}' if action == 'kill' else 'exited'} at {at:.1f} s"
                for name, action, signal, at in steps
            )
        )
    assert outcomes == [HTTPStatus.OK] * IN_FLIGHT
    assert codes == {"nginx": 0, "app": 0}
    # SIGQUIT is 3, SIGTERM 15: each image's STOPSIGNAL. The app gets its signal only once nginx has exited.
    assert [step[:3] for step in steps] == [
        ("nginx", "kill", "3"),
        ("nginx", "die", ""),
        ("app", "kill", "15"),
        ("app", "die", ""),
    ]
