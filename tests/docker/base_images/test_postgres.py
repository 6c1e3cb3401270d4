"""The PostgreSQL base image (base-images/postgres.Dockerfile on hosts without registry access): what compose
and the tests rely on, which the official postgres image does too."""

from collections.abc import Iterator

import psycopg
import pytest

from tests.support.docker import Engine
from tests.support.postgres_container import PostgresContainer, postgres_container, wait_until_ready

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def server(docker_engine: Engine, base_images: dict[str, str]) -> Iterator[PostgresContainer]:
    with postgres_container(docker_engine, base_images["POSTGRES_IMAGE"]) as started:
        yield started


def test_an_empty_password_is_refused_by_name(docker_engine: Engine, base_images: dict[str, str]) -> None:
    """No POSTGRES_PASSWORD on an empty data directory: the container exits, naming the variable."""
    code, output = docker_engine.run_to_exit(base_images["POSTGRES_IMAGE"], environment={"POSTGRES_USER": "myapp"})
    assert code != 0
    assert "POSTGRES_PASSWORD" in output


def test_the_server_is_pid_1_as_the_postgres_user(server: PostgresContainer) -> None:
    """Started as root, the entrypoint steps down: the server is PID 1 (it gets the stop signal) as uid 999."""
    status = server.container.exec_run(["cat", "/proc/1/status"]).output.decode()
    assert "Name:\tpostgres\n" in status
    assert "\nUid:\t999\t999\t999\t999\n" in status


def test_tcp_needs_the_password(server: PostgresContainer) -> None:
    """Over TCP, from outside the container, the right password connects and another is refused."""
    with psycopg.connect(server.url()) as connection:
        assert connection.execute("SELECT current_user, current_database()").fetchone() == ("myapp", "myapp")
    wrong = server.url().replace(f":{server.password}@", ":not-the-password@")
    with pytest.raises(psycopg.OperationalError, match='password authentication failed for user "myapp"'):
        psycopg.connect(wrong).close()


def test_a_restart_keeps_the_data_and_stops_cleanly(server: PostgresContainer) -> None:
    """`docker stop` is a clean shutdown (exit 0); the next start skips initdb and finds the data."""
    with psycopg.connect(server.url(), autocommit=True) as connection:
        connection.execute("CREATE TABLE kept (value text)")
        connection.execute("INSERT INTO kept VALUES ('before the restart')")
    server.container.stop(timeout=30)
    assert server.container.wait(timeout=30)["StatusCode"] == 0
    assert "database system is shut down" in server.container.logs().decode()
    server.container.start()
    wait_until_ready(server.container)
    with psycopg.connect(server.url()) as connection:
        assert connection.execute("SELECT value FROM kept").fetchall() == [("before the restart",)]
    assert server.container.logs().decode().count("init process complete") == 1
