"""The request inspector (/whoami): what it reports, and that production has none."""

from http import HTTPStatus

from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper


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
