"""A database outage answers the friendly 503 page, never a traceback or Django's debug page.

While PostgreSQL is down or restarting, every query raises OperationalError (or InterfaceError on a
connection that died). DatabaseUnavailableMiddleware turns those into 503 with Retry-After, like the page
nginx gives while gunicorn is down, and logs the cause once per request. It needs no restart to recover:
with CONN_HEALTH_CHECKS on, the next request after the database returns opens a new connection.

Liveness (/healthz) never touches the database; /readyz names it (myapp.health).
"""

import logging
from collections.abc import Callable
from http import HTTPStatus

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from myapp.database import first_line

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
UNAVAILABLE_TEMPLATE = "503.html"


def unavailable_response() -> HttpResponse:
    """The 503 page. Rendered without the request, so that no context processor can touch the database."""
    response = HttpResponse(render_to_string(UNAVAILABLE_TEMPLATE), status=HTTPStatus.SERVICE_UNAVAILABLE)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answers 503 when a view fails because the database cannot be reached."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        # One line, no traceback: the cause is the database, not this code. libpq's messages name the host,
        # port and user, never the password.
        log.error("database unavailable, answered 503: %s: %s", type(exception).__name__, first_line(exception))
        return unavailable_response()
