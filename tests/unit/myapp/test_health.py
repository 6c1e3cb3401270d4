"""/healthz and /readyz: answered before host validation and redirects; readiness checks the database."""

from http import HTTPStatus
from unittest import mock

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper


def test_liveness_answers_any_host_without_database(client: Client) -> None:
    """/healthz answers a Host outside ALLOWED_HOSTS (an ALB probe by IP) and touches no database.

    pytest-django blocks database access in tests without the django_db mark, so a query would fail here.
    """
    response = client.get("/healthz", HTTP_HOST="10.0.3.17:8080")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok"}


def test_liveness_skips_https_redirect(client: Client, settings: SettingsWrapper) -> None:
    """With SECURE_SSL_REDIRECT on, a plain-HTTP health probe is still answered, not redirected."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == HTTPStatus.OK
    assert client.get("/", HTTP_HOST="localhost").status_code == HTTPStatus.MOVED_PERMANENTLY


@pytest.mark.django_db
def test_readiness_checks_database_and_migrations(client: Client) -> None:
    """/readyz is 200 with a migrated database, for any Host."""
    response = client.get("/readyz", HTTP_HOST="10.0.3.17")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ready"}


@pytest.mark.django_db
def test_readiness_reports_unapplied_migrations(client: Client) -> None:
    """Pending migrations make /readyz 503, and the answer names the fix."""
    with (
        mock.patch("myapp.health._migrations_seen_applied", set()),
        mock.patch("myapp.health.MigrationExecutor") as executor,
    ):
        executor.return_value.migration_plan.return_value = [("guestbook", "0002")]
        response = client.get("/readyz")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["problems"] == ["1 database migration(s) not applied: run `python manage.py migrate`"]


def test_readiness_reports_unreachable_database(client: Client) -> None:
    """A database that cannot be reached makes /readyz 503 without raising."""
    with mock.patch("myapp.health.connections") as connections:
        connections.__getitem__.return_value.cursor.side_effect = OSError("connection refused")
        response = client.get("/readyz")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["problems"] == ["database 'default' is unreachable: OSError"]


def test_health_refuses_writes(client: Client) -> None:
    """Health endpoints are GET/HEAD only."""
    assert client.post("/healthz").status_code == HTTPStatus.METHOD_NOT_ALLOWED
