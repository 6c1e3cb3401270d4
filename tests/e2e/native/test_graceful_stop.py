"""Graceful stops with requests in flight: gunicorn on SIGTERM and nginx on SIGQUIT finish every request
they have already accepted. The slow view is test-only (tests/support/slow_app/)."""

import signal
from collections.abc import Callable
from http import HTTPStatus

import pytest

from tests.support.in_flight import IN_FLIGHT, InFlight
from tests.support.native import LoggedStack

pytestmark = pytest.mark.e2e

SLOW_SETTINGS = {"DJANGO_SETTINGS_MODULE": "tests.support.slow_app.settings"}


def test_gunicorn_sigterm_finishes_every_request_in_flight(
    start_logged_stack: Callable[..., LoggedStack], capsys: pytest.CaptureFixture[str]
) -> None:
    """SIGTERM to gunicorn's master (as `docker stop` and ECS send it): all 16 answers are 200, then it exits 0."""
    own = start_logged_stack(**SLOW_SETTINGS)
    assert own.get("/slow").status_code == HTTPStatus.OK  # the test-only view is there
    outcomes = InFlight(own.url + "/slow", IN_FLIGHT).stop_during(lambda: own.gunicorn.send_signal(signal.SIGTERM))
    assert outcomes == [HTTPStatus.OK] * IN_FLIGHT
    assert own.gunicorn.wait(timeout=30) == 0
    assert "Traceback" not in own.gunicorn_log.read_text()
    with capsys.disabled():
        print(f"\n  gunicorn SIGTERM: {outcomes.count(HTTPStatus.OK)} of {IN_FLIGHT} in-flight requests answered 200")


def test_nginx_sigquit_finishes_every_request_in_flight(
    start_logged_stack: Callable[..., LoggedStack], capsys: pytest.CaptureFixture[str]
) -> None:
    """SIGQUIT to nginx's master (the image's STOPSIGNAL): it stops accepting, answers all 16, then exits 0."""
    own = start_logged_stack(**SLOW_SETTINGS)
    outcomes = InFlight(own.url + "/slow", IN_FLIGHT).stop_during(lambda: own.nginx.send_signal(signal.SIGQUIT))
    assert outcomes == [HTTPStatus.OK] * IN_FLIGHT
    assert own.nginx.wait(timeout=30) == 0
    with capsys.disabled():
        print(f"\n  nginx SIGQUIT: {outcomes.count(HTTPStatus.OK)} of {IN_FLIGHT} in-flight requests answered 200")


def test_the_slow_view_is_not_in_the_product(stack: LoggedStack) -> None:
    """Without the test settings, /slow is an ordinary 404."""
    assert stack.get("/slow").status_code == HTTPStatus.NOT_FOUND
