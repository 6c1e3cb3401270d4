"""The native stack on a real PostgreSQL server: migrations, stored entries, an outage and the recovery.

The server is Debian's `postgresql`, private to this module (tests/support/postgres.py). Everything goes
through nginx, as a browser's requests do, except the direct reads that prove where an entry was stored.
"""

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from pathlib import Path

import psycopg
import pytest

from tests.support.native import LoggedStack, Site
from tests.support.paths import REPO
from tests.support.ports import free_port
from tests.support.postgres import PostgresServer, start_postgres_server, stop_postgres_server, wait_for_status
from tests.support.site import sign_guestbook

pytestmark = pytest.mark.e2e

# The bound on the site's own recovery once PostgreSQL accepts connections again; it took about 0.1 s here.
RECOVERY_BOUND_SECONDS = 10


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    server = start_postgres_server()
    try:
        yield server
    finally:
        stop_postgres_server(server)


def manage(site: Site, database_url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=REPO,
        env={**site.env, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def pg_stack(postgres: PostgresServer, site: Site, start_logged_stack: Callable[..., LoggedStack]) -> LoggedStack:
    """A stack on a migrated PostgreSQL database."""
    migrated = manage(site, postgres.url(), "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    return start_logged_stack(DATABASE_URL=postgres.url())


def gunicorn_processes(stack: LoggedStack) -> set[int]:
    """The master's pid and its workers' pids."""
    master = stack.gunicorn.pid
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {master, *map(int, children)}


def test_migrations_apply_and_readiness_reports_them(
    postgres: PostgresServer, site: Site, start_logged_stack: Callable[..., LoggedStack]
) -> None:
    """An empty database: /readyz names the pending migrations; after `migrate`, it is ready."""
    url = postgres.create_database("fresh")
    own = start_logged_stack(DATABASE_URL=url)
    assert own.get("/healthz").status_code == HTTPStatus.OK
    pending = own.get("/readyz")
    assert pending.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert "migration(s) not applied" in " ".join(pending.json()["problems"])
    migrated = manage(site, url, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    assert own.get("/readyz").json() == {"status": "ready"}


def test_an_entry_signed_through_nginx_is_stored_in_postgres(pg_stack: LoggedStack, postgres: PostgresServer) -> None:
    """The form POST through nginx lands in PostgreSQL, and the page reads it back."""
    name = f"pg-{time.time_ns()}"
    sign_guestbook(pg_stack.url, pg_stack.url, name)
    with psycopg.connect(postgres.url()) as connection:
        rows = connection.execute("SELECT count(*) FROM guestbook_entry WHERE name = %s", [name]).fetchone()
    assert rows == (1,)


def test_connections_per_process_stay_within_workers_times_threads(
    pg_stack: LoggedStack, postgres: PostgresServer
) -> None:
    """Django keeps one persistent connection per gunicorn thread: under concurrent load the count of the
    app's connections never passes WEB_CONCURRENCY x GUNICORN_THREADS (2 x 4 here), the figure docs/database.md
    sizes max_connections with."""
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda _: pg_stack.get("/").status_code, range(64)))
    assert statuses == [HTTPStatus.OK] * 64
    query = "SELECT count(*) FROM pg_stat_activity WHERE usename = 'myapp' AND datname = 'myapp'"
    with postgres.superuser_connection() as connection:
        row = connection.execute(query).fetchone()
    assert row is not None
    assert 1 <= row[0] <= 2 * 4


def test_database_outage_answers_503_and_recovers_without_a_restart(
    pg_stack: LoggedStack, postgres: PostgresServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """PostgreSQL stopped: liveness 200, readiness 503 naming the database, pages the friendly 503.
    PostgreSQL back: pages answer 200 again by themselves, with the same gunicorn master and workers."""
    assert pg_stack.get("/").status_code == HTTPStatus.OK  # persistent connections are open
    processes = gunicorn_processes(pg_stack)
    postgres.stop()
    try:
        assert pg_stack.get("/healthz").status_code == HTTPStatus.OK
        ready = pg_stack.get("/readyz")
        assert ready.status_code == HTTPStatus.SERVICE_UNAVAILABLE
        assert "database 'default' is unreachable" in " ".join(ready.json()["problems"])
        for _ in range(8):  # as many as the threads (2 x 4), each of whose connections died
            page = pg_stack.get("/")
            assert page.status_code == HTTPStatus.SERVICE_UNAVAILABLE
            assert "Back in a moment" in page.text
            assert page.headers["Retry-After"] == "5"
            assert "Traceback" not in page.text
            assert "OperationalError" not in page.text
    finally:
        postgres.start()
    recovery = wait_for_status(pg_stack.url + "/", HTTPStatus.OK, timeout=RECOVERY_BOUND_SECONDS)
    # Threads whose connection died unused check it before use (CONN_HEALTH_CHECKS): none answers an error.
    assert [pg_stack.get("/").status_code for _ in range(16)] == [HTTPStatus.OK] * 16
    assert pg_stack.get("/readyz").json() == {"status": "ready"}
    assert gunicorn_processes(pg_stack) == processes
    log = pg_stack.gunicorn_log.read_text()
    assert "database unavailable, answered 503: OperationalError" in log
    assert "Traceback" not in log
    with capsys.disabled():
        print(f"\n  PostgreSQL back: first 200 through nginx after {recovery * 1000:.0f} ms, no gunicorn restart")


def test_unreachable_database_at_start_is_named_without_the_password(
    site: Site, start_logged_stack: Callable[..., LoggedStack]
) -> None:
    """gunicorn starts anyway (liveness needs no database) and says at once what it cannot reach."""
    port, password = free_port(), "never-echo-this-password"
    own = start_logged_stack(DATABASE_URL=f"postgres://myapp:{password}@127.0.0.1:{port}/myapp")
    assert own.get("/healthz").status_code == HTTPStatus.OK
    assert own.get("/").status_code == HTTPStatus.SERVICE_UNAVAILABLE
    log = own.gunicorn_log.read_text()
    assert f"DATABASE_URL: cannot connect to PostgreSQL database 'myapp' at 127.0.0.1:{port} as user 'myapp'" in log
    assert password not in log


def test_migrate_with_a_wrong_password_stops_with_one_clear_error(postgres: PostgresServer, site: Site) -> None:
    """`manage.py migrate` names the database and the cause, never the password, and prints no traceback."""
    password = "wrong-password-never-echoed"
    result = manage(site, postgres.url(password=password), "migrate", "--noinput")
    assert result.returncode != 0
    assert "myapp.E001" in result.stderr
    assert f"PostgreSQL database 'myapp' at 127.0.0.1:{postgres.port} as user 'myapp'" in result.stderr
    assert 'password authentication failed for user "myapp"' in result.stderr
    assert password not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
