"""A PostgreSQL server as a container on Docker's default bridge, reached by its address as a task reaches RDS."""

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from docker.models.containers import Container

from tests.support.docker import TEST_LABEL, Engine

USER = DATABASE = "myapp"


@dataclass
class PostgresContainer:
    container: Container
    password: str

    @property
    def address(self) -> str:
        """The container's address on the default bridge, which no DNS name points at."""
        self.container.reload()
        return str(self.container.attrs["NetworkSettings"]["Networks"]["bridge"]["IPAddress"])

    def url(self, database: str = DATABASE) -> str:
        return f"postgres://{USER}:{self.password}@{self.address}:5432/{database}"

    def create_database(self, name: str) -> None:
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')  # a name of the test's own, not user input

    def names_in_guestbook(self, database: str) -> list[str]:
        with psycopg.connect(self.url(database)) as connection:
            return [row[0] for row in connection.execute("SELECT name FROM guestbook_entry")]


def wait_until_ready(container: Container, timeout: float = 60) -> None:
    """pg_isready over TCP: the entrypoint's socket-only server during initdb does not count."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if container.exec_run(["pg_isready", "--host=127.0.0.1", f"--username={USER}"]).exit_code == 0:
            return
        container.reload()
        if container.status == "exited":
            break
        time.sleep(0.5)
    logs = container.logs().decode(errors="replace")[-3000:]
    raise AssertionError(f"PostgreSQL in {container.name} was not ready after {timeout:.0f}s:\n{logs}")


@contextmanager
def postgres_container(engine: Engine, image: str) -> Iterator[PostgresContainer]:
    """`image` (the official postgres or the stand-in) on the default bridge with user and database `myapp`;
    removed with its data volume at the end, even when the test fails."""
    password = secrets.token_urlsafe(24)
    container = engine.client.containers.run(
        image,
        detach=True,
        environment={"POSTGRES_USER": USER, "POSTGRES_DB": DATABASE, "POSTGRES_PASSWORD": password},
        labels={TEST_LABEL: "postgres"},
    )
    try:
        wait_until_ready(container)
        yield PostgresContainer(container, password)
    finally:
        container.reload()
        engine.anonymous_volumes |= {m["Name"] for m in container.attrs["Mounts"] if m["Type"] == "volume"}
        container.remove(force=True, v=True)
