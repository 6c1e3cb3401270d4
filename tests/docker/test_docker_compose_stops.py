"""Graceful stops in compose with requests in flight: `compose stop app` (gunicorn drains on SIGTERM) and `compose
stop nginx` (nginx drains on SIGQUIT) each answer every request they had accepted.

The /slow view (2 s) is test-only: the app runs the product image plus tests/support/slow_app/, selected by a
second compose file (the compose_slow_project fixture). The product stack answers 404 there.
"""

from collections.abc import Callable
from http import HTTPStatus

import pytest

from tests.support.docker import ComposeProject, wait_until_healthy
from tests.support.in_flight import IN_FLIGHT, InFlight

pytestmark = pytest.mark.docker


def in_flight_across(project: ComposeProject, stop: Callable[[], object]) -> list[int | str]:
    assert project.get("/slow").status_code == HTTPStatus.OK  # the test-only view is there
    return InFlight(project.url + "/slow", IN_FLIGHT).stop_during(stop)


def report(capsys: pytest.CaptureFixture[str], what: str, outcomes: list[int | str]) -> None:
    with capsys.disabled():
        print(f"\n  {what}: {outcomes.count(HTTPStatus.OK)} of {len(outcomes)} in-flight requests answered 200")


def test_compose_stop_app_finishes_every_request_in_flight(
    compose_slow_project: ComposeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    """`compose stop app`: gunicorn's master gets SIGTERM through the init, answers all 16, then exits 0."""
    project = compose_slow_project
    try:
        outcomes = in_flight_across(project, lambda: project.compose("stop", "app"))
        report(capsys, "compose stop app", outcomes)
        assert outcomes == [HTTPStatus.OK] * IN_FLIGHT
        app = project.container("app")
        assert (app.attrs["State"]["Status"], app.attrs["State"]["ExitCode"]) == ("exited", 0)
        log = project.logs("app")
        assert "Shutting down: Master" in log
        assert "Traceback" not in log
    finally:
        project.compose("start", "app")
        wait_until_healthy(project, ("app", "nginx"))


def test_compose_stop_nginx_finishes_every_request_in_flight(
    compose_slow_project: ComposeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    """`compose stop nginx`: nginx gets SIGQUIT (the image's STOPSIGNAL), answers all 16, then exits 0."""
    project = compose_slow_project
    outcomes = in_flight_across(project, lambda: project.compose("stop", "nginx"))
    report(capsys, "compose stop nginx", outcomes)
    assert outcomes == [HTTPStatus.OK] * IN_FLIGHT
    nginx = project.container("nginx")
    assert (nginx.attrs["State"]["Status"], nginx.attrs["State"]["ExitCode"]) == ("exited", 0)
    assert "gracefully shutting down" in project.logs("nginx")
