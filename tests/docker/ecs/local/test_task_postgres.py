"""run-local against PostgreSQL: the local task definition reaches the database as a deployed task reaches RDS,
through the DATABASE_URL secret and by an address on the task's network, in bridge and in awsvpc mode."""

import secrets
from collections.abc import Iterator
from http import HTTPStatus

import pytest
import requests

from ecs.environments import load_environment
from ecs.local.run import finish_one_off
from ecs.local.task import start_task
from ecs.render import render_task_definition
from tests.support.docker import ComposeProject
from tests.support.ports import free_port
from tests.support.postgres_container import PostgresContainer, postgres_container
from tests.support.site import sign_guestbook

pytestmark = pytest.mark.docker

MIGRATE = ["python", "manage.py", "migrate", "--noinput"]


def quiet(_message: str) -> None:
    """run-local's progress lines are not needed in test output."""


@pytest.fixture(scope="module")
def postgres(compose_project: ComposeProject, base_images: dict[str, str]) -> Iterator[PostgresContainer]:
    """PostgreSQL in a container of its own on Docker's default bridge, outside any task, as RDS is."""
    with postgres_container(compose_project.engine, base_images["POSTGRES_IMAGE"]) as server:
        yield server


@pytest.mark.parametrize("mode", ["bridge", "awsvpc"])
def test_migrate_one_off_then_a_stored_entry(
    compose_project: ComposeProject, postgres: PostgresContainer, mode: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """DATABASE_URL names the server's bridge address: run-local's one-off migrate applies every migration (exit
    0), then the task serves, and a form POST through its nginx is a row in PostgreSQL."""
    database = f"myapp_{mode}"  # one database per mode, so that each migrates from scratch
    postgres.create_database(database)
    values = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DATABASE_URL": postgres.url(database)}
    task = render_task_definition(load_environment("local"), mode, "ec2")
    client = compose_project.engine.client

    one_off = start_task(client, task, values, progress=quiet, port=free_port(), one_off=("app", MIGRATE))
    assert finish_one_off(one_off, "app", []) == 0
    assert "Applying guestbook.0001_initial... OK" in capsys.readouterr().out

    running = start_task(client, task, values, progress=quiet, port=free_port())
    try:
        ready = requests.get(running.url + "/readyz", timeout=10)
        assert (ready.status_code, ready.json()) == (HTTPStatus.OK, {"status": "ready"})
        name = f"run-local-{mode}-{secrets.token_hex(4)}"
        sign_guestbook(running.url, origin=running.url, name=name)
        assert postgres.names_in_guestbook(database) == [name]
    finally:
        running.stop()
