"""The guestbook, health endpoints, request inspector and request context, through Django's test client."""

import json
import logging
from http import HTTPStatus
from unittest import mock

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from myapp.env import EnvError
from myapp.guestbook.models import Entry
from myapp.request_context import client_address, request_id_from, trusted_proxy_networks


@pytest.mark.django_db
def test_home_lists_entries_and_links_static_assets(client: Client) -> None:
    """The home page shows entries and loads CSS, JS and an image from /static/."""
    Entry.objects.create(name="Ada", message="Hello from the test")
    response = client.get("/")
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "Hello from the test" in body
    for asset in ("/static/guestbook/site.css", "/static/guestbook/site.js", "/static/guestbook/logo.svg"):
        assert asset in body


@pytest.mark.django_db
def test_signing_stores_the_entry_and_redirects(client: Client) -> None:
    """A valid POST stores one entry and redirects back (POST/redirect/GET)."""
    response = client.post("/", {"name": "Grace", "message": "Signed"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/"
    assert list(Entry.objects.values_list("name", "message")) == [("Grace", "Signed")]


@pytest.mark.django_db
def test_invalid_entry_is_not_stored(client: Client) -> None:
    """A POST missing the name re-shows the form with the error and stores nothing."""
    response = client.post("/", {"name": "", "message": "x"})
    assert response.status_code == HTTPStatus.OK
    assert "This field is required." in response.content.decode()
    assert Entry.objects.count() == 0


@pytest.mark.django_db
def test_post_without_csrf_token_is_refused() -> None:
    """CSRF protection is on: a POST without the token is 403."""
    response = Client(enforce_csrf_checks=True).post("/", {"name": "Eve", "message": "forged"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Entry.objects.count() == 0


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


def test_whoami_shows_the_request_path(client: Client) -> None:
    """The inspector reports scheme, addresses, forwarding headers and the request id, as JSON."""
    response = client.get(
        "/whoami?format=json",
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_REAL_IP="203.0.113.9",
        HTTP_X_REQUEST_ID="abc123",
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert response.status_code == HTTPStatus.OK
    details = response.json()
    assert details["client_address"] == "203.0.113.9"
    assert details["proxy_address"] == "127.0.0.1"
    assert details["request_id"] == "abc123"
    assert details["headers"]["X-Forwarded-Proto"] == "https"
    assert details["network_mode"] == "local"
    assert response["X-Request-ID"] == "abc123"


def test_whoami_html_page(client: Client) -> None:
    """Without ?format=json the inspector is a page."""
    response = client.get("/whoami")
    assert response.status_code == HTTPStatus.OK
    assert "Request inspector" in response.content.decode()


def test_whoami_is_404_when_disabled(client: Client, settings: SettingsWrapper) -> None:
    """With the inspector off (the prod default) the page does not exist."""
    settings.WHOAMI_ENABLED = False
    assert client.get("/whoami").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.django_db
def test_one_json_log_line_per_request_with_request_id(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    """Each request logs one JSON line carrying nginx's X-Request-ID."""
    with caplog.at_level(logging.INFO, logger="myapp.requests"):
        client.get("/", HTTP_X_REQUEST_ID="f00dfeed")
    lines = [json.loads(record.getMessage()) for record in caplog.records if record.name == "myapp.requests"]
    assert len(lines) == 1
    assert lines[0]["request_id"] == "f00dfeed"
    assert lines[0]["status"] == HTTPStatus.OK
    assert lines[0]["path"] == "/"


def test_request_id_is_replaced_when_malformed() -> None:
    """A hostile X-Request-ID (newlines, oversized) is replaced, so it cannot forge log lines."""
    assert request_id_from("abc-123", lambda: "fresh") == "abc-123"
    assert request_id_from('x"\n{"forged": 1}', lambda: "fresh") == "fresh"
    assert request_id_from("a" * 200, lambda: "fresh") == "fresh"
    assert request_id_from(None, lambda: "fresh") == "fresh"


def test_client_address_trusts_x_real_ip_only_from_trusted_proxies() -> None:
    """X-Real-IP counts only from FORWARDED_ALLOW_IPS; from anyone else the peer address stands."""
    networks = trusted_proxy_networks(["127.0.0.1", "172.16.0.0/12"])
    assert client_address("127.0.0.1", "203.0.113.9", networks) == "203.0.113.9"
    assert client_address("172.18.0.5", "203.0.113.9", networks) == "203.0.113.9"
    assert client_address("198.51.100.4", "203.0.113.9", networks) == "198.51.100.4"
    assert client_address("127.0.0.1", "not-an-ip", networks) == "127.0.0.1"
    assert client_address("198.51.100.4", "203.0.113.9", trusted_proxy_networks(["*"])) == "203.0.113.9"


def test_forwarded_allow_ips_must_be_addresses() -> None:
    """A malformed FORWARDED_ALLOW_IPS entry fails naming the variable."""
    with pytest.raises(EnvError, match=r"FORWARDED_ALLOW_IPS entry 'nginx' is not an IP address or network"):
        trusted_proxy_networks(["127.0.0.1", "nginx"])
