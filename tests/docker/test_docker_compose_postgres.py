"""docker-compose.postgres.yml on a real engine: the stack on PostgreSQL, a database outage, and the recovery.

The tests run in file order on one project: migrate, store an entry, stop and start the database, recreate.
"""

import os
import re
import time
from datetime import UTC, datetime
from http import HTTPStatus

import pytest
import requests

from tests.support.docker import UNPRIVILEGED, ComposeProject, privileges, wait_until_healthy
from tests.support.site import sign_guestbook

pytestmark = pytest.mark.docker

# Unique to this run, so that finding it proves it was stored by this run.
ENTRY_NAME = f"postgres-compose-{os.getpid()}"
RECOVERY_BOUND_SECONDS = 30
# PostgreSQL's log prefix (%m): "2026-11-22 05:32:15.684 UTC [1] LOG:  database system is ready ...".
READY_LINE = re.compile(r"^(\S+ \S+) UTC \[\d+\] LOG:  database system is ready to accept connections", re.MULTILINE)


def stored_names(project: ComposeProject) -> list[str]:
    """The names in the guestbook table, read with psql inside the db container (its socket, no password)."""
    query = ["psql", "--username=myapp", "--dbname=myapp", "--tuples-only", "--no-align"]
    result = project.container("db").exec_run([*query, "--command=SELECT name FROM guestbook_entry"])
    assert result.exit_code == 0, result.output.decode(errors="replace")
    return str(result.output.decode()).split()


def gunicorn_processes(project: ComposeProject) -> tuple[str, list[str]]:
    """The gunicorn master's PID and its workers', as the engine sees them (host PIDs)."""
    # -ww: the whole command line. Without it ps cuts CMD at its terminal width, 80 columns when dockerd's
    # environment sets no COLUMNS, and the command no longer shows bin/gunicorn.
    top = project.container("app").top(ps_args="-ef -ww")
    columns = {title: index for index, title in enumerate(top["Titles"])}
    gunicorns = [row for row in top["Processes"] if "bin/gunicorn" in row[columns["CMD"]]]
    pids = {row[columns["PID"]] for row in gunicorns}
    (master,) = [row[columns["PID"]] for row in gunicorns if row[columns["PPID"]] not in pids]
    return master, sorted(row[columns["PID"]] for row in gunicorns if row[columns["PPID"]] == master)


def get(project: ComposeProject, path: str) -> requests.Response:
    """A GET through nginx; a refused or cut connection counts as status 0."""
    try:
        return project.get(path)
    except requests.ConnectionError:
        response = requests.Response()
        response.status_code = 0
        return response


def test_db_is_unprivileged_read_only_and_not_published(compose_postgres_project: ComposeProject) -> None:
    """PostgreSQL runs as the image's postgres user (uid 999) on a read-only root, and publishes no port."""
    db = compose_postgres_project.container("db")
    assert db.attrs["HostConfig"]["ReadonlyRootfs"] is True
    assert db.exec_run(["id", "-u"]).output.decode().strip() == "999"
    assert db.attrs["HostConfig"]["PortBindings"] in ({}, None)
    assert all(binding is None for binding in db.attrs["NetworkSettings"]["Ports"].values())


@pytest.mark.parametrize("service", ["db", "app", "nginx"])
def test_containers_hold_no_capability_and_cannot_gain_one(
    compose_postgres_project: ComposeProject, service: str
) -> None:
    """With PostgreSQL too, every container drops ALL, adds none and runs with no-new-privileges."""
    assert privileges(compose_postgres_project.container(service)) == UNPRIVILEGED


def test_migrate_is_a_one_off_that_exits_0(compose_postgres_project: ComposeProject) -> None:
    """`compose run --rm app python manage.py migrate` applies every migration to PostgreSQL; then /readyz is 200."""
    result = compose_postgres_project.compose(
        "run", "--rm", "-T", "app", "python", "manage.py", "migrate", "--noinput", check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Applying guestbook.0001_initial... OK" in result.stdout
    ready = compose_postgres_project.get("/readyz")
    assert (ready.status_code, ready.json()) == (HTTPStatus.OK, {"status": "ready"})


def test_form_post_is_stored_in_postgresql(compose_postgres_project: ComposeProject) -> None:
    """A browser-like POST through nginx is shown on the page and is a row in PostgreSQL's table."""
    origin = f"http://127.0.0.1:{compose_postgres_project.env['PORT']}"
    sign_guestbook(compose_postgres_project.url, origin=origin, name=ENTRY_NAME)
    assert ENTRY_NAME in stored_names(compose_postgres_project)


def test_database_outage_then_recovery_without_a_restart(
    compose_postgres_project: ComposeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    """`compose stop db`: /healthz 200, /readyz 503 naming the database, pages Django's friendly 503 through
    nginx. `compose start db`: pages answer 200 again within the bound, from the same gunicorn, unrestarted."""
    project = compose_postgres_project
    app_before = project.container("app").attrs
    gunicorn_before = gunicorn_processes(project)
    project.compose("stop", "db")
    try:
        assert get(project, "/healthz").status_code == HTTPStatus.OK
        ready = get(project, "/readyz")
        assert ready.status_code == HTTPStatus.SERVICE_UNAVAILABLE
        assert any("database" in problem for problem in ready.json()["problems"]), ready.text
        page = get(project, "/")
        assert page.status_code == HTTPStatus.SERVICE_UNAVAILABLE
        assert "Back in a moment" in page.text
        assert page.headers["Retry-After"]
        assert "Traceback" not in page.text
        assert "OperationalError" not in page.text
        time.sleep(0.5)
        assert page.headers["X-Request-ID"] in project.logs("app"), "Django answered the 503, not nginx's own page"
    finally:
        issued = time.monotonic()
        project.compose("start", "db")
        started = time.monotonic()
    answers = []
    while HTTPStatus.OK not in answers and time.monotonic() - started < RECOVERY_BOUND_SECONDS:
        answers.append(get(project, "/").status_code)
        time.sleep(0.1)
    recovered_at, recovery = datetime.now(UTC), time.monotonic() - started
    assert answers[-1] == HTTPStatus.OK, f"/ still answered {answers[-1]} {RECOVERY_BOUND_SECONDS}s after `start db`"
    postgres_ready = datetime.fromisoformat(READY_LINE.findall(project.logs("db"))[-1] + "+00:00")
    with capsys.disabled():
        print(
            f"\npostgres recovery: `compose start db` took {started - issued:.2f}s; "
            f"/ answered 200 {recovery:.2f}s after it returned "
            f"({len(answers) - 1} other answers before: {sorted(set(answers[:-1]))}), "
            f"{(recovered_at - postgres_ready).total_seconds():.2f}s after PostgreSQL logged that it was ready"
        )
    # Every gunicorn thread's old connection was dead: each reconnects by itself (CONN_HEALTH_CHECKS).
    assert [get(project, "/").status_code for _ in range(20)] == [HTTPStatus.OK] * 20
    assert get(project, "/readyz").status_code == HTTPStatus.OK
    app_after = project.container("app").attrs
    assert (app_after["Id"], app_after["State"]["StartedAt"], app_after["RestartCount"]) == (
        app_before["Id"],
        app_before["State"]["StartedAt"],
        app_before["RestartCount"],
    )
    assert gunicorn_processes(project) == gunicorn_before, "gunicorn's master or a worker was restarted"


def test_recreated_containers_keep_the_entries(compose_postgres_project: ComposeProject) -> None:
    """`up --force-recreate db app`: new containers, the same volume: the entry written before is still there."""
    project = compose_postgres_project
    before = {service: project.container(service).id for service in ("db", "app")}
    project.compose("up", "--detach", "--force-recreate", "db", "app")
    wait_until_healthy(project, ("db", "app", "nginx"))
    assert all(project.container(service).id != old for service, old in before.items())
    assert ENTRY_NAME in stored_names(project)
    deadline, page = time.monotonic() + RECOVERY_BOUND_SECONDS, get(project, "/")
    while (
        page.status_code != HTTPStatus.OK and time.monotonic() < deadline
    ):  # nginx's watcher follows `app` within a second or two
        time.sleep(0.5)
        page = get(project, "/")
    assert page.status_code == HTTPStatus.OK
    assert ENTRY_NAME in page.text
