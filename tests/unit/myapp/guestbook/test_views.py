"""The guestbook through Django's test client: entries, the form, CSRF."""

from http import HTTPStatus

import pytest
from django.test import Client

from myapp.guestbook.models import Entry


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
