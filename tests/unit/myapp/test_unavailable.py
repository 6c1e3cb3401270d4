"""myapp/unavailable.py: a view that cannot reach the database answers the friendly 503."""

import logging
from http import HTTPStatus
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings

from myapp.unavailable import DatabaseUnavailableMiddleware


def never_called(request: HttpRequest) -> HttpResponse:
    raise AssertionError("process_exception must not call the view")


@pytest.mark.parametrize("error", [OperationalError("connection refused"), InterfaceError("connection already closed")])
def test_database_errors_answer_the_friendly_503(error: Exception, caplog: pytest.LogCaptureFixture) -> None:
    """The page says "Back in a moment", asks for a retry, is never cached, and the cause is logged in one line."""
    middleware = DatabaseUnavailableMiddleware(never_called)
    with caplog.at_level(logging.ERROR, logger="myapp.unavailable"):
        response = middleware.process_exception(RequestFactory().get("/"), error)
    assert response is not None
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "<title>Back in a moment · myapp</title>" in page
    assert str(error) not in page
    assert [record.getMessage() for record in caplog.records] == [
        f"database unavailable, answered 503: {type(error).__name__}: {error}"
    ]


def test_other_errors_are_left_to_django() -> None:
    """Only database errors are answered here; anything else is Django's 500."""
    middleware = DatabaseUnavailableMiddleware(never_called)
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("bug")) is None


def test_a_view_that_loses_the_database_answers_503_through_the_whole_stack(client: Client) -> None:
    """Through every middleware, with DEBUG on: the friendly page, not Django's debug page."""
    with (
        override_settings(DEBUG=True),
        mock.patch("myapp.guestbook.views.render", side_effect=OperationalError("server closed the connection")),
    ):
        response = client.get("/", HTTP_HOST="localhost")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert b"Back in a moment" in response.content
    assert b"Traceback" not in response.content
